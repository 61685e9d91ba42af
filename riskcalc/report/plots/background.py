"""Figures written in forked processes, beside the process that draws them.

Drawing a figure is quick; writing it as PNG and SVG is most of a report's time
(matplotlib lays out and renders every tick and label in Python, twice).  Within
:func:`figures_in_background`, :func:`~riskcalc.report.plots.common.save_figure` forks a
child that writes the files while this process draws the next figure, and leaving the
block waits until every file is written.  A child that fails, or does not finish
within :data:`PATIENCE` seconds, is ended and its figure written here instead, so the
files are the same either way (each child writes the figure as it was when it forked).

Only on Linux and with more than one core available: elsewhere (no ``fork``, or
macOS, where a forked child must not touch some system libraries) and on one core,
figures are written here, one after another.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["figures_in_background", "write_in_background", "PATIENCE"]

#: Seconds a child may take to write one figure before it is ended and the figure
#: written here; a safety net (a figure takes well under a second).
PATIENCE = 120.0

#: Children at most at a time (a report has six to ten figures).
_MOST = 16

_PENDING: ContextVar[list[tuple[int, Callable[[], object]]] | None] = ContextVar(
    "riskcalc_pending_figures", default=None)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def _can_fork() -> bool:
    return sys.platform.startswith("linux") and hasattr(os, "fork") and _cores() > 1


@contextmanager
def figures_in_background(enabled: bool = True) -> Iterator[None]:
    """Within the block, figures are written by forked children; on leaving, all are written.

    Parameters
    ----------
    enabled : bool
        False writes every figure here (as outside the block).
    """
    if not (enabled and _can_fork()) or _PENDING.get() is not None:
        yield
        return
    pending: list[tuple[int, Callable[[], object]]] = []
    token = _PENDING.set(pending)
    try:
        yield
    except BaseException:  # an error or Ctrl-C: the children's files are not wanted
        _PENDING.reset(token)
        for pid, _ in pending:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        raise
    _PENDING.reset(token)
    _finish(pending)


def write_in_background(write: Callable[[], object]) -> bool:
    """Call `write` in a forked child inside :func:`figures_in_background`.

    Returns
    -------
    bool
        True if a child was started (its files exist once the block is left); False
        outside the block or where no child could start: the caller writes them.
    """
    pending = _PENDING.get()
    if pending is None:
        return False
    if len(pending) >= _MOST:
        _finish([pending.pop(0)])  # a bound on the children at a time: each holds memory
    # The child runs matplotlib and writes files, then leaves with os._exit: it never
    # takes a lock another thread of this process may hold at the fork (Arrow's and
    # BLAS's thread pools are not used in it), which is what Python 3.12 warns of.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            pid = os.fork()
        except OSError:
            return False
    if pid == 0:  # the child
        code = 1
        try:
            with contextlib.suppress(ValueError):  # not the main thread: as it is
                signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends it at once
            # A collection would touch every object this process shares with its
            # parent and so copy their pages: a child that lives a fraction of a
            # second does without.
            gc.disable()
            write()
            code = 0
        finally:
            os._exit(code)  # never back into the caller's code, nor its exit handlers
    pending.append((pid, write))
    return True


def _finish(pending: list[tuple[int, Callable[[], object]]]) -> None:
    """Wait for each child; write here the figures of those that failed or hang."""
    for pid, write in pending:
        if not _exited_cleanly(pid, time.monotonic() + PATIENCE):
            write()


def _exited_cleanly(pid: int, deadline: float) -> bool:
    delay = 0.002
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status) == 0
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return False
        time.sleep(delay)
        delay = min(2 * delay, 0.05)
