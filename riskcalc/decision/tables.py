"""Every risk table of a run directory.

:func:`risk_tables` gathers every table of a run (the probability curves
:func:`~riskcalc.decision.curves.payback_within` and
:func:`~riskcalc.decision.curves.acceptability` among them),
:func:`write_risk_outputs` writes them as CSV.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from riskcalc.decision.actor_groups import GroupOutcomes, group_outcomes
from riskcalc.decision.classes import class_table, regime_table
from riskcalc.decision.convergence import convergence_table
from riskcalc.decision.curves import acceptability, payback_within
from riskcalc.decision.measures import risk_row, risk_table
from riskcalc.decision.onepass import one_pass_tables, one_pass_threads
from riskcalc.engine.resources import worker_threads
from riskcalc.files import write_csv

if TYPE_CHECKING:
    from riskcalc.decision.classes import ClassSpec
    from riskcalc.results.result import SimulationResult

__all__ = ["payback_within", "acceptability", "risk_tables", "write_risk_outputs"]


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
                classes: ClassSpec | None = None, level: float = 0.95,
                one_pass: bool = True, n_jobs: int = 1) -> dict[str, pd.DataFrame]:
    """Every risk table of a run, by file stem (for ``result.tables``).

    ``summary`` (the run's summary with the risk measures added as columns),
    ``risk`` (:func:`risk_table`), ``classes`` (:func:`class_table`),
    ``redistribution`` and ``compensation_matrix`` (:mod:`riskcalc.decision.redistribution`),
    ``acceptability`` (:func:`acceptability`), ``payback_within``
    (:func:`payback_within`, series ``society`` and, with an owner, ``owner``),
    ``payback`` (``result.payback()``), ``convergence``
    (:func:`riskcalc.decision.convergence.convergence_table`) and ``voi``
    (:func:`riskcalc.decision.voi.voi_table`).

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
    one_pass : bool
        Without an owner, compute the tables from one read and one sort of each
        column (:func:`riskcalc.decision.onepass.one_pass_tables`); False calls
        each table's own function (the same numbers, several times slower).
    n_jobs : int
        Threads for the one pass and the value of information (-1: every core);
        the numbers do not depend on it.

    Returns
    -------
    dict of str to DataFrame
    """
    from riskcalc.decision.voi import voi_table

    if one_pass and owner is None:
        # The value of information runs beside the one pass, so that neither's serial
        # start and end leaves a core idle, on the cores the pass leaves (at least one):
        # with 10 M scenarios on 2 cores, one thread beside the pass's two took the
        # tables 5.5-5.8 -> 5.1-5.2 s, at most 1.46 GiB instead of 1.58.  The numbers
        # are the same.
        beside_jobs = max(1, worker_threads(n_jobs) - one_pass_threads(n_jobs))
        with ThreadPoolExecutor(1) as beside:
            voi = beside.submit(voi_table, result, n_jobs=beside_jobs)
            tables = one_pass_tables(result, classes=classes, level=level, n_jobs=n_jobs)
            if result.model.regimes:
                tables = {"summary": tables.pop("summary"), "regimes": regime_table(result),
                          **tables}
            return {**tables, "voi": voi.result()}
    return {**_straightforward_tables(result, owner, classes, level),
            "voi": voi_table(result, actors=owner, n_jobs=n_jobs)}


def _straightforward_tables(result: SimulationResult, owner_actors: tuple[str, ...] | None,
                            classes: ClassSpec | None, level: float
                            ) -> dict[str, pd.DataFrame]:
    """:func:`risk_tables` but ``voi``, each table by its own function."""
    from riskcalc.decision.redistribution import compensation_matrix, redistribution_table

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
        "payback": result.payback(),
        "convergence": convergence_table(result),
    }


def write_risk_outputs(result: SimulationResult, out_dir: str | Path, *,
                       owner: tuple[str, ...] | None = None, classes: ClassSpec | None = None,
                       level: float = 0.95) -> list[Path]:
    """Write :func:`risk_tables` into a run directory as ``<name>.csv``, each atomically.

    ``risk.csv``, ``classes.csv``, ``redistribution.csv``, ``compensation_matrix.csv``,
    ``acceptability.csv``, ``payback_within.csv``, ``payback.csv``, ``convergence.csv`` and
    ``voi.csv``.  To have them written with the run (before its manifest), put
    :func:`risk_tables` into ``result.tables`` before ``result.write(out_dir)`` instead.

    Returns
    -------
    list of Path
        The files written.
    """
    out = Path(out_dir)
    return [write_csv(out / f"{name}.csv", frame)
            for name, frame in risk_tables(result, owner=owner, classes=classes,
                                           level=level).items()]
