"""The accumulated discounted effect by cost kind per year (the seed's table 4.3 layout).

Table 4.3 of the seed reports, for a programme, the effects accumulated to years
1, 2, 3, 4, 5, 10 and 20 by cost kind (real, production value, financial).  These
functions give the same at base case (every year of the horizon) and, per
scenario, the multiple of the investment the accumulated effect reaches by a year
(the seed's "more than eight times the investment over four years").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from riskcalc.engine.compiled import BLOCK_SIZE, CompiledModel
from riskcalc.model.objects import COST_KINDS, Model
from riskcalc.programmes.cohorts import superpose

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["TABLE_4_3_YEARS", "CLAIM_SCENARIOS", "accumulated", "accumulated_by_kind",
           "cohort_npv",
           "return_multiple", "claim_table"]

#: Scenarios a run re-evaluates to test a model's return claim (the first ones of the run).
CLAIM_SCENARIOS = 200_000
#: The years table 4.3 of the seed shows.
TABLE_4_3_YEARS: tuple[int, ...] = (1, 2, 3, 4, 5, 10, 20)


def accumulated(model: Model, values: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Cumulative discounted net by cost kind in every year, at given values (default: base).

    Parameters
    ----------
    model : Model
    values : mapping of str to float, optional
        Parameter values; missing ones take their base case.

    Returns
    -------
    DataFrame
        Index ``year`` (1..horizon); columns ``real``, ``production``, ``financial``
        and ``total`` (currency, cumulative, discounted as the model says).
    """
    import pandas as pd

    return pd.DataFrame(accumulated_by_kind(model, values),
                        index=pd.RangeIndex(1, model.years + 1, name="year"))


def accumulated_by_kind(model: Model, values: Mapping[str, float] | None = None
                        ) -> dict[str, np.ndarray]:
    """The columns of :func:`accumulated`, without pandas (for ``riskcalc check``).

    Returns
    -------
    dict of str to ndarray, shape (horizon,)
        ``real``, ``production``, ``financial`` and ``total`` in years 1..horizon.
    """
    point = {**model.base_case(), **(values or {})}
    params = {name: np.array([float(v)]) for name, v in point.items()}
    # One scenario: the numpy path gives the kernel's numbers without its import.
    cumulative = CompiledModel(model, fused=False).evaluate(params,
                                                           keep_cumulative=True).cumulative
    first_kind = len(model.actors) + 1
    kinds = {kind: cumulative[first_kind + i, :, 0] for i, kind in enumerate(COST_KINDS)}
    columns = {kind: kinds[kind] for kind in ("real", "production", "financial")}
    # As DataFrame.sum(axis=1) adds them: left to right, NaN counted as 0.
    columns["total"] = np.nansum(np.stack(list(columns.values())), axis=0)
    return columns


