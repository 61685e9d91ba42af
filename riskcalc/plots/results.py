"""Figures of a Monte Carlo run: who pays, who gains, when, and how sure.

Every function draws on the given Axes (or on a new standalone figure), returns the
Axes and computes nothing but what a picture needs (bins, sort order).  matplotlib
is imported inside the functions; no figure is registered with pyplot and nothing
is shown, so the functions are safe in batch jobs and worker processes.  Amounts
on axes are written for people ("34.0 MSEK") by :func:`money_formatter`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from riskcalc.format import money
from riskcalc.labels import class_label, get_labels

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.ticker import Formatter

__all__ = [
    "CLASS_COLOURS",
    "money_formatter",
    "new_axes",
    "society_npv_histogram",
    "actor_npv_boxes",
    "cumulative_fan",
    "sobol_bars",
    "sobol_heatmap",
    "tornado_chart",
    "acceptability_curve",
    "save_figure",
]

#: Colours of the scenario classes (keys normalised: lower case, ``_`` for ``-`` and space).
CLASS_COLOURS = {
    "good": "#1a9850", "half_good": "#a6d96a", "bad": "#fdae61", "very_bad": "#d73027",
    "gain": "#1a9850", "loss": "#d73027",
}
_LOSER, _WINNER, _NEUTRAL = "#d73027", "#1a9850", "#999999"
_BAND = "#4575b4"


def _norm(name: Any) -> str:
    return str(name).strip().lower().replace("-", "_").replace(" ", "_")


def money_formatter(currency: str = "SEK") -> Formatter:
    """A tick formatter writing amounts as :func:`riskcalc.format.money` does.

    Whole numbers of the unit lose their decimal ("100 MSEK"), others keep one
    ("2.5 MSEK").
    """
    from matplotlib.ticker import FuncFormatter

    def tick(value: float, _pos: Any = None) -> str:
        size = abs(value)
        unit = 1e9 if size >= 1e9 else 1e6 if size >= 1e6 else 1e3 if size >= 1e4 else 1.0
        whole = abs(value / unit - round(value / unit)) < 1e-6
        return money(value, currency, digits=0 if whole else 1)

    return FuncFormatter(tick)


def new_axes(figsize: tuple[float, float] = (9.0, 4.5)) -> Axes:
    """Axes on a new standalone figure (not tracked by pyplot; nothing is shown)."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=figsize, layout="constrained")
    return figure.add_subplot()


def _labels(labels: Mapping[str, str] | None) -> Mapping[str, str]:
    return get_labels("en") if labels is None else labels


