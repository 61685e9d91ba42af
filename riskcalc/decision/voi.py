"""Value of information of the approve / reject decision.

The decision: approve when the expected net benefit NB (an NPV, currency) is
positive, else reject (worth 0).  With perfect information one would approve
exactly in the scenarios where NB > 0, so

* EVPI = E[max(NB, 0)] - max(E[NB], 0)
* EVPPI(θᵢ) = E_θᵢ[max(E[NB | θᵢ], 0)] - max(E[NB], 0),

the most a decision maker should pay to learn everything, or one parameter,
before deciding.  E[NB | θᵢ] is estimated over every scenario of the run by the
mean of NB within bins of equal count along θᵢ (√n bins, at most 2,000; the mean per
value for a parameter with few distinct values): O(n) per parameter, so a run of
millions of scenarios costs a fraction of a second per parameter.

The estimate is the mean of ``NB · (1{E[NB | bin] > 0} - 1{approve now})`` over the
scenarios, so its Monte Carlo standard error is that mean's, as for EVPI; it takes
each bin's decision as given, so it leaves out the (upward) bias of deciding on noisy
bin means, which is small when each bin holds hundreds of scenarios (n ≳ 10⁵).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from riskcalc.engine.kernel_cache import table_kernels
from riskcalc.engine.resources import worker_threads
from riskcalc.engine.sampling import design_inputs

if TYPE_CHECKING:
    from riskcalc.results.result import SimulationResult

__all__ = ["evpi", "evpi_se", "conditional_mean", "evppi", "evppi_se", "voi_table"]

#: Parameters with at most this many distinct values are treated as discrete.
_DISCRETE_MAX = 32
#: Most bins along a parameter for E[NB | θ] (√n below that).
_MAX_BINS = 2_000
#: Scenarios the bin edges are read from (every k-th of a larger run).
_EDGE_SAMPLE = 100_000
#: Parameters worked on at once.
_MAX_THREADS = 4


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


def _bins(theta: np.ndarray, bins: int | None) -> tuple[np.ndarray, int]:
    """Each scenario's bin along θ (equal counts; one bin per value if few), and the count."""
    index, lo, factor, lookup, k = _bin_plan(theta, bins)
    if index.size or not lookup.size:
        return index, k
    scaled = np.asarray(theta, dtype=float) - lo  # then scaled and clipped in place
    scaled *= factor
    np.clip(scaled, 0, lookup.size - 1, out=scaled)
    return lookup[scaled.astype(np.intp)], k


