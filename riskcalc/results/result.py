"""The result of a Monte Carlo run, with DataFrame views and a run directory writer."""

from __future__ import annotations

import datetime as _dt
import functools
import importlib.metadata
import json
import os
import platform
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from riskcalc.engine.metrics import payback_distribution, summary_table
from riskcalc.engine.storage import ParquetColumns, write_scenarios
from riskcalc.files import atomic_write, write_csv, write_json
from riskcalc.model.objects import Model

if TYPE_CHECKING:  # the engine runs without pandas: imported where a table is made
    import pandas as pd

__all__ = ["SimulationResult", "BAND_PERCENTILES", "package_versions", "INCOMPLETE",
           "begin_run_directory", "finish_scenarios", "remove_stale_partials",
           "mark_incomplete", "DERIVED"]

#: Percentiles of the per-year bands (yearly.csv).
BAND_PERCENTILES = (5, 50, 95)
#: A run directory holding this file is being written or was interrupted.
INCOMPLETE = "INCOMPLETE"
SCENARIOS = "scenarios.parquet"
_VERSIONED = ("riskcalc", "numpy", "scipy", "pandas", "joblib", "SALib", "pyarrow", "matplotlib",
              "numba")


def begin_run_directory(out_dir: str | Path) -> Path:
    """Make a run directory ready; returns where to stream scenario parts.

    Parts go to a hidden directory that :func:`finish_scenarios` renames into
    place; until then the directory's previous complete run, if any, stays as it
    was, so a run that fails, is refused or interrupted before its first result
    destroys nothing.  A directory without a complete run is marked incomplete at once.
    Temporary files left by runs that were killed are removed first.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    remove_stale_partials(out)
    if not (out / "manifest.json").is_file():
        mark_incomplete(out)  # no complete run to keep: say at once that one is under way
    parts = out / f".{SCENARIOS}.partial-{os.getpid()}"
    shutil.rmtree(parts, ignore_errors=True)
    return parts


def remove_stale_partials(out: Path) -> list[Path]:
    """Remove ``.<name>.partial-<pid>`` files and folders whose process no longer runs.

    They are what a killed run (``kill -9``, a power cut) leaves behind; a live
    process's are left alone.

    Returns
    -------
    list of Path
        What was removed.
    """
    removed = []
    for path in out.glob(".*.partial-*"):
        pid = path.name.rpartition(".partial-")[2]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            _remove(path)
            removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    except OSError:
        return False
    return True


#: Files made from a run after it is written (the report, scenario discovery), removed
#: when a new run starts in the directory so that they are never taken for the new run's.
DERIVED = ("report.html", "summary.md", "tables.tex", "figures", "results.xlsx",
           "discovery.csv", "discovery.json")


def mark_incomplete(out: str | Path) -> Path:
    """Say, in a file of its own, that `out` is being written; remove the previous run's
    manifest and the files it lists (and the report made from it), so that nothing of
    an earlier run or command is ever read as the new one's."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    manifest = out / "manifest.json"
    listed: list = []
    if manifest.is_file():
        try:
            listed = json.loads(manifest.read_text(encoding="utf-8")).get("files") or []
        except (OSError, ValueError, AttributeError, RecursionError):
            listed = []  # a damaged manifest lists nothing we could trust
    (out / INCOMPLETE).write_text("This run directory is being written, or its run was "
                                  "interrupted: its files are not a complete run.\n")
    manifest.unlink(missing_ok=True)
    for name in [*listed, *DERIVED]:
        # Only plain names inside the directory: a manifest is data, not a command.
        if (isinstance(name, str) and name and name == Path(name).name
                and not name.startswith(".") and name not in (INCOMPLETE, SCENARIOS)):
            _remove(out / name)
    return out




def finish_scenarios(out_dir: str | Path, parts: Path, columns: ParquetColumns
                     ) -> ParquetColumns:
    """Move streamed scenario parts into place as ``scenarios.parquet``; returns
    `columns` (read from `parts`) read from there."""
    final = mark_incomplete(Path(out_dir)) / SCENARIOS
    _remove(final)
    os.replace(parts, final)
    return columns.moved(str(final))


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def package_versions() -> dict[str, str]:
    """Versions of Python and the packages that shape the numbers, for manifests.

    When riskcalc runs from a git checkout, ``riskcalc_commit`` is the commit of that
    checkout (with ``-modified`` where the package's files differ from it): a version
    number does not say which of the commits between two releases made a result.
    """
    versions = {"python": platform.python_version()}
    for name in _VERSIONED:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    commit = source_commit()
    if commit is not None:
        versions["riskcalc_commit"] = commit
    return versions


@functools.cache
def source_commit() -> str | None:
    """The git commit riskcalc runs from (``-modified`` if its files differ), or None.

    None where riskcalc is installed from a package (no ``.git`` beside it) or git is
    not available.
    """
    package = Path(__file__).resolve().parents[1]
    root = package.parent
    if not (root / ".git").exists():
        return None
    try:
        head = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                              text=True, timeout=10, check=True).stdout.strip()
        changed = subprocess.run(["git", "-C", str(root), "diff", "--quiet", "HEAD", "--",
                                  package.name], capture_output=True, timeout=10).returncode
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{head}-modified" if changed == 1 else head or None