def society_npv_histogram(npv: Sequence[float] | np.ndarray, *,
                          classes: Sequence[str] | np.ndarray | None = None,
                          class_order: Sequence[str] | None = None,
                          probabilities: Mapping[str, float] | None = None,
                          ax: Axes | None = None, labels: Mapping[str, str] | None = None,
                          currency: str = "SEK", bins: int = 60) -> Axes:
    """Histogram of society's NPV, stacked and coloured by scenario class.

    Parameters
    ----------
    npv : array_like, shape (n,)
        Society's NPV per scenario (currency); non-finite values are left out.
    classes : array_like of str, shape (n,), optional
        Each scenario's class (``"good"``, ``"half-good"``, ``"bad"``, ``"very bad"``,
        or ``"gain"`` / ``"loss"``); without it, one colour.
    class_order : sequence of str, optional
        Order of the classes in the stack and the legend (default: as they appear).
    probabilities : mapping of str to float, optional
        Probability of each class, shown in the legend (default: share in `classes`).
    ax : Axes, optional
    labels : mapping, optional
        Vocabulary from :func:`riskcalc.labels.get_labels` (default English).
    currency : str
    bins : int

    Returns
    -------
    Axes
    """
    words = _labels(labels)
    ax = new_axes() if ax is None else ax
    values = np.asarray(npv, dtype=float)
    keep = np.isfinite(values)
    values = values[keep]
    edges = np.histogram_bin_edges(values, bins=bins) if values.size else bins
    if classes is None:
        ax.hist(values, bins=edges, color=_BAND, alpha=0.8)
    else:
        names = np.asarray(classes, dtype=object)[keep].astype(str)
        order = list(class_order) if class_order is not None else list(dict.fromkeys(names))
        order = [c for c in order if np.any(names == str(c))]
        stacks, colours, legend = [], [], []
        for i, name in enumerate(order):
            stacks.append(values[names == str(name)])
            colours.append(CLASS_COLOURS.get(_norm(name), f"C{i}"))
            share = (probabilities or {}).get(name, np.mean(names == str(name)))
            legend.append(f"{class_label(name, words)} ({100 * share:.1f} %)")
        ax.hist(stacks, bins=edges, stacked=True, color=colours, label=legend, alpha=0.9)
        ax.legend(title=words["classes"], loc="upper right", fontsize="small")
    ax.axvline(0.0, color="black", linewidth=1.0)
    if values.size:
        ax.axvline(values.mean(), color="black", linestyle="--", linewidth=1.0)
        ax.annotate(f"{words['mean']} {money(values.mean(), currency)}",
                    xy=(values.mean(), 1.0), xycoords=("data", "axes fraction"),
                    xytext=(4, -14), textcoords="offset points", fontsize="small")
    ax.xaxis.set_major_formatter(money_formatter(currency))
    ax.set_xlabel(f"{words['npv']} ({currency})")
    ax.set_ylabel(words["scenarios"])
    ax.set_title(words["society_distribution"])
    return ax


def actor_npv_boxes(actor_npv: pd.DataFrame, *, actor_labels: Mapping[str, str] | None = None,
                    ax: Axes | None = None, labels: Mapping[str, str] | None = None,
                    currency: str = "SEK") -> Axes:
    """Horizontal box plot of every actor's NPV: winners green, losers red.

    Parameters
    ----------
    actor_npv : DataFrame
        One column per actor (its NPV per scenario, currency), e.g.
        ``SimulationResult.actor_npv`` without ``society``.
    actor_labels : mapping of str to str, optional
        Column → name shown.
    ax, labels, currency
        As for :func:`society_npv_histogram`.

    Returns
    -------
    Axes
        Boxes from P25 to P75, whiskers from P5 to P95, sorted by median (the
        biggest loser at the bottom).
    """
    from matplotlib.ticker import MaxNLocator

    words = _labels(labels)
    names = dict(actor_labels or {})
    columns = list(actor_npv.columns)
    data = [actor_npv[c].to_numpy(dtype=float) for c in columns]
    data = [d[np.isfinite(d)] for d in data]
    medians = [float(np.median(d)) if d.size else 0.0 for d in data]
    order = np.argsort(medians, kind="stable")
    ax = new_axes((10.0, 0.55 * len(columns) + 1.6)) if ax is None else ax
    import matplotlib

    # matplotlib 3.10 renamed vert=False to orientation="horizontal".
    horizontal = ({"orientation": "horizontal"}
                  if tuple(int(x) for x in matplotlib.__version__.split(".")[:2]) >= (3, 10)
                  else {"vert": False})
    parts = ax.boxplot([data[i] for i in order], whis=(5, 95), showfliers=False,
                       patch_artist=True, widths=0.6,
                       medianprops={"color": "black", "linewidth": 1.5}, **horizontal)
    for box, i in zip(parts["boxes"], order, strict=True):
        colour = _LOSER if medians[i] < 0 else _WINNER if medians[i] > 0 else _NEUTRAL
        box.set_facecolor(colour)
        box.set_alpha(0.75)
    ax.set_yticks(np.arange(1, len(columns) + 1),
                  [names.get(columns[i], columns[i]) for i in order])
    ax.axvline(0.0, color="black", linewidth=1.0)
    for row, i in enumerate(order, start=1):
        end = float(np.percentile(data[i], 95)) if data[i].size else 0.0
        ax.annotate(money(medians[i], currency), xy=(max(end, 0.0), row), xytext=(6, 0),
                    textcoords="offset points", va="center", fontsize="small")
    ax.margins(x=0.12)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6))
    ax.xaxis.set_major_formatter(money_formatter(currency))
    ax.set_xlabel(f"{words['npv']} ({currency}); {words['median'].lower()} "
                  f"{words['to_the_right']}")
    ax.set_title(words["actor_positions"])
    ax.grid(axis="x", alpha=0.3)
    return ax


