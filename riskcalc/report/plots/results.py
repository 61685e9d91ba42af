"""Figures of a Monte Carlo run: who pays, who gains, when, and how sure.

Every function draws on the given Axes (or on a new standalone figure), returns the
Axes and computes nothing but what a picture needs (bins, sort order).  matplotlib
is imported inside the functions; no figure is registered with pyplot and nothing
is shown, so the functions are safe in batch jobs and worker processes.  Amounts
on axes are written for people ("34.0 MSEK") by :func:`money_formatter`.
``money_formatter``, ``new_axes`` and ``save_figure`` live in
:mod:`riskcalc.report.plots.common` and are importable from here too.  Figures of
sensitivity results (Sobol', tornado, Morris) are in :mod:`riskcalc.report.plots.sensitivity`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from riskcalc.report.labels import Labels, as_labels, class_label
from riskcalc.report.plots.common import (
    money_formatter,
    new_axes,
    number_formatter,
    save_figure,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = [
    "CLASS_COLOURS",
    "money_formatter",
    "new_axes",
    "society_npv_histogram",
    "actor_npv_boxes",
    "actor_percentile_boxes",
    "box_percentiles",
    "BOX_PERCENTILES",
    "cumulative_fan",
    "acceptability_curve",
    "save_figure",
]

#: Colours of the scenario classes (keys normalised: lower case, ``_`` for ``-`` and space).
CLASS_COLOURS = {
    "good": "#1a9850", "half_good": "#a6d96a", "bad": "#fdae61", "very_bad": "#d73027",
    "gain": "#1a9850", "loss": "#d73027",
}
#: The percentiles of an actor's box: whiskers, box edges and median (summary.csv's columns).
BOX_PERCENTILES = ("p05", "p25", "p50", "p75", "p95")
_LOSER, _WINNER, _NEUTRAL = "#d73027", "#1a9850", "#999999"
_BAND = "#4575b4"


def _norm(name: Any) -> str:
    return str(name).strip().lower().replace("-", "_").replace(" ", "_")


def _labels(labels: Mapping[str, str] | None) -> Labels:
    return as_labels(labels)


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
    classes : array_like of str or int, shape (n,), optional
        Each scenario's class (``"good"``, ``"half-good"``, ``"bad"``, ``"very bad"``,
        or ``"gain"`` / ``"loss"``), or its position in `class_order` (integers; -1
        for none); without it, one colour.
    class_order : sequence of str, optional
        Order of the classes in the stack and the legend (default: as they appear);
        required with integer `classes`.
    probabilities : mapping of str to float, optional
        Probability of each class, shown in the legend (default: share in `classes`).
    ax : Axes, optional
    labels : mapping, optional
        Vocabulary from :func:`riskcalc.report.labels.get_labels` (default English).
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
    # The figure is drawn from its bins (one filled step outline per class), not from
    # millions of points: matplotlib's hist would bin every class again and draw a
    # rectangle per bin and class.
    span = (values.min(), values.max()) if values.size else None
    edges = np.histogram_bin_edges(values, bins=bins, range=span)
    if classes is None:
        ax.stairs(np.histogram(values, bins=bins, range=span)[0], edges, fill=True,
                  color=_BAND, alpha=0.8)
    else:
        codes, order = _class_codes(np.asarray(classes)[keep], class_order)
        bottom = np.zeros(edges.size - 1)
        entries = []
        for i, name in enumerate(order):
            mask = codes == i
            count = int(mask.sum())
            if not count:
                continue  # a class no scenario falls in has no colour in the figure
            share = (probabilities or {}).get(name, count / values.size)
            top = bottom + np.histogram(values[mask], bins=bins, range=span)[0]
            entries.append(ax.stairs(top, edges, baseline=bottom, fill=True, alpha=0.9,
                                     color=CLASS_COLOURS.get(_norm(name), f"C{i}"),
                                     label=f"{class_label(name, words)} "
                                           f"({words.percent(share)})"))
            bottom = top
        ax.legend(handles=entries, title=words["classes"], loc="upper right",
                  fontsize="small")
    ax.axvline(0.0, color="black", linewidth=1.0)
    if values.size:
        ax.axvline(values.mean(), color="black", linestyle="--", linewidth=1.0)
        ax.annotate(f"{words['mean']} {words.money(values.mean(), currency)}",
                    xy=(values.mean(), 1.0), xycoords=("data", "axes fraction"),
                    xytext=(4, -14), textcoords="offset points", fontsize="small")
    ax.xaxis.set_major_formatter(money_formatter(currency, words.lang))
    ax.set_xlabel(f"{words['npv']} ({currency})")
    ax.set_ylabel(words["scenarios"])
    ax.set_title(words["society_distribution"])
    return ax


def _class_codes(classes: np.ndarray,
                 class_order: Sequence[str] | None) -> tuple[np.ndarray, list[str]]:
    """Each scenario's class as its position in the returned order (-1 for none)."""
    if classes.dtype.kind in "iu":
        if class_order is None:
            raise ValueError("integer classes need class_order, the names they point to")
        return classes, [str(c) for c in class_order]
    # Integer codes, found by hashing once: comparing millions of strings per class
    # would cost more than the histogram.
    codes, uniques = pd.factorize(classes)
    found = [str(u) for u in uniques]
    order = ([str(c) for c in class_order if str(c) in found] if class_order is not None
             else found)
    position = np.array([order.index(u) if u in order else -1 for u in found] + [-1])
    return position[codes], order


