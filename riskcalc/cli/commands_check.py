"""``riskcalc check``: validate a model and print its base-case income statement.

A module of its own, light to import: checking a model needs the model loader
and the income statement, not the engine's workers, the risk tables or the report.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from riskcalc.cli.common import EXIT_OK, load
from riskcalc.model.objects import Model
from riskcalc.results.statement import IncomeStatement, income_statement

__all__ = ["register", "render_statement"]


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``check`` command."""
    check = commands.add_parser(
        "check", help="validate a model and print its base-case income statement")
    check.add_argument("model", type=Path, help="model file (TOML)")
    check.add_argument("--json", action="store_true", help="print JSON instead of a table")
    check.set_defaults(handler=_check)


def _check(args: argparse.Namespace) -> int:
    model = load(args.model)
    statement = income_statement(model)
    values = [*statement.table[["revenue", "cost", "net"]].to_numpy().ravel(),
              *statement.npv.values()]
    if not all(np.isfinite(v) for v in values if v == v):
        print(f"riskcalc: warning: {args.model}: the base case gives amounts that are not "
              "finite (a division by zero?); check the expressions", file=sys.stderr)
    if args.json:
        print(json.dumps(statement.to_dict(), indent=2))
        return EXIT_OK
    print(f"{model.name}\n{args.model}: valid; {len(model.actors)} actors, "
          f"{len(model.parameters)} parameters ({len(model.uncertain_parameters)} uncertain), "
          f"{len(model.flows)} flows, {len(model.transfers)} transfers, {model.years} years\n")
    print(render_statement(model, statement))
    return EXIT_OK


def render_statement(model: Model, statement: IncomeStatement) -> str:
    """The base-case income statement as text, in the seed's table 4.2 layout."""
    table = statement.table.drop(columns="label")
    for column in table.columns:
        table[column] = [f"{v:,.0f}" if v == v else "" for v in table[column]]
    table[f"NPV {model.years} y"] = [f"{statement.npv[k]:,.0f}" for k in table.index]
    if statement.npv_on_paper:
        table["NPV on paper"] = [f"{statement.npv_on_paper[k]:,.0f}"
                                  if k in statement.npv_on_paper else "" for k in table.index]
    lines = [f"Socio-economic income statement, year {statement.year}, base case "
             f"({model.currency}):", table.to_string()]
    if "optimism_bias" in statement.table:
        lines.append("Cost includes the optimism-bias uplift shown in its own column.")
    if statement.npv_on_paper:
        lines.append("revenue is what becomes budget; revenue_on_paper is the saving before "
                     "realisation and indivisibilities.")
    if not statement.outcomes.empty:
        outcomes = statement.outcomes.map(lambda v: f"{v:,.2f}")
        lines += ["", "Outcomes in their first year (gross, after each adjustment, net):",
                  outcomes.to_string()]
    return "\n".join(lines)
