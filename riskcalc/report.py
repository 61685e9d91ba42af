"""The report of a run: one self-contained HTML page, a Markdown summary and LaTeX tables.

:func:`write_report` reads a run directory (``manifest.json``, ``summary.csv``,
``yearly.csv``, ``payback.csv``, ``scenarios.parquet`` and, where other commands
wrote them, ``classes.csv``, ``sobol.csv``, ``tornado.csv``, ``acceptability.csv``,
``redistribution.csv``, ``verdict.json``) and the model file the manifest names, and
writes into the same directory

* ``report.html``: plain-words summary, figures (embedded PNG), the seed's tables
  4.2 and 4.3, sensitivity, verdict and a methods paragraph; no network needed to view;
* ``figures/*.png`` and ``figures/*.svg``: every figure, for papers and slides;
* ``summary.md``: the summary and per-actor table, for pasting into documents;
* ``tables.tex``: the per-actor summary and table 4.3 layout, for papers.

Nothing here computes what the API does not: numbers are read from the run's files,
the base-case statement comes from :func:`riskcalc.income_statement`.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from riskcalc.errors import ModelError
from riskcalc.files import atomic_write
from riskcalc.format import money, percent
from riskcalc.labels import class_label, get_labels
from riskcalc.model import Model, load_model

__all__ = ["RunData", "Table", "read_run", "write_report", "TABLE_43_YEARS"]

#: Years of the seed's table 4.3 (those within the horizon are shown).
TABLE_43_YEARS = (1, 2, 3, 4, 5, 10, 20)
#: Cost kinds in the order of the seed's table 4.3.
_KINDS_43 = ("real", "production", "financial")
_OPTIONAL_CSV = ("classes", "sobol", "tornado", "acceptability", "redistribution")
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
    scenarios : DataFrame
        The NPV, ROI and class columns of scenarios.parquet.
    extras : dict of str to DataFrame
        The optional tables present (``classes``, ``sobol``, ...).
    verdict : dict or None
    model : Model or None
        The model file named in the manifest, where it is found.
    notes : list of tuple
        What could not be read or found: ``(label key, *arguments)``, for the reader.
    """

    directory: Path
    manifest: dict
    summary: pd.DataFrame
    yearly: pd.DataFrame
    payback: pd.DataFrame | None
    scenarios: pd.DataFrame
    extras: dict[str, pd.DataFrame] = field(default_factory=dict)
    verdict: dict | None = None
    model: Model | None = None
    notes: list[tuple[str, ...]] = field(default_factory=list)

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
            return {a.key: a.label for a in self.model.actors}
        return {k: k for k in self.actors}

    @property
    def years(self) -> int:
        return int(self.yearly["year"].max())

    @property
    def payer(self) -> str | None:
        """The paying actor: the one with the most negative median NPV."""
        medians = {a: self.summary.at[f"npv_{a}", "p50"] for a in self.actors
                   if f"npv_{a}" in self.summary.index}
        return min(medians, key=medians.get) if medians else None

    def bands(self) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
        """yearly.csv split into (actors and society, cost kinds).

        The cost kinds are the blocks after ``society``: a ``production`` actor and
        the ``production`` cost kind share a series name.
        """
        frame = self.yearly
        block = ((frame["series"] != frame["series"].shift())
                 | (frame["year"].diff() <= 0)).cumsum()
        parts = [(str(rows["series"].iloc[0]), rows) for _, rows in frame.groupby(block)]
        names = [name for name, _ in parts]
        cut = names.index("society") + 1 if "society" in names else len(parts)
        return dict(parts[:cut]), dict(parts[cut:])


