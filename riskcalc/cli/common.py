"""Argument types and options shared by the commands."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from riskcalc.engine.backends import BACKENDS, DEFAULT_BACKEND
from riskcalc.errors import ModelError
from riskcalc.files import directory_lock

if TYPE_CHECKING:
    from riskcalc.model.objects import Model

__all__ = ["EXIT_OK", "EXIT_BAD_INPUT", "DEFAULT_SEED", "SEED_HELP", "positive_int", "share",
           "seed",
           "add_engine_options", "engine_kwargs", "load", "hold", "HELD"]

EXIT_OK, EXIT_BAD_INPUT = 0, 2


def _whole_number(text: str) -> int:
    try:
        return int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def positive_int(text: str) -> int:
    """A whole number ≥ 1 (underscores allowed: 1_000_000)."""
    value = _whole_number(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {value}")
    return value


def share(text: str) -> float:
    """A number strictly between 0 and 1 (a confidence level, a percentile, a mass)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, got {value}")
    return value


#: The seed of every command that draws random numbers, unless --seed says otherwise: the
#: same command gives the same numbers.  (2017: the year of the seed report.)
DEFAULT_SEED = 2017
SEED_HELP = (f"seed of the random numbers (default {DEFAULT_SEED}, so the same command gives "
             "the same numbers); 'random' draws a fresh one, recorded with the results")


def seed(text: str) -> int | None:
    """A non-negative whole number, or ``random`` (None: draw one and record it)."""
    if text.strip().lower() == "random":
        return None
    value = _whole_number(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a non-negative seed, got {value}")
    return value


#: Most workers --jobs accepts (more than any machine's cores; a Dask cluster's too).
MAX_JOBS = 1024


def jobs(text: str) -> int:
    """Worker count in joblib's convention: 1, 2, ... or -1 for all cores (-2 all but one)."""
    value = _whole_number(text)
    cores = os.cpu_count() or 1
    if value == 0 or value > MAX_JOBS or value < -cores:
        raise argparse.ArgumentTypeError(
            f"{value} jobs cannot run; use 1 to {MAX_JOBS}, or -1 for all {cores} cores "
            f"(-k: all but k - 1, down to -{cores})")
    return value


def add_engine_options(parser: argparse.ArgumentParser) -> None:
    """Options of every command that evaluates the model: workers, backend, quiet."""
    parser.add_argument("--jobs", type=jobs, default=-1,
                        help="parallel workers, -1 for all cores (default -1: the numbers "
                             "are the same for any number)")
    parser.add_argument("--backend", choices=BACKENDS, default=DEFAULT_BACKEND,
                        help="where chunks run: threads (threading, default), worker "
                             "processes (loky), this process (sequential) or a Dask "
                             "cluster (dask)")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help="with --backend dask: the scheduler's address "
                             "(tcp://host:8786), or local:K for a local cluster of K workers")
    parser.add_argument("--quiet", action="store_true",
                        help="print nothing but errors; no progress bar")


def engine_kwargs(args: argparse.Namespace) -> dict:
    """Keyword arguments for the API's n_jobs / backend / scheduler / progress."""
    if args.scheduler is not None and args.backend != "dask":
        raise ModelError("--scheduler is used with --backend dask only")
    n_jobs = -1 if args.backend == "dask" and args.jobs == 1 else args.jobs
    return {"n_jobs": n_jobs, "backend": args.backend, "scheduler": args.scheduler,
            "progress": not args.quiet and sys.stderr.isatty()}


#: Run directories this command holds (see :func:`hold`); main() releases them at the end.
HELD = contextlib.ExitStack()


def hold(directory: Path) -> Path:
    """Lock a run directory for the rest of this command: a second command writing it at
    the same time is refused with one line (see :func:`riskcalc.files.directory_lock`)."""
    HELD.enter_context(directory_lock(directory))
    return directory


def load(path: Path) -> Model:
    """Load a model, printing what the loader repaired or noticed on stderr."""
    from riskcalc.model.loader import load_model

    model = load_model(path)
    for warning in model.warnings:
        print(f"riskcalc: warning: {warning}", file=sys.stderr)
    return model
