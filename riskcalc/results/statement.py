"""The socio-economic income statement at base case (the seed's table 4.2 layout)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from riskcalc.engine.compiled import CompiledModel
from riskcalc.model.objects import Model

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["IncomeStatement", "income_statement"]


@dataclass(frozen=True)
class IncomeStatement:
    """Revenue, cost and net of every actor in one year, and NPVs over the horizon.

    Computed without pandas (``riskcalc check`` prints it without importing pandas);
    :attr:`table` and :attr:`outcomes` are built as DataFrames on first use.

    Attributes
    ----------
    year : int
    rows : dict of str to dict
        Actor key, then ``"society"`` → column → value: the rows of :attr:`table`.
    npv : dict of str to float
        NPV over the horizon of every actor and ``"society"`` (currency).
    npv_on_paper : dict of str to float
        NPV before realisation, for the actors (and society) where it differs.
    steps : dict of str to dict of str to float
        Outcome → its value in its first year, gross, after each adjustment, net:
        the rows of :attr:`outcomes`.
    values : dict of str to float
        The parameter values the statement was computed at.
    """

    year: int
    rows: dict[str, dict[str, object]]
    npv: dict[str, float]
    npv_on_paper: dict[str, float]
    steps: dict[str, dict[str, float]]
    values: dict[str, float]

    @functools.cached_property
    def columns(self) -> list[str]:
        """``label, revenue, cost, net``, then ``optimism_bias`` for a model with
        optimism bias and ``revenue_on_paper`` for one with realisation or
        indivisibilities."""
        return list(next(iter(self.rows.values())))

    @functools.cached_property
    def table(self) -> pd.DataFrame:
        """Index: actor keys, then ``"society"``; the :attr:`columns` (currency, the
        given year, undiscounted).  Society's revenue and cost are left out (NaN):
        transfers between actors make them meaningless; its net is the sum of the
        actors' nets.  ``optimism_bias`` is the uplift, included in cost;
        ``revenue_on_paper`` the savings before realisation, beside the realised
        ``revenue``."""
        import pandas as pd

        return pd.DataFrame.from_dict(self.rows, orient="index", columns=self.columns)

    @functools.cached_property
    def outcomes(self) -> pd.DataFrame:
        """One row per declared outcome: the gross value in its first year and the
        value after each adjustment (``after_deadweight``, ...) and ``net``."""
        import pandas as pd

        return pd.DataFrame.from_dict(self.steps, orient="index")

    def to_dict(self) -> dict:
        """``{"year1": {actor: {revenue, cost, net, ...}}, "npv": {...}, ...}``."""
        rows = {key: {c: (None if v != v else float(v)) for c, v in row.items() if c != "label"}
                for key, row in self.rows.items()}
        data = {f"year{self.year}": rows, "npv": dict(self.npv)}
        if self.npv_on_paper:
            data["npv_on_paper"] = dict(self.npv_on_paper)
        if self.steps:
            data["outcomes"] = {name: dict(steps) for name, steps in self.steps.items()}
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
    optimism = model.optimism_bias is not None or any(f.optimism_bias for f in model.flows)
    rows: dict[str, dict[str, object]] = {}
    for actor, key in zip(model.actors, keys, strict=True):
        revenue, cost = sums["revenue"][key], sums["cost"][key]
        rows[key] = {"label": actor.label, "revenue": revenue, "cost": cost,
                     "net": revenue - cost}
        if optimism:
            rows[key]["optimism_bias"] = sums["optimism_bias"][key]
        if model.realised_actors:
            rows[key]["revenue_on_paper"] = revenue + sums["unrealised"][key]
    society = dict.fromkeys(rows[keys[0]], float("nan"))
    society.update(label="Society (total)", net=_sum([row["net"] for row in rows.values()]))
    rows["society"] = society
    outputs = compiled.evaluate(params).outputs
    npv = {k: float(outputs[f"npv_{k}"][0]) for k in [*keys, "society"]}
    on_paper = {k: float(outputs[f"theoretical_{k}"][0])
                for k in [*model.realised_actors, "society"] if model.realised_actors}
    return IncomeStatement(year, rows, npv, on_paper, _outcome_steps(model, env),
                           {k: float(v) for k, v in point.items()})


def _sum(values: list[float]) -> float:
    """Sum as pandas' ``Series.sum`` does (NaN counted as 0, numpy's pairwise order),
    so that society's net keeps the bits it had when the table was built in pandas."""
    return float(np.nansum(np.array(values, dtype=float)))


def _outcome_steps(model: Model, env: Mapping[str, object]) -> dict[str, dict[str, float]]:
    """Each outcome in its first year: gross, after each adjustment, net."""
    rows = {}
    for name, outcome in model.outcomes.items():
        steps = outcome.steps(env)
        first = outcome.start_year - 1
        rows[name] = {step: float(np.broadcast_to(value, (model.years, 1))[first, 0])
                      for step, value in steps.items()}
    return rows
