"""Probability curves of a run over arrays.

:func:`payback_within` (probability of payback within k years) and
:func:`acceptability` (probability that the return reaches a required return).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from riskcalc.decision.measures import prob_se

__all__ = ["payback_within", "acceptability", "round_grid"]


def payback_within(payback: np.ndarray, years: int) -> pd.DataFrame:
    """Probability of payback within k years, k = 1 … horizon, with standard errors.

    Parameters
    ----------
    payback : ndarray, shape (n,)
        Payback year per scenario; NaN: none within the horizon.
    years : int
        Horizon.

    Returns
    -------
    DataFrame
        Columns ``year, prob_in_year, prob_within, se_prob_within``.  The probability
        of no payback within the horizon is ``1 - prob_within`` of the last year.
    """
    payback = np.asarray(payback, dtype=float)
    n = payback.size
    k = np.arange(1, years + 1)
    # np.mean(payback == y) to the bit (a count over n), at half the cost: numpy's
    # mean of booleans converts them to floats first.
    in_year = np.array([np.count_nonzero(payback == y) for y in k]) / n
    within = np.cumsum(in_year)
    return pd.DataFrame({"year": k, "prob_in_year": in_year, "prob_within": within,
                         "se_prob_within": [prob_se(p, n) for p in within]})



def acceptability(returns: Mapping[str, np.ndarray],
                  required_returns: np.ndarray | None = None) -> pd.DataFrame:
    """Probability that each series' return is at or above a required return.

    The analogue of health economics' cost-effectiveness acceptability curve.

    Parameters
    ----------
    returns : mapping of str to ndarray, shape (n,)
        Per series (actor, society, owner), its return per scenario: NPV / investment.
    required_returns : ndarray, optional
        Default: about 100 round steps (1, 2, 2.5 or 5 times a power of ten) from
        ``min(-1, P1)`` to ``max(1, P99)`` of society's (or the first series')
        return; -1, 0 and 1 are always on the grid.

    Returns
    -------
    DataFrame
        Tidy: ``required_return, series, probability, se_probability``.
    """
    if required_returns is None:
        ref = returns.get("society", next(iter(returns.values())))
        required_returns = round_grid(min(-1.0, float(np.quantile(ref, 0.01))),
                                       max(1.0, float(np.quantile(ref, 0.99))))
    required = np.asarray(required_returns, dtype=float)
    frames = []
    for series, values in returns.items():
        values = np.sort(np.asarray(values, dtype=float))
        n = values.size
        p = 1.0 - np.searchsorted(values, required, side="left") / n
        frames.append(pd.DataFrame({"required_return": required, "series": series,
                                    "probability": p,
                                    "se_probability": np.sqrt(p * (1 - p) / n)}))
    return pd.concat(frames, ignore_index=True)


def round_grid(lo: float, hi: float, points: int = 100) -> np.ndarray:
    """A grid over [lo, hi] in round steps that holds every multiple of the step."""
    raw = (hi - lo) / points
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = next(s * magnitude for s in (1, 2, 2.5, 5, 10) if s * magnitude >= raw)
    first, last = math.floor(lo / step), math.ceil(hi / step)
    return np.round(np.arange(first, last + 1) * step, 12)
