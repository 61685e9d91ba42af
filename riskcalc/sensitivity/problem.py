"""What every sensitivity method analyses: the inputs it varies, the outputs it reads.

Shared by Sobol', Morris and tornado: which outputs to analyse (an actor key
stands for its NPV), the design's inputs (:func:`riskcalc.engine.sampling.design_inputs`),
the checks of the arguments they all take (seed, bootstrap), the warning that
the designs ignore declared correlations, and the evaluation of design points
through :func:`riskcalc.engine.simulation.evaluate_points` with a refusal of
non-finite outputs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from riskcalc.engine.compiled import BLOCK_SIZE, DEFAULT_CHUNK_SIZE, output_columns
from riskcalc.engine.resources import worker_threads
from riskcalc.engine.sampling import design_inputs
from riskcalc.engine.simulation import evaluate_points
from riskcalc.errors import ModelError, did_you_mean
from riskcalc.model.objects import Model

__all__ = [
    "default_outputs",
    "resolve_outputs",
    "analysed_inputs",
    "is_whole",
    "check_seed",
    "check_bootstrap",
    "correlation_warning",
    "evaluate",
    "work_chunk",
]


def default_outputs(model: Model) -> list[str]:
    """The outputs analysed by default: every actor's NPV, society's NPV and ROI."""
    return [*(f"npv_{a}" for a in model.actor_keys), "npv_society", "roi"]


def resolve_outputs(model: Model, outputs: Sequence[str] | None) -> list[str]:
    """Output column names; an actor key or ``society`` stands for its ``npv_`` column.

    Parameters
    ----------
    model : Model
    outputs : sequence of str, optional
        Output columns or actor keys; default :func:`default_outputs`.

    Returns
    -------
    list of str
        Columns of :func:`riskcalc.engine.output_columns`, each once, in the order given.

    Raises
    ------
    ModelError
        An unknown output, or none at all.
    """
    if outputs is None:
        return default_outputs(model)
    if isinstance(outputs, str):
        outputs = [outputs]
    columns = output_columns(model)
    resolved = []
    for name in outputs:
        column = name if name in columns else f"npv_{name}"
        if column not in columns:
            raise ModelError(f"{model.source}: unknown output {name!r}; "
                             f"{did_you_mean(name, columns)}")
        if column not in resolved:
            resolved.append(column)
    if not resolved:
        raise ModelError(f"{model.source}: no outputs to analyse; choose from "
                         + ", ".join(columns))
    return resolved


def analysed_inputs(model: Model) -> list[str]:
    """The design's inputs (:func:`riskcalc.engine.sampling.design_inputs`); refuses none."""
    inputs = design_inputs(model)
    if not inputs:
        raise ModelError(f"{model.source}: the model has no uncertain parameters, so there "
                         "is nothing to analyse; give at least one a distribution")
    return inputs


def is_whole(value: Any) -> bool:
    """An int or NumPy integer, and not a bool (which Python counts as an int)."""
    return not isinstance(value, bool) and isinstance(value, (int, np.integer))


def check_seed(seed: int | None) -> int:
    """The seed to record: `seed` itself, or fresh entropy when it is None."""
    if seed is None:
        return int(np.random.SeedSequence().entropy)
    if not is_whole(seed) or seed < 0:
        raise ValueError(f"seed must be a non-negative whole number, got {seed!r}")
    return int(seed)


def check_bootstrap(num_resamples: int, conf_level: float) -> None:
    """Refuse (ModelError) fewer than 2 resamples or a level outside (0, 1)."""
    if not is_whole(num_resamples) or num_resamples < 2:
        raise ModelError(f"the number of bootstrap resamples must be a whole number ≥ 2, "
                         f"got {num_resamples!r}")
    if not 0 < conf_level < 1:
        raise ModelError(f"the confidence level must lie strictly between 0 and 1, "
                         f"got {conf_level!r}")


def correlation_warning(model: Model, method: str) -> list[str]:
    """A warning, when the model declares correlations, that `method` ignores them."""
    correlations = getattr(model, "correlations", ())
    if not correlations:
        return []
    names = getattr(correlations, "names", ())
    which = f" between {', '.join(names)}" if names else ""
    return [f"the model declares correlations{which}; {method} assumes independent inputs, "
            "so the design ignores them and the results describe the model with "
            "uncorrelated inputs"]


def evaluate(model: Model, points: Mapping[str, np.ndarray], outputs: Sequence[str],
             engine: Mapping[str, Any]) -> np.ndarray:
    """The outputs at every design point, shape (n_points, n_outputs).

    Parameters
    ----------
    model : Model
    points : mapping of str to ndarray, shape (n_points,)
        A value per point for every parameter.
    outputs : sequence of str
        Output columns.
    engine : mapping
        ``n_jobs, backend, scheduler, chunk_size, progress`` of
        :func:`riskcalc.engine.simulation.evaluate_points`.

    Raises
    ------
    ModelError
        An output is not finite at some point (indices need a number everywhere).
    """
    engine = {**engine, "chunk_size": work_chunk(len(next(iter(points.values()))),
                                                 engine.get("chunk_size", DEFAULT_CHUNK_SIZE),
                                                 engine.get("n_jobs", 1))}
    values = evaluate_points(model, points, **engine)
    y = np.column_stack([np.asarray(values[o], dtype=float) for o in outputs])
    bad = ~np.isfinite(y)
    if bad.any():
        j = int(np.flatnonzero(bad.any(axis=0))[0])
        why = " (NaN means no payback within the horizon)" if outputs[j] == "payback_year" else ""
        raise ModelError(f"{model.source}: output {outputs[j]!r} is not finite at "
                         f"{int(bad[:, j].sum())} of {len(y)} design points{why}; sensitivity "
                         "indices need a number at every point, so leave it out of the outputs")
    return y


def work_chunk(n_points: int, chunk_size: int, n_jobs: int) -> int:
    """Points per chunk of a design's evaluation: about four chunks per worker.

    A design's chunks are units of work only (its points are given, not drawn), so
    they may be smaller than a Monte Carlo run's: N = 2^14 with second order is
    seven chunks of 65,536, too few for 16 workers and uneven for 2.  The chunk
    stays a multiple of the engine's block (:data:`~riskcalc.engine.compiled.BLOCK_SIZE`),
    so every point is evaluated in the same block, at the same place, as with
    `chunk_size`: the outputs are the same bits.  A `chunk_size` that is not such
    a multiple is kept as given.
    """
    workers = worker_threads(n_jobs)
    if workers == 1 or chunk_size % BLOCK_SIZE:
        return chunk_size
    blocks = -(-n_points // (4 * workers * BLOCK_SIZE))  # ceil
    return min(chunk_size, max(1, blocks) * BLOCK_SIZE)
