"""The report's tables, as text cells: numbers formatted for people.

Layouts follow the seed report: table 4.2 (the socio-economic income statement at
base case, from :func:`riskcalc.income_statement`) and table 4.3 (accumulated effects
by cost kind at years 1-5, 10 and 20, here with P5-P95 intervals from yearly.csv).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from riskcalc.format import money, percent
from riskcalc.report.labels import class_label
from riskcalc.report.render import Table
from riskcalc.report.run import (
    TABLE_43_YEARS,
    RunData,
    class_thresholds,
    output_name,
    stat,
)

__all__ = ["report_tables", "criterion_name"]

#: Cost kinds in the order of the seed's table 4.3.
_KINDS_43 = ("real", "production", "financial")


def _interval(low: float, high: float, currency: str) -> str:
    """``"9.3 – 19.3 MSEK"``; the unit is written twice only where it differs."""
    first, second = money(low, currency), money(high, currency)
    number, _, unit = first.rpartition(" ")
    return f"{number} – {second}" if second.endswith(f" {unit}") else f"{first} – {second}"


def _number(name: str, value: Any, currency: str) -> str:
    """A value of unknown kind: shares as percent, large amounts as money."""
    if isinstance(value, bool) or value is None:
        return str(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    lowered = name.lower()
    if any(word in lowered for word in ("prob", "share")) and abs(number) <= 1:
        return percent(number)
    if abs(number) >= 1e4:
        return money(number, currency)
    return f"{number:.4g}"


def report_tables(run: RunData, words: Mapping[str, str]) -> list[Table]:
    """Every table of the report that the run's files allow, keyed for placement."""
    tables = [_actor_table(run, words)]
    if run.payback is not None:
        tables.append(_payback_table(run, words))
    if "classes" in run.extras and "class" in run.extras["classes"]:
        tables += _classes_tables(run, words)
    if run.model is not None:
        tables.append(_statement_table(run, words))
    tables.append(_table43(run, words))
    if "redistribution" in run.extras:
        tables.append(_redistribution_table(run, words))
    if run.verdict is not None:
        tables.append(_verdict_table(run, words))
        switching = _switching_table(run, words)
        if switching is not None:
            tables.append(switching)
    return tables


def _actor_table(run: RunData, words: Mapping[str, str]) -> Table:
    cur = run.currency
    rows = []
    for key in [*run.actors, "society"]:
        out = f"npv_{key}"
        if out in run.summary.index:
            rows.append([output_name(out, run, words),
                         *(money(stat(run, out, c), cur) for c in ("mean", "p50", "p05", "p95")),
                         percent(stat(run, out, "prob_negative")),
                         money(stat(run, f"hump_{key}", "p95"), cur)])
    return Table(words["key_figures"], [words["actor"], words["mean"], words["median"],
                                        words["p05"], words["p95"], words["prob_loss"],
                                        words["capital_need_p95"]],
                 rows, key="actors", total=True)


def _payback_table(run: RunData, words: Mapping[str, str]) -> Table:
    frame = run.payback
    years = frame[frame["year"].astype(str) != "never"]
    by_year = pd.Series(years["prob_by_year"].to_numpy(float), index=years["year"].astype(int))
    marks = [y for y in TABLE_43_YEARS if y in by_year.index]
    never = frame.loc[frame["year"].astype(str) == "never", "prob_in_year"]
    return Table(words["payback_by_year"], [words["year"], *map(str, marks), words["never"]],
                 [[words["society"], *(percent(by_year[y]) for y in marks),
                   percent(float(never.iloc[0]) if len(never) else math.nan)]], key="payback")


def _classes_tables(run: RunData, words: Mapping[str, str]) -> list[Table]:
    """The classes with their bounds and probability; each actor's mean NPV in each."""
    table = run.extras["classes"]
    _, metric = class_thresholds(run)
    cur = run.currency

    def bound(value: Any, low: bool) -> str:
        number = float(value) if not pd.isna(value) else -np.inf if low else np.inf
        if not np.isfinite(number):
            return "−∞" if number < 0 else "∞"
        return money(number, cur) if metric.startswith("npv") else f"{number:g}"

    names = [class_label(c, words) for c in table["class"]]
    rows = [[name, f"{bound(row.get('lower'), True)} – {bound(row.get('upper'), False)}",
             percent(float(row["probability"])) if "probability" in row else ""]
            for name, (_, row) in zip(names, table.iterrows(), strict=True)]
    out = [Table(words["classes"], [words["class"],
                                    f"{words['range']} ({output_name(metric, run, words)})",
                                    words["probability"]], rows, key="classes")]
    means = [k for k in [*run.actors, "owner", "society"] if f"mean_npv_{k}" in table]
    if means:
        rows = [[output_name(f"npv_{k}", run, words),
                 *(money(float(v), cur) for v in table[f"mean_npv_{k}"])] for k in means]
        out.append(Table(words["class_means"], [words["actor"], *names], rows,
                         key="class_means", total=means[-1] == "society"))
    return out