def box_percentiles(actor_npv: pd.DataFrame | Mapping[str, np.ndarray]
                    | Iterable[tuple[str, np.ndarray]]) -> pd.DataFrame:
    """P5, P25, P50, P75 and P95 of each actor's finite NPVs, what a box shows.

    Parameters
    ----------
    actor_npv : DataFrame, mapping of str to array of shape (n,), or (str, array) pairs
        One column per actor (its NPV per scenario, currency); pairs from a generator
        keep one column in memory at a time.

    Returns
    -------
    DataFrame
        One row per actor (index: the column names), columns :data:`BOX_PERCENTILES`.
    """
    rows = {}
    for c, values in (actor_npv.items() if hasattr(actor_npv, "items") else actor_npv):
        d = np.asarray(values, dtype=float)
        d = d[np.isfinite(d)]
        rows[str(c)] = np.percentile(d, [5, 25, 50, 75, 95]) if d.size else np.zeros(5)
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(BOX_PERCENTILES))


def actor_npv_boxes(actor_npv: pd.DataFrame | Mapping[str, np.ndarray], *,
                    actor_labels: Mapping[str, str] | None = None,
                    ax: Axes | None = None, labels: Mapping[str, str] | None = None,
                    currency: str = "SEK") -> Axes:
    """Horizontal box plot of every actor's NPV: winners green, losers red.

    Parameters
    ----------
    actor_npv : DataFrame, or mapping of str to array of shape (n,)
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
        biggest loser at the bottom); see :func:`actor_percentile_boxes`.
    """
    return actor_percentile_boxes(box_percentiles(actor_npv), actor_labels=actor_labels,
                                  ax=ax, labels=labels, currency=currency)


