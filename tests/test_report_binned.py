"""The report's figures drawn from percentiles and bins show what the scenarios hold.

The actor boxes come from summary.csv's percentiles, the histogram from per-class bin
counts with classes as integer codes, and the report reads only the scenario columns a
figure needs; each is checked against the straightforward computation over every
scenario.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import MODELS
from test_report import write_extras

from riskcalc import load_model, simulate
from riskcalc.report import read_run
from riskcalc.report.figures import _actor_percentiles, report_figures
from riskcalc.report.labels import get_labels
from riskcalc.report.plots.common import save_figure
from riskcalc.report.plots.results import (
    BOX_PERCENTILES,
    box_percentiles,
    society_npv_histogram,
)
from riskcalc.report.run import scenario_classes


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    """A labour-market run (N = 3,000) with classes.csv whose bounds split its scenarios."""
    out = tmp_path_factory.mktemp("binned") / "run"
    simulate(load_model(MODELS / "labour_market.toml"), 3_000, seed=11).write(out)
    write_extras(out)
    return out


def _scenarios(run_dir: Path, column: str) -> np.ndarray:
    return pd.read_parquet(run_dir / "scenarios.parquet", columns=[column])[column].to_numpy()


class Recording(Mapping):
    """A run's scenario columns that note each one read."""

    def __init__(self, source: Mapping):
        self.source, self.read = source, []

    def __getitem__(self, name: str) -> np.ndarray:
        self.read.append(name)
        return self.source[name]

    def __iter__(self):
        return iter(self.source)

    def __len__(self) -> int:
        return len(self.source)


def _recorded(run_dir: Path, **kwargs):
    run = read_run(run_dir, **kwargs)
    run.source = Recording(run.source)
    return run


def test_summary_quartiles_are_the_percentiles_of_the_scenarios(run_dir):
    summary = pd.read_csv(run_dir / "summary.csv").set_index("output")
    for output in ("npv_society", "npv_labour_office", "roi"):
        values = _scenarios(run_dir, output)
        assert summary.loc[output, list(BOX_PERCENTILES)].to_numpy(float).tolist() == \
            np.percentile(values, [5, 25, 50, 75, 95]).tolist()


def test_actor_boxes_from_the_summary_equal_the_boxes_from_every_scenario(run_dir, tmp_path):
    run = _recorded(run_dir)
    from_summary = _actor_percentiles(run)
    assert run.source.read == []  # drawn from summary.csv: no scenario column read
    columns = {a: _scenarios(run_dir, f"npv_{a}") for a in run.actors}
    pd.testing.assert_frame_equal(from_summary, box_percentiles(columns), check_exact=True,
                                  check_names=False)
    # A run written before summary.csv held quartiles: the boxes come from the scenarios.
    old = tmp_path / "old"
    shutil.copytree(run_dir, old)
    summary = pd.read_csv(old / "summary.csv")
    summary.drop(columns=["p25", "p75"]).to_csv(old / "summary.csv", index=False)
    run = _recorded(old)
    pd.testing.assert_frame_equal(_actor_percentiles(run), from_summary,
                                  check_exact=True, check_names=False)
    assert sorted(run.source.read) == sorted(f"npv_{a}" for a in run.actors)


def test_class_codes_are_the_classes_of_the_thresholds(run_dir):
    run = read_run(run_dir)
    codes, names, probabilities = scenario_classes(run)
    roi = _scenarios(run_dir, "roi")
    expected = np.select([roi < 5.0, roi < 10.0, roi < 20.0], ["very_bad", "bad", "half_good"],
                         "good")
    assert names == ["very_bad", "bad", "half_good", "good"]
    assert codes.dtype == np.int8 and (np.asarray(names)[codes] == expected).all()
    assert len(set(expected)) >= 3  # the run's scenarios fall in several classes
    assert probabilities["bad"] == pytest.approx(0.2345)


def test_histogram_stacks_each_class_counts_whether_given_names_or_codes(run_dir):
    run = read_run(run_dir)
    codes, names, _ = scenario_classes(run)
    npv = run.column("npv_society")
    by_code = society_npv_histogram(npv, classes=codes, class_order=names)
    by_name = society_npv_histogram(npv, classes=np.asarray(names)[codes], class_order=names)
    edges = np.histogram_bin_edges(npv, bins=60)
    bottom = np.zeros(60)
    present = [k for k in range(len(names)) if (codes == k).any()]
    for ax in (by_code, by_name):
        steps = [p for p in ax.patches]
        assert len(steps) == len(present)
        bottom = np.zeros(60)
        for step, k in zip(steps, present, strict=True):
            values, step_edges, baseline = step.get_data()
            count = np.histogram(npv[codes == k], bins=edges)[0]
            np.testing.assert_array_equal(step_edges, edges)
            np.testing.assert_array_equal(baseline, bottom)
            np.testing.assert_array_equal(values, bottom + count)
            bottom = values
        assert bottom.sum() == npv.size  # every scenario in one stack
    assert [t.get_text() for t in by_code.get_legend().get_texts()] == \
        [t.get_text() for t in by_name.get_legend().get_texts()]


def test_report_figures_read_only_society_and_the_class_metric(run_dir, tmp_path):
    out = tmp_path / "run"
    shutil.copytree(run_dir, out)
    run = _recorded(out, model=MODELS / "labour_market.toml")
    report_figures(run, get_labels("en"))
    assert sorted(run.source.read) == ["npv_society", "roi"]  # each once


def test_a_saved_figure_keeps_the_layout_of_its_first_file(tmp_path):
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6, 3), layout="constrained")
    ax = figure.add_subplot()
    ax.plot([0, 1e8], [0, 1])
    ax.set_ylabel("a label long enough to move the axes")
    save_figure(figure, tmp_path, "f", formats=("png",))
    laid_out = ax.get_position().bounds
    assert laid_out != (0.125, 0.11, 0.775, 0.77)  # constrained layout moved it
    save_figure(figure, tmp_path, "f", formats=("svg",))
    assert ax.get_position().bounds == laid_out
    assert (tmp_path / "f.png").is_file() and (tmp_path / "f.svg").is_file()