def _statement_table(run: RunData, words: Mapping[str, str]) -> Table:
    """The seed's table 4.2 at base case, from :func:`riskcalc.income_statement`."""
    from riskcalc.results.statement import income_statement

    cur = run.currency
    statement = income_statement(run.model)
    extra = [c for c in ("optimism_bias", "revenue_on_paper") if c in statement.table]
    columns = ["revenue", *extra, "cost", "net"]
    rows = [[words["society"] if key == "society" else str(row["label"]),
             *("" if pd.isna(row[c]) else money(row[c], cur) for c in columns),
             money(statement.npv[key], cur)]
            for key, row in statement.table.iterrows()]
    return Table(words["income_statement"],
                 [words["actor"], *(words[c] for c in columns),
                  words["npv_over"].format(years=run.model.years)],
                 rows, words["cap_42"], key="table42", total=True)


def _table43(run: RunData, words: Mapping[str, str]) -> Table:
    """The seed's table 4.3: cumulative net by cost kind at years 1-5, 10, 20, P5-P95."""
    cur = run.currency
    bands, kinds = run.bands()
    years = [y for y in TABLE_43_YEARS if y <= run.years]
    rows = []
    for key, name in [*((k, words[k]) for k in _KINDS_43),
                      ("society", f"{words['total']} ({words['society'].lower()})")]:
        band = (kinds if key != "society" else bands).get(key)
        if band is not None:
            band = band.set_index("year")
            rows.append([name, *(f"{money(band.at[y, 'p50'], cur)}\n"
                                 + _interval(band.at[y, "p05"], band.at[y, "p95"], cur)
                                 for y in years)])
    return Table(words["accumulated"], [words["cost_kind"], *map(str, years)],
                 rows, words["cap_43"], key="table43", total=True)


#: Columns of redistribution.csv shown, in this order, where present.
_REDISTRIBUTION = ("role", "expected_net", "prob_net_loser", "transfer", "expected_net_after",
                   "prob_net_loser_after")


def _redistribution_table(run: RunData, words: Mapping[str, str]) -> Table:
    frame = run.extras["redistribution"]
    cur = run.currency
    first = frame.columns[0]
    columns = [c for c in _REDISTRIBUTION if c in frame] or list(frame.columns[1:])
    rows = []
    for _, row in frame.iterrows():
        name = run.actor_labels.get(str(row[first]), str(row.get("label", row[first])))
        rows.append([name, *(_redistribution_cell(c, row[c], cur, words) for c in columns)])
    align = "l" + "".join("r" if pd.api.types.is_numeric_dtype(frame[c]) else "l"
                          for c in columns)
    return Table(words["redistribution"], [words["actor"], *(words.get(c, c) for c in columns)],
                 rows, words["cap_redistribution"], key="redistribution", align=align)


def _redistribution_cell(column: str, value: Any, currency: str,
                         words: Mapping[str, str]) -> str:
    if isinstance(value, str):
        return words.get(f"role_{value}", value)
    if isinstance(value, bool | np.bool_):
        return words["yes"] if value else words["no"]
    if column.startswith("prob"):
        return percent(float(value))
    number = float(value)
    return money(0.0 if abs(number) < 0.5 else number, currency)


def _verdict_table(run: RunData, words: Mapping[str, str]) -> Table:
    cur = run.currency
    rows = []
    for c in run.verdict.get("criteria") or []:
        name = criterion_name(c)
        unit = {"probability": "prob", "currency": "amount"}.get(str(c.get("unit")), name)
        rows.append([name, *(_number(unit, c.get(k), cur)
                             for k in ("measured", "threshold", "margin")),
                     words["yes"] if c.get("passed") else words["no"]])
    decision = str(run.verdict.get("decision", "?"))
    return Table(f"{words['verdict']}: {words.get(decision, decision)}",
                 [words["criterion"], words["measured"], words["threshold"], words["margin"],
                  words["passed"]], rows, key="verdict")


def _switching_table(run: RunData, words: Mapping[str, str]) -> Table | None:
    """verdict.json's switching values: what value of a parameter would flip the verdict."""
    rows = []
    for item in run.verdict.get("switching_values") or []:
        if isinstance(item, Mapping) and item.get("text"):
            parameter = str(item.get("parameter", ""))
            text = str(item["text"]).removeprefix(f"{parameter}: ")
            rows.append([parameter, text])
    if not rows:
        return None
    return Table(words["switching"], [words["parameter"], words["what_flips"]], rows,
                 key="switching", align="ll")


def criterion_name(criterion: Mapping[str, Any]) -> str:
    """A verdict criterion as people read it: its label, else its name or key."""
    return str(criterion.get("label") or criterion.get("name") or criterion.get("key") or "?")