def cumulative_fan(band: pd.DataFrame, *, title: str | None = None, ax: Axes | None = None,
                   labels: Mapping[str, str] | None = None, currency: str = "SEK") -> Axes:
    """Fan chart of one series' cumulative discounted net per year.

    Parameters
    ----------
    band : DataFrame
        Columns ``year, p05, p50, p95`` (one series of yearly.csv), currency.
    title : str, optional
        Default: the label "cumulative net".
    ax, labels, currency
        As for :func:`society_npv_histogram`.

    Returns
    -------
    Axes
        The P5–P95 band, the median, zero, and where the median dips below zero
        the investment hump and the year it pays back.
    """
    words = _labels(labels)
    ax = new_axes((9.0, 4.0)) if ax is None else ax
    band = band.sort_values("year")
    years = band["year"].to_numpy(dtype=float)
    median = band["p50"].to_numpy(dtype=float)
    ax.fill_between(years, band["p05"], band["p95"], color=_BAND, alpha=0.25,
                    label=words["band"], linewidth=0)
    ax.plot(years, median, color=_BAND, marker="o", markersize=3, label=words["median"])
    ax.axhline(0.0, color="black", linewidth=1.0)
    if median.size and median.min() < 0:
        low = int(np.argmin(median))
        ax.annotate(f"{words['hump']}: {money(-median[low], currency)}",
                    xy=(years[low], median[low]), xytext=(12, -4),
                    textcoords="offset points", fontsize="small", va="top",
                    arrowprops={"arrowstyle": "-", "color": "grey"})
        after = np.flatnonzero((median >= 0) & (np.arange(median.size) > low))
        if after.size:
            year = years[after[0]]
            ax.axvline(year, color="grey", linestyle=":", linewidth=1.0)
            right = year > (years.min() + years.max()) / 2  # write it where there is room
            ax.annotate(f"{words['payback']}: {words['year'].lower()} {year:g}",
                        xy=(year, 0.02), xycoords=("data", "axes fraction"),
                        xytext=(-4 if right else 4, 0), textcoords="offset points",
                        ha="right" if right else "left", fontsize="small")
    ax.yaxis.set_major_formatter(money_formatter(currency))
    ax.set_xlabel(words["year"])
    ax.set_ylabel(textwrap.fill(f"{words['cumulative_net']} ({currency})", 28),
                  fontsize="small")
    if years.size:
        ax.set_xlim(years.min() - 0.3, years.max() + 0.3)
        step = 1 if years.size <= 12 else 2
        ax.set_xticks(np.arange(int(years.min()), int(years.max()) + 1, step))
    ax.set_title(textwrap.fill(title or words["cumulative_net"], 45))
    ax.legend(loc="upper left", fontsize="small")
    ax.grid(alpha=0.3)
    return ax


def _pick_output(frame: pd.DataFrame, output: str | None) -> str | None:
    outputs = list(dict.fromkeys(frame["output"].astype(str)))
    if not outputs:
        return None
    for candidate in (output, "npv_society", "society"):
        if candidate in outputs:
            return candidate
    return outputs[0]


