"""One-at-a-time tornado and spider: each input moved over its quantiles, the others at base.

The tornado swings each input from its low to its high quantile (2 D + 1
evaluations); the spider sweeps it over several percentiles (P5 ... P95), so
the shape of each input's effect shows, not only its range (D P more).  Cheap
and easy to read, but blind to interactions (see :mod:`riskcalc.sensitivity.sobol`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from riskcalc.engine.compiled import DEFAULT_CHUNK_SIZE
from riskcalc.engine.sampling import from_unit_cube
from riskcalc.engine.simulation import DEFAULT_BACKEND
from riskcalc.errors import ModelError
from riskcalc.files import to_csv
from riskcalc.model.objects import Model
from riskcalc.sensitivity.manifest import build_manifest, write_with_manifest
from riskcalc.sensitivity.problem import (
    analysed_inputs,
    correlation_warning,
    evaluate,
    resolve_outputs,
)

__all__ = ["TornadoResult", "tornado_analysis", "SPIDER_PERCENTILES"]

#: Quantiles each input is swept over in the spider (with the base case in between).
SPIDER_PERCENTILES = (0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95)

@dataclass(frozen=True, eq=False)
class TornadoResult:
    """One-at-a-time swings of each input from its low to its high quantile.

    Attributes
    ----------
    model : Model
    outputs, inputs : tuple of str
    table : DataFrame
        ``output, parameter, low_value, high_value, output_at_low, output_at_high,
        swing, base_output``; swing = |output_at_high - output_at_low|, rows
        sorted by swing (largest first) within each output.
    base : dict of str to float
        Each output at the base case.
    low, high : float
        The quantiles swung between (default P10 and P90).
    n_evaluations : int
        2 D + 1, plus D times the spider's percentiles.
    spider : DataFrame
        ``output, parameter, percentile, value, output_value, base_output``: each
        input at each of the spider's quantiles (0.05 ... 0.95), the others at base.
    warnings : tuple of str
    timings : dict
    """

    model: Model
    outputs: tuple[str, ...]
    inputs: tuple[str, ...]
    table: pd.DataFrame
    base: dict[str, float]
    low: float
    high: float
    n_evaluations: int
    spider: pd.DataFrame = field(default_factory=pd.DataFrame)
    warnings: tuple[str, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)

    def for_output(self, output: str) -> pd.DataFrame:
        """The rows of one output (an actor key or ``society`` stands for its NPV)."""
        column = resolve_outputs(self.model, [output])[0]
        if column not in self.outputs:
            raise ValueError(f"output {output!r} was not analysed; the result holds "
                             f"{list(self.outputs)}")
        return self.table[self.table["output"] == column].reset_index(drop=True)

    @property
    def worst_actor(self) -> str | None:
        """The actor with the most negative base-case NPV among the outputs (or None)."""
        npv = {a: self.base[f"npv_{a}"] for a in self.model.actor_keys
               if f"npv_{a}" in self.base}
        return min(npv, key=npv.get) if npv else None

    def manifest(self) -> dict[str, Any]:
        """What a reader needs to reproduce the swings."""
        return build_manifest("tornado", self.model, {
            "low_quantile": self.low, "high_quantile": self.high,
            "others_at": "base case", "n_evaluations": self.n_evaluations,
            "spider_percentiles": sorted(set(self.spider.get("percentile", []))),
            "inputs": list(self.inputs), "outputs": list(self.outputs), "base": self.base,
            "warnings": list(self.warnings),
        }, self.timings)

    def write(self, out_dir: str | Path) -> Path:
        """Write ``tornado.csv``, ``spider.csv`` and, last, ``tornado.json``."""
        return write_with_manifest(
            out_dir, {"tornado.csv": lambda p: to_csv(self.table, p),
                      "spider.csv": lambda p: to_csv(self.spider, p)},
            "tornado.json", self.manifest)


def tornado_analysis(model: Model, *, outputs: Sequence[str] | None = None, low: float = 0.1,
                     high: float = 0.9, spider: Sequence[float] = SPIDER_PERCENTILES,
                     n_jobs: int = 1, backend: str = DEFAULT_BACKEND,
                     scheduler: str | None = None, chunk_size: int = DEFAULT_CHUNK_SIZE,
                     progress: bool = False) -> TornadoResult:
    """Swing each input from its `low` to its `high` quantile, the others at base case.

    Parameters
    ----------
    model : Model
    outputs : sequence of str, optional
        As for :func:`sobol_analysis`; default every actor's NPV, society's and ROI.
    low, high : float
        Quantiles, 0 < low < high < 1 (default P10 and P90).
    spider : sequence of float
        Quantiles of the spider sweep, each in (0, 1); empty for none.
    n_jobs, backend, scheduler, chunk_size, progress
        As for :func:`riskcalc.simulate`.

    Returns
    -------
    TornadoResult
    """
    started = time.perf_counter()
    if not 0 < low < high < 1:
        raise ModelError(f"the quantiles must satisfy 0 < low < high < 1, got low = {low!r}, "
                         f"high = {high!r}")
    outputs = resolve_outputs(model, outputs)
    inputs = analysed_inputs(model)
    spider = sorted(set(float(q) for q in spider))
    if spider and not 0 < spider[0] <= spider[-1] < 1:
        raise ModelError(f"the spider's quantiles must lie in (0, 1), got {spider}")
    swings = [from_unit_cube(model, np.array([[low], [high]]), [name]) for name in inputs]
    sweeps = [from_unit_cube(model, np.array(spider).reshape(-1, 1), [name])
              for name in inputs] if spider else []
    base = from_unit_cube(model, np.empty((1, 0)), [])
    points = {key: np.concatenate([base[key], *(s[key] for s in swings),
                                   *(s[key] for s in sweeps)]) for key in base}
    y = evaluate(model, points, outputs, {"n_jobs": n_jobs, "backend": backend,
                                          "scheduler": scheduler, "chunk_size": chunk_size,
                                          "progress": progress})
    at_low, at_high = y[1:2 * len(inputs) + 1:2], y[2:2 * len(inputs) + 1:2]  # (D, outputs)
    swept = y[2 * len(inputs) + 1:].reshape(len(inputs), len(spider), len(outputs))
    frames = []
    for o, output in enumerate(outputs):
        frame = pd.DataFrame({
            "output": output, "parameter": inputs,
            "low_value": [s[p][0] if p in s else np.nan for p, s in zip(inputs, swings,
                                                                          strict=True)],
            "high_value": [s[p][1] if p in s else np.nan for p, s in zip(inputs, swings,
                                                                           strict=True)],
            "output_at_low": at_low[:, o], "output_at_high": at_high[:, o],
            "swing": np.abs(at_high[:, o] - at_low[:, o]), "base_output": y[0, o]})
        frames.append(frame.sort_values("swing", ascending=False, kind="stable"))
    spider_table = pd.DataFrame({
        "output": np.repeat(outputs, len(inputs) * len(spider)),
        "parameter": np.tile(np.repeat(inputs, len(spider)), len(outputs)),
        "percentile": np.tile(spider, len(inputs) * len(outputs)),
        "value": np.tile([s[p][j] for p, s in zip(inputs, sweeps, strict=True)
                          for j in range(len(spider))], len(outputs)) if spider else [],
        "output_value": swept.transpose(2, 0, 1).ravel(),
        "base_output": np.repeat(y[0], len(inputs) * len(spider))})
    return TornadoResult(
        model=model, outputs=tuple(outputs), inputs=tuple(inputs),
        table=pd.concat(frames, ignore_index=True),
        base={o: float(y[0, i]) for i, o in enumerate(outputs)}, low=float(low),
        high=float(high), n_evaluations=int(y.shape[0]), spider=spider_table,
        warnings=tuple(correlation_warning(model, "a one-at-a-time tornado")),
        timings={"total_s": time.perf_counter() - started})
