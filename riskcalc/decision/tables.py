"""Probability curves of a run, and every risk table of its run directory.

:func:`payback_within` (probability of payback within k years) and
:func:`acceptability` (probability that the return reaches a required return)
are curves over arrays; :func:`risk_tables` gathers every table of a run,
:func:`write_risk_outputs` writes them as CSV.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from riskcalc.decision.actor_groups import GroupOutcomes, group_outcomes
from riskcalc.decision.classes import class_table, regime_table
from riskcalc.decision.measures import prob_se, risk_row, risk_table
from riskcalc.files import write_csv

if TYPE_CHECKING:
    from riskcalc.decision.classes import ClassSpec
    from riskcalc.results.result import SimulationResult

__all__ = ["payback_within", "acceptability", "risk_tables", "write_risk_outputs"]


def payback_within(payback: np.ndarray, years: int) -> pd.DataFrame:
    """Probability of payback within k years, k = 1 … horizon, with standard errors.

    Parameters
    ----------
    payback : ndarray, shape (n,)
        Payback year per scenario; NaN: none within the horizon.
    years : int
        Horizon.

    Returns
    -------
    DataFrame
        Columns ``year, prob_in_year, prob_within, se_prob_within``.  The probability
        of no payback within the horizon is ``1 - prob_within`` of the last year.
    """
    payback = np.asarray(payback, dtype=float)
    n = payback.size
    k = np.arange(1, years + 1)
    in_year = np.array([np.mean(payback == y) for y in k])
    within = np.cumsum(in_year)
    return pd.DataFrame({"year": k, "prob_in_year": in_year, "prob_within": within,
                         "se_prob_within": [prob_se(p, n) for p in within]})



def acceptability(returns: Mapping[str, np.ndarray],
                  required_returns: np.ndarray | None = None) -> pd.DataFrame:
    """Probability that each series' return is at or above a required return.

    The analogue of health economics' cost-effectiveness acceptability curve.

    Parameters
    ----------
    returns : mapping of str to ndarray, shape (n,)
        Per series (actor, society, owner), its return per scenario: NPV / investment.
    required_returns : ndarray, optional
        Default: about 100 round steps (1, 2, 2.5 or 5 times a power of ten) from
        ``min(-1, P1)`` to ``max(1, P99)`` of society's (or the first series')
        return; -1, 0 and 1 are always on the grid.

    Returns
    -------
    DataFrame
        Tidy: ``required_return, series, probability, se_probability``.
    """
    if required_returns is None:
        ref = returns.get("society", next(iter(returns.values())))
        required_returns = _round_grid(min(-1.0, float(np.quantile(ref, 0.01))),
                                       max(1.0, float(np.quantile(ref, 0.99))))
    required = np.asarray(required_returns, dtype=float)
    frames = []
    for series, values in returns.items():
        values = np.sort(np.asarray(values, dtype=float))
        n = values.size
        p = 1.0 - np.searchsorted(values, required, side="left") / n
        frames.append(pd.DataFrame({"required_return": required, "series": series,
                                    "probability": p,
                                    "se_probability": np.sqrt(p * (1 - p) / n)}))
    return pd.concat(frames, ignore_index=True)


def _round_grid(lo: float, hi: float, points: int = 100) -> np.ndarray:
    """A grid over [lo, hi] in round steps that holds every multiple of the step."""
    raw = (hi - lo) / points
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = next(s * magnitude for s in (1, 2, 2.5, 5, 10) if s * magnitude >= raw)
    first, last = math.floor(lo / step), math.ceil(hi / step)
    return np.round(np.arange(first, last + 1) * step, 12)


def _returns(result: SimulationResult, owner: GroupOutcomes | None) -> dict[str, np.ndarray]:
    keep = result.finite
    investment = result.outputs["investment"][keep]
    out = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        for key in (*result.model.actor_keys, "society"):
            out[key] = result.outputs[f"npv_{key}"][keep] / investment
    if owner is not None:
        out["owner"] = owner.ret
    return out



def risk_tables(result: SimulationResult, *, owner: tuple[str, ...] | None = None,
                classes: ClassSpec | None = None,
                level: float = 0.95) -> dict[str, pd.DataFrame]:
    """Every risk table of a run, by file stem (for ``result.tables``).

    ``summary`` (the run's summary with the risk measures added as columns),
    ``risk`` (:func:`risk_table`), ``classes`` (:func:`class_table`),
    ``redistribution`` and ``compensation_matrix`` (:mod:`riskcalc.decision.redistribution`),
    ``acceptability`` (:func:`acceptability`), ``payback_within``
    (:func:`payback_within`, series ``society`` and, with an owner, ``owner``) and
    ``voi`` (:func:`riskcalc.decision.voi.voi_table`).

    Parameters
    ----------
    result : SimulationResult
    owner : tuple of str, optional
        Actors whose money it is (a policy's ``owner_group``): adds ``owner`` rows
        and is the decision maker of the value-of-information table.
    classes : ClassSpec, optional
        Outcome classes (a policy's ``classes``) instead of the default ones.
    level : float
        Level of VaR and expected shortfall in ``risk``.

    Returns
    -------
    dict of str to DataFrame
    """
    from riskcalc.decision.redistribution import compensation_matrix, redistribution_table
    from riskcalc.decision.voi import voi_table

    owner_actors = owner
    owner = group_outcomes(result, owner_actors) if owner_actors is not None else None
    risk = risk_table(result, level)
    if owner is not None:
        risk = pd.concat([risk, pd.DataFrame([risk_row("owner", owner.npv, level,
                                                       hump=owner.hump)])],
                         ignore_index=True)
    keep = result.finite
    payback = payback_within(result.outputs["payback_year"][keep], result.model.years)
    payback.insert(0, "series", "society")
    if owner is not None:
        mine = payback_within(owner.payback_year, result.model.years)
        mine.insert(0, "series", "owner")
        payback = pd.concat([payback, mine], ignore_index=True)
    regimes = {"regimes": regime_table(result)} if result.model.regimes else {}
    # summary.csv carries the risk measures too, beside mean and percentiles.
    summary = result.summary()
    extra = [c for c in risk.columns if c not in summary.columns and c not in ("n", "prob_loss")]
    summary = summary.merge(risk[["output", *extra]], on="output", how="left")
    return {
        "summary": summary,
        **regimes,
        "risk": risk,
        "classes": class_table(
            result, classes,
            extra={"npv_owner": owner.npv} if owner is not None else None),
        "redistribution": redistribution_table(result),
        "compensation_matrix": compensation_matrix(result).reset_index(),
        "acceptability": acceptability(_returns(result, owner)),
        "payback_within": payback,
        "voi": voi_table(result, actors=owner_actors),
    }


def write_risk_outputs(result: SimulationResult, out_dir: str | Path, *,
                       owner: tuple[str, ...] | None = None, classes: ClassSpec | None = None,
                       level: float = 0.95) -> list[Path]:
    """Write :func:`risk_tables` into a run directory as ``<name>.csv``, each atomically.

    ``risk.csv``, ``classes.csv``, ``redistribution.csv``, ``compensation_matrix.csv``,
    ``acceptability.csv``, ``payback_within.csv`` and ``voi.csv``.  To have them
    written with the run (before its manifest), put :func:`risk_tables` into
    ``result.tables`` before ``result.write(out_dir)`` instead.

    Returns
    -------
    list of Path
        The files written.
    """
    out = Path(out_dir)
    return [write_csv(out / f"{name}.csv", frame)
            for name, frame in risk_tables(result, owner=owner, classes=classes,
                                           level=level).items()]
