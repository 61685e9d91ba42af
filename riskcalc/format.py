"""Numbers formatted for people: money in millions or thousands, shares in percent.

Every function takes ``lang``: ``"en"`` writes ``20,000``, ``329.3 MSEK`` and ``12.3 %``;
``"sv"`` writes Swedish style, ``20 000``, ``329,3 mnkr`` and ``12,3 %`` (a no-break
space groups the thousands, a comma marks the decimals, U+2212 is the minus sign).
"""

from __future__ import annotations

import math

__all__ = ["money", "percent", "number", "fixed", "integer", "not_available", "text_table",
           "NBSP"]

#: The Swedish thousands separator: a no-break space, so that a number never wraps.
NBSP = "\u00a0"
_NOT_AVAILABLE = {"en": "n/a", "sv": "–"}
#: Swedish words for amounts: kronor have their own abbreviations (tkr, mnkr, mdkr).
_SV_UNITS = {"SEK": ("mdkr", "mnkr", "tkr", "kr")}


def _local(text: str, lang: str) -> str:
    """An English-formatted number (``-1,234.5``) written in `lang`."""
    if lang != "sv":
        return text
    return (text.replace(",", NBSP).replace(".", ",").replace("-", "\u2212"))


def not_available(lang: str = "en") -> str:
    """What a table shows for a value that is not a finite number ("n/a", "–")."""
    return _NOT_AVAILABLE.get(lang, "n/a")


def _finite(value: float | None) -> bool:
    try:
        return value is not None and math.isfinite(value)
    except TypeError:
        return False


def money(value: float, currency: str = "SEK", *, digits: int = 1, lang: str = "en") -> str:
    """Format an amount for reading.

    Millions from 1e6, thousands from 1e4, else the plain amount:
    ``money(3.4017064e7) == "34.0 MSEK"``; in Swedish ``money(3.4017064e7, lang="sv")``
    is ``"34,0 mnkr"`` (and ``"34,0 mn EUR"`` for another currency).
    """
    if not _finite(value):
        return not_available(lang)
    size = abs(value)
    if size >= 1e9:
        scaled, scale = value / 1e9, 0
    elif size >= 1e6:
        scaled, scale = value / 1e6, 1
    elif size >= 1e4:
        scaled, scale = value / 1e3, 2
    else:
        scaled, scale, digits = value, 3, 0
    text = _local(f"{scaled:,.{digits}f}", lang)
    if lang == "sv":
        units = _SV_UNITS.get(currency) or (f"md {currency}", f"mn {currency}",
                                            f"tusen {currency}", currency)
        return f"{text} {units[scale]}"
    return f"{text} {('G', 'M', 'k', '')[scale]}{currency}"


def percent(share: float, *, digits: int = 1, lang: str = "en") -> str:
    """Format a share (0.123) as a percentage ("12.3 %"; Swedish "12,3 %")."""
    if not _finite(share):
        return not_available(lang)
    return f"{_local(f'{100 * share:.{digits}f}', lang)} %"


def number(value: float, *, digits: int = 4, lang: str = "en") -> str:
    """A plain number: grouped whole numbers from 1e4 (``21,000,000``), else `digits`
    significant digits (``0.4125``); Swedish ``21 000 000``, ``0,4125``."""
    if not _finite(value):
        return not_available(lang)
    text = f"{value:,.0f}" if abs(value) >= 1e4 else f"{value:.{digits}g}"
    return _local(text, lang)


def fixed(value: float, digits: int = 2, *, lang: str = "en") -> str:
    """A number with `digits` decimals: ``0.50`` (Swedish ``0,50``)."""
    if not _finite(value):
        return not_available(lang)
    return _local(f"{value:,.{digits}f}", lang)


def integer(value: int, *, lang: str = "en") -> str:
    """A count with its thousands grouped: ``20,000`` (Swedish ``20 000``)."""
    return _local(f"{int(value):,}", lang)


def text_table(columns: list[str], rows: dict[str, list[str]], corner: str = "") -> str:
    """A plain-text table laid out as pandas' ``DataFrame.to_string()`` lays out text cells.

    For commands that print a small table without importing pandas (``riskcalc check``).

    Parameters
    ----------
    columns : list of str
        Column headings, right-aligned over their cells.
    rows : dict of str to list of str
        Row label → one cell per column (already formatted), left-aligned labels.
    corner : str
        Text above the row labels (pandas shows the columns' name there).
    """
    # pandas gives every text cell a leading space, right-aligns each column to its
    # widest entry and joins the columns with one space.
    cells = [[" " + cell for cell in row] for row in rows.values()]
    widths = [max([len(heading), *(len(row[j]) for row in cells)])
              for j, heading in enumerate(columns)]
    label_width = max([len(corner), *(len(label) for label in rows)])
    lines = [" ".join([corner.ljust(label_width),
                       *(h.rjust(w) for h, w in zip(columns, widths, strict=True))])]
    for label, row in zip(rows, cells, strict=True):
        lines.append(" ".join([label.ljust(label_width),
                               *(c.rjust(w) for c, w in zip(row, widths, strict=True))]))
    return "\n".join(lines)
