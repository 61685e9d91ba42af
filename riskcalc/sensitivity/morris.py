"""Morris screening: elementary effects (mu, mu*, sigma) on SALib's trajectories.

For many inputs at a cost of r (G + 1) evaluations: which inputs matter at all
(mu*) and which act non-linearly or through interactions (sigma).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from riskcalc.engine.compiled import DEFAULT_CHUNK_SIZE, output_columns
from riskcalc.engine.resources import check_fits
from riskcalc.engine.sampling import from_unit_cube
from riskcalc.engine.simulation import DEFAULT_BACKEND
from riskcalc.errors import ModelError
from riskcalc.files import to_csv
from riskcalc.model.objects import Model
from riskcalc.sensitivity.groups import check_groups, group_of
from riskcalc.sensitivity.manifest import build_manifest, write_with_manifest
from riskcalc.sensitivity.problem import (
    analysed_inputs,
    check_bootstrap,
    check_seed,
    correlation_warning,
    evaluate,
    is_whole,
    resolve_outputs,
)

__all__ = ["MorrisResult", "morris_analysis"]

@dataclass(frozen=True, eq=False)
class MorrisResult:
    """Morris elementary effects of a model's outputs.

    Attributes
    ----------
    model : Model
    outputs, inputs : tuple of str
    groups : dict of str to tuple of str
    table : DataFrame
        ``output, parameter, mu, mu_star, sigma, mu_star_conf``: mean, mean
        absolute and standard deviation of the elementary effects (output units
        per unit of the design's level scale), and the bootstrap half-width of mu*.
    trajectories, num_levels, seed, n_evaluations : int
    warnings : tuple of str
    timings, environment : dict
    """

    model: Model
    outputs: tuple[str, ...]
    inputs: tuple[str, ...]
    groups: dict[str, tuple[str, ...]]
    table: pd.DataFrame
    trajectories: int
    num_levels: int
    seed: int
    n_evaluations: int
    warnings: tuple[str, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)
    environment: dict[str, Any] = field(default_factory=dict)

    def manifest(self) -> dict[str, Any]:
        """What a reader needs to reproduce the screening."""
        return build_manifest("morris", self.model, {
            "trajectories": self.trajectories, "num_levels": self.num_levels,
            "levels": "midpoints of num_levels equal-probability bins, (i + 0.5) / num_levels",
            "seed": self.seed,
            "seed_streams": "SeedSequence(seed).spawn(2): [0] SALib's Morris sampler, "
                            "[1] the bootstrap of mu_star_conf",
            "n_evaluations": self.n_evaluations, "inputs": list(self.inputs),
            "groups": {g: list(m) for g, m in self.groups.items()},
            "outputs": list(self.outputs), "warnings": list(self.warnings),
            "environment": self.environment,
        }, self.timings)

    def write(self, out_dir: str | Path) -> Path:
        """Write ``morris.csv`` and, last, ``morris.json``."""
        return write_with_manifest(
            out_dir, {"morris.csv": lambda p: to_csv(self.table, p)},
            "morris.json", self.manifest)


def morris_analysis(model: Model, trajectories: int = 100, *, num_levels: int = 4,
                    seed: int | None = None, outputs: Sequence[str] | None = None,
                    groups: Mapping[str, Sequence[str]] | None = None,
                    num_resamples: int = 1000, conf_level: float = 0.95, n_jobs: int = 1,
                    backend: str = DEFAULT_BACKEND, scheduler: str | None = None,
                    chunk_size: int = DEFAULT_CHUNK_SIZE, progress: bool = False
                    ) -> MorrisResult:
    """Morris screening (Morris 1991; mu* after Campolongo et al. 2007) with SALib.

    SALib's trajectories move on the grid ``i / (num_levels - 1)``; each level
    is mapped to the midpoint of its equal-probability bin,
    ``(i + 0.5) / num_levels``, before the inverse CDFs, so that unbounded
    distributions stay finite.  Elementary effects are SALib's: output change
    divided by the step on the grid.

    Parameters
    ----------
    model : Model
    trajectories : int
        r, number of trajectories; evaluations r (G + 1).
    num_levels : int
        p, an even number of grid levels.
    seed : int, optional
        Seed of the trajectories and the bootstrap; drawn when omitted.
    outputs, groups, n_jobs, backend, scheduler, chunk_size, progress
        As for :func:`sobol_analysis`.
    num_resamples, conf_level : int, float
        Bootstrap of the interval of mu*.

    Returns
    -------
    MorrisResult
    """
    from SALib.analyze import morris as salib_morris_analyze
    from SALib.sample import morris as salib_morris

    started = time.perf_counter()
    if not is_whole(trajectories) or trajectories < 2:
        raise ModelError(f"the number of trajectories must be a whole number ≥ 2, "
                         f"got {trajectories!r}")
    if not is_whole(num_levels) or num_levels < 2 or num_levels % 2:
        raise ModelError(f"num_levels must be an even whole number ≥ 2, got {num_levels!r}")
    check_bootstrap(num_resamples, conf_level)
    seed = check_seed(seed)
    outputs = resolve_outputs(model, outputs)
    inputs = analysed_inputs(model)
    membership = check_groups(groups or {}, inputs)
    problem = {"num_vars": len(inputs), "names": list(inputs),
               "bounds": [[0.0, 1.0]] * len(inputs)}
    if groups:
        group_by_input = group_of(membership)
        problem["groups"] = [group_by_input[p] for p in inputs]
    design_seed, boot_seed = np.random.SeedSequence(seed).spawn(2)
    timings = {}
    # Per trajectory: G + 1 points, each with its inputs three times (grid, unit cube,
    # values) and every output column.
    steps = (len(set(problem["groups"])) if groups else len(inputs)) + 1
    check_fits(int(trajectories),
               memory_per_item=8 * steps * (3 * len(inputs) + len(output_columns(model))),
               what="--n", unit="trajectories")
    t = time.perf_counter()
    grid = salib_morris.sample(problem, int(trajectories), num_levels=int(num_levels),
                               seed=np.random.default_rng(design_seed))
    unit = (grid * (num_levels - 1) + 0.5) / num_levels
    points = from_unit_cube(model, unit, inputs)
    timings["design_s"] = time.perf_counter() - t
    t = time.perf_counter()
    y = evaluate(model, points, outputs, {"n_jobs": n_jobs, "backend": backend,
                                          "scheduler": scheduler, "chunk_size": chunk_size,
                                          "progress": progress})
    timings["evaluate_s"] = time.perf_counter() - t
    t = time.perf_counter()
    rng = np.random.default_rng(boot_seed)
    frames = []
    for o, output in enumerate(outputs):
        si = salib_morris_analyze.analyze(problem, grid, np.ascontiguousarray(y[:, o]),
                                          num_resamples=num_resamples, conf_level=conf_level,
                                          num_levels=int(num_levels), seed=rng)
        frames.append(pd.DataFrame({
            "output": output, "parameter": [str(p) for p in si["names"]],
            "mu": np.asarray(si["mu"], float), "mu_star": np.asarray(si["mu_star"], float),
            "sigma": np.asarray(si["sigma"], float),
            "mu_star_conf": np.asarray(si["mu_star_conf"], float)}))
    timings["analyse_s"] = time.perf_counter() - t
    timings["total_s"] = time.perf_counter() - started
    return MorrisResult(
        model=model, outputs=tuple(outputs), inputs=tuple(membership), groups=membership,
        table=pd.concat(frames, ignore_index=True), trajectories=int(trajectories),
        num_levels=int(num_levels), seed=seed, n_evaluations=int(y.shape[0]),
        warnings=tuple(correlation_warning(model, "the Morris method")), timings=timings,
        environment={"n_jobs": n_jobs, "backend": backend, "scheduler": scheduler})
