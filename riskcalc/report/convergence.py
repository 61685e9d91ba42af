"""The report's convergence section, from convergence.csv and precision.csv of a run directory.

A figure of society's running mean, probability of loss and P5 with their 95 %
bands as N grows, and a table of each precision: the estimate, its ± half-width,
the target and the N it needs.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import pandas as pd

from riskcalc.errors import ModelError
from riskcalc.files import read_text
from riskcalc.report.labels import Labels
from riskcalc.report.render import EmbeddedFigure, Section, Table

__all__ = ["convergence_section"]


def _read(run_dir: Path, name: str) -> pd.DataFrame | None:
    path = run_dir / name
    if not path.is_file():
        return None
    try:
        return pd.read_csv(io.StringIO(read_text(path, name)))
    except (ModelError, ValueError):
        return None


def _figure(table: pd.DataFrame, words: Labels, currency: str, out: Path) -> EmbeddedFigure:
    from matplotlib.figure import Figure

    from riskcalc.report.plots.common import draw_and_save
    from riskcalc.report.plots.convergence import plot_running_estimate

    def draw() -> Figure:
        figure = Figure(figsize=(13.5, 3.6), layout="constrained")
        for ax, stat in zip(figure.subplots(1, 3), ("mean", "p_loss", "p05"), strict=True):
            plot_running_estimate(table, stat, labels=words, ax=ax,
                                  currency=currency if stat != "p_loss" else None)
        return figure

    paths = draw_and_save(draw, out, "convergence")
    return EmbeddedFigure("convergence", words["c_heading"], words["c_caption"], paths["png"])


def _value(words: Labels, statistic: str, value: float, currency: str) -> str:
    if statistic == "p_loss":
        return words.percent(value)
    return words.money(value, currency)


def convergence_section(run_dir: Path, words: Labels, *, currency: str = "SEK",
                        names: dict[str, str] | None = None) -> Section | None:
    """The section, or None when the run directory has no convergence.csv."""
    table = _read(Path(run_dir), "convergence.csv")
    if table is None or "output" not in table or not len(table):
        return None
    output = "npv_society" if (table["output"] == "npv_society").any() else table["output"][0]
    figures = [_figure(table[table["output"] == output], words, currency,
                       Path(run_dir) / "figures")]
    names = names or {}
    precision = _read(Path(run_dir), "precision.csv")
    tables, paragraphs = [], []
    if precision is not None and {"output", "statistic", "estimate", "half_width",
                                  "n_needed", "met"} <= set(precision.columns):
        rows = []
        for r in precision.itertuples():
            unit_currency = currency if str(r.output).startswith("npv_") else ""
            needed = words.integer(int(r.n_needed)) if math.isfinite(r.n_needed) \
                else words.not_available
            rows.append([names.get(str(r.output), str(r.output)), words[f"c_{r.statistic}"],
                         _value(words, r.statistic, r.estimate, unit_currency),
                         "± " + _value(words, r.statistic, r.half_width, unit_currency),
                         "± " + _value(words, r.statistic, r.bound, unit_currency),
                         needed, words["yes"] if bool(r.met) else words["no"]])
        tables.append(Table(words["c_table"], [words["actor"], words["c_statistic"],
                                               words["c_estimate"], words["c_half_width"],
                                               words["c_target"], words["c_needed"],
                                               words["c_met"]], rows, key="precision",
                            align="llrrrrl"))
        n = int(precision["n"].max())
        unmet = int((~precision["met"].astype(bool)).sum())
        paragraphs.append(words["c_all_met"].format(n=words.integer(n)) if unmet == 0
                          else words["c_some_unmet"].format(n=words.integer(n),
                                                            count=words.integer(unmet)))
    return Section(words["c_heading"], figures, tables, paragraphs=paragraphs)