def sobol_bars(sobol: pd.DataFrame, *, output: str | None = "npv_society",
               output_labels: Mapping[str, str] | None = None, ax: Axes | None = None,
               labels: Mapping[str, str] | None = None, max_parameters: int = 15) -> Axes:
    """Horizontal bars of first-order (S1) and total (ST) Sobol indices of one output.

    Parameters
    ----------
    sobol : DataFrame
        Columns ``output, parameter, S1, ST`` and optionally ``S1_conf, ST_conf``
        (half-widths of the confidence intervals).
    output : str, optional
        Which output (default ``npv_society``, else the first in the table).
    output_labels : mapping of str to str, optional
        Output → name shown in the title.
    max_parameters : int
        Show at most this many, those with the largest ST.

    Returns
    -------
    Axes
    """
    words = _labels(labels)
    chosen = _pick_output(sobol, output)
    rows = sobol[sobol["output"].astype(str) == chosen].sort_values("ST", ascending=False)
    rows = rows.head(max_parameters).iloc[::-1]
    ax = new_axes((9.0, 0.38 * len(rows) + 1.5)) if ax is None else ax
    y = np.arange(len(rows))
    for shift, column, colour, name in ((0.2, "S1", "#91bfdb", words["first_order"]),
                                        (-0.2, "ST", _BAND, words["total_order"])):
        err = rows[f"{column}_conf"] if f"{column}_conf" in rows else None
        ax.barh(y + shift, rows[column], height=0.4, xerr=err, color=colour, label=name,
                error_kw={"elinewidth": 0.8, "capsize": 2})
    ax.set_yticks(y, rows["parameter"].astype(str))
    ax.set_xlabel(words["sobol"])
    ax.set_title(f"{words['sobol']}: {(output_labels or {}).get(chosen, chosen)}")
    ax.legend(loc="lower right", fontsize="small")
    ax.grid(axis="x", alpha=0.3)
    return ax


def sobol_heatmap(sobol: pd.DataFrame, *, index: str = "ST",
                  output_labels: Mapping[str, str] | None = None, ax: Axes | None = None,
                  labels: Mapping[str, str] | None = None) -> Axes:
    """Heat map of a Sobol index, parameters (rows) × outputs (columns: actors, society).

    Parameters
    ----------
    sobol : DataFrame
        Columns ``output, parameter`` and `index`.
    index : {"ST", "S1"}
    output_labels : mapping of str to str, optional
        Output → short name shown on the axis.

    Returns
    -------
    Axes
        Cells annotated with the index to two decimals.
    """
    words = _labels(labels)
    table = sobol.pivot_table(index="parameter", columns="output", values=index, sort=False)
    table = table.loc[table.max(axis=1).sort_values(ascending=False).index]
    n_rows, n_cols = table.shape
    if ax is None:
        ax = new_axes((max(6.0, 0.9 * n_cols + 3.0), 0.4 * n_rows + 2.2))
    shown = np.clip(table.to_numpy(dtype=float), 0.0, 1.0)
    image = ax.imshow(shown, cmap="Blues", vmin=0.0, vmax=1.0, aspect="auto")
    for (i, j), value in np.ndenumerate(table.to_numpy(dtype=float)):
        if np.isfinite(value):
            ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize="x-small",
                    color="white" if shown[i, j] > 0.6 else "black")
    names = dict(output_labels or {})
    ax.set_xticks(np.arange(n_cols), [names.get(str(c), str(c)) for c in table.columns],
                  rotation=35, ha="right", fontsize="small")
    ax.set_yticks(np.arange(n_rows), [str(p) for p in table.index], fontsize="small")
    ax.figure.colorbar(image, ax=ax, label=index, shrink=0.8)
    ax.set_title(words["sobol_heatmap"] if index == "ST" else f"{words['sobol']} ({index})")
    return ax


