"""``riskcalc check``: validate a model and print its base-case income statement.

A module of its own, light to import: checking a model needs the model loader
and the income statement, not the engine's workers, the risk tables or the report.
It prints its tables without pandas (0.2–0.5 s to import); only a programme's
cohort table and a declared break-even (scipy.optimize) import more.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from riskcalc.cli.common import (
    EXIT_OK,
    load,
)
from riskcalc.format import text_table
from riskcalc.model.objects import Model
from riskcalc.results.accumulated import (
    TABLE_4_3_YEARS,
    accumulated_by_kind,
    cohort_npv,
)
from riskcalc.results.statement import IncomeStatement, income_statement

__all__ = ["register", "render_statement", "render_accumulated"]


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
    values = [*(row[c] for row in statement.rows.values() for c in ("revenue", "cost", "net")),
              *statement.npv.values()]
    if not all(np.isfinite(v) for v in values if v == v):
        print(f"riskcalc: warning: {args.model}: the base case gives amounts that are not "
              "finite (a division by zero?); check the expressions", file=sys.stderr)
    effects = accumulated_by_kind(model)
    breakeven = None
    if model.breakeven:
        from riskcalc.decision.breakeven import declared_breakeven  # scipy.optimize: only here

        breakeven = declared_breakeven(model)
    cohorts = cohort_npv(model) if model.programme is not None else None
    if args.json:
        data = statement.to_dict()
        data["accumulated"] = {kind: {str(year): float(v)
                                      for year, v in enumerate(effects[kind], start=1)}
                               for kind in ("real", "production", "financial")}
        if cohorts is not None:
            data["cohorts"] = {str(k): {c: (None if v != v else float(v))
                                        for c, v in row.items()}
                               for k, row in cohorts.iterrows()}
        if breakeven is not None:
            data["breakeven"] = {row["parameter"]: (None if row["breakeven"] != row["breakeven"]
                                                    else float(row["breakeven"]))
                                 for _, row in breakeven.iterrows()}
        print(json.dumps(data, indent=2))
        return EXIT_OK
    print(f"{model.name}\n{args.model}: valid; {len(model.actors)} actors, "
          f"{len(model.parameters)} parameters ({len(model.uncertain_parameters)} uncertain), "
          f"{len(model.flows)} flows, {len(model.transfers)} transfers, {model.years} years")
    if model.programme is not None:
        p = model.programme
        print(f"Programme: {p.cohorts} cohorts entering years {p.entry_years[0]}.."
              f"{p.entry_years[-1]}, intake {', '.join(e.source for e in p.intake[:4])}"
              f"{', ...' if p.cohorts > 4 else ''}"
              + (f"; drawn per cohort: {', '.join(p.varying)}" if p.varying else ""))
    print()
    print(render_statement(model, statement))
    print()
    print(render_accumulated(model, effects))
    if cohorts is not None:
        table = cohorts.copy()
        table["entry_year"] = [f"{v:.0f}" if v == v else "" for v in table["entry_year"]]
        table["intake"] = [f"{v:,.1f}" if v == v else "" for v in table["intake"]]
        for column in table.columns[2:]:
            table[column] = [f"{v:,.0f}" for v in table[column]]
        print(f"\nNPV of each cohort over the horizon, base case, on paper ({model.currency}; "
              "discounted to year 1; whole units and realisation apply to the sum):\n"
              + table.to_string())
    if breakeven is not None:
        print("\nBreak-even (society's NPV = 0 at base case): "
              + "; ".join(row["note"] for _, row in breakeven.iterrows()))
    return EXIT_OK


def render_accumulated(model: Model, effects: dict[str, np.ndarray]) -> str:
    """The accumulated effect by cost kind in the seed's table 4.3 layout (base case).

    `effects` as :func:`riskcalc.results.accumulated.accumulated_by_kind` gives them.
    """
    years = [y for y in TABLE_4_3_YEARS if y <= model.years]
    names = {"real": "Real", "production": "Production value", "financial": "Financial",
             "total": "Total"}
    rows = {names[kind]: [f"{effects[kind][y - 1]:,.0f}" for y in years] for kind in names}
    return (f"Accumulated discounted effect by cost kind, base case ({model.currency}; "
            "years as columns):\n" + text_table([str(y) for y in years], rows, "year"))


def render_statement(model: Model, statement: IncomeStatement) -> str:
    """The base-case income statement as text, in the seed's table 4.2 layout."""
    columns = [c for c in statement.columns if c != "label"]
    rows = {key: [f"{row[c]:,.0f}" if row[c] == row[c] else "" for c in columns]
            for key, row in statement.rows.items()}
    headings = [*columns, f"NPV {model.years} y"]
    for key, cells in rows.items():
        cells.append(f"{statement.npv[key]:,.0f}")
        if statement.npv_on_paper:
            cells.append(f"{statement.npv_on_paper[key]:,.0f}"
                         if key in statement.npv_on_paper else "")
    if statement.npv_on_paper:
        headings.append("NPV on paper")
    lines = [f"Socio-economic income statement, year {statement.year}, base case "
             f"({model.currency}):", text_table(headings, rows)]
    if "optimism_bias" in columns:
        lines.append("Cost includes the optimism-bias uplift shown in its own column.")
    if statement.npv_on_paper:
        lines.append("revenue is what becomes budget; revenue_on_paper is the saving before "
                     "realisation and indivisibilities.")
    if statement.steps:
        steps = list(dict.fromkeys(s for values in statement.steps.values() for s in values))
        outcomes = text_table(steps, {name: [f"{values.get(s, np.nan):,.2f}" for s in steps]
                                      for name, values in statement.steps.items()})
        lines += ["", "Outcomes in their first year (gross, after each adjustment, net):",
                  outcomes]
    return "\n".join(lines)
