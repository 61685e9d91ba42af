"""Figures of sensitivity results: Sobol' indices, the per-actor heat map, tornado, Morris.

Each function takes a result of :mod:`riskcalc.sensitivity` (or its tidy
``table`` as a DataFrame, e.g. read back from ``sobol.csv``), draws on ``ax``
(or on a new standalone figure that pyplot does not track), and returns the
Axes.  matplotlib is imported inside the functions and nothing is shown.  Words
are English by default; ``labels`` maps a word's key (see ``WORDS``), a
parameter or an output name to the text to show instead, e.g. Swedish for a
report.  The ``sensitivity`` commands and the HTML report draw with these.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from riskcalc.report.labels import Labels, as_labels
from riskcalc.report.plots.common import money_formatter, new_axes, number_formatter

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["WORDS", "plot_sobol_indices", "plot_sobol_heatmap", "plot_tornado", "plot_spider",
           "plot_morris"]

#: The English words of the figures; override any of them through ``labels=``.
WORDS: dict[str, str] = {
    "first_order": "First order (S1)",
    "total_order": "Total (ST)",
    "sobol": "Sobol index",
    "sobol_heatmap": "Total-order Sobol index: parameters × outputs",
    "share_of_variance": "Share of the output's variance",
    "tornado": "Tornado: one parameter at a time",
    "low_value": "low value",
    "high_value": "high value",
    "base_output": "base case",
    "spider": "Spider: each parameter over its percentiles",
    "spider_x": "Percentile of the parameter (the others at base case)",
    "morris": "Morris screening",
    "mu_star": "mu* (mean absolute elementary effect)",
    "sigma": "sigma (spread of the elementary effects)",
    "sigma_equals_mu_star": "sigma = mu*",
    "npv_society": "Society's NPV",
    "roi": "ROI",
}
_S1_COLOUR, _ST_COLOUR = "#91bfdb", "#4575b4"
_LOW_COLOUR, _HIGH_COLOUR = "#fc8d59", "#91bfdb"


def _words(labels: Mapping[str, str] | None) -> Labels:
    base = as_labels(labels)
    return Labels(base.lang, {**base, **WORDS, **(labels or {})})


def _table(result: Any) -> pd.DataFrame:
    """The tidy table of a result, or the DataFrame itself."""
    return result if isinstance(result, pd.DataFrame) else result.table


def _pick(table: pd.DataFrame, output: str | None) -> tuple[str, pd.DataFrame]:
    outputs = list(dict.fromkeys(table["output"].astype(str)))
    if not outputs:
        raise ValueError("the table holds no outputs")
    chosen = output if output is not None else outputs[0]
    if chosen not in outputs and f"npv_{chosen}" in outputs:
        chosen = f"npv_{chosen}"
    if chosen not in outputs:
        raise ValueError(f"output {output!r} is not in the table; it holds {outputs}")
    return chosen, table[table["output"].astype(str) == chosen]


def _ranked(table: pd.DataFrame, output: str | None, by: str,
            max_parameters: int | None) -> tuple[str, pd.DataFrame]:
    """One output's rows, the `max_parameters` largest `by`, the largest last.

    Last, because horizontal bars are drawn from the bottom up: the largest on top.
    """
    chosen, rows = _pick(table, output)
    rows = rows.sort_values(by, ascending=False).head(max_parameters or len(rows))
    return chosen, rows.iloc[::-1]


def _finish_bars(ax: Axes, y: np.ndarray, rows: pd.DataFrame, words: Mapping[str, str]) -> None:
    """Parameter names on the bars, legend and grid, as every bar chart here has them."""
    ax.set_yticks(y, [words.get(p, p) for p in rows["parameter"].astype(str)])
    ax.legend(loc="lower right", fontsize="small")
    ax.grid(axis="x", alpha=0.3)


def plot_sobol_indices(result: Any, *, output: str | None = "npv_society",
                       max_parameters: int | None = None, ax: Axes | None = None,
                       labels: Mapping[str, str] | None = None) -> Axes:
    """Bars of S1 and ST of one output, with their confidence intervals.

    Parameters
    ----------
    result : SobolResult or DataFrame
        Columns ``output, parameter, S1, ST`` and, for the intervals, ``S1_conf, ST_conf``.
    output : str, optional
        The output shown (an actor key stands for its NPV); default society's NPV.
    max_parameters : int, optional
        Show only the inputs with the largest ST.
    ax : Axes, optional
    labels : mapping of str to str, optional

    Returns
    -------
    Axes
    """
    words = _words(labels)
    chosen, rows = _ranked(_table(result), output, "ST", max_parameters)
    ax = new_axes((8.0, 0.35 * len(rows) + 1.6)) if ax is None else ax
    y = np.arange(len(rows))
    for shift, index, colour, key in ((0.2, "S1", _S1_COLOUR, "first_order"),
                                      (-0.2, "ST", _ST_COLOUR, "total_order")):
        conf = rows[f"{index}_conf"] if f"{index}_conf" in rows else None
        ax.barh(y + shift, rows[index], height=0.4, xerr=conf, color=colour,
                label=words[key], error_kw={"elinewidth": 0.8, "capsize": 2})
    ax.axvline(0.0, color="black", linewidth=0.6)
    ax.xaxis.set_major_formatter(number_formatter(words.lang))
    ax.set_xlabel(words["share_of_variance"])
    ax.set_title(f"{words['sobol']}: {words.get(chosen, chosen)}")
    _finish_bars(ax, y, rows, words)
    return ax


def plot_sobol_heatmap(result: Any, *, index: str = "ST", ax: Axes | None = None,
                       labels: Mapping[str, str] | None = None) -> Axes:
    """Heat map of one index, parameters (rows) × outputs (columns: actors, society, ROI).

    Read a column to see what drives one actor's net position; read a row to see
    whose position an assumption moves.  Rows are sorted by their largest value.

    Parameters
    ----------
    result : SobolResult or DataFrame
    index : {"ST", "S1"}
    ax : Axes, optional
    labels : mapping of str to str, optional

    Returns
    -------
    Axes
    """
    if index not in ("ST", "S1"):
        raise ValueError(f"index must be 'ST' or 'S1', got {index!r}")
    words = _words(labels)
    table = _table(result)
    matrix = table.pivot_table(index="parameter", columns="output", values=index, sort=False)
    matrix = matrix[list(dict.fromkeys(table["output"]))]
    matrix = matrix.loc[matrix.max(axis=1).sort_values(ascending=False, kind="stable").index]
    n_rows, n_cols = matrix.shape
    if ax is None:
        ax = new_axes((max(5.0, 0.8 * n_cols + 3.5), 0.35 * n_rows + 2.4))
    values = matrix.to_numpy(dtype=float)
    shown = np.clip(values, 0.0, 1.0)
    image = ax.imshow(shown, cmap="Blues", vmin=0.0, vmax=1.0, aspect="auto")
    for (i, j), value in np.ndenumerate(values):
        if np.isfinite(value):  # a parameter not analysed for an output: an empty cell
            ax.text(j, i, words.fixed(value, 2), ha="center", va="center", fontsize="x-small",
                    color="white" if shown[i, j] > 0.6 else "black")
    columns = [words.get(c, c.removeprefix("npv_")) for c in matrix.columns.astype(str)]
    ax.set_xticks(np.arange(n_cols), columns, rotation=35, ha="right", fontsize="small")
    ax.set_yticks(np.arange(n_rows), [words.get(p, p) for p in matrix.index.astype(str)],
                  fontsize="small")
    bar = ax.figure.colorbar(image, ax=ax, label=index, shrink=0.8)
    bar.ax.yaxis.set_major_formatter(number_formatter(words.lang))
    title = words["sobol_heatmap"] if index == "ST" else f"{words['sobol']} (S1)"
    ax.set_title(title)
    return ax


def plot_tornado(result: Any, *, output: str | None = "npv_society",
                 max_parameters: int | None = None, currency: str | None = None,
                 ax: Axes | None = None, labels: Mapping[str, str] | None = None) -> Axes:
    """Tornado diagram: the output with each input at its low and its high value.

    Parameters
    ----------
    result : TornadoResult or DataFrame
        Columns ``output, parameter, output_at_low, output_at_high, base_output`` and
        ``swing`` (default ``|output_at_high - output_at_low|``).
    output : str, optional
        The output shown (an actor key stands for its NPV); default society's NPV.
    max_parameters : int, optional
        Show only the largest swings.
    currency : str, optional
        Axis in money (default: the model's currency for NPV outputs).
    ax : Axes, optional
    labels : mapping of str to str, optional

    Returns
    -------
    Axes
    """
    words = _words(labels)
    table = _table(result)
    if "swing" not in table:
        table = table.assign(swing=(table["output_at_high"] - table["output_at_low"]).abs())
    chosen, rows = _ranked(table, output, "swing", max_parameters)
    ax = new_axes((8.0, 0.35 * len(rows) + 1.6)) if ax is None else ax
    y = np.arange(len(rows))
    base = float(rows["base_output"].iloc[0])
    ax.barh(y, rows["output_at_low"] - base, left=base, color=_LOW_COLOUR,
            label=words["low_value"])
    ax.barh(y, rows["output_at_high"] - base, left=base, color=_HIGH_COLOUR,
            label=words["high_value"])
    ax.axvline(base, color="black", linewidth=1.0)
    label, in_money = _output_axis(ax.xaxis, result, chosen, base, currency, words)
    if in_money:
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(nbins=5))  # amounts make wide tick labels
    ax.set_xlabel(label)
    ax.set_title(words["tornado"])
    _finish_bars(ax, y, rows, words)
    return ax


def _output_axis(axis: Any, result: Any, chosen: str, base: float, currency: str | None,
                 words: Any) -> tuple[str, bool]:
    """Format the axis of one output's values: money for an NPV (or a given currency),
    numbers otherwise.  Returns the axis label, naming the output and its base value,
    and whether the axis is in money."""
    if currency is None and chosen.startswith("npv_") and hasattr(result, "model"):
        currency = result.model.currency
    if currency is not None:
        axis.set_major_formatter(money_formatter(currency, words.lang))
        base_text = words.money(base, currency)
    else:
        axis.set_major_formatter(number_formatter(words.lang))
        base_text = words.number(base, digits=3)
    return f"{words.get(chosen, chosen)} ({words['base_output']} {base_text})", currency is not None


def plot_spider(result: Any, *, output: str | None = "npv_society",
                max_parameters: int | None = 8, currency: str | None = None,
                ax: Axes | None = None, labels: Mapping[str, str] | None = None) -> Axes:
    """Spider plot: the output as each input moves over its percentiles, the others at base.

    Parameters
    ----------
    result : TornadoResult or DataFrame
        The spider table: ``output, parameter, percentile, output_value, base_output``.
    output : str, optional
        The output shown (an actor key stands for its NPV); default society's NPV.
    max_parameters : int, optional
        Show the inputs with the widest range of the output (default 8).
    currency : str, optional
        Axis in money (default: the model's currency for NPV outputs).
    ax : Axes, optional
    labels : mapping of str to str, optional

    Returns
    -------
    Axes
    """
    words = _words(labels)
    table = result if isinstance(result, pd.DataFrame) else result.spider
    chosen, rows = _pick(table, output)
    spread = rows.groupby("parameter")["output_value"].agg(lambda v: v.max() - v.min())
    spread = spread[spread > 0].sort_values(ascending=False)
    ax = new_axes((8.0, 4.6)) if ax is None else ax
    base = float(rows["base_output"].iloc[0])
    for name in spread.index[: max_parameters or len(spread)]:
        line = rows[rows["parameter"] == name].sort_values("percentile")
        ax.plot(100 * line["percentile"], line["output_value"], marker="o", ms=3,
                label=words.get(name, name))
    ax.axhline(base, color="black", linewidth=1.0)
    ax.set_xlabel(words["spider_x"])
    ax.set_ylabel(_output_axis(ax.yaxis, result, chosen, base, currency, words)[0])
    ax.set_title(words["spider"])
    ax.set_xlim(0, 100)
    ax.grid(alpha=0.3)
    if len(spread):
        ax.legend(fontsize=8, loc="best")
    return ax


def plot_morris(result: Any, *, output: str | None = "npv_society", annotate: int = 6,
                ax: Axes | None = None, labels: Mapping[str, str] | None = None) -> Axes:
    """Morris screening plane: mu* (importance) against sigma (non-linearity, interaction).

    Inputs near the origin can be fixed; far right, they matter; above the line
    sigma = mu*, their effect depends on the other inputs or is non-linear.

    Parameters
    ----------
    result : MorrisResult or DataFrame
        Columns ``output, parameter, mu_star, sigma, mu_star_conf``.
    output : str, optional
        The output shown (an actor key stands for its NPV); default society's NPV.
    annotate : int
        Name at most this many inputs, those with the largest mu* (above 5 % of
        the largest).
    ax : Axes, optional
    labels : mapping of str to str, optional

    Returns
    -------
    Axes
    """
    words = _words(labels)
    chosen, rows = _pick(_table(result), output)
    ax = new_axes((7.0, 5.0)) if ax is None else ax
    ax.errorbar(rows["mu_star"], rows["sigma"], xerr=rows["mu_star_conf"], fmt="o",
                color=_ST_COLOUR, ecolor="#999999", elinewidth=0.8, capsize=2, markersize=5)
    top = max(float(np.nanmax(rows[["mu_star", "sigma"]].to_numpy())), 0.0) * 1.05 or 1.0
    ax.plot([0, top], [0, top], linestyle="--", color="#999999", linewidth=0.8,
            label=words["sigma_equals_mu_star"])
    largest = float(rows["mu_star"].max())
    named = rows[rows["mu_star"] > 0.05 * largest].nlargest(annotate, "mu_star")
    for row in named.itertuples(index=False):
        ax.annotate(words.get(row.parameter, row.parameter), (row.mu_star, row.sigma),
                    textcoords="offset points", xytext=(4, 3), fontsize="x-small")
    ax.set_xlim(left=0.0)
    ax.set_ylim(bottom=0.0)
    ax.set_xlabel(words["mu_star"])
    ax.set_ylabel(words["sigma"])
    ax.set_title(f"{words['morris']}: {words.get(chosen, chosen)}")
    ax.legend(loc="upper left", fontsize="small")
    ax.grid(alpha=0.3)
    return ax
