"""Where the chunks of a run are evaluated: the backends and how each is set up.

Kept apart from :mod:`riskcalc.engine.simulation` so that the command line can
offer the choices without importing joblib, pandas or the engine.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from riskcalc.errors import ModelError, ResourceError

__all__ = ["BACKENDS", "DEFAULT_BACKEND", "engine_backend"]

#: Backends whose workers run in this process.
_IN_PROCESS = ("sequential", "threading")
BACKENDS = ("threading", "loky", "sequential", "dask")
#: Threads: drawing and the fused kernel release the GIL, so threads on one machine
#: scale without copying columns between processes (1.7–1.8× on 2 cores, against
#: 1.4× for loky's worker processes).
DEFAULT_BACKEND = "threading"


@contextmanager
def engine_backend(backend: str, scheduler: str | None = None) -> Iterator[str]:
    """Set up a joblib backend; yields the joblib backend name to use.

    ``"dask"`` connects to the scheduler at `scheduler` (e.g.
    ``"tcp://10.0.0.5:8786"``) or, for ``"local:K"``, starts a local cluster of
    K single-threaded worker processes for the duration of the block.
    """
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; expected one of {', '.join(BACKENDS)}")
    if backend != "dask":
        if scheduler is not None:
            raise ValueError("a scheduler address is only used with backend='dask'")
        yield backend
        return
    import joblib

    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise ResourceError("--backend dask needs dask.distributed, which is not installed: "
                         "pip install 'riskcalc[dask]'") from exc
    cluster = None
    scheduler = scheduler or "local:2"
    if scheduler.startswith("local:"):
        workers = scheduler.removeprefix("local:")
        if not workers.isdigit() or int(workers) < 1:
            raise ModelError(f"--scheduler {scheduler!r}: expected local:K with K workers, "
                             "e.g. local:4")
        cluster = LocalCluster(n_workers=int(workers), threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        with joblib.parallel_config(backend="dask"):
            yield "dask"
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
