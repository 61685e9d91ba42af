"""The socio-economic income statement at base case (the seed's table 4.2 layout)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from riskcalc.engine import CompiledModel
from riskcalc.model import Model

__all__ = ["IncomeStatement", "income_statement"]


@dataclass(frozen=True)
class IncomeStatement:
    """Revenue, cost and net of every actor in one year, and NPVs over the horizon.

    Attributes
    ----------
    year : int
    table : DataFrame
        Index: actor keys, then ``"society"``; columns ``label, revenue, cost, net``
        (currency, the given year, undiscounted).  Society's revenue and cost are
        left out (NaN): transfers between actors make them meaningless; its net is
        the sum of the actors' nets.
    npv : dict of str to float
        NPV over the horizon of every actor and ``"society"`` (currency).
    values : dict of str to float
        The parameter values the statement was computed at.
    """

    year: int
    table: pd.DataFrame
    npv: dict[str, float]
    values: dict[str, float]

    def to_dict(self) -> dict:
        """``{"year1": {actor: {revenue, cost, net}, "society": {...}}, "npv": {...}}``."""
        rows = {}
        for key, row in self.table.iterrows():
            rows[key] = {c: (None if pd.isna(row[c]) else float(row[c]))
                         for c in ("revenue", "cost", "net")}
        return {f"year{self.year}": rows, "npv": dict(self.npv)}


def income_statement(model: Model, values: Mapping[str, float] | None = None, *,
                     year: int = 1) -> IncomeStatement:
    """Income statement of one year at given parameter values (default: base case).

    Parameters
    ----------
    model : Model
    values : mapping of str to float, optional
        Parameter values; missing ones take their base case.
    year : int
        Which year's revenue and cost to show (1 = the intervention year).

    Returns
    -------
    IncomeStatement
    """
    if not 1 <= year <= model.years:
        raise ValueError(f"year must be within the horizon 1..{model.years}, got {year!r}")
    point = {**model.base_case(), **(values or {})}
    params = {name: np.array([float(v)]) for name, v in point.items()}
    compiled = CompiledModel(model)
    env = compiled.environment(params)
    keys = list(model.actor_keys)
    revenue = dict.fromkeys(keys, 0.0)
    cost = dict.fromkeys(keys, 0.0)
    for entry, rows, values_ in compiled.contributions(env, 1):
        if rows is None:
            amount = float(values_[year - 1, 0])
        else:
            hit = np.flatnonzero(rows == year - 1)
            amount = float(values_[hit[0], 0]) if hit.size else 0.0
        side = revenue if entry.sign > 0 else cost
        side[keys[entry.actor]] += amount
    table = pd.DataFrame({
        "label": [a.label for a in model.actors],
        "revenue": [revenue[k] for k in keys],
        "cost": [cost[k] for k in keys],
    }, index=keys)
    table["net"] = table["revenue"] - table["cost"]
    table.loc["society"] = ["Society (total)", np.nan, np.nan, table["net"].sum()]
    outputs = compiled.evaluate(params).outputs
    npv = {k: float(outputs[f"npv_{k}"][0]) for k in [*keys, "society"]}
    return IncomeStatement(year, table, npv, {k: float(v) for k, v in point.items()})
