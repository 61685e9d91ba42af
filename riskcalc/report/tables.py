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

from riskcalc.decision.criteria import as_shown
from riskcalc.report.labels import Labels, class_label
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


def _interval(low: float, high: float, currency: str, words: Labels) -> str:
    """``"9.3 – 19.3 MSEK"``; the unit is written twice only where it differs."""
    first, second = words.money(low, currency), words.money(high, currency)
    number, _, unit = first.rpartition(" ")
    return f"{number} – {second}" if second.endswith(f" {unit}") else f"{first} – {second}"


def report_tables(run: RunData, words: Labels) -> list[Table]:
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
    if "contract" in run.extras and "contract_summary" in run.extras:
        tables.append(_contract_table(run, words))
    if run.verdict is not None:
        tables.append(_verdict_table(run, words))
        switching = _switching_table(run, words)
        if switching is not None:
            tables.append(switching)
    return tables


def _actor_table(run: RunData, words: Labels) -> Table:
    cur = run.currency
    rows = []
    for key in [*run.actors, "society"]:
        out = f"npv_{key}"
        if out in run.summary.index:
            rows.append([output_name(out, run, words),
                         *(words.money(stat(run, out, c), cur)
                           for c in ("mean", "p50", "p05", "p95")),
                         words.percent(stat(run, out, "prob_negative")),
                         words.money(stat(run, f"hump_{key}", "p95"), cur)])
    return Table(words["key_figures"], [words["actor"], words["mean"], words["median"],
                                        words["p05"], words["p95"], words["prob_loss"],
                                        words["capital_need_p95"]],
                 rows, key="actors", total=True)


def _payback_table(run: RunData, words: Labels) -> Table:
    frame = run.payback
    years = frame[frame["year"].astype(str) != "never"]
    by_year = pd.Series(years["prob_by_year"].to_numpy(float), index=years["year"].astype(int))
    marks = [y for y in TABLE_43_YEARS if y in by_year.index]
    never = frame.loc[frame["year"].astype(str) == "never", "prob_in_year"]
    return Table(words["payback_by_year"], [words["year"], *map(str, marks), words["never"]],
                 [[words["society"], *(words.percent(by_year[y]) for y in marks),
                   words.percent(float(never.iloc[0]) if len(never) else math.nan)]], key="payback")


def _classes_tables(run: RunData, words: Labels) -> list[Table]:
    """The classes with their bounds and probability; each actor's mean NPV in each."""
    table = run.extras["classes"]
    _, metric = class_thresholds(run)
    cur = run.currency

    def bound(value: Any, low: bool) -> str:
        number = float(value) if not pd.isna(value) else -np.inf if low else np.inf
        if not np.isfinite(number):
            return "−∞" if number < 0 else "∞"
        if metric.startswith("npv"):
            return words.money(number, cur)
        return words.number(number, digits=6)

    names = [class_label(c, words) for c in table["class"]]
    rows = [[name, f"{bound(row.get('lower'), True)} – {bound(row.get('upper'), False)}",
             words.percent(float(row["probability"])) if "probability" in row else ""]
            for name, (_, row) in zip(names, table.iterrows(), strict=True)]
    out = [Table(words["classes"], [words["class"],
                                    f"{words['range']} ({output_name(metric, run, words)})",
                                    words["probability"]], rows, key="classes")]
    means = [k for k in [*run.actors, "owner", "society"] if f"mean_npv_{k}" in table]
    if means:
        rows = [[output_name(f"npv_{k}", run, words),
                 *(words.money(float(v), cur) for v in table[f"mean_npv_{k}"])] for k in means]
        out.append(Table(words["class_means"], [words["actor"], *names], rows,
                         key="class_means", total=means[-1] == "society"))
    return out


def _statement_table(run: RunData, words: Labels) -> Table:
    """The seed's table 4.2 at base case, from :func:`riskcalc.income_statement`."""
    from riskcalc.results.statement import income_statement

    cur = run.currency
    statement = income_statement(run.model)
    extra = [c for c in ("optimism_bias", "revenue_on_paper") if c in statement.table]
    columns = ["revenue", *extra, "cost", "net"]
    rows = [[words["society"] if key == "society"
             else run.actor_labels.get(str(key), str(row["label"])),
             *("" if pd.isna(row[c]) else words.money(row[c], cur) for c in columns),
             words.money(statement.npv[key], cur)]
            for key, row in statement.table.iterrows()]
    return Table(words["income_statement"],
                 [words["actor"], *(words[c] for c in columns),
                  words["npv_over"].format(years=run.model.years)],
                 rows, words["cap_42"], key="table42", total=True)


def _table43(run: RunData, words: Labels) -> Table:
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
            rows.append([name, *(f"{words.money(band.at[y, 'p50'], cur)}\n"
                                 + _interval(band.at[y, "p05"], band.at[y, "p95"], cur, words)
                                 for y in years)])
    return Table(words["accumulated"], [words["cost_kind"], *map(str, years)],
                 rows, words["cap_43"], key="table43", total=True)


#: Columns of redistribution.csv shown, in this order, where present.
_REDISTRIBUTION = ("role", "expected_net", "prob_net_loser", "transfer", "expected_net_after",
                   "prob_net_loser_after")


def _redistribution_table(run: RunData, words: Labels) -> Table:
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


