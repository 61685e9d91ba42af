"""Value of information of the approve / reject decision.

The decision: approve when the expected net benefit NB (an NPV, currency) is
positive, else reject (worth 0).  With perfect information one would approve
exactly in the scenarios where NB > 0, so

* EVPI = E[max(NB, 0)] - max(E[NB], 0)
* EVPPI(θᵢ) = E_θᵢ[max(E[NB | θᵢ], 0)] - max(E[NB], 0),

the most a decision maker should pay to learn everything, or one parameter,
before deciding.  E[NB | θᵢ] is estimated by regressing NB on θᵢ over the run's
scenarios (Strong, Oakley and Brennan 2014): a least-squares cubic B-spline with
interior knots at quantiles of θᵢ, or the mean per value for a parameter with few
distinct values.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy.interpolate import BSpline

from riskcalc.engine.sampling import design_inputs

if TYPE_CHECKING:
    from riskcalc.results.result import SimulationResult

__all__ = ["evpi", "evpi_se", "conditional_mean", "evppi", "voi_table"]

#: Parameters with at most this many distinct values are treated as discrete.
_DISCRETE_MAX = 32


#: Scenarios (the first finite ones) each EVPPI regression is fitted on.
EVPPI_MAX_SCENARIOS = 200_000

def evpi(net_benefit: np.ndarray) -> float:
    """Expected value of perfect information, ``E[max(NB, 0)] - max(E[NB], 0)``.

    Parameters
    ----------
    net_benefit : ndarray, shape (n,)
        Net benefit of approving, per scenario (currency); rejecting is worth 0.

    Returns
    -------
    float
        Currency, ≥ 0.  For NB ~ Normal(μ, σ): σ φ(μ/σ) - |μ| Φ(-|μ|/σ).
    """
    nb = np.asarray(net_benefit, dtype=float)
    return float(np.maximum(nb, 0.0).mean() - max(nb.mean(), 0.0))


def evpi_se(net_benefit: np.ndarray) -> float:
    """Monte Carlo standard error of :func:`evpi`.

    EVPI is the mean regret of the current decision: E[max(-NB, 0)] when
    approving, E[max(NB, 0)] when rejecting; its standard error is that of a mean.
    """
    nb = np.asarray(net_benefit, dtype=float)
    regret = np.maximum(-nb, 0.0) if nb.mean() > 0 else np.maximum(nb, 0.0)
    return float(regret.std(ddof=1) / math.sqrt(nb.size)) if nb.size > 1 else math.nan


def conditional_mean(net_benefit: np.ndarray, theta: np.ndarray, *,
                     knots: int | None = None) -> np.ndarray:
    """Estimate E[NB | θ] at every scenario by non-parametric regression.

    Parameters
    ----------
    net_benefit, theta : ndarray, shape (n,)
    knots : int, optional
        Interior knots of the cubic spline; default ``clip(n // 1000, 4, 16)``.

    Returns
    -------
    ndarray, shape (n,)
        Fitted values; their mean equals the mean of `net_benefit` (the basis
        sums to one), up to rounding.
    """
    y = np.asarray(net_benefit, dtype=float)
    x = np.asarray(theta, dtype=float)
    values, index = np.unique(x, return_inverse=True)
    if values.size <= min(_DISCRETE_MAX, x.size // 10):
        sums = np.bincount(index, weights=y, minlength=values.size)
        counts = np.bincount(index, minlength=values.size)
        return (sums / counts)[index]
    if knots is None:
        knots = int(np.clip(x.size // 1000, 4, 16))
    interior = np.unique(np.quantile(x, np.linspace(0, 1, knots + 2)[1:-1]))
    lo, hi = values[0], values[-1]
    interior = interior[(interior > lo) & (interior < hi)]
    t = np.concatenate([[lo] * 4, interior, [hi] * 4])
    # The normal equations of the sparse, banded B-spline basis: k × k instead of
    # n × k, so a million scenarios cost milliseconds (a B-spline basis is well
    # conditioned, and lstsq guards against a degenerate knot span).
    basis = BSpline.design_matrix(x, t, 3)
    gram = (basis.T @ basis).toarray()
    coef, *_ = np.linalg.lstsq(gram, basis.T @ y, rcond=None)
    return basis @ coef


def evppi(net_benefit: np.ndarray, theta: np.ndarray, *, knots: int | None = None) -> float:
    """Expected value of partial perfect information about one parameter.

    ``EVPPI = mean(max(f, 0)) - max(mean(f), 0)`` with f the estimate of
    E[NB | θ] from :func:`conditional_mean`.  At most EVPI up to estimation error;
    close to EVPI when θ alone drives NB.

    Returns
    -------
    float
        Currency, ≥ 0.
    """
    fit = conditional_mean(net_benefit, theta, knots=knots)
    return float(max(np.maximum(fit, 0.0).mean() - max(fit.mean(), 0.0), 0.0))


def voi_table(result: SimulationResult, *, actors: Sequence[str] | None = None,
              parameters: Sequence[str] | None = None) -> pd.DataFrame:
    """EVPI of the approve / reject decision and EVPPI of each uncertain parameter.

    Parameters
    ----------
    result : SimulationResult
    actors : sequence of str, optional
        Whose net benefit decides: the sum of these actors' NPVs (a fund's owner);
        default society's NPV.
    parameters : sequence of str, optional
        Default: the model's uncertain parameters, and ``regime`` when the model
        declares regimes (the value of knowing which regime holds).

    Notes
    -----
    EVPI uses every finite scenario; each EVPPI regression uses the first
    :data:`EVPPI_MAX_SCENARIOS` of them.

    Returns
    -------
    DataFrame
        Columns ``quantity`` (``evpi`` / ``evppi``), ``parameter`` (``"all"`` for
        EVPI), ``value`` (currency), ``se`` (EVPI only), ``share_of_evpi``,
        ``decision`` (approve / reject at current information) and ``net_benefit``
        (what NB is); EVPPI rows sorted by value, largest first.
    """
    keep = result.finite
    if actors is None:
        nb, what = result.outputs["npv_society"][keep], "npv_society"
    else:
        nb = np.sum([result.outputs[f"npv_{a}"][keep] for a in actors], axis=0)
        what = "+".join(f"npv_{a}" for a in actors)
    names = list(design_inputs(result.model) if parameters is None else parameters)
    total = evpi(nb)
    decision = "approve" if nb.mean() > 0 else "reject"
    rows = [{"quantity": "evpi", "parameter": "all", "value": total, "se": evpi_se(nb)}]
    # The regression's error is set by its knots, not by n past a few hundred
    # thousand scenarios; a fixed prefix keeps large runs fast and reproducible.
    fit = slice(0, EVPPI_MAX_SCENARIOS)
    partial = [{"quantity": "evppi", "parameter": name,
                "value": evppi(nb[fit], result.parameters[name][keep][fit]), "se": math.nan}
               for name in names]
    rows += sorted(partial, key=lambda r: -r["value"])
    frame = pd.DataFrame(rows)
    frame["share_of_evpi"] = frame["value"] / total if total > 0 else math.nan
    frame["decision"] = decision
    frame["net_benefit"] = what
    return frame
