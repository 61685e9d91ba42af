"""From a :class:`~riskcalc.model.Model` and a seed to scenarios and their outputs.

Modules
-------
sampling
    Seeds per chunk and parameter, regimes, the Gaussian copula, design inputs.
compiled
    ``CompiledModel``: the model's expressions evaluated on a block of scenarios.
kernel
    The fused, numba-compiled part: flows to NPVs, payback, humps and bands.
kernel_cache
    Kernel or numpy path, and compiling the kernel in the background when numba's
    on-disk cache does not hold it (``RISKCALC_KERNEL``).
metrics
    Pure reductions of cash flows (NPV, payback year, investment hump, summaries).
reductions
    numba-compiled reductions for the tables: numpy's means, standard deviations and
    bin sums to the bit, without column-sized temporaries.
bands
    Fixed histograms behind the per-year percentile bands of large runs.
simulation
    Chunks, workers and backends (threads, loky, Dask): ``simulate``,
    ``evaluate_points``.
storage
    Where per-scenario columns go during a run and how they are read back.
"""

from riskcalc.lazy import lazy_api

#: Name → defining module, imported on first use (PEP 562): importing this package
#: (as every submodule import does) costs nothing until its API is used.
_API = {
    "DEFAULT_CHUNK_SIZE": "riskcalc.engine.compiled",
    "CompiledModel": "riskcalc.engine.compiled",
    "BACKENDS": "riskcalc.engine.backends",
    "DEFAULT_BACKEND": "riskcalc.engine.backends",
    "evaluate_points": "riskcalc.engine.simulation",
    "simulate": "riskcalc.engine.simulation",
}

__all__ = ["BACKENDS", "DEFAULT_BACKEND", "DEFAULT_CHUNK_SIZE", "CompiledModel",
           "evaluate_points", "simulate"]


__getattr__, __dir__ = lazy_api(__name__, _API)