def _bin_plan(theta: np.ndarray, bins: int | None
              ) -> tuple[np.ndarray, float, float, np.ndarray, int]:
    """How :func:`_bins` bins θ: ``(index, lo, factor, lookup, k)``.

    Either `index`, each scenario's bin (few values, or few scenarios), or, for
    millions of scenarios, an empty `index` and a cell of [lo, hi] per scenario,
    ``clip((θ - lo) * factor, 0, cells - 1)`` truncated, whose bin is
    ``lookup[cell]``; `k` bins in all.  The compiled reductions
    (:mod:`riskcalc.engine.reductions`) bin with the same float operations.
    """
    x = np.asarray(theta, dtype=float)
    none = np.empty(0, dtype=np.intp)
    values, index = np.unique(x, return_inverse=True) if x.size <= 4096 else (None, None)
    if values is None:  # only look for few values where sorting them all is not needed
        sample = np.unique(x[:: max(x.size // 4096, 1)])
        if sample.size <= _DISCRETE_MAX:
            values, index = np.unique(x, return_inverse=True)
    if values is not None and values.size <= min(_DISCRETE_MAX, x.size // 10):
        return index, 0.0, 0.0, none, values.size
    if bins is None:
        bins = int(np.clip(round(math.sqrt(x.size)), 4, _MAX_BINS))
    # Bin edges from every k-th scenario (scenarios are independent draws): bins of
    # nearly equal count at a fraction of the cost of exact quantiles of millions.
    sample = np.sort(x[:: max(x.size // _EDGE_SAMPLE, 1)])
    edges = np.unique(sample[(np.arange(1, bins) * sample.size) // bins])
    lo, hi = sample[sample.size // 2000], sample[-1 - sample.size // 2000]
    if x.size < 50_000 or not hi > lo:
        return np.searchsorted(edges, x, side="right"), 0.0, 0.0, none, edges.size + 1
    # A binary search per scenario is slow on millions; instead each scenario falls in
    # one of 2¹⁶ equal cells of [lo, hi] (clipped), and each cell in the bin of its
    # centre.  Any partition by θ gives a valid estimate; this one is nearly the
    # equal-count bins, in O(n).
    cells = 1 << 16
    lookup = np.searchsorted(edges, lo + (np.arange(cells) + 0.5) * ((hi - lo) / cells),
                             side="right")
    return none, float(lo), float(cells / (hi - lo)), lookup, edges.size + 1


def conditional_mean(net_benefit: np.ndarray, theta: np.ndarray, *,
                     bins: int | None = None) -> np.ndarray:
    """Estimate E[NB | θ] at every scenario: the mean of NB in θ's bin.

    Parameters
    ----------
    net_benefit, theta : ndarray, shape (n,)
    bins : int, optional
        Bins of equal count along θ; default ``clip(round(√n), 4, 2000)``.  A
        parameter with at most 32 distinct values (and ten scenarios per value) gets
        one bin per value.

    Returns
    -------
    ndarray, shape (n,)
        Fitted values; their mean equals the mean of `net_benefit`, up to rounding.
    """
    index, means = _bin_means(net_benefit, theta, bins)
    return means[index]


def _bin_means(net_benefit: np.ndarray, theta: np.ndarray, bins: int | None
               ) -> tuple[np.ndarray, np.ndarray]:
    """Each scenario's bin along θ, and the mean of NB in each bin."""
    y = np.asarray(net_benefit, dtype=float)
    index, k = _bins(theta, bins)
    sums = np.bincount(index, weights=y, minlength=k)
    return index, sums / np.maximum(np.bincount(index, minlength=k), 1)


def _evppi_terms(net_benefit: np.ndarray, theta: np.ndarray, bins: int | None,
                 approve_now: float | None = None) -> np.ndarray:
    """Per scenario, ``NB · (1{E[NB | bin] > 0} - 1{approve now})``: their mean is EVPPI.
    `approve_now`, ``float(NB.mean() > 0)``, where the caller has it."""
    y = np.asarray(net_benefit, dtype=float)
    index, means = _bin_means(y, theta, bins)
    approve_in_bin = (means > 0)[index]  # decided once per bin, then spread to scenarios
    if approve_now is None:
        approve_now = float(y.mean() > 0)
    return y * (approve_in_bin.astype(float) - approve_now)


def _evppi_moments(net_benefit: np.ndarray, theta: np.ndarray, bins: int | None,
                   approve_now: float | None = None) -> tuple[float, float]:
    """Mean and standard deviation (ddof 1; NaN for one scenario) of
    :func:`_evppi_terms` (`approve_now` as there): EVPPI, and its standard error
    times √n.

    Where the compiled reductions are loaded
    (:func:`~riskcalc.engine.kernel_cache.table_kernels`) the same two numbers come
    from three passes over θ and NB, without the six columns the terms take in numpy.
    """
    y = np.asarray(net_benefit, dtype=float)
    x = np.asarray(theta, dtype=float)
    fused = table_kernels(y, x) if y.size > 1 else None
    if approve_now is None:
        approve_now = float(y.mean() > 0)
    if fused is None:
        terms = _evppi_terms(y, x, bins, approve_now)
        return terms.mean(), terms.std(ddof=1) if terms.size > 1 else math.nan
    index, lo, factor, lookup, k = _bin_plan(x, bins)
    index = index.astype(np.int32)  # at most 2,001 bins
    sums, counts = np.zeros(k), np.zeros(k, dtype=np.int64)
    # The first pass finds each scenario's bin from θ and keeps it for the two after
    # (a bin per scenario is there already for a parameter of few values).
    found = np.empty(0 if index.size else y.size, dtype=np.int32)
    fused.bin_totals(x, y, index, lo, factor, lookup, sums, counts, found)
    # Each bin's decision and factor as _evppi_terms computes them; the kernel spreads
    # them to the scenarios as it sums.
    weights = (sums / np.maximum(counts, 1) > 0).astype(float) - approve_now
    if not weights[counts > 0].any():
        # Every bin decides as today: each term is zero, and the two passes would
        # give 0.0 and 0.0 (an irrelevant parameter, often half of a model's).
        return 0.0, 0.0
    return fused.term_mean_std(x, y, index if index.size else found, lo, factor, lookup,
                               weights)


def evppi(net_benefit: np.ndarray, theta: np.ndarray, *, bins: int | None = None) -> float:
    """Expected value of partial perfect information about one parameter.

    ``EVPPI = mean(max(f, 0)) - max(mean(f), 0)`` with f the estimate of
    E[NB | θ] from :func:`conditional_mean`, over every scenario given.  At most
    EVPI up to estimation error; close to EVPI when θ alone drives NB.

    Returns
    -------
    float
        Currency, ≥ 0.
    """
    return float(max(_evppi_moments(net_benefit, theta, bins)[0], 0.0))


def evppi_se(net_benefit: np.ndarray, theta: np.ndarray, *, bins: int | None = None) -> float:
    """Monte Carlo standard error of :func:`evppi` (currency).

    The standard error of the mean of ``NB · (1{E[NB | bin] > 0} - 1{approve now})``,
    each bin's decision taken as given (see the module's notes).
    """
    std = _evppi_moments(net_benefit, theta, bins)[1]
    return float(std / math.sqrt(np.size(net_benefit))) if np.size(net_benefit) > 1 else math.nan


def voi_table(result: SimulationResult, *, actors: Sequence[str] | None = None,
              parameters: Sequence[str] | None = None, n_jobs: int = 1) -> pd.DataFrame:
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
    n_jobs : int
        Threads that work on parameters side by side (-1: every core); the numbers
        do not depend on it.

    Notes
    -----
    EVPI and every EVPPI use every finite scenario of the run.  Where NB has the
    same sign in every scenario no information can change the decision: every
    value and standard error is 0, found without computing them or reading a
    parameter.

    Returns
    -------
    DataFrame
        Columns ``quantity`` (``evpi`` / ``evppi``), ``parameter`` (``"all"`` for
        EVPI), ``value`` (currency), ``se`` (EVPI only), ``share_of_evpi``,
        ``decision`` (approve / reject at current information) and ``net_benefit``
        (what NB is); EVPPI rows sorted by value, largest first.  ``se`` is the
        Monte Carlo standard error of each value (currency).
    """
    keep = result.finite
    every = bool(keep.all())

    def read(columns: Any, name: str) -> np.ndarray:
        return columns[name] if every else columns[name][keep]  # no copy where all kept

    if actors is None:
        nb, what = read(result.outputs, "npv_society"), "npv_society"
    else:
        nb = np.sum([read(result.outputs, f"npv_{a}") for a in actors], axis=0)
        what = "+".join(f"npv_{a}" for a in actors)
    names = list(design_inputs(result.model) if parameters is None else parameters)
    # NB of one sign in every scenario: so has its mean and every bin's mean, and no
    # information changes the decision; the terms of EVPI and of each EVPPI are all
    # zero (values and standard errors 0, as the estimates give them), so nothing
    # more is computed and no parameter is read.
    settled = nb.size > 0 and bool(nb.min() > 0 or nb.max() < 0)
    zero_se = 0.0 if nb.size > 1 else math.nan
    if settled:
        total, total_se, approve_now = 0.0, zero_se, float(nb[0] > 0)
    else:
        total, total_se = evpi(nb), evpi_se(nb)
        approve_now = float(nb.mean() > 0)  # once, not once per parameter
    decision = "approve" if approve_now else "reject"
    rows = [{"quantity": "evpi", "parameter": "all", "value": total, "se": total_se}]

    def row(name: str) -> dict[str, Any]:
        if settled:
            return {"quantity": "evppi", "parameter": name, "value": 0.0, "se": zero_se}
        mean, std = _evppi_moments(nb, read(result.parameters, name), None, approve_now)
        return {"quantity": "evppi", "parameter": name, "value": float(max(mean, 0.0)),
                "se": float(std / math.sqrt(nb.size)) if nb.size > 1 else math.nan}

    # Most of numpy's work here releases the GIL: parameters in threads, a few at a
    # time (each holds a few columns' worth of memory).
    workers = max(1, min(worker_threads(n_jobs), _MAX_THREADS, len(names)))
    with ThreadPoolExecutor(workers) as pool:
        partial = list(pool.map(row, names))
    rows += sorted(partial, key=lambda r: -r["value"])
    frame = pd.DataFrame(rows)
    frame["share_of_evpi"] = frame["value"] / total if total > 0 else math.nan
    frame["decision"] = decision
    frame["net_benefit"] = what
    return frame
