"""Figures written by forked children (riskcalc.report.plots.background) are the files
this process would write; a child that fails is replaced here; an error in the block ends
the children without writing their files."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

from riskcalc.report.plots import background
from riskcalc.report.plots.background import figures_in_background, write_in_background
from riskcalc.report.plots.common import draw_and_save, save_figure

pytestmark = pytest.mark.skipif(not background._can_fork(),
                                reason="figures are written in children only on Linux with "
                                       "more than one core")


def _figure():
    from matplotlib.figure import Figure

    figure = Figure(figsize=(4.0, 3.0), layout="constrained")
    ax = figure.add_subplot()
    ax.plot([0.0, 1.0, 2.0], [0.0, 2.0, 1.5], label="a line")
    ax.set_title("Nettonuvärde, 34,0 mnkr")
    ax.legend()
    return figure


def _writer(path: Path):
    def write() -> None:
        path.write_text(str(os.getpid()), encoding="ascii")

    return write


def test_a_figure_written_in_a_child_is_the_file_written_here(tmp_path):
    with matplotlib.rc_context({"svg.hashsalt": "riskcalc-test"}):  # SVG ids, else random
        here = save_figure(_figure(), tmp_path / "here", "f")
        with figures_in_background():
            there = save_figure(_figure(), tmp_path / "there", "f")
            marker = tmp_path / "pid"
            assert write_in_background(_writer(marker))
        assert marker.read_text(encoding="ascii") != str(os.getpid())  # a child wrote it
    for fmt in ("png", "svg"):
        assert here[fmt].read_bytes() == there[fmt].read_bytes(), fmt


def test_a_figure_drawn_in_a_child_is_the_file_drawn_and_written_here(tmp_path):
    here = save_figure(_figure(), tmp_path / "here", "f")
    parent = os.getpid()
    drawn_in = []

    def draw():
        drawn_in.append(os.getpid())  # seen here only when drawn here
        return _figure()

    with figures_in_background():
        there = draw_and_save(draw, tmp_path / "there", "f")
    assert drawn_in == []  # the child drew it: this process drew nothing
    for fmt in ("png", "svg"):
        assert here[fmt].read_bytes() == there[fmt].read_bytes(), fmt
    assert draw_and_save(draw, tmp_path / "again", "f")["svg"].read_bytes() == \
        here["svg"].read_bytes()  # the same SVG ids in every report
    assert drawn_in == [parent]


def test_a_figure_whose_child_fails_is_written_here(tmp_path):
    parent = os.getpid()
    path = tmp_path / "written"

    def write() -> None:
        if os.getpid() != parent:
            raise OSError("the child cannot write")
        path.write_text("here", encoding="ascii")

    with figures_in_background():
        assert write_in_background(write)
    assert path.read_text(encoding="ascii") == "here"


def test_an_error_in_the_block_ends_the_children_and_writes_nothing(tmp_path):
    path = tmp_path / "late"

    def write() -> None:
        import time

        time.sleep(60)
        path.write_text("late", encoding="ascii")

    with pytest.raises(RuntimeError, match="drawing failed"), figures_in_background():
        assert write_in_background(write)
        pid = background._PENDING.get()[-1][0]
        raise RuntimeError("drawing failed")
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # ended and reaped: no child left behind
    assert not path.exists()


def test_outside_the_block_nothing_is_written_in_a_child(tmp_path):
    assert not write_in_background(_writer(tmp_path / "pid"))
    with figures_in_background(enabled=False):
        assert not write_in_background(_writer(tmp_path / "pid"))
