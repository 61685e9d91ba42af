"""A run directory read for the report: its files, its model, its scenario classes.

Read defensively: the files ``riskcalc run`` writes are required; those other
commands write (classes.csv, sobol.csv, tornado.csv, acceptability.csv,
redistribution.csv, verdict.json, sobol.json, tornado.json) are used where present,
and what cannot be read or found is noted for the reader instead of failing.
"""

from __future__ import annotations

import errno
import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from riskcalc.engine.storage import ParquetColumns
from riskcalc.errors import ModelError
from riskcalc.files import MAX_TOML_BYTES, read_bytes, read_json
from riskcalc.model.loader import load_model
from riskcalc.model.objects import Model

__all__ = ["RunData", "read_run", "stat", "output_name", "scenario_classes", "class_thresholds",
           "TABLE_43_YEARS", "OPTIONAL_TABLES"]

#: Years of the seed's table 4.3 (those within the horizon are shown).
TABLE_43_YEARS = (1, 2, 3, 4, 5, 10, 20)
#: Tables other commands write into a run directory, used where present.
OPTIONAL_TABLES = ("classes", "sobol", "tornado", "spider", "acceptability", "redistribution",
                   "claim", "contract", "contract_summary", "breakeven")
#: Columns of scenarios.parquet that hold a class name per scenario (text).
_TEXT_COLUMNS = ("class", "scenario_class")
#: Order of the scenario classes in figures and tables: worst first.
_CLASS_ORDER = ("very_bad", "bad", "half_good", "good", "loss", "gain")


@dataclass
class RunData:
    """What a run directory holds, read defensively.

    Attributes
    ----------
    directory : Path
    manifest : dict
    summary : DataFrame
        summary.csv indexed by ``output``.
    yearly : DataFrame
        yearly.csv (``series, year, p05, p50, p95``).
    payback : DataFrame or None
    source : mapping of str to ndarray
        The columns of scenarios.parquet the report may read (NPVs, ROI, class),
        each read from disk when looked up (:class:`~riskcalc.engine.storage.ParquetColumns`);
        :meth:`column` keeps those it read.
    extras : dict of str to DataFrame
        The optional tables present (``classes``, ``sobol``, ...).
    verdict : dict or None
    sidecars : dict of str to dict
        ``sobol.json`` and ``tornado.json`` (how the sensitivity tables were made).
    model : Model or None
        The model file named in the manifest, where it is found.
    notes : list of tuple
        What could not be read or found: ``(label key, *arguments)``, for the reader.
    lang : str
        The report's language: actors and the model are named in it where the model
        file gives a name in that language (``label_sv``, ``name_sv``).
    """

    directory: Path
    manifest: dict
    summary: pd.DataFrame
    yearly: pd.DataFrame
    payback: pd.DataFrame | None
    source: Mapping[str, np.ndarray] = field(default_factory=dict)
    extras: dict[str, pd.DataFrame] = field(default_factory=dict)
    verdict: dict | None = None
    sidecars: dict[str, dict] = field(default_factory=dict)
    model: Model | None = None
    notes: list[tuple[str, ...]] = field(default_factory=list)
    lang: str = "en"
    _read: dict[str, np.ndarray] = field(default_factory=dict, init=False, repr=False)

    @property
    def columns(self) -> tuple[str, ...]:
        """The scenario columns the report may read (NPVs, ROI, class)."""
        return tuple(self.source)

    def column(self, name: str) -> np.ndarray:
        """One column of scenarios.parquet, shape (n,): float64, or text for a class;
        read once.  The figures need a few (society's NPV, the class metric), never
        the whole table."""
        if name not in self._read:
            self._read[name] = self.source[name]
        return self._read[name]

    @property
    def scenarios(self) -> pd.DataFrame:
        """The NPV, ROI and class columns of scenarios.parquet, as one DataFrame."""
        return pd.DataFrame({c: self.source[c] for c in self.source})

    @property
    def currency(self) -> str:
        return self.model.currency if self.model is not None else "SEK"

    @property
    def actors(self) -> list[str]:
        """Actor keys: the model's, else those with a ``hump_<actor>`` output."""
        if self.model is not None:
            return list(self.model.actor_keys)
        return [k[5:] for k in self.summary.index if k.startswith("hump_") and k != "hump_society"]

    @property
    def actor_labels(self) -> dict[str, str]:
        if self.model is not None:
            return {a.key: a.label_in(self.lang) for a in self.model.actors}
        return {k: k for k in self.actors}

    @property
    def title(self) -> str:
        """The model's name, in the report's language where the model file gives it."""
        if self.model is not None:
            return self.model.name_in(self.lang)
        return str((self.manifest.get("model") or {}).get("name") or "")

    @property
    def years(self) -> int:
        return int(self.yearly["year"].max())

    @property
    def payer(self) -> str | None:
        """The paying actor: the one with the most negative median NPV (None if none is)."""
        medians = {a: self.summary.at[f"npv_{a}", "p50"] for a in self.actors
                   if f"npv_{a}" in self.summary.index}
        payer = min(medians, key=medians.get) if medians else None
        return payer if payer is not None and medians[payer] < 0 else None

    def bands(self) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
        """yearly.csv split into (actors and society, cost kinds).

        The cost kinds are the series named ``kind_<kind>``, or (in older runs) the
        blocks after ``society``, where a ``production`` actor and the
        ``production`` cost kind shared a name; either way they are keyed by kind.
        """
        frame = self.yearly
        block = ((frame["series"] != frame["series"].shift())
                 | (frame["year"].diff() <= 0)).cumsum()
        parts = [(str(rows["series"].iloc[0]), rows) for _, rows in frame.groupby(block)]
        names = [name for name, _ in parts]
        cut = names.index("society") + 1 if "society" in names else len(parts)
        kinds = {name.removeprefix("kind_"): rows for name, rows in parts[cut:]}
        return dict(parts[:cut]), kinds


