"""Risk measures of a run: what a board or an analyst decides on.

Computation only, on the per-scenario outputs of a
:class:`~riskcalc.result.SimulationResult` (shape (n,) arrays, currency SEK or
whatever the model declares).  Conventions (see ``docs/decisions.md``):

* a **loss** is a negative NPV; ``prob_loss = P(NPV < 0)``;
* ``var_95 = -P5(NPV)``: the loss exceeded with 5 % probability (negative when
  even the 5th percentile is a gain); ``cvar_95`` (expected shortfall) is minus
  the mean NPV over the worst 5 % of scenarios;
* Monte Carlo standard errors: ``std / sqrt(n)`` for means and
  ``sqrt(p (1 - p) / n)`` for probabilities;
* the four **outcome classes** very_bad / bad / half_good / good are cut by three
  increasing thresholds on one output (default ROI: -0.5, 0, 1); a value equal to a
  threshold belongs to the class above it.

Scenarios whose outputs are not finite (``result.finite``) are left out everywhere.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from riskcalc.engine import CompiledModel
from riskcalc.files import atomic_write
from riskcalc.metrics import investment_hump, payback_year
from riskcalc.model import Model

if TYPE_CHECKING:
    from riskcalc.policy import Policy
    from riskcalc.result import SimulationResult

__all__ = [
    "CLASS_NAMES",
    "DEFAULT_CLASS_OUTPUT",
    "DEFAULT_CLASS_THRESHOLDS",
    "ClassSpec",
    "GroupOutcomes",
    "value_at_risk",
    "expected_shortfall",
    "quantile_se",
    "expected_shortfall_se",
    "prob_se",
    "level_suffix",
    "risk_row",
    "regime_table",
    "risk_table",
    "group_by_label",
    "class_table",
    "payback_within",
    "evaluate_groups",
    "group_outcomes",
    "acceptability",
    "risk_tables",
    "write_risk_outputs",
]

#: The seed's four scenarios, worst first.
CLASS_NAMES: tuple[str, ...] = ("very_bad", "bad", "half_good", "good")
#: Default class output and cut points (see :class:`ClassSpec`).
DEFAULT_CLASS_OUTPUT = "roi"
DEFAULT_CLASS_THRESHOLDS: tuple[float, float, float] = (-0.5, 0.0, 1.0)
#: Rows of the evaluation blocks when actors' cumulative nets are recomputed.
_GROUP_BLOCK = 8192


def prob_se(p: float, n: int) -> float:
    """Monte Carlo standard error of a probability estimated from n scenarios."""
    return math.sqrt(max(p * (1.0 - p), 0.0) / n) if n else math.nan


def level_suffix(level: float) -> str:
    """Column suffix of a confidence level: 0.95 → ``"95"``, 0.975 → ``"97.5"``."""
    return f"{100 * level:.10g}"


def _check_level(level: float) -> float:
    if isinstance(level, bool) or not isinstance(level, (int, float)) or not 0 < level < 1:
        raise ValueError(f"level must be a share strictly between 0 and 1 (e.g. 0.95), "
                         f"got {level!r}")
    return float(level)


def value_at_risk(npv: np.ndarray, level: float = 0.95) -> float:
    """Value at risk: the loss exceeded with probability ``1 - level``.

    ``VaR = -Q(1 - level)``, minus the (1 - level) quantile of NPV (linear
    interpolation between order statistics).  Positive: a loss of that size or
    worse happens with probability 1 - level; negative: even then it is a gain.

    Parameters
    ----------
    npv : ndarray, shape (n,)
        Net present values (currency).
    level : float
        Confidence level, e.g. 0.95.

    Returns
    -------
    float
        Currency.
    """
    level = _check_level(level)
    return float(-np.quantile(np.asarray(npv, dtype=float), 1.0 - level))


def expected_shortfall(npv: np.ndarray, level: float = 0.95) -> float:
    """Expected shortfall (CVaR): minus the mean NPV over the worst ``1 - level`` share.

    With α = 1 - level and the NPVs sorted ascending, x₍₁₎ ≤ … ≤ x₍ₙ₎, the worst
    nα scenarios count fully and the next one by the fraction left over
    (Acerbi and Tasche 2002), so the estimate is continuous in `level`:
    ``ES = -(Σ_{i≤⌊nα⌋} x₍ᵢ₎ + (nα - ⌊nα⌋) x₍⌊nα⌋+1₎) / (nα)``.
    For a normal NPV, ES = -μ + σ φ(z_α) / α.

    Returns
    -------
    float
        Currency; ≥ :func:`value_at_risk` up to interpolation.
    """
    level = _check_level(level)
    x = np.sort(np.asarray(npv, dtype=float))
    k = x.size * (1.0 - level)
    m = int(math.floor(k))
    total = x[:m].sum() + ((k - m) * x[m] if m < x.size else 0.0)
    return float(-total / k)


def quantile_se(values: np.ndarray, q: float) -> float:
    """Distribution-free standard error of the q-quantile estimate.

    Half the distance between the quantiles at ``q ± sqrt(q (1 - q) / n)``: the
    order statistics one binomial standard deviation either side of the estimate.
    """
    values = np.asarray(values, dtype=float)
    d = math.sqrt(q * (1 - q) / values.size)
    lo, hi = np.quantile(values, [max(q - d, 0.0), min(q + d, 1.0)])
    return float((hi - lo) / 2)


def expected_shortfall_se(npv: np.ndarray, level: float) -> float:
    """Asymptotic standard error of :func:`expected_shortfall` (Manistre and Hancock 2005).

    ``Var ≈ (Var(X | tail) + level · (ES - VaR)²) / (n (1 - level))``.
    """
    x = np.sort(np.asarray(npv, dtype=float))
    alpha = 1.0 - level
    tail = x[:max(int(math.ceil(x.size * alpha)), 1)]
    es, var = expected_shortfall(x, level), value_at_risk(x, level)
    spread = tail.var(ddof=1) if tail.size > 1 else 0.0
    return math.sqrt((spread + level * (es - var) ** 2) / (x.size * alpha))


def risk_row(name: str, values: np.ndarray, level: float = 0.95, *,
             hump: np.ndarray | None = None) -> dict[str, float | str]:
    """The risk measures of one output (one row of :func:`risk_table`).

    Parameters
    ----------
    name : str
        Row label (``npv_<actor>``, ``npv_society``, ``roi``, ``owner``, ...).
    values : ndarray, shape (n,)
        Finite per-scenario values (currency, or a ratio for ROI).
    level : float
        Level of VaR and expected shortfall.
    hump : ndarray, shape (n,), optional
        The series' investment hump (capital needed, currency).
    """
    values = np.asarray(values, dtype=float)
    n = values.size
    suffix = level_suffix(level)
    std = values.std(ddof=1) if n > 1 else 0.0
    p05, p50, p95 = np.quantile(values, [0.05, 0.50, 0.95])
    p_loss = float(np.mean(values < 0))
    row: dict[str, float | str] = {
        "output": name, "n": n, "mean": values.mean(), "se_mean": std / math.sqrt(n),
        "std": std, "p05": p05, "p50": p50, "p95": p95,
        "prob_loss": p_loss, "se_prob_loss": prob_se(p_loss, n),
        f"var_{suffix}": value_at_risk(values, level) + 0.0,  # + 0.0: no "-0.0"
        f"se_var_{suffix}": quantile_se(values, 1 - level),
        f"cvar_{suffix}": expected_shortfall(values, level) + 0.0,
        f"se_cvar_{suffix}": expected_shortfall_se(values, level),
        "hump_p50": math.nan, "hump_p95": math.nan,
    }
    if hump is not None:
        row["hump_p50"], row["hump_p95"] = np.quantile(np.asarray(hump, dtype=float),
                                                       [0.50, 0.95])
    return row


def risk_table(result: SimulationResult, level: float = 0.95, *,
               owner: Sequence[str] | None = None) -> pd.DataFrame:
    """Risk measures for every actor, society and ROI: one row per output.

    Parameters
    ----------
    result : SimulationResult
    level : float
        Level of VaR and expected shortfall (default 0.95 → ``var_95``, ``cvar_95``).
    owner : sequence of str, optional
        Actors whose summed NPV is added as a row ``owner`` (a fund's owners);
        its hump is that of their summed cumulative net.

    Returns
    -------
    DataFrame
        Columns ``output, n, mean, se_mean, std, p05, p50, p95, prob_loss,
        se_prob_loss, var_<L>, se_var_<L>, cvar_<L>, se_cvar_<L>, hump_p50, hump_p95``.
        Rows ``npv_<actor>`` …, ``npv_society``, ``roi`` (a ratio: its VaR is a
        share of the investment; no hump), then ``owner`` if asked.
    """
    level = _check_level(level)
    keep = result.finite
    rows = []
    for key in (*result.model.actor_keys, "society"):
        rows.append(risk_row(f"npv_{key}", result.outputs[f"npv_{key}"][keep], level,
                             hump=result.outputs[f"hump_{key}"][keep]))
    rows.append(risk_row("roi", result.outputs["roi"][keep], level))
    if owner is not None:
        group = group_outcomes(result, owner)
        rows.append(risk_row("owner", group.npv, level, hump=group.hump))
    return pd.DataFrame(rows)


# -- outcome classes ----------------------------------------------------------------------


@dataclass(frozen=True)
class ClassSpec:
    """How scenarios are sorted into the classes very_bad / bad / half_good / good.

    Attributes
    ----------
    output : str
        The output the thresholds apply to: ``"roi"`` or an ``npv_*`` output.
    thresholds : tuple of 3 floats, strictly increasing
        ``value < t0`` → very_bad, ``t0 ≤ value < t1`` → bad,
        ``t1 ≤ value < t2`` → half_good, ``value ≥ t2`` → good.
        Default on ROI (society NPV / investment): -0.5 (loses more than half the
        investment), 0 (a net loss), 1 (gains at least the investment once more).
    """

    output: str = DEFAULT_CLASS_OUTPUT
    thresholds: tuple[float, float, float] = DEFAULT_CLASS_THRESHOLDS

    def __post_init__(self) -> None:
        if self.output != "roi" and not self.output.startswith("npv_"):
            raise ValueError(f"classes apply to 'roi' or an 'npv_*' output, got "
                             f"{self.output!r}")
        t = tuple(float(x) for x in self.thresholds)
        if len(t) != 3 or not all(math.isfinite(x) for x in t) or not t[0] < t[1] < t[2]:
            raise ValueError(f"class thresholds must be three increasing finite numbers "
                             f"[very_bad|bad, bad|half_good, half_good|good], got "
                             f"{list(self.thresholds)!r}")
        object.__setattr__(self, "thresholds", t)

    def classify(self, values: np.ndarray) -> np.ndarray:
        """Class name of each value; shape (n,), dtype str.  Values must be finite."""
        index = np.searchsorted(np.asarray(self.thresholds), values, side="right")
        return np.asarray(CLASS_NAMES)[index]

    def bounds(self) -> list[tuple[float, float]]:
        """(lower, upper) of each class, in :data:`CLASS_NAMES` order."""
        edges = (-math.inf, *self.thresholds, math.inf)
        return list(zip(edges[:-1], edges[1:], strict=True))


def group_by_label(labels: np.ndarray, values: Mapping[str, np.ndarray], *,
                   order: Sequence[str] | None = None, name: str = "label") -> pd.DataFrame:
    """Probability of each label and the mean of every value within it.

    Generic: labels may be outcome classes, declared regimes, anything.

    Parameters
    ----------
    labels : ndarray, shape (n,)
        One label per scenario.
    values : mapping of str to ndarray, shape (n,)
        Per-scenario values (e.g. each actor's NPV, currency).
    order : sequence, optional
        Labels to report, in this order (labels with no scenario get probability 0
        and NaN means); default: the sorted distinct labels.
    name : str
        Name of the label column.

    Returns
    -------
    DataFrame
        Columns ``<name>, n, probability, se_probability, mean_<value>...``.
    """
    labels = np.asarray(labels)
    n = labels.size
    order = list(np.unique(labels)) if order is None else list(order)
    rows = []
    for label in order:
        mask = labels == label
        count = int(mask.sum())
        p = count / n if n else math.nan
        row = {name: label, "n": count, "probability": p, "se_probability": prob_se(p, n)}
        for key, array in values.items():
            row[f"mean_{key}"] = float(np.asarray(array)[mask].mean()) if count else math.nan
        rows.append(row)
    return pd.DataFrame(rows)


def class_table(result: SimulationResult, spec: ClassSpec | None = None, *,
                extra: Mapping[str, np.ndarray] | None = None) -> pd.DataFrame:
    """The four outcome classes: bounds, probability and each actor's mean NPV in each.

    Parameters
    ----------
    result : SimulationResult
    spec : ClassSpec, optional
        Output and thresholds; default ``ClassSpec()`` (ROI at -0.5, 0, 1).
    extra : mapping of str to ndarray, shape (n_finite,), optional
        More per-scenario values (over the finite scenarios) to average per class,
        e.g. ``{"npv_owner": ...}``; they become ``mean_<key>`` columns.

    Returns
    -------
    DataFrame
        Columns ``class, output, lower, upper, n, probability, se_probability,
        mean_npv_<actor>…, mean_npv_society, mean_roi``; one row per class, worst
        first.  The probabilities sum to 1 (the classes partition the scenarios).
    """
    spec = spec or ClassSpec()
    if spec.output not in result.outputs:
        raise ValueError(f"unknown class output {spec.output!r}; expected 'roi' or one of "
                         f"{[k for k in result.outputs if k.startswith('npv_')]}")
    keep = result.finite
    labels = spec.classify(result.outputs[spec.output][keep])
    keys = [f"npv_{k}" for k in (*result.model.actor_keys, "society")] + ["roi"]
    values = {k: result.outputs[k][keep] for k in keys} | dict(extra or {})
    frame = group_by_label(labels, values, order=CLASS_NAMES, name="class")
    bounds = spec.bounds()
    frame.insert(1, "output", spec.output)
    frame.insert(2, "lower", [b[0] for b in bounds])
    frame.insert(3, "upper", [b[1] for b in bounds])
    return frame


# -- payback, investment and actor groups --------------------------------------------------


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


@dataclass(frozen=True)
class GroupOutcomes:
    """What a group of actors carries together, per scenario.

    Attributes
    ----------
    actors : tuple of str
        The actors whose cash flows are summed.
    npv : ndarray, shape (n,)
        NPV of the summed net (currency).
    hump : ndarray, shape (n,)
        Capital needed: depth of the most negative summed cumulative discounted
        net, ≥ 0 (currency).  At most, and usually less than, the sum of the
        actors' own humps: one actor's early gain funds another's early cost.
    payback_year : ndarray, shape (n,)
        First year the summed cumulative discounted net is ≥ 0; NaN if never.
    investment : ndarray, shape (n,)
        The model's investment (currency); ``npv / investment`` is the group's return.
    """

    actors: tuple[str, ...]
    npv: np.ndarray
    hump: np.ndarray
    payback_year: np.ndarray
    investment: np.ndarray

    @property
    def n(self) -> int:
        """Number of scenarios."""
        return self.npv.size

    @property
    def ret(self) -> np.ndarray:
        """The group's return: NPV / investment, shape (n,)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.npv / self.investment


def evaluate_groups(model: Model, parameters: Mapping[str, np.ndarray],
                    groups: Mapping[str, Sequence[str] | None]) -> dict[str, GroupOutcomes]:
    """Evaluate the model at `parameters` and reduce actor groups' summed cash flows.

    Parameters
    ----------
    model : Model
    parameters : mapping of str to ndarray, shape (n,)
        A value per scenario for every parameter.
    groups : mapping of str to (sequence of str or None)
        Named groups of actor keys; None stands for society (every actor, where
        transfers cancel).

    Returns
    -------
    dict of str to GroupOutcomes
        One per group, same keys.  One pass of the engine serves every group.
    """
    keys = model.actor_keys
    rows = {}
    for name, actors in groups.items():
        unknown = [a for a in (actors or ()) if a not in keys]
        if unknown or (actors is not None and not actors):
            raise ValueError(f"group {name!r}: unknown actors {unknown}; the model has "
                             f"{list(keys)}")
        rows[name] = [len(keys)] if actors is None else [keys.index(a) for a in actors]
    compiled = CompiledModel(model)
    n = len(next(iter(parameters.values())))
    arrays = {name: (np.empty(n), np.empty(n), np.empty(n)) for name in groups}
    investment = np.empty(n)
    for start in range(0, n, _GROUP_BLOCK):
        part = {k: np.asarray(v)[start:start + _GROUP_BLOCK] for k, v in parameters.items()}
        out = compiled.evaluate(part, keep_cumulative=True)
        cumulative = out.cumulative
        investment[start:start + cumulative.shape[-1]] = out.outputs["investment"]
        for name, (npv, hump, payback) in arrays.items():
            summed = cumulative[rows[name]].sum(axis=0)  # (Y, block)
            stop = start + summed.shape[1]
            npv[start:stop] = summed[-1]
            hump[start:stop] = investment_hump(summed)
            payback[start:stop] = payback_year(summed)
    return {name: GroupOutcomes(tuple(keys if groups[name] is None else groups[name]),
                                *arrays[name], investment) for name in groups}


def group_outcomes(result: SimulationResult, actors: Sequence[str] | None) -> GroupOutcomes:
    """:func:`evaluate_groups` for one group, on a run's finite scenarios.

    The NPV is the sum of the run's ``npv_<actor>`` outputs (exactly the numbers
    of the other tables); hump and payback year come from the summed cumulative
    net, recomputed from the run's parameters (one more pass of the engine).
    """
    keep = result.finite
    params = {k: v[keep] for k, v in result.parameters.items()}
    group = evaluate_groups(result.model, params, {"group": actors})["group"]
    keys = result.model.actor_keys if actors is None else actors
    npv = (result.outputs["npv_society"][keep] if actors is None
           else np.sum([result.outputs[f"npv_{a}"][keep] for a in keys], axis=0))
    return GroupOutcomes(group.actors, npv, group.hump, group.payback_year,
                         result.outputs["investment"][keep])


# -- acceptability ---------------------------------------------------------------------------


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


# -- the run directory ------------------------------------------------------------------------


def regime_table(result: SimulationResult) -> pd.DataFrame:
    """Results per declared regime: weight, share of scenarios, each actor's mean NPV.

    Parameters
    ----------
    result : SimulationResult
        Of a model that declares regimes.

    Returns
    -------
    DataFrame
        Columns ``regime, weight, n, probability, se_probability,
        mean_npv_<actor>…, mean_npv_society, mean_roi``; one row per regime in
        declaration order.
    """
    regimes = result.model.regimes
    if not regimes:
        raise ValueError(f"{result.model.source} declares no regimes")
    keep = result.finite
    names = np.array([r.name for r in regimes])
    labels = names[result.parameters["regime"][keep].astype(int)]
    keys = [f"npv_{k}" for k in (*result.model.actor_keys, "society")] + ["roi"]
    frame = group_by_label(labels, {k: result.outputs[k][keep] for k in keys},
                           order=list(names), name="regime")
    frame.insert(1, "weight", [r.weight for r in regimes])
    return frame


def risk_tables(result: SimulationResult, policy: Policy | None = None, *,
                level: float = 0.95) -> dict[str, pd.DataFrame]:
    """Every risk table of a run, by file stem (for ``result.tables``).

    ``risk`` (:func:`risk_table`), ``classes`` (:func:`class_table`),
    ``redistribution`` and ``compensation_matrix`` (:mod:`riskcalc.redistribution`),
    ``acceptability`` (:func:`acceptability`), ``payback_within``
    (:func:`payback_within`, series ``society`` and, with a policy, ``owner``) and
    ``voi`` (:func:`riskcalc.voi.voi_table`).

    Parameters
    ----------
    result : SimulationResult
    policy : Policy, optional
        Its classes replace the default ones; its owner adds ``owner`` rows and
        is the decision maker of the value-of-information table.
    level : float
        Level of VaR and expected shortfall in ``risk``.

    Returns
    -------
    dict of str to DataFrame
    """
    from riskcalc.redistribution import compensation_matrix, redistribution_table
    from riskcalc.voi import voi_table

    owner = group_outcomes(result, policy.owner_group) if policy is not None else None
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
    return {
        **regimes,
        "risk": risk,
        "classes": class_table(
            result, policy.classes if policy is not None else None,
            extra={"npv_owner": owner.npv} if owner is not None else None),
        "redistribution": redistribution_table(result),
        "compensation_matrix": compensation_matrix(result).reset_index(),
        "acceptability": acceptability(_returns(result, owner)),
        "payback_within": payback,
        "voi": voi_table(result, actors=policy.owner_group if policy is not None else None),
    }


def write_risk_outputs(result: SimulationResult, out_dir: str | Path,
                       policy: Policy | None = None, *, level: float = 0.95) -> list[Path]:
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
    return [atomic_write(out / f"{name}.csv", lambda p, f=frame: f.to_csv(p, index=False))
            for name, frame in risk_tables(result, policy, level=level).items()]
