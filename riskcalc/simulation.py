"""Monte Carlo runs: chunks, seeds and parallel workers.

:func:`simulate` runs a Monte Carlo study; :func:`evaluate_points` runs given
parameter values (a sensitivity design) through the same machinery.  N scenarios
are split into chunks of a fixed size; each chunk is sampled from its own seed
streams (see :mod:`riskcalc.sampling`) and evaluated by
:class:`~riskcalc.engine.CompiledModel`, in parallel through joblib.  Workers
write per-scenario columns straight into a shared table and send back only band
histograms, so working memory is bounded by the chunk size, not N.
"""

from __future__ import annotations

import os
import platform
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import joblib
import numpy as np

from riskcalc.bands import BandGrid, exact_percentiles
from riskcalc.engine import (
    BLOCK_SIZE,
    DEFAULT_CHUNK_SIZE,
    ChunkOutput,
    CompiledModel,
    output_columns,
)
from riskcalc.model import Model
from riskcalc.result import BAND_PERCENTILES, SimulationResult
from riskcalc.sampling import PILOT_KEY, sample_parameters, sampled_columns

__all__ = ["simulate", "evaluate_points", "chunk_sizes"]


def chunk_sizes(n: int, chunk_size: int) -> list[int]:
    """Sizes of the chunks that hold n scenarios: full chunks, then the rest."""
    full, rest = divmod(n, chunk_size)
    return [chunk_size] * full + ([rest] if rest else [])


@dataclass(frozen=True)
class _ScenarioTable:
    """Where chunks write their per-scenario columns (parameters, then outputs).

    In this process it is an array; for worker processes it is a file in shared
    memory that every process maps, so that millions of rows never travel
    through pipes.
    """

    columns: tuple[str, ...]
    n: int
    path: str | None = None
    array: np.ndarray | None = None

    def open(self) -> np.ndarray:
        """The (columns × n) table, mapped into this process."""
        if self.array is not None:
            return self.array
        return np.memmap(self.path, dtype=float, mode="r+", shape=(len(self.columns), self.n))


@dataclass(frozen=True)
class _ChunkTask:
    """Evaluate one chunk: sample it (when `seed` is set) or take the given points."""

    model: Model
    seed: int | None
    grid: BandGrid | None
    keep_cumulative: bool
    table: _ScenarioTable

    def __call__(self, chunk: int, start: int, size: int,
                 points: dict[str, np.ndarray] | None = None) -> ChunkOutput:
        params = points if points is not None else sample_parameters(
            self.model, self.seed, chunk, size)
        out = CompiledModel(self.model).evaluate(params, keep_cumulative=self.keep_cumulative,
                                                 grid=self.grid)
        table = self.table.open()
        for i, name in enumerate(self.table.columns):
            table[i, start:start + size] = params[name] if name in params else out.outputs[name]
        out.outputs = {}
        return out


def _shared_memory_dir() -> str:
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else tempfile.gettempdir()


@dataclass
class _Bands:
    """Band information summed over chunks, in chunk order."""

    cumulative: list[np.ndarray] = field(default_factory=list)
    counts: np.ndarray | None = None
    lowest: np.ndarray | None = None
    highest: np.ndarray | None = None

    def add(self, out: ChunkOutput) -> None:
        if out.cumulative is not None:
            self.cumulative.append(out.cumulative)
        elif out.band_counts is not None:
            if self.counts is None:
                self.counts, self.lowest, self.highest = (out.band_counts, out.lowest,
                                                          out.highest)
            else:
                self.counts += out.band_counts
                self.lowest = np.fmin(self.lowest, out.lowest)
                self.highest = np.fmax(self.highest, out.highest)


def _run_chunks(model: Model, n: int, sizes: list[int], columns: tuple[str, ...], *,
                seed: int | None, points: dict[str, np.ndarray] | None,
                grid: BandGrid | None, keep_cumulative: bool, n_jobs: int, backend: str,
                progress: bool) -> tuple[np.ndarray, _Bands]:
    """Evaluate every chunk through joblib; returns the (columns × n) table and bands."""
    in_process = n_jobs == 1 or backend in ("sequential", "threading")
    shared_path = None
    if in_process:
        table = _ScenarioTable(columns, n, array=np.empty((len(columns), n)))
        data = table.array
    else:
        handle, shared_path = tempfile.mkstemp(prefix="riskcalc-", dir=_shared_memory_dir())
        os.close(handle)
        data = np.memmap(shared_path, dtype=float, mode="w+", shape=(len(columns), n))
        table = _ScenarioTable(columns, n, path=shared_path)
    task = _ChunkTask(model, seed, grid, keep_cumulative, table)
    starts = [int(s) for s in np.cumsum([0, *sizes[:-1]])]

    def chunk_points(start: int, size: int) -> dict[str, np.ndarray] | None:
        if points is None:
            return None
        return {name: values[start:start + size] for name, values in points.items()}

    bands = _Bands()
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=n, unit="scenario", unit_scale=True, desc=model.slug,
                   mininterval=0.5, delay=1.0)
    try:
        parallel = joblib.Parallel(n_jobs=n_jobs, backend=backend, return_as="generator")
        chunks = parallel(joblib.delayed(task)(k, start, size, chunk_points(start, size))
                          for k, (start, size) in enumerate(zip(starts, sizes, strict=True)))
        for size, out in zip(sizes, chunks, strict=True):
            bands.add(out)
            if bar is not None:
                bar.update(size)
    finally:
        if bar is not None:
            bar.close()
        if shared_path is not None:
            # The mapping stays valid in this process; the name is no longer needed.
            os.unlink(shared_path)
    return data, bands