def read_run(run_dir: str | Path, *, model: Model | str | Path | None = None) -> RunData:
    """Read a run directory written by ``riskcalc run``.

    Parameters
    ----------
    run_dir : str or Path
    model : Model, str or Path, optional
        The model, or its file; default the file recorded in manifest.json, looked
        for as written, then relative to the run directory and its parents.

    Returns
    -------
    RunData

    Raises
    ------
    FileNotFoundError
        If `run_dir` holds no manifest.json (no complete run).
    """
    directory = Path(run_dir)
    manifest_path = directory / "manifest.json"
    if not manifest_path.is_file():
        raise FileNotFoundError(errno.ENOENT, "no manifest.json, so no complete run here; "
                                "write one with `riskcalc run MODEL --out DIR`",
                                str(manifest_path))
    manifest = _read_manifest(manifest_path)
    listed = manifest.get("files")  # absent in run directories older than the list
    summary = read_table(directory / "summary.csv", SUMMARY_COLUMNS,
                         SUMMARY_COLUMNS[1:]).set_index("output")
    yearly = read_table(directory / "yearly.csv", YEARLY_COLUMNS, YEARLY_COLUMNS[1:])
    payback_path = directory / "payback.csv"
    payback = (read_table(payback_path, ("year", "prob_in_year"), ("prob_in_year",))
               if payback_path.is_file() else None)
    run = RunData(directory, manifest, summary, yearly, payback, _scenario_source(directory))
    sha = (manifest.get("model") or {}).get("sha256")
    for name in ("verdict", "sobol", "tornado"):
        path = directory / f"{name}.json"
        if not path.is_file() or name == "verdict" and listed is not None \
                and path.name not in listed:
            continue  # verdict.json of an earlier command is not this run's
        try:
            data = read_json(path, f"{name} file")
        except ModelError as exc:
            run.notes.append(("unreadable", path.name, str(exc)))
            continue
        if not isinstance(data, dict):
            run.notes.append(("unreadable", path.name, "not a JSON object"))
        elif name == "verdict":
            run.verdict = data
        elif sha and isinstance(data.get("model"), dict) and data["model"].get("sha256") != sha:
            continue  # an analysis of another model, left by an earlier command
        else:
            run.sidecars[name] = data
    for name in OPTIONAL_TABLES:
        path = directory / f"{name}.csv"
        if not path.is_file():
            continue
        # A table is this run's when its manifest lists it, or when it belongs to a
        # sensitivity analysis of the same model (sobol.csv with sobol.json).
        if listed is not None and path.name not in listed \
                and _SIDECAR.get(name, name) not in run.sidecars:
            continue
        try:
            run.extras[name] = read_table(path)
        except (ModelError, ValueError) as exc:
            run.notes.append(("unreadable", f"{name}.csv", str(exc)))
    run.model = _resolve_model(run, model)
    return run