@dataclass(frozen=True)
class Table:
    """A table as text cells, rendered to HTML, Markdown and LaTeX alike."""

    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[str]]
    caption: str = ""
    key: str = ""


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
        import errno

        raise FileNotFoundError(errno.ENOENT, "no manifest.json, so no complete run here; "
                                "write one with `riskcalc run MODEL --out DIR`",
                                str(manifest_path))
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    summary = pd.read_csv(directory / "summary.csv").set_index("output")
    yearly = pd.read_csv(directory / "yearly.csv")
    payback_path = directory / "payback.csv"
    payback = pd.read_csv(payback_path) if payback_path.is_file() else None
    run = RunData(directory, manifest, summary, yearly, payback, _read_scenarios(directory))
    for name in _OPTIONAL_CSV:
        path = directory / f"{name}.csv"
        if path.is_file():
            try:
                run.extras[name] = pd.read_csv(path)
            except (OSError, ValueError) as exc:
                run.notes.append(("unreadable", f"{name}.csv", str(exc)))
    verdict_path = directory / "verdict.json"
    if verdict_path.is_file():
        try:
            run.verdict = json.loads(verdict_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            run.notes.append(("unreadable", "verdict.json", str(exc)))
    run.model = _resolve_model(run, model)
    return run


def _read_scenarios(directory: Path) -> pd.DataFrame:
    import pyarrow.parquet as pq

    path = directory / "scenarios.parquet"
    names = pq.ParquetFile(path).schema_arrow.names
    wanted = [c for c in names if c.startswith("npv_") or c in ("roi", "class", "scenario_class")]
    return pd.read_parquet(path, columns=wanted)


def _resolve_model(run: RunData, model: Model | str | Path | None) -> Model | None:
    if isinstance(model, Model):
        return model
    recorded = run.manifest.get("model", {})
    source = Path(str(model if model is not None else recorded.get("source", "")))
    if not str(source) or str(source) in (".", "<dict>"):
        return None
    candidates = [source] if source.is_absolute() or model is not None else [
        source, run.directory / source, *(p / source for p in run.directory.resolve().parents)]
    found = [p for p in candidates if p.is_file()]
    if not found:
        run.notes.append(("no_model", str(source)))
        return None
    sha = recorded.get("sha256")
    matching = [p for p in found if hashlib.sha256(p.read_bytes()).hexdigest() == sha]
    if not matching and model is None:
        run.notes.append(("model_changed", str(found[0])))
    try:
        return load_model((matching or found)[0])
    except ModelError as exc:
        run.notes.append(("unreadable", str(found[0]), str(exc)))
        return None


def write_report(run_dir: str | Path, lang: str = "en", *,
                 model: Model | str | Path | None = None) -> Path:
    """Write report.html, summary.md, tables.tex and figures/ into a run directory.

    Parameters
    ----------
    run_dir : str or Path
        A run directory written by ``riskcalc run`` (``SimulationResult.write``).
    lang : {"en", "sv"}
        Language of the labels and text.
    model : Model, str or Path, optional
        The model of the run; default the file recorded in manifest.json.

    Returns
    -------
    Path
        The HTML report, ``run_dir/report.html``.
    """
    words = get_labels(lang)
    run = read_run(run_dir, model=model)
    figures = _figures(run, words)
    tables = _tables(run, words)
    summary = _summary_sentences(run, words)
    methods = _methods(run, words)
    notes = _notes(run, words)
    page = _html(run, words, lang, summary, figures, tables, methods, notes)
    out = run.directory
    atomic_write(out / "report.html", lambda p: p.write_text(page, encoding="utf-8"))
    markdown = _markdown(run, words, summary, tables, methods)
    atomic_write(out / "summary.md", lambda p: p.write_text(markdown, encoding="utf-8"))
    latex = _latex([t for t in tables if t.key in ("actors", "table43")])
    atomic_write(out / "tables.tex", lambda p: p.write_text(latex, encoding="utf-8"))
    return out / "report.html"


# --- Numbers and names ---------------------------------------------------------------------

def _value(run: RunData, output: str, column: str) -> float:
    try:
        return float(run.summary.at[output, column])
    except (KeyError, ValueError, TypeError):
        return math.nan


def _output_name(output: str, run: RunData, words: Mapping[str, str]) -> str:
    if output in ("npv_society", "society"):
        return words["society"]
    key = output[4:] if output.startswith("npv_") else output
    if key in run.actor_labels:
        return run.actor_labels[key]
    return words.get(key, output)


def _number(name: str, value: Any, currency: str) -> str:
    """A value of unknown kind: shares as percent, large amounts as money."""
    if isinstance(value, bool) or value is None:
        return str(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    lowered = name.lower()
    if any(word in lowered for word in ("prob", "share", "p_loss")) and abs(number) <= 1:
        return percent(number)
    if abs(number) >= 1e4:
        return money(number, currency)
    return f"{number:.4g}"


def _scenario_classes(run: RunData) -> tuple[np.ndarray | None, list[str], dict[str, float]]:
    """Each scenario's class: from scenarios.parquet, classes.csv, riskcalc.risk, or sign."""
    frame = run.scenarios
    for column in ("class", "scenario_class"):
        if column in frame:
            names = frame[column].astype(str).to_numpy()
            return names, _ordered(set(names)), {}
    thresholds, metric = _class_thresholds(run)
    if thresholds is None:
        names = np.where(frame["npv_society"] < 0, "loss", "gain")
        return names, ["loss", "gain"], {}
    values = frame[metric].to_numpy(dtype=float)
    names = np.full(values.size, "", dtype=object)
    for _, row in thresholds.iterrows():
        lower = -np.inf if pd.isna(row["lower"]) else float(row["lower"])
        upper = np.inf if pd.isna(row["upper"]) else float(row["upper"])
        names[(names == "") & (values >= lower) & (values < upper)] = str(row["class"])
    probabilities = {}
    if "probability" in thresholds:
        probabilities = dict(zip(thresholds["class"].astype(str), thresholds["probability"],
                                 strict=True))
    return names.astype(str), _ordered(thresholds["class"].astype(str)), probabilities


def _ordered(names: Any) -> list[str]:
    rank = {c: i for i, c in enumerate(_CLASS_ORDER)}
    return sorted(dict.fromkeys(n for n in names if n), key=lambda n: rank.get(
        n.strip().lower().replace("-", "_").replace(" ", "_"), len(rank)))


def _class_thresholds(run: RunData) -> tuple[pd.DataFrame | None, str]:
    """Thresholds from classes.csv, else riskcalc.risk's defaults (on ROI), where present."""
    table = run.extras.get("classes")
    if table is not None and {"class", "lower", "upper"} <= set(table.columns):
        table = table.copy()
        for column in ("metric", "output"):
            if column in table and str(table[column].iloc[0]) in run.scenarios:
                return table, str(table[column].iloc[0])
        bounds = pd.concat([table["lower"], table["upper"]]).astype(float)
        bounds = bounds[np.isfinite(bounds)]
        small = bounds.size and bounds.abs().max() <= 100
        metric = "roi" if small and "roi" in run.scenarios else "npv_society"
        return table, metric
    return _default_thresholds(), "roi"


def _default_thresholds() -> pd.DataFrame | None:
    try:
        from riskcalc import risk  # written in parallel; used where present
    except ImportError:
        return None
    for name in ("DEFAULT_ROI_THRESHOLDS", "DEFAULT_CLASS_THRESHOLDS", "DEFAULT_THRESHOLDS",
                 "DEFAULT_CLASSES", "ROI_THRESHOLDS"):
        spec = getattr(risk, name, None)
        try:
            if isinstance(spec, Mapping):
                rows = [(str(k), *v) for k, v in spec.items()]
                return pd.DataFrame(rows, columns=["class", "lower", "upper"])
            if spec is not None and len(spec) == 3:  # ascending cut points
                cuts = [-np.inf, *map(float, spec), np.inf]
                return pd.DataFrame({"class": ["very bad", "bad", "half-good", "good"],
                                     "lower": cuts[:-1], "upper": cuts[1:]})
        except (TypeError, ValueError):
            continue
    return None


# --- Figures -------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Figure:
    name: str
    title: str
    caption: str
    png: str  # base64


def _figures(run: RunData, words: Mapping[str, str]) -> list[_Figure]:
    from riskcalc.plots import results as plots

    cur = run.currency
    out = run.directory / "figures"
    made: list[_Figure] = []

    def keep(name: str, title: str, caption: str, draw: Callable[[], Any]) -> None:
        ax = draw()
        figure = ax.figure if hasattr(ax, "figure") else ax
        paths = plots.save_figure(figure, out, name)
        made.append(_Figure(name, title, caption,
                            base64.b64encode(paths["png"].read_bytes()).decode("ascii")))

    classes, order, probabilities = _scenario_classes(run)
    keep("society_npv", words["society_distribution"], words["cap_society"],
         lambda: plots.society_npv_histogram(
             run.scenarios["npv_society"], classes=classes, class_order=order,
             probabilities=probabilities, labels=words, currency=cur))
    actors = [a for a in run.actors if f"npv_{a}" in run.scenarios]
    keep("actor_npv", words["actor_positions"], words["cap_actors"],
         lambda: plots.actor_npv_boxes(
             run.scenarios[[f"npv_{a}" for a in actors]].set_axis(actors, axis=1),
             actor_labels=run.actor_labels, labels=words, currency=cur))
    bands, _ = run.bands()
    series = ["society"] + ([run.payer] if run.payer in bands else [])

    def fans() -> Any:
        from matplotlib.figure import Figure

        figure = Figure(figsize=(5.6 * len(series), 4.2), layout="constrained")
        for axis, key in zip(figure.subplots(1, len(series), squeeze=False)[0], series,
                             strict=True):
            title = (words["society"] if key == "society"
                     else f"{words['payer']}: {run.actor_labels.get(key, key)}")
            plots.cumulative_fan(bands[key], title=title, ax=axis, labels=words, currency=cur)
        return figure

    keep("cumulative_net", words["fan_charts"], words["cap_fan"], fans)
    sobol = run.extras.get("sobol")
    if sobol is not None and {"output", "parameter", "S1", "ST"} <= set(sobol.columns):
        names = {o: _output_name(o, run, words) for o in sobol["output"].astype(str)}
        keep("sobol", words["sobol"], words["cap_sobol"],
             lambda: plots.sobol_bars(sobol, labels=words))
        if sobol["output"].nunique() > 1:
            keep("sobol_heatmap", words["sobol_heatmap"], words["cap_sobol"],
                 lambda: plots.sobol_heatmap(sobol, output_labels=names, labels=words))
    tornado = run.extras.get("tornado")
    if tornado is not None and {"output", "parameter", "output_at_low", "output_at_high",
                                "base_output"} <= set(tornado.columns):
        keep("tornado", words["tornado"], words["cap_tornado"],
             lambda: plots.tornado_chart(tornado, labels=words, currency=cur))
    accept = run.extras.get("acceptability")
    if accept is not None and {"required_return", "series", "probability"} <= set(accept.columns):
        names = {s: _output_name(str(s), run, words) for s in accept["series"].astype(str)}
        keep("acceptability", words["acceptability"], words["cap_acceptability"],
             lambda: plots.acceptability_curve(accept, series_labels=names, labels=words))
    return made


# --- Tables and text -----------------------------------------------------------------------

def _tables(run: RunData, words: Mapping[str, str]) -> list[Table]:
    cur = run.currency
    tables = []
    rows = []
    for key in [*run.actors, "society"]:
        out = f"npv_{key}"
        if out not in run.summary.index:
            continue
        rows.append([_output_name(out, run, words),
                     *(money(_value(run, out, c), cur) for c in ("mean", "p50", "p05", "p95")),
                     percent(_value(run, out, "prob_negative")),
                     money(_value(run, f"hump_{key}", "p95"), cur)])
    tables.append(Table(words["key_figures"], [words["actor"], words["mean"], words["median"],
                                               words["p05"], words["p95"], words["prob_loss"],
                                               words["capital_need_p95"]],
                        rows, key="actors"))
    if run.payback is not None:
        by_year = run.payback[run.payback["year"].astype(str) != "never"]
        by_year = by_year.set_index(by_year["year"].astype(int))["prob_by_year"]
        marks = [y for y in TABLE_43_YEARS if y in by_year.index]
        never = run.payback.loc[run.payback["year"].astype(str) == "never", "prob_in_year"]
        tables.append(Table(words["payback_by_year"],
                            [*map(str, marks), words["never"]],
                            [[*(percent(by_year[y]) for y in marks),
                              percent(float(never.iloc[0]) if len(never) else math.nan)]],
                            key="payback"))
    if "classes" in run.extras and "class" in run.extras["classes"]:
        tables.append(_classes_table(run, words))
    if run.model is not None:
        from riskcalc.statement import income_statement

        statement = income_statement(run.model)
        rows = [[words["society"] if key == "society" else row["label"],
                 *("" if pd.isna(row[c]) else money(row[c], cur) for c in ("revenue", "cost")),
                 money(row["net"], cur), money(statement.npv[key], cur)]
                for key, row in statement.table.iterrows()]
        tables.append(Table(words["income_statement"],
                            [words["actor"], words["revenue"], words["cost"], words["net"],
                             words["npv_over"].format(years=run.model.years)],
                            rows, words["cap_42"], key="table42"))
    _, kinds = run.bands()
    bands, _ = run.bands()
    years = [y for y in TABLE_43_YEARS if y <= run.years]
    rows = []
    for key, name in [*((k, words[k]) for k in _KINDS_43 if k in kinds),
                      ("society", f"{words['total']} ({words['society'].lower()})")]:
        band = (kinds if key != "society" else bands).get(key)
        if band is None:
            continue
        band = band.set_index("year")
        rows.append([name, *(f"{money(band.at[y, 'p50'], cur)}\n{money(band.at[y, 'p05'], cur)}"
                             f" – {money(band.at[y, 'p95'], cur)}" for y in years)])
    tables.append(Table(words["accumulated"], [words["cost_kind"], *map(str, years)],
                        rows, words["cap_43"], key="table43"))
    redistribution = run.extras.get("redistribution")
    if redistribution is not None:
        tables.append(_generic_table(words["redistribution"], redistribution, run, words,
                                     "redistribution"))
    if run.verdict is not None:
        criteria = run.verdict.get("criteria") or []
        rows = [[str(c.get("name", "")),
                 *(_number(str(c.get("name", "")), c.get(k), cur)
                   for k in ("measured", "threshold", "margin")),
                 words["yes"] if c.get("passed") else words["no"]] for c in criteria]
        decision = str(run.verdict.get("decision", "?"))
        tables.append(Table(f"{words['verdict']}: {words.get(decision, decision)}",
                            [words["criterion"], words["measured"], words["threshold"],
                             words["margin"], words["passed"]], rows, key="verdict"))
    return tables


def _classes_table(run: RunData, words: Mapping[str, str]) -> Table:
    table = run.extras["classes"]
    _, metric = _class_thresholds(run)
    cur = run.currency

    def bound(value: Any, low: bool) -> str:
        number = float(value) if not pd.isna(value) else -np.inf if low else np.inf
        if not np.isfinite(number):
            return "−∞" if number < 0 else "∞"
        return money(number, cur) if metric.startswith("npv") else f"{number:g}"

    means = [c for c in table.columns if c.startswith("mean_npv_")]
    rows = [[class_label(row["class"], words),
             f"{bound(row.get('lower'), True)} – {bound(row.get('upper'), False)}",
             percent(float(row["probability"])) if "probability" in row else "",
             *(money(float(row[c]), cur) for c in means)]
            for _, row in table.iterrows()]
    header = [words["class"], f"{words['range']} ({words.get(metric, metric)})",
              words["probability"], *(_output_name(c[5:], run, words) for c in means)]
    return Table(words["classes"], header, rows, key="classes")


def _generic_table(title: str, frame: pd.DataFrame, run: RunData,
                   words: Mapping[str, str], key: str) -> Table:
    rows = []
    for _, row in frame.iterrows():
        cells = []
        for column, value in row.items():
            if isinstance(value, str):
                cells.append(run.actor_labels.get(value, value))
            else:
                cells.append(_number(str(column), value, run.currency))
        rows.append(cells)
    header = [_output_name(str(c), run, words) if str(c).startswith("npv_") else str(c)
              for c in frame.columns]
    return Table(title, header, rows, key=key)


def _summary_sentences(run: RunData, words: Mapping[str, str]) -> list[str]:
    cur, years = run.currency, run.years
    sentences = [words["s_return"].format(
        years=years, mean=money(_value(run, "npv_society", "mean"), cur),
        p05=money(_value(run, "npv_society", "p05"), cur),
        p95=money(_value(run, "npv_society", "p95"), cur),
        roi=f"{_value(run, 'roi', 'mean'):.1f}")]
    medians = {a: _value(run, f"npv_{a}", "p50") for a in run.actors}

    def who(keys: list[str]) -> str:
        return "; ".join(f"{run.actor_labels[k]} "
                         f"({words['s_median_of'].format(value=money(medians[k], cur))})"
                         for k in keys)

    payers = sorted((a for a, m in medians.items() if m < 0), key=medians.get)
    gainers = sorted((a for a, m in medians.items() if m > 0), key=medians.get, reverse=True)
    sentences.append(words["s_pays"].format(actors=who(payers)) if payers
                     else words["s_nobody_pays"])
    if gainers:
        sentences.append(words["s_gains"].format(actors=who(gainers)))
    payer = run.payer
    if payer is not None:
        sentences.append(words["s_loss"].format(
            payer=run.actor_labels[payer],
            p_payer=percent(_value(run, f"npv_{payer}", "prob_negative")),
            p_society=percent(_value(run, "npv_society", "prob_negative"))))
    if run.payback is not None:
        table = run.payback[run.payback["year"].astype(str) != "never"]
        by_year = pd.Series(table["prob_by_year"].to_numpy(float),
                            index=table["year"].astype(int))
        never = 1.0 - (by_year.iloc[-1] if len(by_year) else 0.0)
        half = by_year[by_year >= 0.5]
        if len(half):
            mark = 5 if 5 in by_year.index else int(by_year.index[-1])
            sentences.append(words["s_payback"].format(
                median=int(half.index[0]), year=mark, p_by=percent(by_year[mark]),
                years=years, p_never=percent(never)))
        else:
            sentences.append(words["s_payback_rare"].format(years=years,
                                                            p_paid=percent(1 - never)))
    if payer is not None:
        sentences.append(words["s_capital"].format(
            payer=run.actor_labels[payer],
            payer_p50=money(_value(run, f"hump_{payer}", "p50"), cur),
            payer_p95=money(_value(run, f"hump_{payer}", "p95"), cur),
            society_p50=money(_value(run, "hump_society", "p50"), cur),
            society_p95=money(_value(run, "hump_society", "p95"), cur)))
    if run.verdict is not None:
        criteria = run.verdict.get("criteria") or []
        failed = [str(c.get("name", "?")) for c in criteria if not c.get("passed")]
        decision = str(run.verdict.get("decision", "?"))
        decision = words.get(decision, decision)
        sentences.append(
            words["s_verdict_fail"].format(decision=decision, failed=len(failed),
                                           n=len(criteria), names=", ".join(failed))
            if failed else words["s_verdict_pass"].format(decision=decision, n=len(criteria)))
    return sentences


def _methods(run: RunData, words: Mapping[str, str]) -> list[str]:
    m = run.manifest
    versions = m.get("versions", {})
    model = m.get("model", {})
    band = m.get("band_method", "exact")
    text = [
        words["m_sim"].format(
            n=f"{m.get('n', 0):,}", model=model.get("name", "?"),
            source=model.get("source", "?"), sha=model.get("sha256", "?"), years=run.years,
            version=versions.get("riskcalc", "?"), python=versions.get("python", "?"),
            numpy=versions.get("numpy", "?"), scipy=versions.get("scipy", "?"),
            pandas=versions.get("pandas", "?"), salib=versions.get("SALib", "?")),
        words["m_sampling"].format(seed=m.get("seed", "?"),
                                   chunk=f"{m.get('chunk_size', 0):,}",
                                   streams=m.get("seed_streams", "?")),
        words["m_estimators"].format(band_method=words.get(f"band_{band}", band)),
    ]
    if m.get("n_nonfinite"):
        text.append(words["m_nonfinite"].format(count=m["n_nonfinite"]))
    if "sobol" in run.extras:
        text.append(words["m_sobol"])
    return [" ".join(text)]


def _notes(run: RunData, words: Mapping[str, str]) -> list[str]:
    notes = []
    for note in run.notes:
        kind, *args = note
        if kind == "unreadable":
            notes.append(words["unreadable"].format(name=args[0], error=args[1]))
        else:
            notes.append(words[kind].format(source=args[0]))
    absent = [f"{n}.csv" for n in _OPTIONAL_CSV if n not in run.extras]
    if run.verdict is None:
        absent.append("verdict.json")
    if absent:
        notes.append(words["absent"].format(names=", ".join(absent)))
    return notes


# --- Rendering -----------------------------------------------------------------------------

_CSS = """
body{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;max-width:1180px;margin:1.5em auto;
 padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:2px solid #4575b4;padding-bottom:.2em;
 margin-top:1.8em}h3{margin-bottom:.3em}.sub{color:#555;margin-top:0}
.summary{background:#f3f6fb;border-left:5px solid #4575b4;padding:.6em 1.2em}
.summary li{margin:.3em 0}
.verdict-APPROVE{border-left-color:#1a9850}.verdict-REJECT{border-left-color:#d73027}
figure{margin:1em 0}figure img{max-width:100%;height:auto;border:1px solid #ddd}
figcaption,.caption{color:#555;font-size:.9em}
.table{overflow-x:auto}table{border-collapse:collapse;font-size:.88em;margin:.4em 0}
th,td{padding:.3em .6em;border-bottom:1px solid #ddd;text-align:right;white-space:nowrap}
th:first-child,td:first-child{text-align:left;white-space:normal}
thead th{background:#eef2f8}tr:last-child td{font-weight:bold}
.iv{color:#666;font-size:.85em;font-weight:normal}.notes{color:#555;font-size:.85em}.methods{font-size:.92em}
"""


def _html_cell(text: str) -> str:
    """A cell; a second line (an interval) is set small below the first."""
    first, _, second = text.partition("\n")
    extra = f'<br><span class="iv">{html.escape(second)}</span>' if second else ""
    return html.escape(first) + extra


def _html_table(table: Table) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in table.header)
    body = "".join("<tr>" + "".join(f"<td>{_html_cell(c)}</td>" for c in row) + "</tr>"
                   for row in table.rows)
    caption = f'<p class="caption">{html.escape(table.caption)}</p>' if table.caption else ""
    return (f"<h3>{html.escape(table.title)}</h3>{caption}<div class=\"table\"><table>"
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")


def _html_figure(figure: _Figure) -> str:
    return (f'<figure id="fig-{figure.name}"><img src="data:image/png;base64,{figure.png}" '
            f'alt="{html.escape(figure.title)}"><figcaption>{html.escape(figure.caption)} '
            f"(figures/{figure.name}.png, .svg)</figcaption></figure>")


def _html(run: RunData, words: Mapping[str, str], lang: str, summary: list[str],
          figures: list[_Figure], tables: list[Table], methods: list[str],
          notes: list[str]) -> str:
    m = run.manifest
    by_name = {f.name: f for f in figures}
    by_key = {t.key: t for t in tables}
    title = m.get("model", {}).get("name", words["report_title"])
    verdict = str((run.verdict or {}).get("decision", ""))
    parts = [f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{html.escape(words['report_title'])}: {html.escape(title)}</title>",
             f"<style>{_CSS}</style></head><body>",
             f"<h1>{html.escape(title)}</h1>",
             '<p class="sub">' + html.escape(words["s_run"].format(
                 n=f"{m.get('n', 0):,}", seed=m.get("seed", "?"),
                 created=m.get("created", "?"))) + "</p>",
             f'<section class="summary verdict-{html.escape(verdict)}">'
             f"<h2>{html.escape(words['summary'])}</h2><ul>",
             *(f"<li>{html.escape(s)}</li>" for s in summary), "</ul></section>"]

    def section(heading: str, figure_names: Sequence[str], table_keys: Sequence[str]) -> None:
        body = [_html_figure(by_name[n]) for n in figure_names if n in by_name]
        body += [_html_table(by_key[k]) for k in table_keys if k in by_key]
        if body:
            parts.append(f"<section><h2>{html.escape(heading)}</h2>{''.join(body)}</section>")

    section(words["key_figures"], [], ["actors"])
    section(words["verdict"], [], ["verdict"])
    section(words["society_distribution"], ["society_npv"], ["classes"])
    section(words["actor_positions"], ["actor_npv"], [])
    section(words["fan_charts"], ["cumulative_net"], ["payback"])
    section(words["statements"], [], ["table42", "table43"])
    section(words["sensitivity"], ["sobol", "sobol_heatmap", "tornado", "acceptability"], [])
    section(words["redistribution"], [], ["redistribution"])
    parts.append(f'<section class="methods"><h2>{html.escape(words["methods"])}</h2>'
                 + "".join(f"<p>{html.escape(p)}</p>" for p in methods) + "</section>")
    if notes:
        parts.append('<section class="notes">' + "".join(
            f"<p>{html.escape(n)}</p>" for n in notes) + "</section>")
    version = m.get("versions", {}).get("riskcalc", "?")
    parts.append(f'<p class="notes">{html.escape(words["generated"].format(version=version))}'
                 "</p></body></html>\n")
    return "\n".join(parts)


def _md_cell(text: str) -> str:
    first, _, second = text.partition("\n")
    return (f"{first} ({second})" if second else first).replace("|", "\\|")


def _md_table(table: Table) -> str:
    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(_md_cell(c) for c in cells) + " |"

    align = "| :-- | " + " | ".join("--:" for _ in table.header[1:]) + " |"
    return "\n".join([f"### {table.title}", "", line(table.header), align,
                      *(line(r) for r in table.rows), ""])


def _markdown(run: RunData, words: Mapping[str, str], summary: list[str],
              tables: list[Table], methods: list[str]) -> str:
    title = run.manifest.get("model", {}).get("name", words["report_title"])
    keep = [t for t in tables if t.key in ("actors", "verdict", "table43")]
    return "\n".join([f"# {title}", "", f"## {words['summary']}", "",
                      *(f"- {s}" for s in summary), "", *(_md_table(t) for t in keep),
                      f"## {words['methods']}", "", *methods, ""])


_TEX_ESCAPES = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
                "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
                "^": r"\textasciicircum{}", "−": "$-$", "–": "--", "∞": r"$\infty$"}


def _tex(text: str) -> str:
    return "".join(_TEX_ESCAPES.get(ch, ch) for ch in text)


def _tex_cell(text: str) -> str:
    first, _, second = text.partition("\n")
    if not second:
        return _tex(first)
    return (rf"\begin{{tabular}}[t]{{@{{}}r@{{}}}}{_tex(first)}\\"
            rf"\footnotesize {_tex(second)}\end{{tabular}}")


def _latex(tables: list[Table]) -> str:
    out = ["% Tables of a riskcalc run; needs \\usepackage{booktabs}.", ""]
    for table in tables:
        cols = "l" + "r" * (len(table.header) - 1)
        out += [r"\begin{table}[htbp]", r"\centering", r"\small",
                rf"\caption{{{_tex(table.title)}}}", rf"\label{{tab:riskcalc-{table.key}}}",
                rf"\begin{{tabular}}{{{cols}}}", r"\toprule",
                " & ".join(_tex(h) for h in table.header) + r" \\", r"\midrule",
                *(" & ".join(_tex_cell(c) for c in row) + r" \\" for row in table.rows),
                r"\bottomrule", r"\end{tabular}", r"\end{table}", ""]
    return "\n".join(out)
