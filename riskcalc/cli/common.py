"""Argument types and options shared by the commands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from riskcalc.model import Model, load_model

__all__ = ["EXIT_OK", "EXIT_BAD_INPUT", "positive_int", "seed", "add_engine_options",
           "engine_kwargs", "load"]

EXIT_OK, EXIT_BAD_INPUT = 0, 2


def positive_int(text: str) -> int:
    """A whole number ≥ 1 (underscores allowed: 1_000_000)."""
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {value}")
    return value


def seed(text: str) -> int:
    """A non-negative whole number."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a non-negative seed, got {value}")
    return value


def jobs(text: str) -> int:
    """Worker count in joblib's convention: 1, 2, ... or -1 for all cores."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value == 0:
        raise argparse.ArgumentTypeError("0 jobs cannot run; use 1, 2, ... or -1 for all cores")
    return value


def add_engine_options(parser: argparse.ArgumentParser) -> None:
    """Options of every command that evaluates the model: workers, backend, output."""
    parser.add_argument("--jobs", type=jobs, default=1,
                        help="parallel workers, -1 for all cores (default 1)")
    parser.add_argument("--backend", choices=("loky", "threading", "sequential"),
                        default="loky", help="joblib backend for the workers (default loky)")
    parser.add_argument("--quiet", action="store_true",
                        help="print nothing but errors; no progress bar")


def engine_kwargs(args: argparse.Namespace) -> dict:
    """Keyword arguments for the API's n_jobs / backend / progress from parsed options."""
    return {"n_jobs": args.jobs, "backend": args.backend,
            "progress": not args.quiet and sys.stderr.isatty()}


def load(path: Path) -> Model:
    """Load a model, printing what the loader repaired or noticed on stderr."""
    model = load_model(path)
    for warning in model.warnings:
        print(f"riskcalc: warning: {warning}", file=sys.stderr)
    return model
