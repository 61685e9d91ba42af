"""The ``riskcalc`` command line: a thin shell over the Python API.

Each command lives in a module of this package that defines ``register(commands)``
(adding its sub-parser, with ``handler`` set) and the handler itself: parse,
call the API, print.  Bad input of any kind (a model or policy file, a number on
the command line) ends with one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from riskcalc.cli.common import EXIT_BAD_INPUT, HELD
from riskcalc.engine.resources import reuse_freed_memory
from riskcalc.errors import ModelError

__all__ = ["main", "command_line", "build_parser", "COMMANDS"]

#: Exit codes of a reader that closed the pipe (as if killed by SIGPIPE) and of Ctrl-C.
EXIT_BROKEN_PIPE, EXIT_INTERRUPTED = 141, 130
#: Every command: the module that defines it and its one-line help, in the order
#: `riskcalc --help` lists them.  A command's module is imported only when that
#: command runs (numpy, pandas, scipy and numba take a second to import, more than
#: `riskcalc --help` may); the one-liners here list the commands without importing
#: any (a test holds them equal to the modules' own).
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("commands_check", "validate a model and print its base-case income statement"),
    "run": ("commands_run", "run the Monte Carlo simulation and write results"),
    "decide": ("commands_decide",
               "approve or reject under a fund board's policy (exit 0 / 1)"),
    "fund": ("commands_fund",
             "simulate a social-investment fund: balance, depletion, repayments"),
    "sobol": ("commands_sensitivity",
              "Sobol' indices (S1, ST, S2) of every actor's NPV, society's and ROI"),
    "morris": ("commands_sensitivity",
               "Morris screening (mu*, sigma): which of many inputs matter"),
    "tornado": ("commands_sensitivity",
                "swing each input from P10 to P90, the others at base case; "
                "and a spider sweep over its percentiles"),
    "discover": ("commands_discover",
                 "where in the inputs a condition on the outputs lives (PRIM, CART)"),
    "report": ("commands_report",
               "write report.html, summary.md, tables.tex and figures/ of a run"),
}


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (argparse prints its whole usage)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}; see {self.prog} --help\n")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser of one command (its module's commands), or of all.

    Parameters
    ----------
    command : str, optional
        Build the parser only for the module of this command; default every
        module's commands.
    """
    parser = _Parser(
        prog="riskcalc",
        description="Monte Carlo risk and sensitivity analysis of social investments.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    modules = ([COMMANDS[command][0]] if command in COMMANDS
               else list(dict.fromkeys(module for module, _ in COMMANDS.values())))
    for module in modules:
        importlib.import_module(f"riskcalc.cli.{module}").register(commands)
    return parser


def _listing_parser() -> argparse.ArgumentParser:
    """Every command with its one-liner, no module imported: for help and typos."""
    parser = _Parser(
        prog="riskcalc",
        description="Monte Carlo risk and sensitivity analysis of social investments.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (_, text) in COMMANDS.items():
        commands.add_parser(name, help=text)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    # numpy asks for transparent huge pages for large arrays; where the kernel then
    # compacts memory to find them (defrag "madvise", the common default), a 4 M run
    # spent 2 s more in the kernel and 1.2 s more in all, for no less user time.
    # Read when numpy is imported (so not when a caller has imported it already); a
    # user's own setting wins.
    os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")
    reuse_freed_memory()
    # The first word that is not an option names the command.
    command = next((word for word in argv if not word.startswith("-")), None)
    parser = build_parser(command) if command in COMMANDS else _listing_parser()
    args = parser.parse_args(argv)
    try:
        with HELD:
            code = args.handler(args)
        sys.stdout.flush()  # here, so that a closed pipe is caught below, not at exit
        return code
    except ModelError as exc:
        print(f"riskcalc: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        # The reader (`| head`) stopped reading: not an error of ours.  Point stdout at
        # nothing so that Python's flush at exit does not complain again.
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        print("riskcalc: interrupted; the run directory keeps its previous complete run, "
              "or is marked INCOMPLETE", file=sys.stderr)
        return EXIT_INTERRUPTED
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        what = exc.strerror or str(exc) or type(exc).__name__
        print(f"riskcalc: error: {where}{what}".splitlines()[0], file=sys.stderr)
        return EXIT_BAD_INPUT


def command_line() -> NoReturn:
    """The ``riskcalc`` command and ``python -m riskcalc``: :func:`main`, then exit."""
    code = main()
    # At exit Python's garbage collector walks every object of numpy, pandas, numba and
    # pyarrow, more than once (0.2 s after a run of 1 M scenarios); frozen objects are
    # not walked, and the process's memory goes back to the system anyway.
    gc.freeze()
    raise SystemExit(code)


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
