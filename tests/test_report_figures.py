"""Every figure of the report, checked as drawn at the size the report shows it: no text
overlaps another, no legend or label covers a line, every actor's colour is visible.
The run has every optional table, scenario discovery and convergence, so the sections
other commands add are drawn and checked too.

The figures are drawn at their saved size and resolution (the report shows the PNG at
that size, or scaled down by at most a fifth: the browser test checks the scale), and
their text and lines are compared in pixels.
"""

from __future__ import annotations

import itertools

import pytest
from conftest import MODELS
from test_report import write_extras

from riskcalc.cli import main
from riskcalc.report import write_report
from riskcalc.report.plots import common

#: Pixels two boxes may share (anti-aliasing) before they count as overlapping.
SLACK = 1.0


@pytest.fixture(scope="module", params=["en", "sv"])
def figures(request, tmp_path_factory):
    """Every figure of a report with every optional table, as drawn for it (en and sv)."""
    out = tmp_path_factory.mktemp(f"figures-{request.param}")
    model = MODELS / "labour_market.toml"
    assert main(["run", str(model), "--n", "2000", "--seed", "5", "--no-report", "--quiet",
                 "--out", str(out)]) == 0
    assert main(["discover", str(out), "--where", "npv_society < 3e8"]) == 0
    write_extras(out)
    drawn = {}
    original = common.draw_and_save
    patch = pytest.MonkeyPatch()

    def keep(draw, directory, name, **kwargs):
        # Drawn here, not in a forked child, to be looked at.
        figure = draw()
        drawn[name] = getattr(figure, "figure", figure)
        return original(lambda: figure, directory, name, **kwargs)

    # Every figure is drawn through plots.common.draw_and_save (save_figure too).
    patch.setattr(common, "draw_and_save", keep)
    try:
        write_report(out, request.param, model=MODELS / "labour_market.toml")
    finally:
        patch.undo()
    assert {"society_npv", "actor_npv", "cumulative_net", "convergence", "discovery_tradeoff",
            "discovery_boxes"} <= set(drawn), sorted(drawn)
    return drawn


def _draw(figure):
    """Draw at the resolution the report's PNG has; the renderer, for measuring."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    figure.set_dpi(110)  # save_figure's dpi
    renderer = FigureCanvasAgg(figure).get_renderer()
    figure.draw(renderer)
    return renderer


def _texts(figure, renderer):
    from matplotlib.text import Text

    return [(t, t.get_window_extent(renderer)) for t in figure.findobj(Text)
            if t.get_visible() and t.get_text().strip() and t.figure is not None]


def _shrunk(box):
    from matplotlib.transforms import Bbox

    return Bbox.from_extents(box.x0 + SLACK, box.y0 + SLACK, box.x1 - SLACK, box.y1 - SLACK)


def test_no_text_overlaps_another(figures):
    for name, figure in figures.items():
        renderer = _draw(figure)
        texts = _texts(figure, renderer)
        clashes = [(a.get_text(), b.get_text())
                   for (a, ba), (b, bb) in itertools.combinations(texts, 2)
                   if _shrunk(ba).overlaps(_shrunk(bb))]
        assert not clashes, f"{name}: {clashes}"


def test_no_legend_or_label_inside_the_axes_covers_a_line(figures):
    for name, figure in figures.items():
        renderer = _draw(figure)
        for ax in figure.axes:
            covers = [ax.get_legend()] if ax.get_legend() is not None else []
            covers += list(ax.texts)
            for cover in covers:
                box = _shrunk(cover.get_window_extent(renderer))
                for line in ax.lines:
                    if not line.get_visible() or line.get_linestyle() == "None":
                        continue
                    path = line.get_transform().transform_path(line.get_path())
                    assert not path.intersects_bbox(box, filled=False), (
                        f"{name}: {getattr(cover, 'get_text', lambda: 'legend')()!r} "
                        f"covers the line {line.get_label()!r}")


def test_every_actor_shows_its_colour(figures):
    figure = figures["actor_npv"]
    ax = figure.axes[0]
    _draw(figure)
    markers = ax.collections[-1]
    sizes = markers.get_sizes()
    assert len(markers.get_offsets()) == len(ax.get_yticks()) == 8
    assert min(sizes) >= 20  # points²: a diamond of about 7 px at the report's resolution
    boxes = [p for p in ax.patches if p.get_visible()]
    # Each actor's marker has its box's colour: red loses, green gains, grey neither.
    assert sorted(tuple(c[:3].round(3)) for c in markers.get_facecolors()) == sorted(
        tuple(round(v, 3) for v in b.get_facecolor()[:3]) for b in boxes)
