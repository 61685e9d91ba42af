"""Sobol' analysis of a model: design, inverse CDFs, evaluation, indices and diagnostics.

:func:`sobol_analysis` draws the Saltelli design in the unit cube (its base
matrices A and B, :func:`~riskcalc.sensitivity.sobol_estimators.sobol_base`), maps
it through each input's inverse CDF (:func:`riskcalc.engine.sampling.from_unit_cube`),
evaluates it with the same chunked, parallel engine as a Monte Carlo run, estimates
the indices with their bootstrap intervals, and notes what makes them doubtful.
Every step but the design uses the `n_jobs` threads it is given, and none of them
changes a bit of the result with their number.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from riskcalc.engine.compiled import DEFAULT_CHUNK_SIZE, output_columns
from riskcalc.engine.resources import check_fits, worker_threads
from riskcalc.engine.sampling import from_unit_cube
from riskcalc.engine.simulation import DEFAULT_BACKEND
from riskcalc.errors import ModelError
from riskcalc.model.objects import Model
from riskcalc.sensitivity.groups import check_groups, group_of
from riskcalc.sensitivity.problem import (
    analysed_inputs,
    check_bootstrap,
    check_seed,
    correlation_warning,
    evaluate,
    resolve_outputs,
)
from riskcalc.sensitivity.sobol_estimators import (
    SobolIndices,
    check_power_of_two,
    design_rows,
    design_steps,
    from_b_mask,
    sobol_base,
    sobol_indices,
)
from riskcalc.sensitivity.sobol_result import SobolResult

__all__ = ["sobol_analysis"]

def _design_points(model: Model, a: np.ndarray, b: np.ndarray, inputs: Sequence[str],
                   from_b: np.ndarray, threads: int = 1) -> dict[str, np.ndarray]:
    """Parameter values at every row of a Saltelli design whose inputs are all parameters.

    Each row's column j is column j of A or of B of its base point (`from_b`,
    see :func:`from_b_mask`), and each parameter is mapped through its own inverse
    CDF, so only the 2N values of A and B are mapped (2N instead of N (2D + 2)
    inverse CDFs per input) and copied into place; the result equals mapping the
    whole design (:func:`~riskcalc.sensitivity.sobol_estimators.sobol_design`).
    """
    n, step = len(a), from_b.shape[0]
    mapped = from_unit_cube(model, np.vstack([a, b]), inputs, threads=threads)
    points = {}
    for name, values in mapped.items():
        if name not in inputs:
            points[name] = np.full(n * step, values[0])  # at base case, like every row
            continue
        column = np.empty((n, step))
        take_b = from_b[:, inputs.index(name)]
        column[:, take_b] = values[n:, None]
        column[:, ~take_b] = values[:n, None]
        points[name] = column.ravel()
    return points


def _sobol_warnings(ix: SobolIndices, outputs: Sequence[str], inputs: Sequence[str],
                    wide: float, tol: float = 0.01) -> list[str]:
    """Index sums or indices outside [0, 1] beyond their intervals; intervals too wide."""
    notes = []
    for o, output in enumerate(outputs):
        if ix.constant[o]:
            notes.append(f"{output}: does not vary over the design; its indices are 0")
            continue
        for name, values, conf in (("S1", ix.S1, ix.S1_conf), ("ST", ix.ST, ix.ST_conf)):
            negative = [f"{inputs[j]} ({values[o, j]:.3f} ± {conf[o, j]:.3f})"
                        for j in range(len(inputs))
                        if values[o, j] + conf[o, j] < 0 and values[o, j] < -tol]
            if negative:
                notes.append(f"{output}: {name} is negative beyond its interval for "
                             f"{', '.join(negative)}; estimation error, increase N")
        total, conf = ix.S1_sum[o], ix.S1_sum_conf[o]
        if total - conf > 1 + tol:
            notes.append(f"{output}: the S1 indices sum to {total:.3f} ± {conf:.3f}, more "
                         "than 1 beyond the interval; estimation error, increase N")
        if total + conf < -tol:
            notes.append(f"{output}: the S1 indices sum to {total:.3f} ± {conf:.3f}, "
                         "negative beyond the interval; estimation error, increase N")
        widest = float(max(ix.S1_conf[o].max(), ix.ST_conf[o].max()))
        if widest > wide:
            needed = ix.n * (widest / wide) ** 2
            suggest = 1 << max(int(math.ceil(math.log2(needed))), ix.n.bit_length())
            notes.append(f"{output}: intervals up to ± {widest:.3f} are too wide to tell "
                         f"inputs of {wide:.0%} of the variance from negligible ones; "
                         f"try N = {suggest}")
    return notes


def _convergence(y: np.ndarray, d: int, n: int, second_order: bool, ix: SobolIndices,
                 boot_seed: np.random.SeedSequence, outputs: Sequence[str],
                 inputs: Sequence[str], n_jobs: int) -> pd.DataFrame:
    step = design_steps(d, second_order)
    frames = []
    for level in (n // 8, n // 4, n // 2, n):
        part = ix if level == n else sobol_indices(
            y[:level * step], d, level, second_order=second_order,
            num_resamples=ix.num_resamples, conf_level=ix.conf_level,
            rng=np.random.default_rng(boot_seed), n_jobs=n_jobs)
        frames.append(pd.DataFrame({
            "N": level, "output": np.repeat(outputs, d), "parameter": np.tile(inputs, len(outputs)),
            "S1": part.S1.ravel(), "S1_conf": part.S1_conf.ravel(),
            "ST": part.ST.ravel(), "ST_conf": part.ST_conf.ravel()}))
    return pd.concat(frames, ignore_index=True)


def sobol_analysis(model: Model, n: int = 4096, *, second_order: bool = False,
                   seed: int | None = None, outputs: Sequence[str] | None = None,
                   groups: Mapping[str, Sequence[str]] | None = None,
                   num_resamples: int = 100, conf_level: float = 0.95,
                   convergence: bool = False, wide_interval: float = 0.1, n_jobs: int = 1,
                   backend: str = DEFAULT_BACKEND, scheduler: str | None = None,
                   chunk_size: int = DEFAULT_CHUNK_SIZE, progress: bool = False
                   ) -> SobolResult:
    """Sobol' indices of a model's outputs: design, inverse CDFs, evaluation, analysis.

    Parameters
    ----------
    model : Model
    n : int
        N, base points of the Sobol' design; a power of two.
    second_order : bool
        Also estimate S2 (costs N D more evaluations).
    seed : int, optional
        Seed of the design's scrambling and of the bootstrap; drawn (and
        recorded) when omitted.
    outputs : sequence of str, optional
        Output columns (see :func:`riskcalc.engine.output_columns`); an actor's
        key or ``society`` stands for its NPV.  Default :func:`default_outputs`.
    groups : mapping of str to sequence of str, optional
        Inputs that move together (see :func:`check_groups`, :func:`read_groups`).
    num_resamples : int
        Bootstrap resamples of the intervals.
    conf_level : float
        Level of the intervals.
    convergence : bool
        Also estimate the indices at N/8, N/4 and N/2 (prefixes of the same
        design, no new evaluations); needs N ≥ 16.
    wide_interval : float
        Warn when an interval's half-width exceeds this.
    n_jobs, backend, scheduler, chunk_size, progress
        As for :func:`riskcalc.simulate`.

    Returns
    -------
    SobolResult
    """
    started = time.perf_counter()
    check_power_of_two(n)
    check_bootstrap(num_resamples, conf_level)
    if convergence and n < 16:
        raise ModelError(f"convergence needs N ≥ 16 (so that N/8 ≥ 2), got N = {n}")
    seed = check_seed(seed)
    outputs = resolve_outputs(model, outputs)
    inputs = analysed_inputs(model)
    membership = check_groups(groups or {}, inputs)
    group_names = list(membership)
    group_by_input = group_of(membership)
    group_index = np.array([group_names.index(group_by_input[p]) for p in inputs])
    n_groups = len(group_names)
    design_seed, boot_seed = np.random.SeedSequence(seed).spawn(2)
    timings = {}
    # Per base point: step rows of the design, each with its inputs twice (unit cube
    # and values) and every output column.
    step = n_groups + 2 + (n_groups if second_order else 0)
    check_fits(n, memory_per_item=8 * step * (2 * len(inputs) + len(output_columns(model))),
               what="--n", unit="base points")

    threads = worker_threads(n_jobs)
    from_b = from_b_mask(group_index, n_groups, second_order)
    t = time.perf_counter()
    a, b = sobol_base(len(inputs), n, seed=design_seed)
    timings["design_s"] = time.perf_counter() - t
    t = time.perf_counter()
    if all(name in model.parameters for name in inputs):
        points = _design_points(model, a, b, inputs, from_b, threads)
    else:
        # A regime input changes other parameters' distributions: map every row.
        points = from_unit_cube(model, design_rows(a, b, from_b), inputs, threads=threads)
    del a, b
    timings["inverse_cdf_s"] = time.perf_counter() - t
    t = time.perf_counter()
    engine = {"n_jobs": n_jobs, "backend": backend, "scheduler": scheduler,
              "chunk_size": chunk_size, "progress": progress}
    y = evaluate(model, points, outputs, engine)
    del points
    timings["evaluate_s"] = time.perf_counter() - t
    t = time.perf_counter()
    ix = sobol_indices(y, n_groups, n, second_order=second_order, num_resamples=num_resamples,
                       conf_level=conf_level, rng=np.random.default_rng(boot_seed),
                       n_jobs=n_jobs)
    timings["analyse_s"] = time.perf_counter() - t
    table = None
    if convergence:
        t = time.perf_counter()
        table = _convergence(y, n_groups, n, second_order, ix, boot_seed, outputs, group_names,
                             n_jobs)
        timings["convergence_s"] = time.perf_counter() - t
    notes = (correlation_warning(model, "Sobol' analysis")
             + _sobol_warnings(ix, outputs, group_names, wide_interval))
    timings["total_s"] = time.perf_counter() - started
    return SobolResult(
        model=model, outputs=tuple(outputs), inputs=tuple(group_names), groups=membership,
        indices=ix, seed=seed, n=int(n), second_order=bool(second_order),
        n_evaluations=int(y.shape[0]), warnings=tuple(notes), convergence=table,
        timings=timings, environment={"n_jobs": n_jobs, "backend": backend, "scheduler": scheduler})
