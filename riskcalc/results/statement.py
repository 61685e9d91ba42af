"""The socio-economic income statement at base case (the seed's table 4.2 layout)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from riskcalc.engine.compiled import CompiledModel
from riskcalc.model.objects import Model

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
        the sum of the actors' nets.  A model with optimism bias adds the column
        ``optimism_bias`` (the uplift, included in cost); one with realisation or
        indivisibilities adds ``revenue_on_paper`` (savings before realisation,
        beside the realised ``revenue``).
    npv : dict of str to float
        NPV over the horizon of every actor and ``"society"`` (currency).
    npv_on_paper : dict of str to float
        NPV before realisation, for the actors (and society) where it differs.
    outcomes : DataFrame
        One row per declared outcome: the gross value in its first year and the
        value after each adjustment (``after_deadweight``, ...) and ``net``.
    values : dict of str to float
        The parameter values the statement was computed at.
    """

    year: int
    table: pd.DataFrame
    npv: dict[str, float]
    npv_on_paper: dict[str, float]
    outcomes: pd.DataFrame
    values: dict[str, float]

    def to_dict(self) -> dict:
        """``{"year1": {actor: {revenue, cost, net, ...}}, "npv": {...}, ...}``."""
        rows = {}
        for key, row in self.table.drop(columns="label").iterrows():
            rows[key] = {c: (None if pd.isna(v) else float(v)) for c, v in row.items()}
        data = {f"year{self.year}": rows, "npv": dict(self.npv)}
        if self.npv_on_paper:
            data["npv_on_paper"] = dict(self.npv_on_paper)
        if not self.outcomes.empty:
            data["outcomes"] = self.outcomes.to_dict(orient="index")
        return data


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
    # One scenario: the numpy path (the same numbers as the kernel, a test holds them
    # to it) spares `riskcalc check` the compiled kernel's import.
    compiled = CompiledModel(model, fused=False)
    env = compiled.environment(params)
    keys = list(model.actor_keys)
    sums = {column: dict.fromkeys(keys, 0.0)
            for column in ("revenue", "cost", "optimism_bias", "unrealised")}
    for c in compiled.contributions(env, 1):
        row = c.row(year - 1)
        if row is None:
            continue
        actor = keys[c.entry.actor]
        sums["revenue" if c.entry.sign > 0 else "cost"][actor] += float(c.amount[row, 0])
        if c.uplift is not None:
            sums["optimism_bias"][actor] += float(c.uplift[row, 0])
        if c.unrealised is not None:
            sums["unrealised"][actor] += float(c.unrealised[row, 0])
    table = pd.DataFrame({"label": [a.label for a in model.actors],
                          "revenue": sums["revenue"], "cost": sums["cost"]}, index=keys)
    table["net"] = table["revenue"] - table["cost"]
    if model.optimism_bias is not None or any(f.optimism_bias for f in model.flows):
        table["optimism_bias"] = pd.Series(sums["optimism_bias"])
    if model.realised_actors:
        table["revenue_on_paper"] = table["revenue"] + pd.Series(sums["unrealised"])
    table.loc["society"] = {"label": "Society (total)", "net": table["net"].sum()}
    outputs = compiled.evaluate(params).outputs
    npv = {k: float(outputs[f"npv_{k}"][0]) for k in [*keys, "society"]}
    on_paper = {k: float(outputs[f"theoretical_{k}"][0])
                for k in [*model.realised_actors, "society"] if model.realised_actors}
    return IncomeStatement(year, table, npv, on_paper, _outcome_steps(model, env),
                           {k: float(v) for k, v in point.items()})


def _outcome_steps(model: Model, env: Mapping[str, object]) -> pd.DataFrame:
    """Each outcome in its first year: gross, after each adjustment, net."""
    rows = {}
    for name, outcome in model.outcomes.items():
        steps = outcome.steps(env)
        first = outcome.start_year - 1
        rows[name] = {step: float(np.broadcast_to(value, (model.years, 1))[first, 0])
                      for step, value in steps.items()}
    return pd.DataFrame.from_dict(rows, orient="index")