def cohort_npv(model: Model, values: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Each cohort's own NPV per actor at given values (default: base case), on paper.

    A cohort's NPV is that of its cohort-scope flows and transfers, discounted to
    calendar year 1 as the model says (optimism bias included).  Realisation and
    whole units apply to the programme's sum, not to a cohort, so they are left
    out here: these are savings on paper.  Programme-scope flows make the last
    row, ``"programme"``.  Without realisation and whole units the rows add up to
    the model's NPVs.

    Returns
    -------
    DataFrame
        Index: ``1..K`` then ``"programme"``; columns ``entry_year``, ``intake``
        (persons), then ``npv_<actor>`` for every actor and ``npv_society`` (currency).
    """
    programme = model.programme
    if programme is None:
        raise ValueError(f"model {model.name!r} has no [programme]; it is one cohort")
    point = {**model.base_case(), **(values or {})}
    compiled = CompiledModel(model)
    env = compiled.environment({k: np.array([float(v)]) for k, v in point.items()})
    rates = np.broadcast_to(compiled.discount_rates(env), (model.years, 1))[:, 0]
    factors = np.cumprod(np.concatenate([[1.0], 1.0 / (1.0 + rates[1:])]))
    keys = list(model.actor_keys)
    rows = {c + 1: dict.fromkeys(keys, 0.0) for c in range(programme.cohorts)}
    rows["programme"] = dict.fromkeys(keys, 0.0)
    society = dict.fromkeys(rows, 0.0)
    for contribution in compiled.contributions(env, 1):
        entry = contribution.entry
        bias = 1.0 if entry.optimism_bias is None else 1.0 + float(
            np.reshape(entry.optimism_bias.evaluate(env), -1)[0])
        if entry.per_cohort:
            each = [(cohort, [shift]) for cohort, shifts in env.cohorts for shift in shifts]
            parts = {c + 1: superpose(entry.amount, entry.when, [one], (model.years, 1))
                     [:, 0] * bias for c, one in enumerate(each)}
        else:
            amount = contribution.amount + (0.0 if contribution.unrealised is None
                                            else contribution.unrealised)
            full = np.zeros(model.years)
            active = (np.arange(model.years) if contribution.rows is None
                      else contribution.rows)
            full[active] = np.broadcast_to(amount[:, 0], (len(active),))
            parts = {"programme": full}
        for row, flow in parts.items():
            npv = entry.sign * float(flow @ factors)
            rows[row][keys[entry.actor]] += npv
            if entry.kind is not None:
                society[row] += npv
    import pandas as pd

    frame = pd.DataFrame.from_dict(rows, orient="index").add_prefix("npv_")
    frame["npv_society"] = pd.Series(society)
    intakes = [float(np.reshape(cohort["intake"], -1)[0])
               for cohort, shifts in env.cohorts for _ in shifts]
    frame.insert(0, "intake", [*intakes, np.nan])
    frame.insert(0, "entry_year", [*programme.entry_years, np.nan])
    return frame


def return_multiple(model: Model, scenarios: pd.DataFrame, year: int) -> np.ndarray:
    """Per scenario: society's accumulated discounted net by `year` over the investment.

    Parameters
    ----------
    model : Model
    scenarios : DataFrame or mapping of str to ndarray
        A column of shape (n,) for every parameter (a run's scenarios or parameters).
    year : int
        The year accumulated to (1..horizon).

    Returns
    -------
    ndarray, shape (len(scenarios),)
        The multiple (e.g. 8.0: the effect by `year` is eight times the investment).
    """
    if not 1 <= year <= model.years:
        raise ValueError(f"year must be within the horizon 1..{model.years}, got {year!r}")
    compiled = CompiledModel(model)
    society = len(model.actors)
    columns = {name: np.asarray(scenarios[name], dtype=float) for name in model.parameters}
    n = len(next(iter(columns.values())))
    multiples = np.empty(n)
    for start in range(0, n, BLOCK_SIZE):
        params = {name: column[start:start + BLOCK_SIZE] for name, column in columns.items()}
        chunk = compiled.evaluate(params, keep_cumulative=True)
        multiples[start:start + BLOCK_SIZE] = (chunk.cumulative[society, year - 1]
                                               / chunk.outputs["investment"])
    return multiples


def claim_table(model: Model, parameters: Mapping[str, ArrayLike]) -> pd.DataFrame:
    """The model's return claim as a probability, from a run's scenarios.

    Parameters
    ----------
    model : Model
        A model with a ``claim``.
    parameters : mapping of str to array, shape (n,)
        The run's parameter columns (``result.parameters``, or its scenarios); only
        each parameter's first :data:`CLAIM_SCENARIOS` values are read and
        re-evaluated, as the per-year series of every scenario are not kept.

    Returns
    -------
    DataFrame
        One row: ``year``, ``multiple`` (claimed), ``probability`` (that society's
        accumulated discounted net by `year` reaches `multiple` × the investment),
        ``p05``, ``p50``, ``p95`` of the multiple reached, ``scenarios`` used, ``source``.
    """
    claim = model.claim
    if claim is None:
        raise ValueError(f"model {model.name!r} declares no [model].claim")
    first = {name: np.asarray(parameters[name])[:CLAIM_SCENARIOS] for name in model.parameters}
    reached = return_multiple(model, first, claim.year)
    reached = reached[np.isfinite(reached)]
    p05, p50, p95 = np.percentile(reached, [5, 50, 95]) if len(reached) else [np.nan] * 3
    import pandas as pd

    return pd.DataFrame([{
        "year": claim.year, "multiple": claim.multiple,
        "probability": float(np.mean(reached >= claim.multiple)) if len(reached) else np.nan,
        "p05": p05, "p50": p50, "p95": p95, "scenarios": len(reached), "source": claim.source}])
