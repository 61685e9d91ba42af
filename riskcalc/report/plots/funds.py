"""Figures of a fund: the balance over the years (fan chart) with the lowest allowed."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from riskcalc.report.labels import Labels
from riskcalc.report.plots.common import money_formatter, new_axes

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["balance_fan"]

_BAND = "#4575b4"
_FLOOR = "#d73027"


def balance_fan(balance: pd.DataFrame, *, min_balance: float = 0.0, ax: Axes | None = None,
                labels: Labels, currency: str = "SEK") -> Axes:
    """Fan chart of a fund's balance by fund year.

    Parameters
    ----------
    balance : DataFrame
        fund_balance.csv: ``year, mean, p05, p50, p95, prob_depleted`` (currency).
    min_balance : float
        The board's lowest balance allowed (currency), drawn as a line.
    ax : Axes, optional
    labels : mapping
        Words (:func:`riskcalc.report.labels.get_labels`): ``band``, ``median``,
        ``mean``, ``min_balance``, ``year``, ``fund_balance``.
    currency : str

    Returns
    -------
    Axes
    """
    ax = new_axes((9.0, 4.0)) if ax is None else ax
    years = balance["year"].to_numpy(dtype=float)
    ax.fill_between(years, balance["p05"], balance["p95"], color=_BAND, alpha=0.25,
                    linewidth=0, label=labels["band"])
    ax.plot(years, balance["p50"], color=_BAND, marker="o", markersize=3,
            label=labels["median"])
    ax.plot(years, balance["mean"], color=_BAND, linestyle="--", linewidth=1,
            label=labels["mean"])
    ax.axhline(min_balance, color=_FLOOR, linewidth=1.2, label=labels["min_balance"])
    ax.yaxis.set_major_formatter(money_formatter(currency, getattr(labels, "lang", "en")))
    ax.set_xlabel(labels["year"])
    ax.set_ylabel(textwrap.fill(f"{labels['fund_balance']} ({currency})", 28), fontsize="small")
    if years.size:
        step = 1 if years.size <= 12 else 2
        ax.set_xticks(np.arange(int(years.min()), int(years.max()) + 1, step))
    ax.set_title(textwrap.fill(labels["fund_balance"], 45))
    ax.legend(loc="best", fontsize="small")
    ax.grid(alpha=0.3)
    return ax
