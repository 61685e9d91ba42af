"""The ``riskcalc`` command line: a thin shell over the Python API.

Each command parses its arguments, calls the API, and prints.  Bad input of any
kind (a model file, a number on the command line) ends with one line on stderr
and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from riskcalc.errors import ModelError
from riskcalc.format import money, percent
from riskcalc.model import Model, load_model
from riskcalc.result import SimulationResult
from riskcalc.simulation import simulate
from riskcalc.statement import income_statement

__all__ = ["main"]

EXIT_OK, EXIT_BAD_INPUT = 0, 2


def _positive_int(text: str) -> int:
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {value}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a non-negative seed, got {value}")
    return value


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value == 0:
        raise argparse.ArgumentTypeError("0 jobs cannot run; use 1, 2, ... or -1 for all cores")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of all commands."""
    parser = argparse.ArgumentParser(
        prog="riskcalc",
        description="Monte Carlo risk and sensitivity analysis of social investments.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = commands.add_parser(
        "check", help="validate a model and print its base-case income statement")
    check.add_argument("model", type=Path, help="model file (TOML)")
    check.add_argument("--json", action="store_true", help="print JSON instead of a table")
    check.set_defaults(handler=_check)

    run = commands.add_parser("run", help="run the Monte Carlo simulation and write results")
    run.add_argument("model", type=Path, help="model file (TOML)")
    run.add_argument("--n", type=_positive_int, default=20_000,
                     help="number of scenarios (default 20000)")
    run.add_argument("--seed", type=_seed, default=None,
                     help="seed; drawn and recorded in manifest.json when omitted")
    run.add_argument("--jobs", type=_jobs, default=1,
                     help="parallel workers, -1 for all cores (default 1)")
    run.add_argument("--out", type=Path, default=None,
                     help="run directory (default reports/<model file name>/)")
    run.add_argument("--quiet", action="store_true", help="print nothing but errors")
    run.set_defaults(handler=_run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except ModelError as exc:
        print(f"riskcalc: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:
        print(f"riskcalc: error: {exc.filename or ''}: {exc.strerror}", file=sys.stderr)
        return EXIT_BAD_INPUT


def _check(args: argparse.Namespace) -> int:
    model = load_model(args.model)
    statement = income_statement(model)
    if args.json:
        print(json.dumps(statement.to_dict(), indent=2))
        return EXIT_OK
    cur = model.currency
    print(f"{model.name}\n{args.model}: valid; {len(model.actors)} actors, "
          f"{len(model.parameters)} parameters ({len(model.uncertain_parameters)} uncertain), "
          f"{len(model.flows)} flows, {len(model.transfers)} transfers, {model.years} years\n")
    print(f"Socio-economic income statement, year 1, base case ({cur}):")
    table = statement.table.copy()
    for column in ("revenue", "cost", "net"):
        table[column] = [f"{v:,.0f}" if isinstance(v, float) and v == v else ""
                         for v in table[column]]
    table[f"NPV {model.years} y"] = [f"{statement.npv[k]:,.0f}" for k in table.index]
    print(table.drop(columns="label").to_string())
    return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    model = load_model(args.model)
    result = simulate(model, args.n, seed=args.seed, n_jobs=args.jobs,
                      progress=not args.quiet and sys.stderr.isatty())
    out = result.write(args.out or Path("reports") / model.slug)
    if not args.quiet:
        print(render_run(model, result, out))
    return EXIT_OK


def render_run(model: Model, result: SimulationResult, out: Path) -> str:
    """The text `riskcalc run` prints: per-actor table, society, ROI, payback."""
    cur = model.currency
    summary = result.summary().set_index("output")
    lines = [f"{model.name}",
             f"{result.n:,} scenarios, seed {result.seed}, "
             f"{result.timings['simulate_s']:.2f} s\n",
             f"Net present value per actor over {model.years} years ({cur}):"]
    rows = []
    labels = {a.key: a.label for a in model.actors}
    for key in [*model.actor_keys, "society"]:
        s = summary.loc[f"npv_{key}"]
        rows.append({"actor": labels.get(key, "Society (total)"), "mean": money(s["mean"], cur),
                     "median": money(s["p50"], cur), "P5": money(s["p05"], cur),
                     "P95": money(s["p95"], cur), "P(loss)": percent(s["prob_negative"])})
    lines.append(pd.DataFrame(rows).to_string(index=False))
    roi = summary.loc["roi"]
    lines.append(f"\nROI (society NPV / investment): mean {roi['mean']:.2f}, median "
                 f"{roi['p50']:.2f}, P5 {roi['p05']:.2f}, P95 {roi['p95']:.2f}; "
                 f"P(ROI < 0) {percent(roi['prob_negative'])}")
    payback = result.payback()
    by_year = payback[payback["year"] != "never"].set_index("year")["prob_by_year"]
    marks = [y for y in (1, 2, 3, 5, 10, 20) if y <= model.years]
    lines.append("Society's payback: " + ", ".join(
        f"by year {y} {percent(by_year[y])}" for y in marks)
        + f", never within {model.years} y {percent(payback['prob_in_year'].iloc[-1])}")
    hump = summary.loc["hump_society"]
    lines.append(f"Investment hump (capital needed by society): median {money(hump['p50'], cur)},"
                 f" P95 {money(hump['p95'], cur)}")
    if result.n_nonfinite:
        lines.append(f"\nWARNING: {result.n_nonfinite} scenarios gave outputs that are not "
                     f"finite and are left out of the figures; first example's inputs: "
                     f"{result.nonfinite_example()}")
    lines.append(f"\nWrote {out}/ (manifest.json, scenarios.parquet, summary.csv, yearly.csv, "
                 "payback.csv)")
    return "\n".join(lines)