def _redistribution_cell(column: str, value: Any, currency: str, words: Labels) -> str:
    if isinstance(value, str):
        return words.get(f"role_{value}", value)
    if isinstance(value, bool | np.bool_):
        return words["yes"] if value else words["no"]
    if column.startswith("prob"):
        return words.percent(float(value))
    number = float(value)
    return words.money(0.0 if abs(number) < 0.5 else number, currency)


def _contract_table(run: RunData, words: Labels) -> Table:
    """The outcome contract: investor's NPV and IRR, payments, the payer's net after them."""
    cur = run.currency
    rows = []
    def shown(output: str, x: float) -> str:
        if output == "irr_investor":
            return words.percent(x)
        return words.fixed(x) if output == "contract_multiple" else words.money(x, cur)

    for r in run.extras["contract"].itertuples():
        rows.append([words[r.output], *(shown(r.output, x) for x in (r.mean, r.p05, r.p50, r.p95))])
    k = dict(zip(run.extras["contract_summary"]["measure"],
                 run.extras["contract_summary"]["value"], strict=True))
    rows += [[words["prob_investor_loss"], words.percent(k["prob_investor_loss"]), "", "", ""],
             [words["no_irr"], words.integer(int(k["n_no_irr"])), "", "", ""]]
    if k["prob_mismatch"] == k["prob_mismatch"]:
        rows.append([words["prob_mismatch"], words.percent(k["prob_mismatch"]), "", "", ""])
    return Table(words["contract_table"],
                 [words["output"], words["mean"], words["p05"], words["median"], words["p95"]],
                 rows, caption=words["cap_contract"], key="contract")


def _verdict_table(run: RunData, words: Labels) -> Table:
    """Each criterion with its unit: measured, threshold (with its sense), margin."""
    cur = run.currency
    rows = []
    for c in run.verdict.get("criteria") or []:
        sense, measured, threshold = as_shown(str(c.get("name", "")), str(c.get("sense", "max")),
                                              _float(c.get("measured")),
                                              _float(c.get("threshold")))
        unit = str(c.get("unit", ""))
        bound = words["at_most" if sense == "max" else "at_least"]
        rows.append([criterion_name(c, words), _criterion_value(unit, measured, cur, words),
                     bound.format(value=_criterion_value(unit, threshold, cur, words)),
                     _criterion_value(unit, _float(c.get("margin")), cur, words, margin=True),
                     words["yes"] if c.get("passed") else words["no"]])
    decision = str(run.verdict.get("decision", "?"))
    return Table(f"{words['verdict']}: {words.get(decision, decision)}",
                 [words["criterion"], words["measured"], words["threshold"], words["margin"],
                  words["passed"]], rows, key="verdict")


def _float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _criterion_value(unit: str, value: float, currency: str, words: Labels, *,
                     margin: bool = False) -> str:
    """A criterion's figure with its unit: percent (margins in percentage points),
    money, or a multiple of the investment."""
    if not math.isfinite(value):
        return words.not_available
    if unit == "probability":
        return (words["pp_value"].format(value=words.fixed(100 * value, 1))
                if margin else words.percent(value))
    if unit == "ratio":
        return words["ratio_value"].format(value=words.number(round(value, 2), digits=6))
    return words.money(value, currency)


def _switching_table(run: RunData, words: Labels) -> Table | None:
    """verdict.json's switching values: what value of a parameter would flip the verdict."""
    criteria = {str(c.get("name")): c for c in run.verdict.get("criteria") or []}
    rows = []
    for item in run.verdict.get("switching_values") or []:
        if isinstance(item, Mapping) and "parameter" in item:
            rows.append([str(item["parameter"]), _switch_text(item, criteria, words)])
    if not rows:
        return None
    return Table(words["switching"], [words["parameter"], words["what_flips"]], rows,
                 key="switching", align="ll")


def _switch_text(item: Mapping[str, Any], criteria: Mapping[str, Mapping[str, Any]],
                 words: Labels) -> str:
    """One parameter's switching values in words, from verdict.json's fields."""
    switches = item.get("switches") or []
    if not switches:
        decision = str(item.get("throughout") or "?")
        return words["sw_none"].format(low=words.number(_float(item.get("low"))),
                                       high=words.number(_float(item.get("high"))),
                                       decision=words.get(decision, decision))
    parts = []
    for s in switches:
        text = words["sw_above" if s.get("approve_above") else "sw_below"].format(
            decision=words["APPROVE"], value=words.number(_float(s.get("value"))))
        names = [criterion_name(criteria[b], words) if b in criteria else str(b)
                 for b in s.get("binding") or []]
        if names:
            text += f" ({words['sw_binding'].format(names=', '.join(names))})"
        parts.append(text)
    return "; ".join(parts)


def criterion_name(criterion: Mapping[str, Any], words: Labels) -> str:
    """A verdict criterion as people read it, in the report's language.

    From the criterion's key, subject and parameters (verdict.json); a criterion
    this version does not know keeps its recorded label.
    """
    key = str(criterion.get("name") or criterion.get("key") or "")
    template = words.get(f"crit_{key}")
    if template is None:
        return str(criterion.get("label") or key or "?")
    of = str(criterion.get("of") or "owner")
    params = criterion.get("parameters") or {}
    text = template.format(
        of=words.get(f"of_{of}", of), of_gen=words.get(f"of_gen_{of}", of),
        years=params.get("years", "?"),
        quantile=words.number(100 * _float(params.get("quantile", 0.95)), digits=3),
        tail=words.number(100 * (1 - _float(params.get("level", 0.95))), digits=3))
    return text[:1].upper() + text[1:]
