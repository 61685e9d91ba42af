"""Risk measures of one output: VaR, expected shortfall, their standard errors, the risk table.

Conventions (see ``docs/decisions.md``): a **loss** is a negative NPV,
``prob_loss = P(NPV < 0)``; ``var_95 = -P5(NPV)``; ``cvar_95`` (expected
shortfall) is minus the mean NPV over the worst 5 % of scenarios; Monte Carlo
standard errors are ``std / sqrt(n)`` for means and ``sqrt(p (1 - p) / n)`` for
probabilities.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from riskcalc.decision.actor_groups import group_outcomes

if TYPE_CHECKING:
    from riskcalc.results.result import SimulationResult

__all__ = [
    "prob_se",
    "level_suffix",
    "value_at_risk",
    "expected_shortfall",
    "quantile_se",
    "expected_shortfall_se",
    "risk_row",
    "sorted_risk_row",
    "risk_table",
]


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
    return _expected_shortfall(np.sort(np.asarray(npv, dtype=float)), _check_level(level))


def _expected_shortfall(x: np.ndarray, level: float) -> float:
    """:func:`expected_shortfall` of values sorted ascending."""
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
    level = _check_level(level)
    return _expected_shortfall_se(x, level, value_at_risk(x, level))


def _expected_shortfall_se(x: np.ndarray, level: float, var: float) -> float:
    """:func:`expected_shortfall_se` of values sorted ascending, given their VaR."""
    alpha = 1.0 - level
    tail = x[:max(int(math.ceil(x.size * alpha)), 1)]
    es = _expected_shortfall(x, level)
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
    # Sorted once, and every quantile read in one call: numpy's quantile copies its
    # input and partitions it each time, which on millions of scenarios costs more
    # than all the rest (it is several times faster on sorted input).
    ordered = np.sort(values)
    row = sorted_risk_row(name, ordered, level, mean=values.mean(),
                          std=values.std(ddof=1) if values.size > 1 else 0.0,
                          prob_loss=float(np.mean(values < 0)),
                          quantile=lambda q: np.quantile(ordered, q))
    if hump is not None:
        row["hump_p50"], row["hump_p95"] = np.quantile(np.sort(np.asarray(hump, dtype=float)),
                                                       [0.50, 0.95])
    return row


def sorted_risk_row(name: str, ordered: np.ndarray, level: float, *, mean: float, std: float,
                    prob_loss: float, quantile: Callable[[list[float]], np.ndarray]
                    ) -> dict[str, float | str]:
    """:func:`risk_row` of values sorted ascending, given their mean, std and P(< 0).

    `quantile` reads quantiles of `ordered` (``np.quantile``, or
    :func:`riskcalc.engine.metrics.sorted_quantiles`: the same numbers); the
    ``hump_*`` columns are left NaN for the caller.
    """
    n = ordered.size
    suffix = level_suffix(level)
    alpha = 1.0 - level
    spread = math.sqrt(alpha * level / n)  # quantile_se's binomial step
    p05, p50, p95, q_alpha, q_below, q_above = quantile(
        [0.05, 0.50, 0.95, alpha, max(alpha - spread, 0.0), min(alpha + spread, 1.0)])
    var = float(-q_alpha)
    return {
        "output": name, "n": n, "mean": mean, "se_mean": std / math.sqrt(n),
        "std": std, "p05": p05, "p50": p50, "p95": p95,
        "prob_loss": prob_loss, "se_prob_loss": prob_se(prob_loss, n),
        f"var_{suffix}": var + 0.0,  # + 0.0: no "-0.0"
        f"se_var_{suffix}": float((q_above - q_below) / 2),
        f"cvar_{suffix}": _expected_shortfall(ordered, level) + 0.0,
        f"se_cvar_{suffix}": _expected_shortfall_se(ordered, level, var),
        "hump_p50": math.nan, "hump_p95": math.nan,
    }


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