#: The JSON file (without .json) that says how a sensitivity table was made, where
#: it is not the table's own name.
_SIDECAR = {"spider": "tornado"}
#: Columns the report needs in summary.csv and yearly.csv; a file without one is refused.
SUMMARY_COLUMNS = ("output", "mean", "p05", "p50", "p95", "prob_negative")
YEARLY_COLUMNS = ("series", "year", "p05", "p50", "p95")


def _read_manifest(path: Path) -> dict:
    """manifest.json, checked as strictly as a model file: a JSON object whose ``model``
    is a table and whose ``n`` and ``seed`` are whole numbers."""
    manifest = read_json(path, "run manifest")
    if not isinstance(manifest, dict):
        raise ModelError(f"{path}: expected a JSON object of the run, got "
                         f"{type(manifest).__name__}; the run directory is damaged, run again")
    for key, kind, what in (("model", dict, "an object with name, source and sha256"),
                            ("n", int, "a whole number of scenarios"),
                            ("seed", int, "a whole number"),
                            ("files", list, "a list of file names")):
        value = manifest.get(key)
        if value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
            raise ModelError(f"{path}: {key}: expected {what}, got {type(value).__name__}; "
                             "the run directory is damaged, run again")
    return manifest


def read_table(path: Path, required: tuple[str, ...] = (),
               numeric: tuple[str, ...] = ()) -> pd.DataFrame:
    """A CSV of a run directory, read through the safe reader; the `required` columns
    must be there, and the `numeric` ones hold numbers."""
    import io

    raw = read_bytes(path, "run table")
    try:
        frame = pd.read_csv(io.BytesIO(raw))
    except (ValueError, pd.errors.ParserError) as exc:
        raise ModelError(f"{path}: not a readable CSV table ({str(exc).splitlines()[0]}); "
                         "the run directory is damaged, run again") from None
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ModelError(f"{path}: column {missing[0]!r} is missing; expected the columns "
                         f"{', '.join(required)}; the run directory is damaged, run again")
    for column in numeric:
        if not pd.api.types.is_numeric_dtype(frame[column]):
            raise ModelError(f"{path}: column {column!r} holds text where numbers belong; "
                             "the run directory is damaged, run again")
    return frame


def _scenario_source(directory: Path) -> ParquetColumns:
    """The columns of scenarios.parquet (a file, or a directory of parts) the report may
    read, each read when looked up."""
    import pyarrow.parquet as pq

    path = directory / "scenarios.parquet"
    files = sorted(path.glob("*.parquet")) if path.is_dir() else [path]
    names = pq.read_schema(files[0]).names if files else []
    return ParquetColumns(str(path), tuple(
        c for c in names if c.startswith("npv_") or c in ("roi", *_TEXT_COLUMNS)))


def _resolve_model(run: RunData, model: Model | str | Path | None) -> Model | None:
    """The given model; else the manifest's file, found and loaded where possible."""
    if isinstance(model, Model):
        return model
    if model is not None:
        return load_model(model)  # asked for by name: its errors are the caller's
    recorded = run.manifest.get("model") or {}
    source = Path(str(recorded.get("source") or ""))
    if str(source) in (".", "<dict>"):
        return None
    candidates = [source] if source.is_absolute() else [
        source, run.directory / source, *(p / source for p in run.directory.resolve().parents)]
    found = [p for p in candidates if p.is_file()]
    if not found:
        run.notes.append(("no_model", str(source)))
        return None
    sha = recorded.get("sha256")
    matching = [p for p in found
                if hashlib.sha256(read_bytes(p, "model file", limit=MAX_TOML_BYTES)).hexdigest()
                == sha]
    if not matching:
        run.notes.append(("model_changed", str(found[0])))
    try:
        return load_model((matching or found)[0])
    except ModelError as exc:
        run.notes.append(("unreadable", str((matching or found)[0]), str(exc)))
        return None


