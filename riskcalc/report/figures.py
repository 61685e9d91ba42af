"""The report's figures: drawn by :mod:`riskcalc.report.plots.results` and
:mod:`riskcalc.report.plots.sensitivity`, saved, embedded."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from riskcalc.report.labels import Labels
from riskcalc.report.render import EmbeddedFigure
from riskcalc.report.run import RunData, output_name, scenario_classes

__all__ = ["report_figures"]

#: Bars shown at most in the Sobol' and tornado figures (the rest are in the tables).
_MAX_SOBOL_BARS, _MAX_TORNADO_BARS = 15, 12


def _sensitivity_words(table: pd.DataFrame, words: Labels,
                       outputs: Mapping[str, str]) -> Labels:
    """``labels=`` for :mod:`riskcalc.report.plots.sensitivity`: one mapping of words and names.

    Those figures look words, parameters and outputs up in the same mapping, so
    every parameter maps to itself (a parameter called ``cost`` or ``year`` keeps its
    name rather than taking the vocabulary's word) and outputs to what people call them.
    """
    parameters = {p: p for p in table["parameter"].astype(str)}
    return words.extended({**parameters, **outputs})


def _one_output_words(table: pd.DataFrame, run: RunData,
                      words: Labels) -> tuple[str, bool, Labels]:
    """The output a one-output figure (tornado, spider) shows, whether it is an NPV, and
    the figure's words.  The axis names the output and, for an NPV, says so: "Society,
    net present value"."""
    shown = _society_or_first(table)
    is_npv = shown.startswith("npv_")
    name = output_name(shown, run, words) + (f", {words['npv'].lower()}" if is_npv else "")
    return shown, is_npv, _sensitivity_words(table, words, {shown: name})


def _society_or_first(table: pd.DataFrame) -> str:
    """The output a figure shows: society's NPV where the table has it, else its first."""
    outputs = list(dict.fromkeys(table["output"].astype(str)))
    return "npv_society" if "npv_society" in outputs else outputs[0]


def _actor_percentiles(run: RunData) -> pd.DataFrame:
    """Each actor's NPV percentiles for the boxes: summary.csv's, the numbers of the
    report's tables, read from no scenario; from the scenarios where summary.csv
    lacks them (runs written before it held P25 and P75)."""
    from riskcalc.report.plots.results import BOX_PERCENTILES, box_percentiles

    rows = [f"npv_{a}" for a in run.actors]
    summary = run.summary
    if set(BOX_PERCENTILES) <= set(summary.columns) and set(rows) <= set(summary.index):
        return summary.loc[rows, list(BOX_PERCENTILES)].set_axis(list(run.actors), axis=0)
    actors = [a for a in run.actors if f"npv_{a}" in run.columns]
    return box_percentiles((a, run.source[f"npv_{a}"]) for a in actors)  # one at a time


def report_figures(run: RunData, words: Labels) -> list[EmbeddedFigure]:
    """Draw every figure the run's files allow; write each as PNG and SVG under figures/."""
    from riskcalc.report.plots import results as plots
    from riskcalc.report.plots import sensitivity as sensitivity_plots
    from riskcalc.report.plots.common import draw_and_save

    cur = run.currency
    out = run.directory / "figures"
    made: list[EmbeddedFigure] = []

    def keep(name: str, title: str, caption: str, draw: Callable[[], Any]) -> None:
        # `draw` may run in a forked child: every lambda below only draws, from data
        # read here.
        paths = draw_and_save(draw, out, name)
        made.append(EmbeddedFigure(name, title, caption, paths["png"]))

    classes, order, probabilities = scenario_classes(run)
    society, percentiles = run.column("npv_society"), _actor_percentiles(run)
    keep("society_npv", words["society_distribution"], words["cap_society"],
         lambda: plots.society_npv_histogram(
             society, classes=classes, class_order=order,
             probabilities=probabilities, labels=words, currency=cur))
    keep("actor_npv", words["actor_positions"], words["cap_actors"],
         lambda: plots.actor_percentile_boxes(
             percentiles, actor_labels=run.actor_labels, labels=words, currency=cur))
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
    if sobol is not None and {"output", "parameter", "S1", "ST"} <= set(sobol.columns) \
            and len(sobol):
        sobol_words = _sensitivity_words(sobol, words, {
            o: output_name(o, run, words) for o in sobol["output"].astype(str)})
        keep("sobol", words["sobol"], words["cap_sobol"],
             lambda: sensitivity_plots.plot_sobol_indices(
                 sobol, output=_society_or_first(sobol), max_parameters=_MAX_SOBOL_BARS,
                 labels=sobol_words))
        if sobol["output"].nunique() > 1:
            keep("sobol_heatmap", words["sobol_heatmap"], words["cap_sobol_heatmap"],
                 lambda: sensitivity_plots.plot_sobol_heatmap(sobol, labels=sobol_words))
    tornado = run.extras.get("tornado")
    if tornado is not None and {"output", "parameter", "output_at_low", "output_at_high",
                                "base_output"} <= set(tornado.columns) and len(tornado):
        shown, is_npv, tornado_words = _one_output_words(tornado, run, words)
        keep("tornado", words["tornado"], words["cap_tornado"],
             lambda: sensitivity_plots.plot_tornado(
                 tornado, output=shown, currency=cur if is_npv else None,
                 max_parameters=_MAX_TORNADO_BARS, labels=tornado_words))
    spider = run.extras.get("spider")
    if spider is not None and {"output", "parameter", "percentile", "output_value",
                               "base_output"} <= set(spider.columns) and len(spider):
        shown, is_npv, spider_words = _one_output_words(spider, run, words)
        keep("spider", words["spider"], words["cap_spider"],
             lambda: sensitivity_plots.plot_spider(
                 spider, output=shown, currency=cur if is_npv else None, labels=spider_words))
    accept = run.extras.get("acceptability")
    if accept is not None and {"required_return", "series", "probability"} <= set(accept.columns):
        series = list(dict.fromkeys(accept["series"].astype(str)))
        if len(series) > 5:  # society, the policy's owner and the payer
            series = [s for s in ("society", "owner", run.payer) if s in series] or series[:5]
        accept = accept[accept["series"].astype(str).isin(series)]
        names = {s: output_name(s, run, words) for s in series}
        keep("acceptability", words["acceptability"], words["cap_acceptability"],
             lambda: plots.acceptability_curve(accept, series_labels=names, labels=words))
    return made
