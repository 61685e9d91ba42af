"""Scenario discovery: PRIM boxes and the classification tree against known answers."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import riskcalc
from riskcalc.cli import main
from riskcalc.discovery.prim import peel, prim_boxes, quasi_p_values
from riskcalc.errors import ModelError


def corner_model() -> riskcalc.Model:
    """Society loses (1 SEK in year 1) if and only if a > 0.8 and b < 0.3; c, d irrelevant."""
    return riskcalc.model_from_dict({
        "model": {"name": "corner", "years": 1, "discount_rate": 0.0, "investment": 1.0},
        "actors": {"payer": "Payer"},
        "parameters": {name: {"uniform": [0.0, 1.0]} for name in "abcd"},
        "flow": [{"actor": "payer", "kind": "real", "revenue": "0.5 + 0 * (c + d)"},
                 {"actor": "payer", "kind": "real",
                  "cost": "1.5 * (a > 0.8 and b < 0.3)"}],
    }, source="corner")


@pytest.fixture(scope="module")
def corner_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("corner")
    result = riskcalc.simulate(corner_model(), n=20_000, seed=7)
    result.write(out)
    return result, out


def test_box_one_recovers_the_corner_and_restricts_nothing_else(corner_run):
    result, _ = corner_run
    found = riskcalc.discover(result, where="npv_society < 0")
    box = found.boxes[0]
    assert box.restricted == ["a", "b"]
    j_a, j_b = box.names.index("a"), box.names.index("b")
    assert box.lower[j_a] == pytest.approx(0.8, abs=0.02) and box.upper[j_a] == np.inf
    assert box.upper[j_b] == pytest.approx(0.3, abs=0.02) and box.lower[j_b] == -np.inf
    assert box.coverage > 0.95 and box.density > 0.9
    assert all(p < 1e-10 for p in box.quasi_p.values())
    # Everything that meets the condition is in box 1: no second box is found.
    assert len(found.boxes) == 1
    assert found.hits == int((result.outputs["npv_society"] < 0).sum())


def test_discovery_csv_has_one_row_per_restricted_input(corner_run):
    _, out = corner_run
    assert main(["discover", str(out), "--where", "npv_society < 0"]) == 0
    table = pd.read_csv(out / "discovery.csv")
    assert list(table.columns)[:6] == ["box", "parameter", "lower", "upper", "coverage",
                                       "density"]
    assert table["box"].tolist() == [1, 1] and table["parameter"].tolist() == ["a", "b"]
    assert table["lower"][0] == pytest.approx(0.8, abs=0.02) and pd.isna(table["upper"][0])
    assert pd.isna(table["lower"][1]) and table["upper"][1] == pytest.approx(0.3, abs=0.02)
    data = json.loads((out / "discovery.json").read_text(encoding="utf-8"))
    trajectory = data["boxes"][0]["trajectory"]
    assert trajectory[0]["coverage"] == 1.0 and trajectory[0]["mass"] == 1.0
    assert trajectory[0]["density"] == pytest.approx(data["share"])
    leaf = data["leaves"][0]
    assert leaf["share"] == 1.0
    assert {(name, op) for name, op, _ in leaf["rule"]} == {("a", ">"), ("b", "<=")}
    assert (out / "figures" / "discovery_tradeoff.png").is_file()
    assert (out / "figures" / "discovery_boxes.svg").is_file()


def test_report_has_a_discovery_section_in_english_and_swedish(corner_run):
    _, out = corner_run
    main(["discover", str(out), "--where", "npv_society < 0"])
    from riskcalc.report import write_report
    page = write_report(out, "sv").read_text(encoding="utf-8")
    assert "Scenarioupptäckt" in page and "och bara 0 % av de övriga" in page
    assert re.search(r"a över 0,(79|8)\d* och b under 0,(3|29)", page)
    page = write_report(out, "en").read_text(encoding="utf-8")
    assert "Scenario discovery" in page and "and only 0 % of the others" in page
    assert re.search(r"a above 0\.(79|8)\d* and b below 0\.(3|29)", page)


def test_peeling_trajectory_shrinks_and_coverage_never_grows():
    rng = np.random.default_rng(1)
    x = rng.random((5000, 3))
    y = x[:, 0] + 0.3 * rng.random(5000) > 1.0
    steps = peel(x, y, alpha=0.1, min_mass=0.05)
    masses = [s.mass for s in steps]
    assert masses[0] == 1.0 and all(np.diff(masses) < 0) and masses[-1] >= 0.05
    assert all(np.diff([s.coverage for s in steps]) <= 0)
    # Each step peels about alpha of the box.
    assert steps[1].n == pytest.approx(0.9 * 5000, abs=2)
    assert steps[-1].density > 0.85 and steps[-1].lower[0] > 0.9


def test_quasi_p_value_is_the_binomial_tail_at_the_relaxed_density():
    # Box x0 >= 0.5: 3 of 4 in the box are hits; without the restriction 4 of 8 are.
    x = np.array([[0.1], [0.2], [0.3], [0.4], [0.6], [0.7], [0.8], [0.9]])
    y = np.array([1, 0, 0, 0, 1, 1, 1, 0], dtype=bool)
    qp = quasi_p_values(x, y, np.array([0.5]), np.array([np.inf]), [0])
    assert qp[0] == pytest.approx(stats.binom.sf(2, 4, 0.5))
    assert qp[0] == pytest.approx(5 / 16)


def test_discrete_input_loses_a_whole_value_when_peeled():
    rng = np.random.default_rng(2)
    regime = rng.integers(0, 3, 3000).astype(float)
    noise = rng.random(3000)
    y = regime == 2
    boxes = prim_boxes(np.column_stack([regime, noise]), y, ["regime", "noise"])
    assert boxes[0].restricted == ["regime"]
    assert boxes[0].density == 1.0 and boxes[0].coverage == 1.0


def test_second_box_is_found_on_what_the_first_left():
    rng = np.random.default_rng(3)
    x = rng.random((20_000, 3))
    y = (x[:, 0] > 0.8) | (x[:, 1] > 0.9)  # 0.2 of the scenarios, then 0.08 more
    first, second = prim_boxes(x, y, ["p", "q", "r"], n_boxes=3)
    assert first.restricted == ["p"] and first.lower[0] == pytest.approx(0.8, abs=0.02)
    assert first.coverage == pytest.approx(0.2 / 0.28, abs=0.02)
    assert second.restricted == ["q"] and second.lower[1] == pytest.approx(0.9, abs=0.02)
    assert second.coverage == pytest.approx(0.08 / 0.28, abs=0.02)
    assert first.coverage + second.coverage == pytest.approx(1.0, abs=0.001)
    assert first.mass + second.mass == pytest.approx(0.28, abs=0.01)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"where": "npv_socety < 0"}, "unknown name 'npv_socety' in 'npv_socety < 0'; did you mean "
                                  "'npv_society'?"),
    ({"where": "npv_society * 2"}, "is not a condition"),
    ({"where": "npv_society < -1e9"}, "no scenario of the 20,000 meets it"),
    ({"where": "import os"}, "--where"),
    ({"cls": "terrible"}, "unknown class 'terrible'"),
    ({}, "give exactly one of --where EXPR and --class NAME"),
    ({"where": "npv_society < 0", "cls": "bad"}, "give exactly one"),
])
def test_bad_conditions_give_one_line_errors(corner_run, kwargs, message):
    _, out = corner_run
    with pytest.raises(ModelError) as info:
        riskcalc.discover(out, **kwargs)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_class_condition_uses_the_runs_class_thresholds(corner_run):
    _, out = corner_run
    # ROI = NPV / investment (1 SEK): the losing scenarios have ROI -1, very bad (< -0.5).
    found = riskcalc.discover(out, cls="very_bad")
    assert found.condition == "class very_bad"
    assert found.boxes[0].restricted == ["a", "b"]


def test_discover_on_a_directory_without_scenarios_is_refused(tmp_path, capsys):
    assert main(["discover", str(tmp_path), "--class", "bad"]) == 2
    err = capsys.readouterr().err
    assert "no scenarios.parquet" in err and err.count("\n") == 1
