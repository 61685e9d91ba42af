"""The ``riskcalc`` command line: a thin shell over the Python API.

Each command lives in a module of this package that defines ``register(commands)``
(adding its sub-parser, with ``handler`` set) and the handler itself: parse,
call the API, print.  Bad input of any kind (a model or policy file, a number on
the command line) ends with one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from riskcalc.cli import (
    commands_decide,
    commands_discover,
    commands_fund,
    commands_report,
    commands_run,
    commands_sensitivity,
)
from riskcalc.cli.common import EXIT_BAD_INPUT, HELD
from riskcalc.errors import ModelError

__all__ = ["main", "build_parser"]

#: Exit codes of a reader that closed the pipe (as if killed by SIGPIPE) and of Ctrl-C.
EXIT_BROKEN_PIPE, EXIT_INTERRUPTED = 141, 130
#: Modules that contribute commands, in the order `riskcalc --help` lists them.
COMMAND_MODULES = (commands_run, commands_decide, commands_fund, commands_sensitivity,
                   commands_discover, commands_report)


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (argparse prints its whole usage)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}; see {self.prog} --help\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of all commands."""
    parser = _Parser(
        prog="riskcalc",
        description="Monte Carlo risk and sensitivity analysis of social investments.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
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


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
