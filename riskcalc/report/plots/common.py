"""What every figure shares: a standalone Axes, amounts on an axis, files on disk.

matplotlib is imported inside the functions; no figure is registered with
pyplot and nothing is shown, so figures are safe in batch jobs and workers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskcalc.format import money, number

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.ticker import Formatter

__all__ = ["new_axes", "money_formatter", "number_formatter", "save_figure", "draw_and_save"]


def new_axes(figsize: tuple[float, float] = (9.0, 4.5)) -> Axes:
    """Axes on a new standalone figure (not tracked by pyplot; nothing is shown)."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=figsize, layout="constrained")
    return figure.add_subplot()


def money_formatter(currency: str = "SEK", lang: str = "en") -> Formatter:
    """A tick formatter writing amounts as :func:`riskcalc.format.money` does (in `lang`).

    Whole numbers of the unit lose their decimal ("100 MSEK"), others keep one
    ("2.5 MSEK").
    """
    from matplotlib.ticker import FuncFormatter

    def tick(value: float, _pos: Any = None) -> str:
        size = abs(value)
        unit = 1e9 if size >= 1e9 else 1e6 if size >= 1e6 else 1e3 if size >= 1e4 else 1.0
        whole = abs(value / unit - round(value / unit)) < 1e-6
        return money(value, currency, digits=0 if whole else 1, lang=lang)

    return FuncFormatter(tick)


def number_formatter(lang: str = "en") -> Formatter:
    """A tick formatter writing plain numbers in `lang` ("0.25" / "0,25")."""
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda value, _pos=None: number(round(value, 10), lang=lang))


def save_figure(figure: Figure, directory: str | Path, name: str, *,
                formats: Iterable[str] = ("png", "svg"), dpi: int = 110) -> dict[str, Path]:
    """Write a figure as ``directory/name.png`` and ``.svg``, each atomically.

    The figure's layout is fixed by the first file written: after this, the figure
    keeps the positions it was saved with.  Within
    :func:`~riskcalc.report.plots.background.figures_in_background` the files are
    written by a forked child (they exist once that block is left), and this figure
    is left as it was drawn.

    Returns
    -------
    dict of str to Path
        Format → file written.
    """
    return draw_and_save(lambda: figure, directory, name, formats=formats, dpi=dpi)


def draw_and_save(draw: Callable[[], Figure | Axes], directory: str | Path, name: str, *,
                  formats: Iterable[str] = ("png", "svg"), dpi: int = 110
                  ) -> dict[str, Path]:
    """Draw a figure (`draw` returns it, or its Axes) and write it as :func:`save_figure` does.

    Within :func:`~riskcalc.report.plots.background.figures_in_background` a forked
    child builds it as well as writing it (building a report's figures took its own
    process about 0.3 s of the 1.9), so `draw` must only draw: the data it shows are
    read before.

    Returns
    -------
    dict of str to Path
        Format → file written.
    """
    import matplotlib

    from riskcalc.files import atomic_write
    from riskcalc.report.plots.background import write_in_background

    written = {fmt: Path(directory) / f"{name}.{fmt}" for fmt in formats}
    # The ids in an SVG are hashes salted with a random number unless a salt is set:
    # salted with the figure's name, two reports of one run write the same files.
    salt = {"svg.hashsalt": matplotlib.rcParams["svg.hashsalt"] or name}

    def write() -> None:
        drawn = draw()
        figure = getattr(drawn, "figure", drawn)
        for fmt, path in written.items():
            with matplotlib.rc_context(salt):
                atomic_write(path, lambda tmp, f=fmt: figure.savefig(
                    tmp, format=f, dpi=dpi, metadata=_metadata(f)))
            # The layout found for the first file holds for the next (it is in fractions
            # of the figure): the second save need not find it again, a third of its time.
            figure.set_layout_engine("none")

    if not write_in_background(write):
        write()
    return written


def _metadata(fmt: str) -> dict[str, Any] | None:
    # Dates in the files would make two reports of one run differ byte for byte.
    if fmt == "svg":
        return {"Date": None}
    if fmt == "png":
        return {"Software": None}
    return None
