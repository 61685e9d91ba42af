"""Which path evaluates the cash flows: the compiled kernel or numpy, and warming the kernel.

The fused kernel (:mod:`riskcalc.engine.kernel`) is numba-compiled: 4 to 10 s
the first time, then loaded from numba's on-disk cache in 0.3–0.5 s (numba and
its registries).  The numpy path gives the same numbers to the last bit (tests
hold the two to it), about 0.85 s of CPU slower per million scenarios of the
labour-market model (3.5 ms per block of 4,096).  So:

- the first :data:`NUMPY_BLOCKS_FIRST` blocks of a process run on numpy: loading
  the kernel pays for itself only over more (a run of 20,000 scenarios never
  imports numba); a run known to be at least that large (:func:`expect_blocks`)
  loads it at its first block instead;
- after that, while numba's cache does not hold the kernel (a fresh clone or
  install), blocks stay on numpy, and a detached process compiles the kernel into
  the cache for next time, at the lowest CPU priority (``nice 19``, and its
  session's scheduling group lowered too: :func:`_only_idle_time`), so that it
  takes only idle time;
- once the cache holds it (checked at most once a second, so a long run or a
  Python session switches as soon as it is there), the kernel is loaded and used.

The tables after the engine follow the same rule with their own compiled
reductions (:func:`table_kernels`): used once the cache holds them, where numba is
loaded anyway or the run is large; compiled by the same background process.

The environment variable ``RISKCALC_KERNEL`` overrides this: ``numba`` always
uses the kernel and the reductions (compiling them in the foreground if need
be), ``numpy`` never imports numba, ``auto`` (the default) is the above.

The compiling process holds an advisory lock (``flock``) in numba's cache
directory, one for the kernel and then one for the reductions (a run loads the
kernel as soon as it is cached), so two runs started together compile once; the
operating system releases the lock however the process ends.  It is started in its own session
with no terminal, and a thread of the starting process waits for it, so it never
lingers as a zombie; when the starting process ends first, it carries on.  Where
the package's folder is read-only numba caches in NUMBA_CACHE_DIR or the user's
cache folder; where it has nowhere to cache, nothing is compiled in the
background and runs use numpy (or ``RISKCALC_KERNEL=numba``).

``python -m riskcalc.engine.kernel_cache`` compiles the kernel and the reductions
in the foreground (after an install, say); it prints where the cache is.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from riskcalc.errors import ResourceError

if TYPE_CHECKING:  # numpy itself is not needed to choose a path
    from types import ModuleType

    import numpy as np

__all__ = ["ENV", "CHOICES", "NUMPY_BLOCKS_FIRST", "TABLES_FIRST", "kernel_choice",
           "use_kernel", "table_kernels", "expect_blocks", "count_numpy_blocks",
           "start_background_compile"]

#: The environment variable that chooses the path.
ENV = "RISKCALC_KERNEL"
CHOICES = ("auto", "numba", "numpy")
#: Name of the lock file the compiling process holds, in numba's cache directory.
LOCK = "riskcalc-kernel.lock"
#: The same for the tables' reductions: their compile, after the kernel's, does not
#: keep a run from loading the kernel meanwhile.
TABLES_LOCK = "riskcalc-reductions.lock"
#: Seconds between two looks at numba's cache while it does not hold the kernel.
RECHECK_S = 1.0
#: Blocks a process evaluates on numpy before it loads the kernel (with ``auto``):
#: 64 blocks of 8,192 (524,288 scenarios) cost about as much more on numpy as loading
#: the kernel costs (0.45 s of CPU): a process never pays much more than twice the least.
NUMPY_BLOCKS_FIRST = 64
#: Columns of at least this many scenarios have the tables load the compiled
#: reductions (:mod:`riskcalc.engine.reductions`) in a process that has not loaded
#: numba for the engine (its engine ran in other processes, or the tables are of a
#: saved run): importing numba and loading them costs 0.6 s of CPU there (0.02 s
#: where the engine's kernel is loaded), and they save about 0.3 s per million
#: scenarios of the labour-market model.
TABLES_FIRST = 1 << 21

_lock = threading.Lock()
_looked_at = -float("inf")
_tables_looked_at = -float("inf")
_started = False
_numpy_blocks = 0
#: True while a thread holds _lock to load the engine's kernel (or to find it not cached).
_loading = False


def kernel_choice() -> str:
    """``RISKCALC_KERNEL``: auto (default), numba or numpy.

    Raises
    ------
    ResourceError
        For any other value, in one line.
    """
    choice = os.environ.get(ENV, "auto").strip().lower() or "auto"
    if choice not in CHOICES:
        raise ResourceError(f"environment variable {ENV}={os.environ[ENV]!r}: expected one "
                            f"of {', '.join(CHOICES)}")
    return choice


def use_kernel() -> bool:
    """Whether to evaluate with the compiled kernel now (True) or with numpy (False).

    Cheap: a counter, then a flag once the kernel is loaded, or a look at one
    small file at most once a second while numba's cache is cold.  Thread-safe;
    a thread that finds another about to load the kernel waits for it (a chunk
    on numpy meanwhile took as long, and slowed the load: 0.1-0.3 s of CPU more
    in a run of 1-4 M scenarios), then uses numpy only if the cache was cold.
    """
    global _looked_at, _loading
    choice = kernel_choice()
    if choice == "numpy":
        return False
    if _kernel_loaded():
        return True
    if choice == "numba":
        from riskcalc.engine import kernel

        kernel.load()
        return True
    if _numpy_blocks < NUMPY_BLOCKS_FIRST:
        return False
    if not _lock.acquire(blocking=False):
        if not _loading:
            return False
        # Another thread is loading the kernel (0.3-0.4 s from the cache, mostly
        # holding the GIL): wait for it.
        with _lock:
            return _kernel_loaded()
    try:
        if time.monotonic() - _looked_at < RECHECK_S:
            return False
        _looked_at = time.monotonic()
        _loading = True
        from riskcalc.engine import kernel

        return _load_if_cached(kernel, LOCK)
    finally:
        _loading = False
        _lock.release()


def _load_if_cached(compiled: ModuleType, lock: str) -> bool:
    """Load `compiled` (the kernel's or the reductions' module) if numba's cache holds
    it and no compile holds `lock`; else start the background compile (once per
    process).  True when loaded.  Called holding :data:`_lock`."""
    from riskcalc.engine import kernel

    directory = kernel.cache_directory()
    if directory is not None and not _compiling(directory, lock) and compiled.is_cached():
        compiled.load()
        return True
    if directory is not None:
        start_background_compile(directory)
    return False


def table_kernels(*columns: np.ndarray) -> ModuleType | None:
    """The compiled reductions (:mod:`riskcalc.engine.reductions`) when the tables
    should reduce these columns with them, else None (numpy: the same numbers).

    With ``auto``: only once numba's cache holds them, and only where numba is
    already loaded (the engine ran here) or the columns are of at least
    :data:`TABLES_FIRST` scenarios; a cold cache starts the background compile,
    which compiles them beside the engine's kernel.  Only float64 C-contiguous
    columns (numpy sums others in another order).  Thread-safe and cheap after the
    first call, as :func:`use_kernel`.
    """
    global _tables_looked_at
    if not all(c.dtype == float and c.flags.c_contiguous for c in columns):
        return None
    choice = kernel_choice()
    if choice == "numpy":
        return None
    module = sys.modules.get("riskcalc.engine.reductions")
    # (Another thread may be importing it: only a finished load counts.)
    if getattr(module, "loaded", bool)():
        return module
    if choice == "numba":
        from riskcalc.engine import reductions

        reductions.load()
        return reductions
    if (not (_kernel_loaded() or columns[0].size >= TABLES_FIRST)
            or time.monotonic() - _tables_looked_at < RECHECK_S
            or not _lock.acquire(blocking=False)):
        return None
    try:
        _tables_looked_at = time.monotonic()
        from riskcalc.engine import reductions

        return reductions if _load_if_cached(reductions, TABLES_LOCK) else None
    finally:
        _lock.release()


def _kernel_loaded() -> bool:
    """True once the kernel is loaded in this process (by CompiledModel(fused=True),
    say).  The module may still be importing in another thread: only a finished
    load counts."""
    loaded = getattr(sys.modules.get("riskcalc.engine.kernel"), "loaded", None)
    return loaded is not None and loaded()


def expect_blocks(blocks: int) -> None:
    """Say how many blocks the run about to start evaluates (its size is known up front).

    A run of at least :data:`NUMPY_BLOCKS_FIRST` blocks would load the kernel after
    them anyway, so it pays to load it (or start its background compile) at the
    first block instead; a smaller run keeps the numpy-first rule.
    """
    global _numpy_blocks
    if blocks >= NUMPY_BLOCKS_FIRST:
        _numpy_blocks = max(_numpy_blocks, NUMPY_BLOCKS_FIRST)


def count_numpy_blocks(blocks: int) -> None:
    """Note blocks evaluated on numpy because :func:`use_kernel` said so."""
    global _numpy_blocks
    _numpy_blocks += blocks  # a lost update between threads only delays the switch


def _compiling(directory: str, lock: str = LOCK) -> bool:
    """True when a process holds the compile lock `lock` in `directory`."""
    try:
        import fcntl
    except ImportError:  # no flock (Windows): a second compile is only wasted work
        return False
    try:
        fd = os.open(os.path.join(directory, lock), os.O_RDONLY)
    except OSError:
        return False  # no lock file yet: nobody has compiled here
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return False
    except OSError:
        return True
    finally:
        os.close(fd)


def start_background_compile(directory: str) -> subprocess.Popen | None:
    """Start a detached process that compiles the kernel into numba's cache.

    At most one per process, and none while another holds the lock in `directory`
    (numba's cache directory).  Returns the process, or None when none was started.
    """
    global _started
    if _started or _compiling(directory):
        return None
    _started = True
    root = str(Path(__file__).resolve().parents[2])  # the folder holding riskcalc/
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        p for p in (root, os.environ.get("PYTHONPATH")) if p))
    options: dict = {}
    if os.name == "posix":
        options["start_new_session"] = True  # no terminal: Ctrl-C in it does not stop it
    else:  # pragma: no cover
        options["creationflags"] = (subprocess.DETACHED_PROCESS
                                    | subprocess.BELOW_NORMAL_PRIORITY_CLASS)
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "riskcalc.engine.kernel_cache", "--background"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            cwd=root, env=env, **options)
    except OSError:
        return None
    # Reaps it when it ends before this process; if this process ends first, the
    # compile carries on and the system reaps it.
    threading.Thread(target=process.wait, name="riskcalc-kernel-compile", daemon=True).start()
    return process


def _only_idle_time() -> None:
    """Lower this process to the least CPU priority: the run that started it keeps its
    cores.

    ``nice 19`` alone is not enough on Linux with autogroup scheduling (the default on
    desktop and many server kernels): nice then ranks a process only within its
    session's group, and this process has a session of its own, so its group took a
    whole core from the run's group (a fresh clone's first run of 1 M scenarios had
    its engine on one core).  As the leader of its own session it also lowers its
    group (``/proc/self/autogroup``), which touches no other process.
    """
    if hasattr(os, "nice"):
        try:
            os.nice(19)
        except OSError:
            pass
    try:
        if os.getsid(0) == os.getpid():
            with open("/proc/self/autogroup", "w", encoding="ascii") as group:
                group.write("19")
    except (OSError, AttributeError):  # not Linux, or no autogroup scheduling
        pass


def _compile(background: bool) -> int:
    """Compile the kernel and the tables' reductions into numba's cache, holding the
    lock; for ``python -m``."""
    if background:
        _only_idle_time()
    from riskcalc.engine import kernel, reductions

    directory = kernel.cache_directory()
    if directory is None:
        print("riskcalc: numba has no writable cache folder here (set NUMBA_CACHE_DIR); "
              "runs use the numpy path", file=sys.stderr)
        return 1
    # The kernel first (the engine waits for it), each under its own lock.
    for lock, compiled in ((LOCK, kernel), (TABLES_LOCK, reductions)):
        fd = os.open(os.path.join(directory, lock), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                import fcntl

                # A second compile waits for the first, then finds it cached.
                fcntl.flock(fd, fcntl.LOCK_EX | (fcntl.LOCK_NB if background else 0))
            except ImportError:  # pragma: no cover
                pass
            except BlockingIOError:
                continue  # another process is compiling it
            if not compiled.is_cached():
                compiled.load()
        finally:
            os.close(fd)
    if not background:
        print(f"riskcalc: the compiled kernel and table reductions are cached in {directory}")
    return 0


if __name__ == "__main__":
    sys.exit(_compile("--background" in sys.argv[1:]))