def actor_percentile_boxes(percentiles: pd.DataFrame, *,
                           actor_labels: Mapping[str, str] | None = None,
                           ax: Axes | None = None, labels: Mapping[str, str] | None = None,
                           currency: str = "SEK") -> Axes:
    """:func:`actor_npv_boxes` drawn from each actor's percentiles (e.g. summary.csv's).

    Parameters
    ----------
    percentiles : DataFrame
        One row per actor (index: actor), columns :data:`BOX_PERCENTILES` (currency).
    actor_labels, ax, labels, currency
        As for :func:`actor_npv_boxes`.

    Returns
    -------
    Axes
    """
    from matplotlib.ticker import MaxNLocator

    words = _labels(labels)
    names = dict(actor_labels or {})
    columns = [str(c) for c in percentiles.index]
    # Drawn with `bxp` from five percentiles per actor: `boxplot` would compute
    # means, quartiles and outliers of every scenario, seconds on millions of them.
    stats = [dict(zip(("whislo", "q1", "med", "q3", "whishi"), map(float, row), strict=True),
                  fliers=[])
             for row in percentiles[list(BOX_PERCENTILES)].to_numpy(dtype=float)]
    medians = [float(s["med"]) for s in stats]
    order = np.argsort(medians, kind="stable")
    ax = new_axes((10.0, 0.55 * len(columns) + 1.6)) if ax is None else ax
    import matplotlib

    # matplotlib 3.10 renamed vert=False to orientation="horizontal".
    horizontal = ({"orientation": "horizontal"}
                  if tuple(int(x) for x in matplotlib.__version__.split(".")[:2]) >= (3, 10)
                  else {"vert": False})
    parts = ax.bxp([stats[i] for i in order], showfliers=False, patch_artist=True,
                   widths=0.6, medianprops={"color": "black", "linewidth": 1.5}, **horizontal)
    colours = [_LOSER if medians[i] < 0 else _WINNER if medians[i] > 0 else _NEUTRAL
               for i in order]
    for box, colour in zip(parts["boxes"], colours, strict=True):
        box.set_facecolor(colour)
        box.set_alpha(0.75)
    # A box can be a sliver beside a wide one (a small actor's spread): a marker at the
    # median shows every actor's colour whatever its width.
    ax.scatter([medians[i] for i in order], np.arange(1, len(columns) + 1), c=colours,
               marker="D", s=28, edgecolors="black", linewidths=0.6, zorder=3)
    ax.set_yticks(np.arange(1, len(columns) + 1),
                  [names.get(columns[i], columns[i]) for i in order])
    ax.axvline(0.0, color="black", linewidth=1.0)
    for row, i in enumerate(order, start=1):
        end = float(stats[i]["whishi"])
        ax.annotate(words.money(medians[i], currency), xy=(max(end, 0.0), row), xytext=(6, 0),
                    textcoords="offset points", va="center", fontsize="small")
    ax.margins(x=0.12)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6))
    ax.xaxis.set_major_formatter(money_formatter(currency, words.lang))
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
        # The hump and the payback year are marks with their words in the legend, which
        # sits below the axes: no text inside the axes to cover a line or the band.
        low = int(np.argmin(median))
        ax.plot([years[low]], [median[low]], linestyle="none", marker="v", markersize=8,
                color=_LOSER, label=f"{words['hump']}: {words.money(-median[low], currency)}")
        after = np.flatnonzero((median >= 0) & (np.arange(median.size) > low))
        if after.size:
            year = years[after[0]]
            ax.axvline(year, color="grey", linestyle=":", linewidth=1.2,
                       label=f"{words['payback']}: {words['year'].lower()} "
                             f"{words.number(year)}")
    ax.yaxis.set_major_formatter(money_formatter(currency, words.lang))
    ax.set_xlabel(words["year"])
    ax.set_ylabel(textwrap.fill(f"{words['cumulative_net']} ({currency})", 28),
                  fontsize="small")
    if years.size:
        ax.set_xlim(years.min() - 0.3, years.max() + 0.3)
        step = 1 if years.size <= 12 else 2
        ax.set_xticks(np.arange(int(years.min()), int(years.max()) + 1, step))
    ax.set_title(textwrap.fill(title or words["cumulative_net"], 45))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize="small",
              frameon=False)
    ax.grid(alpha=0.3)
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
    ax.yaxis.set_major_formatter(lambda v, _pos: words.percent(v, digits=0))
    ax.xaxis.set_major_formatter(number_formatter(words.lang))
    ax.set_xlabel(words["required_return"])
    ax.set_ylabel(words["prob_meeting"])
    ax.set_title(words["acceptability"])
    ax.legend(fontsize="small")
    ax.grid(alpha=0.3)
    return ax
