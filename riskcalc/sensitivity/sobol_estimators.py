"""Sobol' indices from a design's outputs: the Saltelli design and the estimators.

Pure numerics, no model: :func:`sobol_design` is SALib's Saltelli extension of
a scrambled Sobol' sequence in the unit cube; :func:`sobol_indices` estimates,
for any outputs ``Y`` at its rows, S1 after Saltelli et al. (2010), ST after
Jansen (1999) and S2 after Saltelli (2002), exactly as
:func:`SALib.analyze.sobol.analyze` computes them (same normalisation, same
bootstrap resamples for a given seed), but for all outputs at once: each
bootstrap mean is a weighted mean whose weights are how often each row was
drawn, so one matrix product gives every resample of every index.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri

from riskcalc.errors import ModelError
from riskcalc.sensitivity.problem import is_whole, worker_threads

__all__ = ["SobolIndices", "sobol_base", "sobol_design", "sobol_indices", "from_b_mask",
           "design_rows", "check_power_of_two", "design_steps"]

#: Below this variance (of the normalised output) an index is 0, as in SALib.
_EPS = np.finfo(float).eps
#: Columns of the per-pair products built at once (bounds memory for many inputs).
_PAIR_BLOCK = 256

def check_power_of_two(n: int, what: str = "N") -> None:
    """Refuse (ModelError) an `n` that is not a power of two ≥ 2, suggesting the nearest."""
    if not is_whole(n) or n < 2:
        raise ModelError(f"{what} must be a whole number ≥ 2 (a power of two), got {n!r}")
    if n & (n - 1):
        low = 1 << (int(n).bit_length() - 1)
        raise ModelError(f"{what} must be a power of two (Sobol' points are balanced only "
                         f"then), got {n}; use {low} or {2 * low}")


def design_steps(n_groups: int, second_order: bool) -> int:
    """Rows of the design per base point: A, the AB blocks, (the BA blocks), B."""
    return 2 * n_groups + 2 if second_order else n_groups + 2


def sobol_base(n_inputs: int, n: int, *,
               seed: int | np.random.Generator | np.random.SeedSequence | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
    """The base matrices A and B of Saltelli's design: N points of a scrambled Sobol' sequence.

    SALib's sampler draws N points of a scrambled (LMS + shift) Sobol' sequence in
    2D dimensions; A is their first D columns, B the last D.  Every row of the
    design (:func:`sobol_design`) takes each column from A or from B.

    Parameters
    ----------
    n_inputs : int
        D, the number of inputs.
    n : int
        N, base points; a power of two.
    seed : int, Generator or SeedSequence, optional
        Scrambling of the Sobol' sequence.

    Returns
    -------
    A, B : ndarray, shape (N, D)
    """
    from scipy.stats import qmc  # here: `riskcalc sobol --help` should not pay for it

    check_power_of_two(n)
    if isinstance(seed, np.random.SeedSequence):
        seed = np.random.default_rng(seed)
    d = int(n_inputs)
    base = qmc.Sobol(d=2 * d, scramble=True, seed=seed).random(int(n))
    return base[:, :d], base[:, d:]


def from_b_mask(group_index: np.ndarray, n_groups: int, second_order: bool) -> np.ndarray:
    """Which input columns each row of a base point takes from B, shape (step, D).

    Rows in SALib's order: A (none), AB_k (the inputs of group k), with second
    order BA_k (all but group k), B (all).  `group_index` gives each input's group
    (0..G-1, groups in order of first appearance, as SALib numbers them).
    """
    moved = np.asarray(group_index)[None, :] == np.arange(n_groups)[:, None]  # (G, D)
    blocks = [np.zeros((1, len(group_index)), bool), moved]
    if second_order:
        blocks.append(~moved)
    blocks.append(np.ones((1, len(group_index)), bool))
    return np.vstack(blocks)


def sobol_design(n_inputs: int, n: int, *, second_order: bool = False,
                 groups: Sequence[str] | None = None,
                 seed: int | np.random.Generator | np.random.SeedSequence | None = None
                 ) -> np.ndarray:
    """Saltelli's design on a scrambled Sobol' sequence in the unit cube (SALib's sampler).

    Equal, value for value, to :func:`SALib.sample.sobol.sample` on the unit cube
    with the same seed, built from :func:`sobol_base` by whole-array copies
    instead of SALib's Python loop over every row and column (1.2 s at N = 2^14,
    D = 13 with second order; here a few milliseconds).

    Parameters
    ----------
    n_inputs : int
        D, the number of inputs.
    n : int
        N, base points; a power of two.
    second_order : bool
        Add the BA blocks that second-order indices need.
    groups : sequence of str, optional
        The group of each input (length D); G groups move together.
    seed : int, Generator or SeedSequence, optional
        Scrambling of the Sobol' sequence.

    Returns
    -------
    ndarray, shape (N * (2G + 2), D) or (N * (G + 2), D)
        Rows in SALib's order: for each base point, A, the G blocks AB_k,
        (the G blocks BA_k), B.  G = D without groups.
    """
    a, b = sobol_base(n_inputs, n, seed=seed)
    if groups is None:
        group_index, n_groups = np.arange(int(n_inputs)), int(n_inputs)
    else:
        if len(groups) != n_inputs:
            raise ValueError(f"groups names {len(groups)} inputs, the design has {n_inputs}")
        names = list(dict.fromkeys(groups))  # order of first appearance, as SALib's
        group_index, n_groups = np.array([names.index(g) for g in groups]), len(names)
    return design_rows(a, b, from_b_mask(group_index, n_groups, second_order))


def design_rows(a: np.ndarray, b: np.ndarray, take_b: np.ndarray) -> np.ndarray:
    """The rows of a Saltelli design, shape (N * step, D), from A, B (N, D) and
    :func:`from_b_mask` (step, D): row i * step + r takes column j from B where
    ``take_b[r, j]``, else from A."""
    return np.where(take_b[None], b[:, None, :], a[:, None, :]).reshape(-1, a.shape[1])


@dataclass(frozen=True, eq=False)
class SobolIndices:
    """Sobol' indices of several outputs estimated on one design.

    Indices are shares of the output's variance; every ``*_conf`` is the
    half-width of the bootstrap confidence interval at `conf_level`
    (Z times the standard deviation over the resamples, as in SALib).

    Attributes
    ----------
    S1, S1_conf, ST, ST_conf : ndarray, shape (n_outputs, D)
    S2, S2_conf : ndarray, shape (n_outputs, D, D), or None
        Entry [o, j, k] for j < k; NaN elsewhere (SALib's layout).
    S1_sum, S1_sum_conf, ST_sum, ST_sum_conf : ndarray, shape (n_outputs,)
        Sum over the inputs, with its own bootstrap interval.
    constant : ndarray of bool, shape (n_outputs,)
        Outputs that do not vary; their indices are 0.
    n : int
        N, base points of the design.
    num_resamples : int
    conf_level : float
    """

    S1: np.ndarray
    S1_conf: np.ndarray
    ST: np.ndarray
    ST_conf: np.ndarray
    S2: np.ndarray | None
    S2_conf: np.ndarray | None
    S1_sum: np.ndarray
    S1_sum_conf: np.ndarray
    ST_sum: np.ndarray
    ST_sum_conf: np.ndarray
    constant: np.ndarray
    n: int
    num_resamples: int
    conf_level: float

    @property
    def n_outputs(self) -> int:
        """Number of outputs."""
        return self.S1.shape[0]

    @property
    def n_inputs(self) -> int:
        """D, number of inputs (or groups)."""
        return self.S1.shape[1]


def _bootstrap_weights(n: int, num_resamples: int, rng: np.random.Generator
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Row weights (1 + R, N): all ones, then how often resample b drew each row.

    The resamples are ``rng.integers(N, size=(N, R))``: SALib's with
    ``seed=s`` when ``rng = np.random.default_rng(s)``.
    """
    draws = rng.integers(n, size=(n, num_resamples))
    counts = np.bincount((draws + n * np.arange(num_resamples)).ravel(),
                         minlength=n * num_resamples).reshape(num_resamples, n)
    weights = np.empty((num_resamples + 1, n))
    weights[0] = 1.0
    weights[1:] = counts
    return weights, counts.any(axis=0)


def _ratio(numerator: np.ndarray, variance: np.ndarray) -> np.ndarray:
    """numerator / variance per resample row, 0 where the variance vanishes (as SALib)."""
    ok = variance > _EPS
    safe = np.where(ok, variance, 1.0)
    return np.where(ok[:, None], numerator / safe[:, None], 0.0)


def _one_output(y: np.ndarray, d: int, n: int, second_order: bool, weights: np.ndarray,
                used: np.ndarray, z: float) -> dict[str, np.ndarray]:
    """Point estimates and bootstrap half-widths of one (non-constant) output."""
    step = design_steps(d, second_order)
    y = (y - y.mean()) / y.std()  # SALib's normalisation, to the bit
    rows = y.reshape(n, step)
    a, b = rows[:, 0], rows[:, -1]
    ab = rows[:, 1:d + 1]
    # Means over N rows for the point estimate (weights row 0) and every resample.
    base = np.column_stack([a, b, a * a, b * b, b[:, None] * (ab - a[:, None]),
                            0.5 * (a[:, None] - ab) ** 2])
    m = weights @ base / n
    mean = 0.5 * (m[:, 0] + m[:, 1])
    variance = 0.5 * (m[:, 2] + m[:, 3]) - mean * mean
    s1 = _ratio(m[:, 4:4 + d], variance)
    st = _ratio(m[:, 4 + d:4 + 2 * d], variance)
    both = np.concatenate([a, b])
    if np.ptp(both) <= _EPS:  # SALib: no spread in A and B, every index 0
        s1[0], st[0] = 0.0, 0.0
    spread = np.ptp(np.concatenate([a[used], b[used]]))
    boot_ok = spread > _EPS

    def conf(boot: np.ndarray) -> np.ndarray:
        return z * boot.std(axis=0, ddof=1) if boot_ok else np.zeros(boot.shape[1:])

    out = {"S1": s1[0], "S1_conf": conf(s1[1:]), "ST": st[0], "ST_conf": conf(st[1:]),
           "S1_sum": s1[0].sum(), "S1_sum_conf": conf(s1[1:].sum(axis=1, keepdims=True))[0],
           "ST_sum": st[0].sum(), "ST_sum_conf": conf(st[1:].sum(axis=1, keepdims=True))[0]}
    if second_order:
        ba = rows[:, d + 1:2 * d + 1]
        s2 = np.full((d, d), np.nan)
        s2_conf = np.full((d, d), np.nan)
        j_all, k_all = np.triu_indices(d, k=1)
        ab_prod = a * b
        for start in range(0, len(j_all), _PAIR_BLOCK):
            j, k = j_all[start:start + _PAIR_BLOCK], k_all[start:start + _PAIR_BLOCK]
            v = _ratio(weights @ (ba[:, j] * ab[:, k] - ab_prod[:, None]) / n, variance)
            pair = v - s1[:, j] - s1[:, k]
            if np.ptp(both) <= _EPS:
                pair[0] = 0.0
            s2[j, k] = pair[0]
            s2_conf[j, k] = conf(pair[1:])
        out["S2"], out["S2_conf"] = s2, s2_conf
    return out


def sobol_indices(y: np.ndarray, d: int, n: int, *, second_order: bool = False,
                  num_resamples: int = 100, conf_level: float = 0.95,
                  rng: np.random.Generator | int | np.random.SeedSequence | None = None,
                  n_jobs: int = 1) -> SobolIndices:
    """Sobol' indices with bootstrap intervals, for many outputs of one design at once.

    The estimators and intervals are those of :func:`SALib.analyze.sobol.analyze`
    (each output normalised to mean 0 and standard deviation 1 first): S1 after
    Saltelli et al. (2010), ST after Jansen (1999), S2 after Saltelli (2002);
    the interval half-width is ``norm.ppf(0.5 + conf_level / 2)`` times the
    standard deviation (ddof 1) of the index over `num_resamples` bootstrap
    resamples of the N base points.  The resamples are
    ``rng.integers(N, size=(N, num_resamples))``, shared by all outputs: with
    ``rng = np.random.default_rng(s)`` they are the ones SALib draws with
    ``seed=s``, and the results agree with SALib's to rounding (1e-12).

    Parameters
    ----------
    y : ndarray, shape (n_evals,) or (n_evals, n_outputs)
        Model outputs at the rows of :func:`sobol_design`, in its order;
        n_evals = N (2D + 2) with second order, N (D + 2) without.
    d : int
        D, the number of inputs (the number of groups when grouped).
    n : int
        N, base points of the design.
    second_order : bool
        Whether the design has the BA blocks; then S2 is estimated.
    num_resamples : int
        Bootstrap resamples (≥ 2).
    conf_level : float
        Confidence level of the intervals, in (0, 1).
    rng : Generator, int or SeedSequence, optional
        Source of the bootstrap resamples.
    n_jobs : int
        Threads that estimate outputs side by side (joblib semantics: -1 means
        every core).  The matrix products and reductions release the GIL; each
        output is computed by the same code on one thread, with the BLAS library
        held to one thread meanwhile (threadpoolctl; process-wide, so other threads'
        BLAS calls are held too for that time), so the results are the same bits for
        any `n_jobs`.

    Returns
    -------
    SobolIndices
    """
    y = np.asarray(y, dtype=float)
    if y.ndim == 1:
        y = y[:, None]
    step = design_steps(d, second_order)
    if y.ndim != 2 or y.shape[0] != n * step:
        raise ValueError(f"y has shape {y.shape}; a design of N = {n} for D = {d} inputs "
                         f"{'with' if second_order else 'without'} second order has "
                         f"N * {step} = {n * step} rows")
    if not np.isfinite(y).all():
        raise ValueError("y holds values that are not finite; Sobol' indices need a number "
                         "at every design point")
    if not 0 < conf_level < 1:
        raise ValueError(f"conf_level must lie in (0, 1), got {conf_level!r}")
    if not is_whole(num_resamples) or num_resamples < 2:
        raise ValueError(f"num_resamples must be a whole number ≥ 2, got {num_resamples!r}")
    weights, used = _bootstrap_weights(n, int(num_resamples), np.random.default_rng(rng))
    z = float(ndtri(0.5 + conf_level / 2))  # norm.ppf, without importing scipy.stats
    n_out = y.shape[1]
    keys = ["S1", "S1_conf", "ST", "ST_conf"]
    fields = {k: np.zeros((n_out, d)) for k in keys}
    fields.update({k: np.zeros(n_out) for k in ("S1_sum", "S1_sum_conf", "ST_sum",
                                                   "ST_sum_conf")})
    if second_order:
        zero_pairs = np.full((d, d), np.nan)
        zero_pairs[np.triu_indices(d, k=1)] = 0.0
        fields["S2"] = np.repeat(zero_pairs[None], n_out, axis=0)
        fields["S2_conf"] = fields["S2"].copy()
    constant = np.array([np.ptp(y[:, o]) == 0.0 for o in range(n_out)], dtype=bool)
    varying = np.flatnonzero(~constant)

    def estimate(o: int) -> dict[str, np.ndarray]:
        return _one_output(np.ascontiguousarray(y[:, o]), d, n, second_order, weights, used, z)

    from threadpoolctl import threadpool_limits

    # BLAS's own threads would compete with ours (and were slower than one here).
    threads = min(worker_threads(n_jobs), len(varying))
    with threadpool_limits(limits=1, user_api="blas"):
        if threads > 1:
            with ThreadPoolExecutor(threads) as pool:
                estimates = list(pool.map(estimate, varying))
        else:
            estimates = [estimate(o) for o in varying]
    for o, values in zip(varying, estimates, strict=True):
        for key, value in values.items():
            fields[key][o] = value
    return SobolIndices(S2=fields.pop("S2", None), S2_conf=fields.pop("S2_conf", None),
                        constant=constant, n=int(n), num_resamples=int(num_resamples),
                        conf_level=float(conf_level), **fields)
