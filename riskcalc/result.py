"""The result of a Monte Carlo run, with DataFrame views and a run directory writer."""

from __future__ import annotations

import datetime as _dt
import importlib.metadata
import platform
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from riskcalc.files import atomic_write, write_json
from riskcalc.metrics import payback_distribution, summary_table
from riskcalc.model import Model

__all__ = ["SimulationResult", "BAND_PERCENTILES", "package_versions"]

#: Percentiles of the per-year bands (yearly.csv).
BAND_PERCENTILES = (5, 50, 95)
_VERSIONED = ("riskcalc", "numpy", "scipy", "pandas", "joblib", "SALib", "pyarrow", "matplotlib")


def package_versions() -> dict[str, str]:
    """Versions of Python and the packages that shape the numbers, for manifests."""
    versions = {"python": platform.python_version()}
    for name in _VERSIONED:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


@dataclass
class SimulationResult:
    """Per-scenario inputs and outputs of a run, and per-year bands.

    Attributes
    ----------
    model : Model
    seed, n, chunk_size : int
    parameters : dict of str to ndarray, shape (n,)
        The sampled parameter values.
    outputs : dict of str to ndarray, shape (n,)
        ``npv_<actor>``, ``npv_society``, ``npv_<cost kind>``, ``roi``,
        ``payback_year`` (NaN: no payback within the horizon), ``hump_<actor>``
        and ``hump_society`` (capital needed), in the model's currency.
    bands : ndarray, shape (series, Y, len(BAND_PERCENTILES))
        Percentiles of the cumulative discounted net per series and year.
    band_series : list of str
        Actors, ``"society"`` and the cost kinds, in the order of `bands`.
    band_method : {"exact", "histogram"}
    """

    model: Model
    seed: int
    n: int
    chunk_size: int
    parameters: dict[str, np.ndarray]
    outputs: dict[str, np.ndarray]
    bands: np.ndarray
    band_series: list[str]
    band_method: str
    timings: dict[str, float] = field(default_factory=dict)
    environment: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def finite(self) -> np.ndarray:
        """Boolean mask, shape (n,): scenarios whose outputs are all finite.

        ``payback_year`` is left out: NaN there means "no payback", not an error.
        """
        mask = np.ones(self.n, dtype=bool)
        for name, values in self.outputs.items():
            if name != "payback_year":
                mask &= np.isfinite(values)
        return mask

    @property
    def n_nonfinite(self) -> int:
        """Number of scenarios with an infinite or undefined output (left out of summaries)."""
        return int(self.n - self.finite.sum())

    def nonfinite_example(self) -> dict[str, float] | None:
        """Inputs of the first scenario whose outputs are not finite, or None."""
        bad = np.flatnonzero(~self.finite)
        if bad.size == 0:
            return None
        return {name: float(values[bad[0]]) for name, values in self.parameters.items()}

    @property
    def scenarios(self) -> pd.DataFrame:
        """One row per scenario: sampled parameters, then outputs."""
        return pd.DataFrame({**self.parameters, **self.outputs})

    @property
    def actor_npv(self) -> pd.DataFrame:
        """NPV of every actor and society, one row per scenario (currency)."""
        keys = [*self.model.actor_keys, "society"]
        return pd.DataFrame({k: self.outputs[f"npv_{k}"] for k in keys})

    def summary(self) -> pd.DataFrame:
        """One row per output over the finite scenarios.

        See :func:`riskcalc.metrics.summary_table` for the columns.
        """
        keep = self.finite
        return summary_table({k: v[keep] for k, v in self.outputs.items()})

    def payback(self) -> pd.DataFrame:
        """Probability of society's payback in and by each year, and of none."""
        return payback_distribution(self.outputs["payback_year"][self.finite], self.model.years)

    @property
    def yearly(self) -> pd.DataFrame:
        """Percentiles of the cumulative discounted net per series and year, tidy."""
        series, years, pcts = self.bands.shape
        frame = pd.DataFrame({
            "series": np.repeat(self.band_series, years),
            "year": np.tile(np.arange(1, years + 1), series),
        })
        for j, pct in enumerate(BAND_PERCENTILES):
            frame[f"p{pct:02d}"] = self.bands[:, :, j].ravel()
        return frame

    def manifest(self) -> dict[str, Any]:
        """What a reader needs to reproduce the run: model hash, seed, N, versions, timings."""
        return {
            "model": {"name": self.model.name, "source": self.model.source,
                      "sha256": self.model.sha256},
            "seed": self.seed,
            "n": self.n,
            "chunk_size": self.chunk_size,
            "seed_streams": "SeedSequence(seed, spawn_key=(chunk, crc32(parameter name)))",
            "n_nonfinite": self.n_nonfinite,
            "nonfinite_example": self.nonfinite_example(),
            "band_method": self.band_method,
            "environment": self.environment,
            "versions": package_versions(),
            "timings": self.timings,
            "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        }

    def write(self, out_dir: str | Path) -> Path:
        """Write the run directory: scenarios.parquet, summary.csv, yearly.csv,
        payback.csv and, last, manifest.json.

        Each file appears atomically; manifest.json is removed first and written
        last, so a directory without it holds an incomplete run.
        """
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        (out / "manifest.json").unlink(missing_ok=True)
        atomic_write(out / "scenarios.parquet",
                     lambda p: self.scenarios.to_parquet(p, index=False))
        for name, frame in (("summary.csv", self.summary()), ("yearly.csv", self.yearly),
                            ("payback.csv", self.payback())):
            atomic_write(out / name, lambda p, f=frame: f.to_csv(p, index=False))
        write_json(out / "manifest.json", self.manifest())
        return out
