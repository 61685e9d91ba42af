"""From a :class:`~riskcalc.model.Model` and a seed to scenarios and their outputs.

Modules
-------
sampling
    Seeds per chunk and parameter, regimes, the Gaussian copula, design inputs.
compiled
    ``CompiledModel``: the model's expressions evaluated on a block of scenarios.
kernel
    The fused, numba-compiled part: flows to NPVs, payback, humps and bands.
metrics
    Pure reductions of cash flows (NPV, payback year, investment hump, summaries).
bands
    Fixed histograms behind the per-year percentile bands of large runs.
simulation
    Chunks, workers and backends (threads, loky, Dask): ``simulate``,
    ``evaluate_points``.
storage
    Where per-scenario columns go during a run and how they are read back.
"""

from riskcalc.engine.compiled import DEFAULT_CHUNK_SIZE, CompiledModel
from riskcalc.engine.simulation import BACKENDS, DEFAULT_BACKEND, evaluate_points, simulate

__all__ = ["BACKENDS", "DEFAULT_BACKEND", "DEFAULT_CHUNK_SIZE", "CompiledModel",
           "evaluate_points", "simulate"]
