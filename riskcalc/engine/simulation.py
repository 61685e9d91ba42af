"""Monte Carlo runs: chunks, seeds and parallel workers.

:func:`simulate` runs a Monte Carlo study; :func:`evaluate_points` runs given
parameter values (a sensitivity design) through the same machinery.  N scenarios
are split into chunks of a fixed size; each chunk is sampled from its own seed
streams (see :mod:`riskcalc.engine.sampling`) and evaluated by
:class:`~riskcalc.engine.CompiledModel`, in parallel through joblib.  Workers
write per-scenario columns straight into a shared table and send back only band
histograms, so working memory is bounded by the chunk size, not N.
"""

from __future__ import annotations

import os
import platform
import shutil
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import joblib
import numpy as np

from riskcalc.engine.backends import _IN_PROCESS, BACKENDS, DEFAULT_BACKEND, engine_backend
from riskcalc.engine.bands import BandGrid, exact_percentiles
from riskcalc.engine.compiled import (
    BAND_SAMPLE,
    BLOCK_SIZE,
    DEFAULT_CHUNK_SIZE,
    ChunkOutput,
    CompiledModel,
    output_columns,
)
from riskcalc.engine.kernel_cache import expect_blocks
from riskcalc.engine.resources import check_fits, hold_budget
from riskcalc.engine.sampling import PILOT_KEY, sample_parameters, sampled_columns
from riskcalc.engine.storage import Destination, ParquetColumns
from riskcalc.errors import ModelError
from riskcalc.model.objects import Model
from riskcalc.results.result import (
    BAND_PERCENTILES,
    SimulationResult,
    begin_run_directory,
    finish_scenarios,
)

if TYPE_CHECKING:  # the engine runs without pandas: imported where a table is made
    import pandas as pd

__all__ = ["simulate", "evaluate_points", "correlation_effect", "chunk_sizes",
           "engine_backend", "BACKENDS", "DEFAULT_BACKEND"]


def chunk_sizes(n: int, chunk_size: int) -> list[int]:
    """Sizes of the chunks that hold n scenarios: full chunks, then the rest."""
    full, rest = divmod(n, chunk_size)
    return [chunk_size] * full + ([rest] if rest else [])


@dataclass(frozen=True, eq=False)  # hashed by identity: Dask's joblib backend hashes tasks
class _ChunkTask:
    """Evaluate one chunk: sample it (when `seed` is set) or take the given points."""

    model: Model
    seed: int | None
    grid: BandGrid | None
    keep_cumulative: bool
    destination: Destination
    origin: int = field(default_factory=os.getpid)  # the process that made the task

    def __call__(self, chunk: int, start: int, size: int,
                 points: dict[str, np.ndarray] | None = None) -> ChunkOutput:
        if os.getpid() != self.origin:
            _exit_with_parent(self.origin)
        params = points if points is not None else sample_parameters(
            self.model, self.seed, chunk, size)
        compiled = CompiledModel(self.model)
        table = self.destination.chunk_table(start, size, compiled.columns)
        if table is not None:
            # A table in this process: outputs are written where they belong, parameters
            # copied (and a streamed run's part written from there).
            out = compiled.evaluate(params, keep_cumulative=self.keep_cumulative,
                                    grid=self.grid, out=table[-len(compiled.columns):])
            self.destination.store(chunk, start, size, params)
            out.outputs = {}
            return out
        out = compiled.evaluate(params, keep_cumulative=self.keep_cumulative, grid=self.grid)
        out.outputs = self.destination.store(chunk, start, size,
                                             {**params, **out.outputs}) or {}
        return out


_WATCHING: set[int] = set()


def _exit_with_parent(parent: int) -> None:
    """In a worker process started by `parent` (loky's), end this process when the
    parent is gone: a run killed with ``kill -9`` leaves no workers behind.

    joblib keeps its worker processes alive between runs, and a killed parent cannot
    stop them; a daemon thread that looks at the parent process id every second can.
    """
    if os.getppid() != parent or parent in _WATCHING:
        return  # not started by the run's process (a Dask worker, say), or watched already
    _WATCHING.add(parent)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="riskcalc-parent-watch", daemon=True).start()