def stat(run: RunData, output: str, column: str) -> float:
    try:
        return float(run.summary.at[output, column])
    except (KeyError, ValueError, TypeError):
        return math.nan


def output_name(output: str, run: RunData, words: Mapping[str, str]) -> str:
    """An output or series as people call it: an actor's label, "Society", "ROI"."""
    key = output[4:] if output.startswith("npv_") else output
    if key in run.actor_labels:
        return run.actor_labels[key]
    if key in ("society", "owner", "roi"):
        return words[key]
    return output


def scenario_classes(run: RunData) -> tuple[np.ndarray, list[str], dict[str, float]]:
    """Each scenario's class: from scenarios.parquet, classes.csv, riskcalc.decision, or sign.

    Returns
    -------
    codes : ndarray of int8, shape (n,)
        Each scenario's class as its position in `names`; -1 where no class holds it.
    names : list of str
        The classes, worst first.
    probabilities : dict of str to float
        Each class's probability where classes.csv gives it (else empty).
    """
    for column in _TEXT_COLUMNS:
        if column in run.columns:
            codes, uniques = pd.factorize(run.column(column).astype(str))
            names = _ordered(uniques)
            position = np.array([names.index(u) if u in names else -1 for u in uniques]
                                + [-1], dtype=np.int8)
            return position[codes], names, {}
    thresholds, metric = class_thresholds(run)
    if thresholds is None:
        return np.where(run.column("npv_society") < 0, 0, 1).astype(np.int8), ["loss", "gain"], {}
    values = run.column(metric).astype(float, copy=False)
    names = _ordered(thresholds["class"].astype(str))
    codes = np.full(values.size, -1, dtype=np.int8)
    # Integer codes, not a class name per scenario: comparing millions of strings
    # would cost more than the figure they are for.  The first class whose bounds
    # hold a scenario takes it, as the rows of classes.csv are ordered.
    for _, row in thresholds.iterrows():
        if str(row["class"]) not in names:
            continue
        lower = -np.inf if pd.isna(row["lower"]) else float(row["lower"])
        upper = np.inf if pd.isna(row["upper"]) else float(row["upper"])
        codes[(codes == -1) & (values >= lower) & (values < upper)] = names.index(
            str(row["class"]))
    probabilities = {}
    if "probability" in thresholds:
        probabilities = dict(zip(thresholds["class"].astype(str), thresholds["probability"],
                                 strict=True))
    return codes, names, probabilities


def _ordered(names: Any) -> list[str]:
    rank = {c: i for i, c in enumerate(_CLASS_ORDER)}
    return sorted(dict.fromkeys(n for n in names if n), key=lambda n: rank.get(
        n.strip().lower().replace("-", "_").replace(" ", "_"), len(rank)))


def class_thresholds(run: RunData) -> tuple[pd.DataFrame | None, str]:
    """Thresholds from classes.csv, else riskcalc.decision's defaults (on ROI), where present."""
    table = run.extras.get("classes")
    if table is not None and {"class", "lower", "upper"} <= set(table.columns):
        table = table.copy()
        for column in ("metric", "output"):
            if column in table and str(table[column].iloc[0]) in run.columns:
                return table, str(table[column].iloc[0])
        bounds = pd.concat([table["lower"], table["upper"]]).astype(float)
        bounds = bounds[np.isfinite(bounds)]
        small = bounds.size and bounds.abs().max() <= 100
        metric = "roi" if small and "roi" in run.columns else "npv_society"
        return table, metric
    try:
        from riskcalc.decision.classes import ClassSpec
        output = ClassSpec().output
    except ImportError:
        output = "roi"
    return _default_thresholds(), output


def _default_thresholds() -> pd.DataFrame | None:
    """The default classes of :mod:`riskcalc.decision` (on ROI), where that module has them."""
    try:
        from riskcalc.decision.classes import CLASS_NAMES, ClassSpec
    except ImportError:
        return None
    bounds = ClassSpec().bounds()
    return pd.DataFrame({"class": list(CLASS_NAMES), "lower": [b[0] for b in bounds],
                         "upper": [b[1] for b in bounds]})


