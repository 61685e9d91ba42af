"""Figures of scenario discovery (:mod:`riskcalc.discovery`): the peeling trade-off, box limits.

Both read the dict of :meth:`riskcalc.discovery.Discovery.to_dict` (what
discovery.json holds), so the CLI and the report draw the same figures.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from riskcalc.report.labels import as_labels
from riskcalc.report.plots.common import new_axes

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["plot_tradeoff", "plot_box_limits"]


def plot_tradeoff(discovery: Mapping[str, Any], *, labels: Mapping[str, str],
                  ax: Axes | None = None) -> Axes:
    """Coverage (x) against density (y) along each box's peeling trajectory.

    Points are coloured by the number of inputs the step restricts; each chosen
    box is ringed and numbered.
    """
    ax = ax or new_axes((7.0, 4.8))
    words = as_labels(labels)
    scatter = None
    for box in discovery["boxes"]:
        steps = box["trajectory"]
        cov = [s["coverage"] for s in steps]
        dens = [s["density"] for s in steps]
        ax.plot(cov, dens, color="0.75", lw=0.8, zorder=1)
        scatter = ax.scatter(cov, dens, c=[s["restricted"] for s in steps], cmap="viridis",
                             s=16, zorder=2, vmin=0,
                             vmax=max(1, len(discovery.get("inputs", [])) // 2))
        chosen = steps[box["chosen_step"]]
        ax.scatter([chosen["coverage"]], [chosen["density"]], s=140, facecolors="none",
                   edgecolors="crimson", lw=1.6, zorder=3)
        ax.annotate(f"{labels['d_box']} {box['box']}", (chosen["coverage"], chosen["density"]),
                    xytext=(6, 6), textcoords="offset points", color="crimson")
    if scatter is not None:
        ax.figure.colorbar(scatter, ax=ax, label=labels["d_restricted_inputs"])
    ax.set_xlabel(labels["d_coverage"])
    ax.set_ylabel(labels["d_density"])
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_formatter(lambda v, _pos: words.percent(v, digits=0))
    ax.grid(alpha=0.3)
    ax.set_title(labels["d_tradeoff"])
    return ax


def plot_box_limits(discovery: Mapping[str, Any], *, labels: Mapping[str, str],
                    ax: Axes | None = None) -> Axes:
    """Each box's restricted inputs: the kept part of the input's range, as a bar.

    The x axis is the position within the input's range in the run (0: its
    smallest value, 1: its largest); limits are written beside each bar.
    """
    rows = [(box["box"], name, lim) for box in discovery["boxes"]
            for name, lim in box["limits"].items()]
    ax = ax or new_axes((7.5, 0.9 + 0.45 * max(len(rows), 1)))
    ranges = discovery["ranges"]
    words = as_labels(labels)
    colors = ["tab:red", "tab:orange", "tab:purple", "tab:brown"]
    for i, (box, name, lim) in enumerate(rows):
        lo_all, hi_all = ranges[name]
        span = (hi_all - lo_all) or 1.0
        lo = lim["lower"] if lim["lower"] is not None else lo_all
        hi = lim["upper"] if lim["upper"] is not None else hi_all
        y = len(rows) - 1 - i
        ax.barh(y, 1.0, left=0.0, color="0.9", height=0.6)
        ax.barh(y, (hi - lo) / span, left=(lo - lo_all) / span, height=0.6,
                color=colors[(box - 1) % len(colors)])
        ax.text(1.02, y, f"[{words.number(lo, digits=3)}; {words.number(hi, digits=3)}]",
                va="center", fontsize=8)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([f"{labels['d_box']} {b}: {n}" for b, n, _ in reversed(rows)])
    ax.set_xlim(0, 1.25)
    ax.set_xticks([0, 0.5, 1])
    ax.xaxis.set_major_formatter(lambda v, _pos: words.number(v, digits=2))
    ax.set_xlabel(labels["d_position_in_range"])
    ax.set_title(labels["d_box_limits"])
    return ax
