"""Monte Carlo runs: chunks, seeds and parallel workers.

:func:`simulate` is the one entry point.  N scenarios are split into chunks of
a fixed size; each chunk is sampled from its own seed streams (see
:mod:`riskcalc.engine`) and evaluated by :class:`~riskcalc.engine.CompiledModel`,
in parallel through joblib.  Only per-scenario reductions and band histograms
come back from the workers, so memory is bounded by the chunk size, not N
(apart from the per-scenario outputs themselves).
"""

from __future__ import annotations

import os
import platform
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import joblib
import numpy as np

from riskcalc.bands import BandGrid, exact_percentiles
from riskcalc.engine import (
    DEFAULT_CHUNK_SIZE,
    PILOT_KEY,
    PILOT_SIZE,
    ChunkOutput,
    CompiledModel,
    output_columns,
    sample_parameters,
)
from riskcalc.model import Model
from riskcalc.result import BAND_PERCENTILES, SimulationResult

__all__ = ["simulate", "chunk_sizes"]


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
    model: Model
    seed: int
    grid: BandGrid | None
    table: _ScenarioTable

    def __call__(self, chunk: int, size: int, start: int) -> ChunkOutput:
        params = sample_parameters(self.model, self.seed, chunk, size)
        out = CompiledModel(self.model).evaluate(params, keep_cumulative=self.grid is None,
                                                 grid=self.grid)
        table = self.table.open()
        for i, name in enumerate(self.table.columns):
            table[i, start:start + size] = params[name] if name in params else out.outputs[name]
        out.outputs = {}
        return out


def _shared_memory_dir() -> str:
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else tempfile.gettempdir()


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
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive whole number of scenarios, got {n!r}")
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be positive, got {chunk_size!r}")
    if seed is None:
        seed = int(np.random.SeedSequence().entropy)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative whole number, got {seed!r}")
    seed = int(seed)
    sizes = chunk_sizes(int(n), chunk_size)
    started = time.perf_counter()
    compiled = CompiledModel(model)

    grid = None
    if len(sizes) > 1:
        # Band bins are fixed by a pilot sample of its own stream, before any chunk
        # runs, so that every chunk counts into the same bins wherever it runs.
        pilot = compiled.evaluate(sample_parameters(model, seed, PILOT_KEY, PILOT_SIZE),
                                  keep_cumulative=True)
        grid = BandGrid.from_pilot(pilot.cumulative.reshape(-1, PILOT_SIZE))

    columns = (*model.parameters, *output_columns(model))
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
    task = _ChunkTask(model, seed, grid, table)
    starts = np.cumsum([0, *sizes[:-1]])
    counts, lowest, highest, cumulative = None, None, None, None
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=int(n), unit="scenario", unit_scale=True, desc=model.slug,
                   mininterval=0.5, delay=1.0)
    try:
        parallel = joblib.Parallel(n_jobs=n_jobs, backend=backend, return_as="generator")
        chunks = parallel(joblib.delayed(task)(k, size, int(start))
                          for k, (size, start) in enumerate(zip(sizes, starts, strict=True)))
        for size, out in zip(sizes, chunks, strict=True):
            if grid is None:
                cumulative = out.cumulative
            elif counts is None:
                counts, lowest, highest = out.band_counts, out.lowest, out.highest
            else:
                counts += out.band_counts
                lowest = np.fmin(lowest, out.lowest)
                highest = np.fmax(highest, out.highest)
            if bar is not None:
                bar.update(size)
    finally:
        if bar is not None:
            bar.close()
        if shared_path is not None:
            # The mapping stays valid in this process; the name is no longer needed.
            os.unlink(shared_path)
    parameters = {name: data[i] for i, name in enumerate(model.parameters)}
    outputs = {name: data[i] for i, name in enumerate(columns) if name not in parameters}
    elapsed = time.perf_counter() - started

    n_series = len(compiled.series)
    percents = np.asarray(BAND_PERCENTILES, dtype=float)
    if grid is None:
        finite = np.isfinite(cumulative).all(axis=(0, 1))
        bands = exact_percentiles(cumulative[..., finite], percents)
    else:
        bands = grid.percentiles(counts, lowest, highest, percents)
    bands = bands.reshape(n_series, model.years, len(percents))

    return SimulationResult(
        model=model,
        seed=seed,
        n=int(n),
        chunk_size=chunk_size,
        parameters=parameters,
        outputs=outputs,
        bands=bands,
        band_series=compiled.series,
        band_method="exact" if grid is None else "histogram",
        timings={"simulate_s": elapsed, "scenarios_per_s": n / elapsed},
        environment={"n_jobs": n_jobs, "backend": backend, "python": platform.python_version()},
    )