def _check_run_arguments(n: int, chunk_size: int) -> None:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive whole number of scenarios, got {n!r}")
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, (int, np.integer)) \
            or chunk_size < 1:
        raise ValueError(f"chunk_size must be a positive whole number, got {chunk_size!r}")


def evaluate_points(model: Model, points: Mapping[str, np.ndarray], *, n_jobs: int = 1,
                    chunk_size: int = DEFAULT_CHUNK_SIZE, backend: str = "loky",
                    progress: bool = False) -> dict[str, np.ndarray]:
    """Evaluate the model at given parameter values (a sensitivity design, say).

    Uses the same chunked, parallel engine as :func:`simulate`.

    Parameters
    ----------
    model : Model
    points : mapping of str to ndarray, shape (n,)
        A value per point for every parameter of the model (see
        :func:`riskcalc.sampling.from_unit_cube`).
    n_jobs, chunk_size, backend, progress
        As for :func:`simulate`.

    Returns
    -------
    dict of str to ndarray, shape (n,)
        The outputs (see :func:`riskcalc.engine.output_columns`) at every point.
    """
    missing = [name for name in model.parameters if name not in points]
    if missing:
        raise ValueError(f"points lack values for the parameters {missing}")
    values = {name: np.asarray(points[name], dtype=float) for name in model.parameters}
    n = len(next(iter(values.values())))
    _check_run_arguments(n, chunk_size)
    columns = tuple(output_columns(model))
    data, _ = _run_chunks(model, n, chunk_sizes(n, chunk_size), columns, seed=None,
                          points=values, grid=None, keep_cumulative=False, n_jobs=n_jobs,
                          backend=backend, progress=progress)
    return {name: data[i] for i, name in enumerate(columns)}


def simulate(model: Model, n: int = 20_000, *, seed: int | None = None, n_jobs: int = 1,
             chunk_size: int = DEFAULT_CHUNK_SIZE, backend: str = "loky",
             progress: bool = False) -> SimulationResult:
    """Run the Monte Carlo simulation of a model.

    Parameters
    ----------
    model : Model
        From :func:`riskcalc.load_model`.
    n : int
        Number of scenarios.
    seed : int, optional
        Seed of the run; a fresh one is drawn (and recorded) when omitted.  The
        same seed gives bit-identical results for any `n_jobs` and `backend`.
    n_jobs : int
        Parallel workers (joblib semantics: -1 means all cores).
    chunk_size : int
        Scenarios per chunk, the unit of randomness; changing it changes the draws.
    backend : str
        A joblib backend: ``"loky"`` (processes), ``"threading"`` or ``"sequential"``.
    progress : bool
        Show a progress bar on stderr.

    Returns
    -------
    SimulationResult
    """
    _check_run_arguments(n, chunk_size)
    if seed is None:
        seed = int(np.random.SeedSequence().entropy)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative whole number, got {seed!r}")
    seed, n = int(seed), int(n)
    sizes = chunk_sizes(n, chunk_size)
    started = time.perf_counter()
    compiled = CompiledModel(model)

    grid = None
    if len(sizes) > 1:
        # Band bins are fixed by a pilot sample of its own stream, before any chunk
        # runs, so that every chunk counts into the same bins wherever it runs.
        pilot = compiled.evaluate(sample_parameters(model, seed, PILOT_KEY, BLOCK_SIZE),
                                  keep_cumulative=True)
        grid = BandGrid.from_pilot(pilot.cumulative.reshape(-1, BLOCK_SIZE))

    columns = (*sampled_columns(model), *output_columns(model))
    data, bands = _run_chunks(model, n, sizes, columns, seed=seed, points=None, grid=grid,
                              keep_cumulative=grid is None, n_jobs=n_jobs, backend=backend,
                              progress=progress)
    n_inputs = len(columns) - len(output_columns(model))
    parameters = {name: data[i] for i, name in enumerate(columns[:n_inputs])}
    outputs = {name: data[i + n_inputs] for i, name in enumerate(columns[n_inputs:])}
    elapsed = time.perf_counter() - started

    n_series = len(compiled.series)
    percents = np.asarray(BAND_PERCENTILES, dtype=float)
    if grid is None:
        cumulative = bands.cumulative[0]
        finite = np.isfinite(cumulative).all(axis=(0, 1))
        band_values = exact_percentiles(cumulative[..., finite], percents)
    else:
        band_values = grid.percentiles(bands.counts, bands.lowest, bands.highest, percents)
    band_values = band_values.reshape(n_series, model.years, len(percents))

    return SimulationResult(
        model=model,
        seed=seed,
        n=int(n),
        chunk_size=chunk_size,
        parameters=parameters,
        outputs=outputs,
        bands=band_values,
        band_series=compiled.series,
        band_method="exact" if grid is None else "histogram",
        timings={"simulate_s": elapsed, "scenarios_per_s": n / elapsed},
        environment={"n_jobs": n_jobs, "backend": backend, "python": platform.python_version()},
    )
