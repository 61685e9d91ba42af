"""Numbers formatted for people: money in millions or thousands, shares in percent."""

from __future__ import annotations

import math

__all__ = ["money", "percent"]


def money(value: float, currency: str = "SEK", *, digits: int = 1) -> str:
    """Format an amount for reading, e.g. ``money(3.4017064e7) == "34.0 MSEK"``.

    Millions (M) from 1e6, thousands (k) from 1e4, else the plain amount.
    """
    if value is None or not math.isfinite(value):
        return "n/a"
    size = abs(value)
    if size >= 1e9:
        return f"{value / 1e9:,.{digits}f} G{currency}"
    if size >= 1e6:
        return f"{value / 1e6:,.{digits}f} M{currency}"
    if size >= 1e4:
        return f"{value / 1e3:,.{digits}f} k{currency}"
    return f"{value:,.0f} {currency}"


def percent(share: float, *, digits: int = 1) -> str:
    """Format a share (0.123) as a percentage ("12.3 %")."""
    if share is None or not math.isfinite(share):
        return "n/a"
    return f"{100 * share:.{digits}f} %"