@dataclass
class SimulationResult:
    """Per-scenario inputs and outputs of a run, and per-year bands.

    Attributes
    ----------
    model : Model
    seed, n, chunk_size : int
    parameters : mapping of str to ndarray, shape (n,)
        The sampled parameter values (and ``regime`` when the model declares
        regimes).  Arrays, or read from disk on access for a streamed run.
    outputs : mapping of str to ndarray, shape (n,)
        ``npv_<actor>``, ``npv_society``, ``npv_<cost kind>``, ``roi``,
        ``payback_year`` (NaN: no payback within the horizon), ``hump_<actor>``
        and ``hump_society`` (capital needed), in the model's currency.
    bands : ndarray, shape (series, Y, len(BAND_PERCENTILES))
        Percentiles of the cumulative discounted net per series and year.
    band_series : list of str
        Actors, ``"society"`` and the cost kinds, in the order of `bands`.
    band_method : {"exact", "histogram"}
    tables : dict of str to DataFrame
        Further results written beside the standard files as ``<name>.csv``
        (risk measures, classes, ...), by the commands that compute them.
    streamed_to : Path or None
        The run directory the per-scenario table was streamed to.
    nonfinite : ndarray of int or None
        Positions of the scenarios with a non-finite output, when the engine
        found them as it ran (then :attr:`finite` reads no column); None: unknown.
    """

    model: Model
    seed: int
    n: int
    chunk_size: int
    parameters: Mapping[str, np.ndarray]
    outputs: Mapping[str, np.ndarray]
    bands: np.ndarray
    band_series: list[str]
    band_method: str
    timings: dict[str, float] = field(default_factory=dict)
    environment: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    streamed_to: Path | None = None
    nonfinite: np.ndarray | None = None

    @cached_property
    def finite(self) -> np.ndarray:
        """Boolean mask, shape (n,): scenarios whose outputs are all finite.

        ``payback_year`` is left out: NaN there means "no payback", not an error.
        """
        mask = np.ones(self.n, dtype=bool)
        if self.nonfinite is not None:
            mask[self.nonfinite] = False
            return mask
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
        """One row per scenario: sampled parameters, then outputs (all in memory)."""
        import pandas as pd

        if self.streamed_to is not None:
            return pd.read_parquet(self.streamed_to / SCENARIOS)
        return pd.DataFrame({**self.parameters, **self.outputs})

    @property
    def actor_npv(self) -> pd.DataFrame:
        """NPV of every actor and society, one row per scenario (currency)."""
        import pandas as pd

        keys = [*self.model.actor_keys, "society"]
        return pd.DataFrame({k: self.outputs[f"npv_{k}"] for k in keys})

    def summary(self) -> pd.DataFrame:
        """One row per output over the finite scenarios.

        See :func:`riskcalc.engine.metrics.summary_table` for the columns.
        """
        return summary_table(self.outputs, keep=self.finite)

    def payback(self) -> pd.DataFrame:
        """Probability of society's payback in and by each year, and of none."""
        return payback_distribution(self.outputs["payback_year"][self.finite], self.model.years)

    @property
    def yearly(self) -> pd.DataFrame:
        """Percentiles of the cumulative discounted net per series and year, tidy."""
        import pandas as pd

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
                      "sha256": self.model.sha256, "warnings": list(self.model.warnings),
                      "regimes": {r.name: r.weight for r in self.model.regimes}},
            "seed": self.seed,
            "n": self.n,
            "chunk_size": self.chunk_size,
            "seed_streams": "SeedSequence(seed, spawn_key=(chunk, crc32(parameter name)))",
            "n_nonfinite": self.n_nonfinite,
            "nonfinite_example": self.nonfinite_example(),
            "band_method": self.band_method,
            "band_scenarios": ("all" if self.band_method == "exact"
                               else "the first 4,096 scenarios of every chunk"),
            "environment": self.environment,
            "versions": package_versions(),
            "timings": self.timings,
            "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        }

    def write(self, out_dir: str | Path, *, also: tuple[str, ...] = ()) -> Path:
        """Write the run directory.

        Files: scenarios.parquet (unless the run was streamed there already),
        summary.csv, yearly.csv, payback.csv, one CSV per entry of `tables`,
        and, last, manifest.json, which lists them (and the files named in `also`,
        written into the directory by the caller for this run, e.g. verdict.json).
        Each file appears atomically; while writing, the directory holds an
        ``INCOMPLETE`` file and no manifest, so an interrupted write never looks
        like a complete run.  The files the previous run's manifest listed are
        removed first (see :func:`mark_incomplete`).
        """
        out = Path(out_dir)
        streamed_here = (self.streamed_to is not None
                         and self.streamed_to.resolve() == out.resolve())
        mark_incomplete(out)
        if self.streamed_to is not None and not streamed_here:
            _remove(out / SCENARIOS)
            shutil.copytree(self.streamed_to / SCENARIOS, out / SCENARIOS)
        elif not streamed_here:
            _remove(out / SCENARIOS)
            columns = {**self.parameters, **self.outputs}
            atomic_write(out / SCENARIOS, lambda p: write_scenarios(p, columns))
        # A command may have put these in `tables` already (the summary with risk measures).
        frames = {"summary": self.summary, "yearly": lambda: self.yearly,
                  "payback": self.payback}
        frames = {**{name: make() for name, make in frames.items() if name not in self.tables},
                  **self.tables}
        for name, frame in frames.items():
            write_csv(out / f"{name}.csv", frame)
        files = [SCENARIOS, *(f"{name}.csv" for name in frames), *also, "manifest.json"]
        write_json(out / "manifest.json", {**self.manifest(), "files": files})
        (out / INCOMPLETE).unlink()
        return out
