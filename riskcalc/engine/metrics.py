"""Reductions of cash flows to the numbers a decision is made on.

Pure functions on arrays: cumulative discounted net → NPV, payback year,
investment hump; per-scenario outputs → summary statistics.  Shapes follow the
engine's layout, years on the second-to-last axis and scenarios on the last:
``(..., Y, n)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from riskcalc.engine.kernel_cache import table_kernels

if TYPE_CHECKING:  # the tables' functions import it: the engine itself needs no pandas
    import pandas as pd

__all__ = [
    "annuity_factor",
    "payback_year",
    "investment_hump",
    "summary_row",
    "summary_table",
    "payback_distribution",
    "sorted_quantiles",
    "SUMMARY_PERCENTILES",
]

#: Percentiles of every output in summary.csv (P25 and P75 are the report's boxes).
SUMMARY_PERCENTILES = (5, 25, 50, 75, 95)


def annuity_factor(rate: float, years: int) -> float:
    """Present value of 1 a year for `years` years, the first undiscounted.

    ``sum_{t=1..years} (1 + r) ** -(t - 1) = (1 - (1 + r) ** -years) / r * (1 + r)``.
    """
    if rate == 0:
        return float(years)
    return (1 - (1 + rate) ** -years) / rate * (1 + rate)


def payback_year(cumulative: np.ndarray) -> np.ndarray:
    """First year (1-based) in which the cumulative discounted net is ≥ 0.

    Parameters
    ----------
    cumulative : ndarray, shape (Y, n)
        Cumulative discounted net per year and scenario (currency).

    Returns
    -------
    ndarray, shape (n,)
        Year of payback; NaN where the net never turns non-negative within the horizon.
    """
    paid_back = cumulative >= 0
    first = np.argmax(paid_back, axis=0).astype(float) + 1.0
    return np.where(paid_back.any(axis=0), first, np.nan)


def investment_hump(cumulative: np.ndarray) -> np.ndarray:
    """Capital needed: the depth of the most negative cumulative discounted net.

    Parameters
    ----------
    cumulative : ndarray, shape (..., Y, n)

    Returns
    -------
    ndarray, shape (..., n)
        ``max(0, -min_t cumulative)`` in currency; 0 where the net never dips below zero.
    """
    # Adding 0.0 turns the -0.0 of a flat line into 0.0.
    return np.maximum(0.0, -cumulative.min(axis=-2)) + 0.0


def sorted_quantiles(ordered: np.ndarray, q: np.ndarray | list[float], *,
                     size: int | None = None) -> np.ndarray:
    """``np.quantile(values, q)`` (linear method) of values already sorted ascending.

    The same arithmetic as numpy's, to the bit (a test holds it to that), without
    the copy and partition numpy makes of its input on every call: on millions
    of scenarios those cost more than the rest of a summary row.

    Parameters
    ----------
    ordered : ndarray, shape (n,)
        Finite values, sorted ascending; or, with `size`, any array whose
        element i is the i-th smallest of `size` values wherever the quantiles
        look (the positions given to :func:`numpy.partition`).
    q : array_like, shape (k,)
        Quantiles in [0, 1].
    size : int, optional
        How many values the quantiles are of; default ``ordered.size``.

    Returns
    -------
    ndarray, shape (k,)
    """
    q = np.asarray(q, dtype=float)
    n = ordered.size if size is None else size
    virtual = (n - 1) * q
    below = np.floor(virtual)
    prev = below.astype(np.intp)
    nxt = prev + 1
    top = virtual >= n - 1
    prev[top] = nxt[top] = n - 1
    gamma = virtual - prev
    a, b = ordered[prev], ordered[nxt]
    diff = b - a
    out = a + diff * gamma
    # numpy's lerp: from the upper neighbour when closer to it (monotone, exact at 1).
    np.subtract(b, diff * (1 - gamma), out=out, where=gamma >= 0.5)
    return out


def summary_row(name: str, values: np.ndarray, ordered: np.ndarray | None = None
                ) -> dict[str, float | str]:
    """Mean, std, standard error, P5, P25, P50, P75, P95 and probability of a net loss of
    one output.

    ``payback_year`` is NaN where there is no payback: its percentiles treat
    that as later than any year (inf, "never"), and its mean is over those that
    pay back.  `ordered`, the same values sorted, saves a sort when the caller
    has them (same numbers).  Mean and std come from the compiled reductions
    (:func:`~riskcalc.engine.kernel_cache.table_kernels`) where they are loaded:
    the same numbers.
    """
    values = np.asarray(values, dtype=float)
    if name == "payback_year":
        paid = values[np.isfinite(values)]
        # Payback years are whole years: the inverted-CDF percentile is a year (or
        # inf, "never"), where interpolating would mix a year with "never".
        pct = np.percentile(np.where(np.isnan(values), np.inf, values), SUMMARY_PERCENTILES,
                            method="inverted_cdf")
        mean, std = _mean_std(paid, np.nan) if paid.size else (np.nan, np.nan)
        se = std / np.sqrt(paid.size) if paid.size > 1 else np.nan
        prob_negative = np.nan
    else:
        if ordered is None:
            pct = np.percentile(np.sort(values), SUMMARY_PERCENTILES)  # faster sorted
        else:
            pct = sorted_quantiles(ordered, np.divide(SUMMARY_PERCENTILES, 100))
        mean, std = _mean_std(values, 0.0)
        se = std / np.sqrt(values.size)
        # A count over n is np.mean(values < 0) exactly; sorted values count it in log n.
        below = (np.count_nonzero(values < 0) if ordered is None
                 else ordered.searchsorted(0.0, side="left"))
        prob_negative = float(np.true_divide(below, values.size))
    return {"output": name, "mean": mean, "std": std, "se_mean": se,
            **{f"p{q:02d}": value for q, value in zip(SUMMARY_PERCENTILES, pct, strict=True)},
            "prob_negative": prob_negative}


def _mean_std(x: np.ndarray, single: float) -> tuple[float, float]:
    """``x.mean()`` and ``x.std(ddof=1)`` (`single` for one value); from the compiled
    reductions where they are loaded: the same numbers without numpy's column-sized
    temporaries."""
    fused = table_kernels(x) if x.size > 1 else None
    if fused is not None:
        return fused.mean_std(x)
    return x.mean(), x.std(ddof=1) if x.size > 1 else single


def summary_table(outputs: Mapping[str, np.ndarray],
                  keep: np.ndarray | None = None) -> pd.DataFrame:
    """One row per output: see :func:`summary_row`.

    Parameters
    ----------
    outputs : mapping of str to ndarray, shape (n,)
        Per-scenario outputs.  Read one column at a time, so a lazily loading
        mapping keeps memory small.
    keep : ndarray of bool, shape (n,), optional
        The scenarios to summarise (e.g. the finite ones); default all.

    Returns
    -------
    DataFrame
        Columns ``output, mean, std, se_mean, p05, p25, p50, p75, p95, prob_negative``.
    """
    import pandas as pd

    return pd.DataFrame([summary_row(name, values if keep is None else values[keep])
                         for name, values in outputs.items()])


def payback_distribution(payback: np.ndarray, years: int) -> pd.DataFrame:
    """Probability of payback in each year and by each year.

    Parameters
    ----------
    payback : ndarray, shape (n,)
        Payback year per scenario, NaN for no payback within the horizon.
    years : int
        Horizon.

    Returns
    -------
    DataFrame
        Columns ``year, prob_in_year, prob_by_year``; the last row, year ``"never"``,
        is the probability of no payback within the horizon.
    """
    import pandas as pd

    n = payback.size
    counts = np.bincount(np.nan_to_num(payback, nan=0).astype(int), minlength=years + 1)
    in_year = counts[1:years + 1] / n
    frame = pd.DataFrame({"year": np.arange(1, years + 1), "prob_in_year": in_year,
                          "prob_by_year": np.cumsum(in_year)})
    never = pd.DataFrame({"year": ["never"], "prob_in_year": [counts[0] / n],
                          "prob_by_year": [np.nan]})
    return pd.concat([frame.astype({"year": object}), never], ignore_index=True)