@dataclass
class _Bands:
    """Band information summed over chunks, in chunk order."""

    cumulative: list[np.ndarray] = field(default_factory=list)
    counts: np.ndarray | None = None
    lowest: np.ndarray | None = None
    highest: np.ndarray | None = None
    #: Positions in the run of scenarios with a non-finite output, one array per chunk.
    nonfinite: list[np.ndarray] = field(default_factory=list)

    def add(self, out: ChunkOutput, start: int = 0) -> None:
        if out.nonfinite is not None and out.nonfinite.size:
            self.nonfinite.append(start + out.nonfinite)
        if out.cumulative is not None:
            self.cumulative.append(out.cumulative)
        elif out.band_counts is not None:
            if self.counts is None:
                self.counts = out.band_counts.astype(np.int64)
                self.lowest, self.highest = out.lowest, out.highest
            else:
                self.counts += out.band_counts
                self.lowest = np.fmin(self.lowest, out.lowest)
                self.highest = np.fmax(self.highest, out.highest)


def _run_chunks(model: Model, n: int, sizes: list[int], columns: tuple[str, ...], *,
                seed: int | None, points: dict[str, np.ndarray] | None,
                grid: BandGrid | None, keep_cumulative: bool, n_jobs: int, backend: str,
                scheduler: str | None, progress: bool, stream_to: Path | None = None,
                hold: tuple[str, ...] = ()) -> tuple[Mapping[str, np.ndarray], _Bands]:
    """Evaluate every chunk through joblib; returns read access to the columns, and bands.

    A streamed run also holds the columns `hold` in memory, where its chunks are
    stored in this process.
    """
    # Only worker processes on this machine write into shared memory themselves, and
    # only chunks stored in this process can fill a table held here.
    in_process = n_jobs == 1 or backend in (*_IN_PROCESS, "dask")
    if stream_to is not None:
        held = hold if in_process else ()
        local = Destination.create(columns, n, "parquet", stream_to, hold=held)
    else:
        local = Destination.create(columns, n, "array" if in_process else "shared")
    # Dask workers share neither this process's memory nor its disk: they send
    # their columns back, and this process stores them.
    remote = Destination.create(columns, n, "return") if backend == "dask" else local
    task = _ChunkTask(model, seed, grid, keep_cumulative, remote)
    expect_blocks(sum(-(-size // BLOCK_SIZE) for size in sizes))  # this process's blocks
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
        with engine_backend(backend, scheduler) as joblib_backend:
            # Inside engine_backend's parallel_config the dask backend is the default;
            # naming it again here would make joblib pass it arguments it cannot take.
            parallel = joblib.Parallel(n_jobs=n_jobs, return_as="generator",
                                       backend=None if joblib_backend == "dask"
                                       else joblib_backend)
            chunks = parallel(joblib.delayed(task)(k, start, size, chunk_points(start, size))
                              for k, (start, size) in enumerate(zip(starts, sizes,
                                                                    strict=True)))
            for k, (start, size, out) in enumerate(zip(starts, sizes, chunks, strict=True)):
                if out.outputs:
                    local.store(k, start, size, out.outputs)
                bands.add(out, start)
                if bar is not None:
                    bar.update(size)
        view = local.columns_view(columns)
    finally:
        if bar is not None:
            bar.close()
        local.release()
    return view, bands


def _columns_to_hold(outputs: list[str], inputs: list[str], n: int) -> tuple[str, ...]:
    """The columns a streamed run also holds in memory for the tables after it: every
    output, then as many inputs as fit in :func:`~riskcalc.engine.resources.hold_budget`;
    none where the outputs do not all fit (the tables read every output, and a run that
    large needs the memory for their work: 10 M scenarios peaked over 2 GiB holding a
    quarter of them)."""
    room = hold_budget() // (8 * n)
    if room < len(outputs):
        return ()
    return (*outputs, *inputs[:room - len(outputs)])


def _check_run_arguments(n: int, chunk_size: int) -> None:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive whole number of scenarios, got {n!r}")
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, (int, np.integer)) \
            or chunk_size < 1:
        raise ValueError(f"chunk_size must be a positive whole number, got {chunk_size!r}")


def evaluate_points(model: Model, points: Mapping[str, np.ndarray], *, n_jobs: int = 1,
                    chunk_size: int = DEFAULT_CHUNK_SIZE, backend: str = DEFAULT_BACKEND,
                    scheduler: str | None = None, progress: bool = False
                    ) -> dict[str, np.ndarray]:
    """Evaluate the model at given parameter values (a sensitivity design, say).

    Uses the same chunked, parallel engine as :func:`simulate`.

    Parameters
    ----------
    model : Model
    points : mapping of str to ndarray, shape (n,)
        A value per point for every parameter of the model (see
        :func:`riskcalc.engine.sampling.from_unit_cube`).
    n_jobs, chunk_size, backend, scheduler, progress
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
    check_fits(n, memory_per_item=8 * len(output_columns(model)), what="a design of",
               unit="points")
    columns = tuple(output_columns(model))
    view, _ = _run_chunks(model, n, chunk_sizes(n, chunk_size), columns, seed=None,
                          points=values, grid=None, keep_cumulative=False, n_jobs=n_jobs,
                          backend=backend, scheduler=scheduler, progress=progress)
    return dict(view)


def simulate(model: Model, n: int = 20_000, *, seed: int | None = None, n_jobs: int = 1,
             chunk_size: int = DEFAULT_CHUNK_SIZE, backend: str = DEFAULT_BACKEND,
             scheduler: str | None = None, progress: bool = False,
             out_dir: str | Path | None = None) -> SimulationResult:
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
    backend : {"threading", "loky", "sequential", "dask"}
        How chunks run: threads of this process (the default), worker processes
        (loky), this process alone, or a Dask distributed cluster.
    scheduler : str, optional
        With ``backend="dask"``: the scheduler's address, or ``"local:K"`` to
        start a local cluster of K workers.
    progress : bool
        Show a progress bar on stderr (scenarios done, rate, time left).
    out_dir : str or Path, optional
        Stream the per-scenario table to ``out_dir/scenarios.parquet`` (a Parquet
        dataset, one file per chunk) as chunks finish, instead of holding it in
        memory: memory stays bounded at any `n`.  The directory is marked
        incomplete until :meth:`SimulationResult.write` completes it.

    Returns
    -------
    SimulationResult
        Its per-scenario columns are arrays, or read from the Parquet dataset
        on demand when the run was streamed.
    """
    _check_run_arguments(n, chunk_size)
    if seed is None:
        seed = int(np.random.SeedSequence().entropy)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative whole number, got {seed!r}")
    seed, n = int(seed), int(n)
    inputs, outputs = sampled_columns(model), output_columns(model)
    # Summaries and risk tables hold every actor's NPV column and a sorted copy at once.
    working = 8 * (len(model.actor_keys) + 4)
    if out_dir is None:
        check_fits(n, memory_per_item=8 * (len(inputs) + len(outputs)) + working)
    else:
        check_fits(n, memory_per_item=working, disk_per_item=8 * (len(inputs) + len(outputs)),
                   disk_at=out_dir)
    sizes = chunk_sizes(n, chunk_size)
    started = time.perf_counter()
    compiled = CompiledModel(model)

    grid = None
    if len(sizes) > 1:
        # Band bins are fixed by a pilot sample of its own stream, before any chunk
        # runs, so that every chunk counts into the same bins wherever it runs.
        pilot = compiled.evaluate(sample_parameters(model, seed, PILOT_KEY, BAND_SAMPLE),
                                  keep_cumulative=True)
        grid = BandGrid.from_pilot(pilot.cumulative.reshape(-1, BAND_SAMPLE))

    stream_to = None
    if out_dir is not None:
        stream_to = begin_run_directory(out_dir)
    try:
        view, bands = _run_chunks(model, n, sizes, (*inputs, *outputs), seed=seed,
                                  points=None, grid=grid, keep_cumulative=grid is None,
                                  n_jobs=n_jobs, backend=backend, scheduler=scheduler,
                                  progress=progress, stream_to=stream_to,
                                  hold=_columns_to_hold(outputs, inputs, n))
        # The engine counted the non-finite scenarios; only a run with no finite one
        # reads its columns again, to say which outputs are never finite.
        if sum(i.size for i in bands.nonfinite) >= n:
            _check_some_finite(model, n, _subset(view, outputs), _subset(view, inputs))
    except BaseException:
        if stream_to is not None:  # the directory's previous run stays as it was
            shutil.rmtree(stream_to, ignore_errors=True)
        raise
    if stream_to is not None:
        view = finish_scenarios(out_dir, stream_to, view)
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
        n=n,
        chunk_size=chunk_size,
        parameters=_subset(view, inputs),
        outputs=_subset(view, outputs),
        bands=band_values,
        band_series=compiled.series,
        band_method="exact" if grid is None else "histogram",
        timings={"simulate_s": elapsed, "scenarios_per_s": n / elapsed},
        environment={"n_jobs": n_jobs, "backend": backend, "scheduler": scheduler,
                     "python": platform.python_version()},
        streamed_to=None if out_dir is None else Path(out_dir),
        nonfinite=(np.concatenate(bands.nonfinite) if bands.nonfinite
                   else np.empty(0, dtype=np.intp)),
    )


def _check_some_finite(model: Model, n: int, outputs: Mapping[str, np.ndarray],
                       parameters: Mapping[str, np.ndarray]) -> None:
    """Refuse a run in which no scenario has finite outputs: nothing could be summarised.

    Partly non-finite runs are fine (those scenarios are counted and left out).
    """
    finite = np.ones(n, dtype=bool)
    never = []
    for name in outputs:
        if name != "payback_year":
            ok = np.isfinite(outputs[name])
            finite &= ok
            if not ok.any():
                never.append(name)
    if finite.any():
        return
    if "roi" in never and all(o == "roi" or o == "investment" or o.startswith("npv_kind")
                              for o in never):
        where = ("[model].investment: zero or not finite in every scenario, so ROI is "
                 "undefined; give an investment that is positive")
    else:
        actors = [o.removeprefix("npv_") for o in never
                  if o.removeprefix("npv_") in model.actor_keys]
        where = (f"the flows or transfers of {', '.join(actors) or 'some actor'}: a division "
                 "by zero, or exp or a power that overflows (values near 1e308); check their "
                 "expressions and the parameters' ranges")
    which = ", ".join(never[:4]) + (", ..." if len(never) > 4 else "") or "a different one each"
    example = {name: float(values[0]) for name, values in list(parameters.items())[:6]}
    raise ModelError(f"{model.source}: all {n:,} scenarios give outputs that are not finite "
                     f"({which}); {where} (first scenario's inputs: {example})")


def _subset(view: Mapping[str, np.ndarray], names: list[str]) -> Mapping[str, np.ndarray]:
    if isinstance(view, ParquetColumns):
        return view.subset(names)
    return {name: view[name] for name in names}


def correlation_effect(result: SimulationResult, **engine: object) -> pd.DataFrame:
    """How much the declared correlations change the spread of every actor's NPV.

    Runs the model again with the same seed and the correlations left out (the
    other draws are common random numbers) and compares standard deviations.

    Parameters
    ----------
    result : SimulationResult
        A run of a model that declares correlations.
    **engine
        ``n_jobs``, ``backend``, ``scheduler``: as for :func:`simulate`.

    Returns
    -------
    DataFrame
        Columns ``output, std_correlated, std_independent, ratio`` for every actor's
        NPV, society's NPV and ROI.
    """
    import pandas as pd

    model = result.model
    if model.correlations is None:
        raise ValueError(f"{model.source} declares no correlations")
    # A streamed run's second run is streamed too, into a hidden folder of the run
    # directory (removed after; a killed run's is removed by the next run there):
    # held in memory, it would need every column of every scenario at once.
    scratch = (None if result.streamed_to is None
               else result.streamed_to / f".independent.partial-{os.getpid()}")
    try:
        independent = simulate(replace(model, correlations=None), result.n, seed=result.seed,
                               chunk_size=result.chunk_size, out_dir=scratch, **engine)
        rows = []
        for name in [*(f"npv_{a}" for a in model.actor_keys), "npv_society", "roi"]:
            with_, without = (np.std(r.outputs[name][r.finite], ddof=1)
                              for r in (result, independent))
            rows.append({"output": name, "std_correlated": with_, "std_independent": without,
                         "ratio": with_ / without if without > 0 else np.nan})
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    return pd.DataFrame(rows)
