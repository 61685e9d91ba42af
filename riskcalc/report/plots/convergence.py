"""Convergence figure: a running estimate and its 95 % band as N grows (one statistic per Axes).

Reads the rows of convergence.csv (:func:`riskcalc.decision.convergence.convergence_table`)
for one output.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import pandas as pd

from riskcalc.decision.convergence import Z95
from riskcalc.report.labels import as_labels
from riskcalc.report.plots.common import money_formatter, new_axes

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["plot_running_estimate"]


def plot_running_estimate(table: pd.DataFrame, statistic: str, *,
                          labels: Mapping[str, str] | None = None, currency: str | None = None,
                          ax: Axes | None = None) -> Axes:
    """The running `statistic` (``mean``, ``p_loss`` or ``p05``) against N, log scale.

    Parameters
    ----------
    table : DataFrame
        Rows ``n, <statistic>, se_<statistic>`` of one output.
    currency : str, optional
        Amounts on the y axis in this currency (mean and P5 of an NPV); P(loss)
        is shown in percent.
    """
    from matplotlib.ticker import LogLocator

    words = as_labels(labels)
    ax = ax or new_axes((4.5, 3.4))
    n = table["n"].to_numpy(float)
    y = table[statistic].to_numpy(float)
    half = Z95 * table[f"se_{statistic}"].to_numpy(float)
    ax.fill_between(n, y - half, y + half, color="tab:blue", alpha=0.2, lw=0,
                    label=words["c_band"])
    ax.plot(n, y, color="tab:blue", lw=1.5)
    ax.axhline(y[-1], color="0.4", lw=0.8, ls="--")
    ax.set_xscale("log")
    # Minor ticks at 2 and 5 of each decade, not at every integer: a tick is a few
    # artists to lay out and draw, and eight per decade cost a third of the figure.
    ax.xaxis.set_minor_locator(LogLocator(subs=(2.0, 5.0)))
    ax.set_xlabel(words["c_n"])
    ax.xaxis.set_major_formatter(lambda v, _pos: words.integer(int(round(v))))
    if statistic == "p_loss":
        ax.set_ylim(0, max(0.01, 1.1 * float((y + half).max())))
        ax.yaxis.set_major_formatter(lambda v, _pos: words.percent(v, digits=0))
    elif currency is not None:
        ax.yaxis.set_major_formatter(money_formatter(currency, words.lang))
    else:
        ax.yaxis.set_major_formatter(lambda v, _pos: words.number(v, digits=3))
    ax.set_title(words[f"c_{statistic}"])
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize=8)
    return ax
