"""Every table of a run directory from one read and one ordering of each output column.

:func:`riskcalc.decision.tables.risk_tables` used to compute each table on its
own: the summary, the risk rows, the classes, the redistribution and the
acceptability curves each read their columns again (from Parquet, for a streamed
run) and sorted them again.  On millions of scenarios that cost three times the
simulation.  :func:`one_pass_tables` reads each output column once, orders it once
and hands the column and its sorted values to every table that needs them, in
the order that lets each table be finished from what is already known.  (On
large columns "sorted values" are :mod:`riskcalc.engine.order_statistics`'
stand-in, which finds the few ranks and counts the tables read without sorting
the column.)  The order:

1. the class output (ROI by default): each scenario's class as an integer code;
2. ``investment``: kept, to turn every actor's NPV into a return;
3. ``npv_society``: its returns fix the grid of the acceptability curves (the
   other series wait for it only to read their curves off that grid);
4. the outputs the convergence table follows (the longest to process), then the
   others in their order, so that the short ones end every thread's work together.

Every number is the same, to the bit, as the straightforward functions give
(:func:`~riskcalc.decision.measures.risk_table`,
:func:`~riskcalc.decision.classes.class_table`,
:func:`~riskcalc.decision.redistribution.redistribution_table`,
:func:`~riskcalc.decision.tables.acceptability`, ``result.summary()``): the same
operations on the same values in the same order; a test holds them to it.
Memory: the sorted NPV of every actor is kept until the compensating transfers
(which need every actor's mean) are known, 8 bytes per scenario and actor, up to
256 MB; a larger run reads the actors' columns again for them instead.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from riskcalc.decision.classes import CLASS_NAMES, ClassSpec
from riskcalc.decision.convergence import column_convergence, convergence_outputs
from riskcalc.decision.curves import payback_within, round_grid
from riskcalc.decision.measures import _check_level, prob_se, sorted_risk_row
from riskcalc.decision.redistribution import compensate
from riskcalc.engine.metrics import payback_distribution, sorted_quantiles, summary_row
from riskcalc.engine.order_statistics import sorted_values
from riskcalc.engine.resources import worker_threads

if TYPE_CHECKING:
    from riskcalc.results.result import SimulationResult

__all__ = ["one_pass_tables", "one_pass_threads"]

#: Columns worked on at once: each holds about three columns' worth of memory.
_MAX_THREADS = 4
#: Bytes of sorted actor NPVs kept for the compensating transfers; a larger run reads
#: the actors' columns again instead (8 actors at 10 M scenarios would hold 640 MB).
_SORTED_BUDGET = 256 * 2**20


def one_pass_threads(n_jobs: int) -> int:
    """Threads :func:`one_pass_tables` works on for `n_jobs` (at most :data:`_MAX_THREADS`)."""
    return min(worker_threads(n_jobs), _MAX_THREADS)


def one_pass_tables(result: SimulationResult, *, classes: ClassSpec | None = None,
                    level: float = 0.95, n_jobs: int = 1) -> dict[str, pd.DataFrame]:
    """The summary, risk, class, redistribution, acceptability and payback tables of a run.

    Parameters
    ----------
    result : SimulationResult
    classes : ClassSpec, optional
        Outcome classes; default ``ClassSpec()``.
    level : float
        Level of VaR and expected shortfall.
    n_jobs : int
        Threads that work on columns side by side (-1: every core; at most
        :data:`_MAX_THREADS`).  The numbers do not depend on it.

    Returns
    -------
    dict of str to DataFrame
        ``summary`` (with the risk measures as columns), ``risk``, ``classes``,
        ``redistribution``, ``compensation_matrix``, ``acceptability``,
        ``payback_within``, ``payback`` and ``convergence``: the tables
        :func:`~riskcalc.decision.tables.risk_tables` describes.
    """
    level = _check_level(level)
    spec = classes or ClassSpec()
    model = result.model
    outputs = result.outputs
    if spec.output not in outputs:
        raise ValueError(f"unknown class output {spec.output!r}; expected 'roi' or one of "
                         f"{[k for k in outputs if k.startswith('npv_')]}")
    keep = result.finite
    every = bool(keep.all())

    def read(name: str) -> np.ndarray:
        column = outputs[name]
        return column if every else column[keep]

    actors = list(model.actor_keys)
    series = [*actors, "society"]
    averaged = [*(f"npv_{k}" for k in series), "roi"]
    risky = set(averaged)
    t = spec.thresholds
    first = read(spec.output)
    # A value equal to a threshold belongs to the class above (searchsorted "right").
    codes = ((first >= t[0]).astype(np.int8) + (first >= t[1]) + (first >= t[2]))
    # Each class's scenarios by position: values[members[k]] are values[codes == k], the
    # same values in the same order (so the same mean), gathered as fast however the
    # classes are mixed (9 ms for four classes of 10-40 % of 4 M scenarios, where masks
    # took 72 ms; as fast as masks where one class holds nearly every scenario).
    members = [np.flatnonzero(codes == k) for k in range(len(CLASS_NAMES))]
    counts = [m.size for m in members]
    investment = read("investment")
    held = {spec.output: first, "investment": investment}  # read once, used again below

    summaries: dict[str, dict] = {}
    risk_rows: dict[str, dict] = {}
    humps: dict[str, np.ndarray] = {}
    class_means: dict[str, list[float]] = {}
    actor_sorted: dict[str, np.ndarray] = {}
    curves: dict[str, pd.DataFrame] = {}
    kept: dict[str, np.ndarray] = {}
    followed = convergence_outputs(outputs)
    head = max(0.1, 1.0 - level) + 0.01  # the convergence threshold's tenth, or the tail
    keep_sorted = len(actors) * keep.size * 8 <= _SORTED_BUDGET
    convergence: dict[str, list[dict]] = {}

    def column(name: str) -> None:
        """Everything each table needs of one column; stored by name (threads share)."""
        values = held.pop(name) if name in held else read(name)
        if name == "payback_year":
            summaries[name] = summary_row(name, values)
            kept[name] = values
            return
        # Sorted, or a stand-in that reads the same where the tables look (see
        # riskcalc.engine.order_statistics): the lowest tenth, or the expected
        # shortfall's tail, read in order for the risk and convergence rows.
        ordered = sorted_values(values, head=head if name in risky or name in followed else 0)
        row = summary_row(name, values, ordered)
        summaries[name] = row
        if name in risky:
            risk_rows[name] = sorted_risk_row(
                name, ordered, level, mean=row["mean"], std=row["std"],
                prob_loss=row["prob_negative"], quantile=partial(sorted_quantiles, ordered))
            # A class of every scenario has the column's own mean (the same values in
            # the same order): no gathered copy of the column.
            class_means[name] = [math.nan if not c else float(row["mean"]) if c == values.size
                                 else float(values[m].mean())
                                 for m, c in zip(members, counts, strict=True)]
        if name in followed:
            convergence[name] = column_convergence(name, values, ordered=ordered,
                                                   moments=(row["mean"], row["std"]))
        if name.startswith("hump_"):
            humps[name] = sorted_quantiles(ordered, [0.50, 0.95])
        key = name.removeprefix("npv_")
        if name.startswith("npv_") and key in series:
            if key in actors and keep_sorted:
                actor_sorted[key] = ordered
            with np.errstate(divide="ignore", invalid="ignore"):
                returns = sorted_values(values / investment, around=())
            if key == "society":  # started first: its returns fix the grid
                try:
                    # np.quantile's numbers without its copy and partition of the sorted
                    # returns (where a NaN, sorted last, makes both NaN: numpy's).
                    plain = returns.size and not np.isnan(returns[-1])
                    low, high = (sorted_quantiles if plain else np.quantile)(returns,
                                                                              [0.01, 0.99])
                    kept["required"] = round_grid(min(-1.0, float(low)), max(1.0, float(high)))
                finally:
                    grid_known.set()  # (on failure too: society's error is the one raised)
            else:
                grid_known.wait()
            curves[key] = _acceptability(key, returns, kept["required"])

    grid_known = threading.Event()
    # Society first (it fixes the grid), then the followed outputs, whose convergence
    # makes them the longest: the short ones last keep every thread busy to the end.
    names = list(dict.fromkeys(["npv_society", *followed, *outputs, "investment"]))
    # numpy's sorts and reductions release the GIL: columns in parallel threads.
    # Each thread holds about three columns at a time; a few keep memory bounded.
    workers = one_pass_threads(n_jobs)
    if workers == 1:
        for name in names:
            column(name)
    else:
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(column, names))
    payback = kept["payback_year"]

    summary_frame = pd.DataFrame([summaries[name] for name in outputs])
    risk = []
    for name in averaged:
        row = risk_rows[name]
        if f"hump_{name.removeprefix('npv_')}" in humps:
            row["hump_p50"], row["hump_p95"] = humps[f"hump_{name.removeprefix('npv_')}"]
        risk.append(row)
    risk_frame = pd.DataFrame(risk)
    extra = [c for c in risk_frame.columns
             if c not in summary_frame.columns and c not in ("n", "prob_loss")]
    summary_frame = summary_frame.merge(risk_frame[["output", *extra]], on="output", how="left")
    n = int(keep.sum())
    tables = {
        "summary": summary_frame,
        "risk": risk_frame,
        "classes": _classes(spec, counts, n, {key: class_means[key] for key in averaged}),
    }
    tables.update(_redistribution(result, summaries, actor_sorted, read, workers))
    tables["acceptability"] = pd.concat([curves[key] for key in series], ignore_index=True)
    within = payback_within(payback, model.years)
    within.insert(0, "series", "society")
    tables["payback_within"] = within
    tables["payback"] = payback_distribution(payback, model.years)
    tables["convergence"] = pd.DataFrame([row for name in followed for row in convergence[name]])
    return tables


def _classes(spec: ClassSpec, counts: list[int], n: int,
             means: dict[str, list[float]]) -> pd.DataFrame:
    """:func:`~riskcalc.decision.classes.class_table` from counts and means per class."""
    rows = []
    for k, name in enumerate(CLASS_NAMES):
        p = counts[k] / n if n else math.nan
        row = {"class": name, "n": counts[k], "probability": p,
               "se_probability": prob_se(p, n)}
        row.update({f"mean_{key}": values[k] for key, values in means.items()})
        rows.append(row)
    frame = pd.DataFrame(rows)
    bounds = spec.bounds()
    frame.insert(1, "output", spec.output)
    frame.insert(2, "lower", [b[0] for b in bounds])
    frame.insert(3, "upper", [b[1] for b in bounds])
    return frame


def _redistribution(result: SimulationResult, summaries: dict[str, dict],
                    actor_sorted: dict[str, np.ndarray], read: Callable[[str], np.ndarray],
                    workers: int) -> dict[str, pd.DataFrame]:
    """The redistribution table and compensation matrix, from means and sorted NPVs
    (or, for actors whose sorted NPVs were not kept, their columns read again, on
    `workers` threads)."""
    model = result.model
    expected = {a: float(summaries[f"npv_{a}"]["mean"]) for a in model.actor_keys}
    comp = compensate(expected, participants=[a.key for a in model.actors
                                              if a.kind != "production"])

    def losers_after(i: int) -> tuple[int, int]:
        """(scenarios, scenarios in which actor i still loses after its transfer)."""
        # x + t < 0 exactly when x < -t: a rounded sum has the sign of the exact
        # one, and is zero only when that is, so the count needs no new column.
        key = model.actors[i].key
        if key in actor_sorted:
            ordered = actor_sorted[key]
            return ordered.size, int(ordered.searchsorted(-comp.transfer[i], side="left"))
        values = read(f"npv_{key}")
        return values.size, int(np.count_nonzero(values < -comp.transfer[i]))

    indices = range(len(model.actors))
    if workers == 1 or len(actor_sorted) == len(model.actors):
        counted = [losers_after(i) for i in indices]
    else:
        with ThreadPoolExecutor(workers) as pool:
            counted = list(pool.map(losers_after, indices))
    rows = []
    for i, actor in enumerate(model.actors):
        n, below = counted[i]
        row = summaries[f"npv_{actor.key}"]
        net = comp.expected_net[i]
        role = ("outside" if not comp.participates[i] else
                "loser" if net < 0 else "gainer" if net > 0 else "neutral")
        rows.append({
            "actor": actor.key, "label": actor.label, "kind": actor.kind,
            "expected_net": net,
            "se_expected_net": row["std"] / np.sqrt(n) if n > 1 else 0.0,
            "prob_net_loser": row["prob_negative"],
            "se_prob_net_loser": prob_se(row["prob_negative"], n),
            "role": role, "transfer": comp.transfer[i],
            "expected_net_after": comp.net_after[i],
            "prob_net_loser_after": float(below / n) if n else math.nan,
            "feasible": comp.feasible,
        })
    matrix = pd.DataFrame(comp.matrix, index=pd.Index(comp.actors, name="from"),
                          columns=list(comp.actors))
    return {"redistribution": pd.DataFrame(rows),
            "compensation_matrix": matrix.reset_index()}


def _acceptability(key: str, ordered: np.ndarray, required: np.ndarray) -> pd.DataFrame:
    """One series of :func:`~riskcalc.decision.tables.acceptability`, from sorted returns."""
    n = ordered.size
    p = 1.0 - ordered.searchsorted(required, side="left") / n
    return pd.DataFrame({"required_return": required, "series": key, "probability": p,
                         "se_probability": np.sqrt(p * (1 - p) / n)})