def tornado_chart(tornado: pd.DataFrame, *, output: str | None = "npv_society",
                  output_labels: Mapping[str, str] | None = None, ax: Axes | None = None,
                  labels: Mapping[str, str] | None = None, currency: str = "SEK",
                  max_parameters: int = 12) -> Axes:
    """Tornado diagram: the output at each parameter's low and high value.

    Parameters
    ----------
    tornado : DataFrame
        Columns ``output, parameter, output_at_low, output_at_high, base_output`` and
        optionally ``swing`` (default ``|high - low|``).
    output : str, optional
        Which output (default ``npv_society``, else the first in the table).
    output_labels : mapping of str to str, optional
        Output → name shown on the axis.
    max_parameters : int
        The largest swings shown.

    Returns
    -------
    Axes
    """
    words = _labels(labels)
    chosen = _pick_output(tornado, output)
    rows = tornado[tornado["output"].astype(str) == chosen].copy()
    if "swing" not in rows:
        rows["swing"] = (rows["output_at_high"] - rows["output_at_low"]).abs()
    rows = rows.sort_values("swing", ascending=False).head(max_parameters).iloc[::-1]
    ax = new_axes((9.0, 0.4 * len(rows) + 1.6)) if ax is None else ax
    base = float(rows["base_output"].iloc[0]) if len(rows) else 0.0
    y = np.arange(len(rows))
    ax.barh(y, rows["output_at_low"] - base, left=base, color="#fc8d59",
            label=words["low_value"])
    ax.barh(y, rows["output_at_high"] - base, left=base, color="#91bfdb",
            label=words["high_value"])
    ax.axvline(base, color="black", linewidth=1.0)
    ax.set_yticks(y, rows["parameter"].astype(str))
    ax.xaxis.set_major_formatter(money_formatter(currency))
    ax.set_xlabel(f"{(output_labels or {}).get(chosen, chosen)}, {words['npv'].lower()} "
                  f"({words['base_output']} {money(base, currency)})")
    ax.set_title(words["tornado"])
    ax.legend(loc="lower right", fontsize="small")
    ax.grid(axis="x", alpha=0.3)
    return ax


def acceptability_curve(acceptability: pd.DataFrame, *,
                        series_labels: Mapping[str, str] | None = None,
                        ax: Axes | None = None,
                        labels: Mapping[str, str] | None = None) -> Axes:
    """Probability that the return reaches each required level, one line per series.

    Parameters
    ----------
    acceptability : DataFrame
        Columns ``required_return, series, probability`` (a share 0..1).
    series_labels : mapping of str to str, optional
        Series → name shown in the legend.

    Returns
    -------
    Axes
    """
    words = _labels(labels)
    names = dict(series_labels or {})
    ax = new_axes((9.0, 4.0)) if ax is None else ax
    for series, rows in acceptability.groupby("series", sort=False):
        rows = rows.sort_values("required_return")
        ax.plot(rows["required_return"], rows["probability"],
                label=names.get(str(series), str(series)))
    ax.set_ylim(-0.02, 1.02)
    ax.yaxis.set_major_formatter(lambda v, _pos: f"{100 * v:.0f} %")
    ax.set_xlabel(words["required_return"])
    ax.set_ylabel(words["prob_meeting"])
    ax.set_title(words["acceptability"])
    ax.legend(fontsize="small")
    ax.grid(alpha=0.3)
    return ax


def save_figure(figure: Figure, directory: str | Path, name: str, *,
                formats: Iterable[str] = ("png", "svg"), dpi: int = 110) -> dict[str, Path]:
    """Write a figure as ``directory/name.png`` and ``.svg``, each atomically.

    Returns
    -------
    dict of str to Path
        Format → file written.
    """
    from riskcalc.files import atomic_write

    written = {}
    for fmt in formats:
        path = Path(directory) / f"{name}.{fmt}"
        atomic_write(path, lambda tmp, f=fmt: figure.savefig(tmp, format=f, dpi=dpi,
                                                             metadata=_metadata(f)))
        written[fmt] = path
    return written


def _metadata(fmt: str) -> dict[str, Any] | None:
    # Dates in the files would make two reports of one run differ byte for byte.
    if fmt == "svg":
        return {"Date": None}
    if fmt == "png":
        return {"Software": None}
    return None
