"""Convergence of a run and `run --precision`: running estimates, their errors, the N needed."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import MODELS, linear_model_dict

import riskcalc
from riskcalc.cli import main
from riskcalc.decision.convergence import (
    Z95,
    checkpoints,
    convergence_table,
    parse_target,
    precision_table,
    run_to_precision,
)
from riskcalc.errors import ModelError


def normal_outputs(n=40_000, mean=10.0, sd=4.0):
    return {"npv_society": np.random.default_rng(5).normal(mean, sd, n)}


def test_running_estimates_are_those_of_the_first_n_scenarios():
    x = normal_outputs()["npv_society"]
    table = convergence_table({"npv_society": x}, points=10)
    assert table["n"].iloc[0] == 100 and table["n"].iloc[-1] == x.size
    assert np.all(np.diff(table["n"]) > 0)
    for row in table.itertuples():
        head = x[: row.n]
        assert row.mean == pytest.approx(head.mean(), rel=1e-12)
        assert row.se_mean == pytest.approx(head.std(ddof=1) / math.sqrt(row.n), rel=1e-12)
        assert row.p_loss == np.mean(head < 0)
        assert row.p05 == pytest.approx(np.quantile(head, 0.05), rel=1e-12)
    last = table.iloc[-1]
    # Closed forms for N(10, 4): P(X < 0) = Phi(-2.5), P5 = 10 - 1.645 * 4.
    assert last["p_loss"] == pytest.approx(0.00621, abs=4 * last["se_p_loss"] + 1e-4)
    assert last["p05"] == pytest.approx(10 - 1.6449 * 4, abs=4 * last["se_p05"])
    assert last["se_p05"] > 0


def test_standard_errors_shrink_as_one_over_root_n():
    table = convergence_table(normal_outputs(), points=25)
    ratio = table["se_mean"].iloc[-1] / table["se_mean"].iloc[0]
    assert ratio == pytest.approx(math.sqrt(100 / 40_000), rel=0.15)


def test_precision_from_the_convergence_table_equals_precision_from_the_columns():
    outputs = {**normal_outputs(), "npv_payer": normal_outputs(mean=-1.0)["npv_society"]}
    targets = ["mean=0.5%", "p_loss=0.1pp", "p05=2%", "payer.mean=1%"]
    convergence = convergence_table(outputs)
    shared = precision_table(outputs, targets, convergence=convergence)
    pd.testing.assert_frame_equal(shared, precision_table(outputs, targets), check_exact=True)


def test_n_needed_follows_from_the_standard_errors():
    outputs = normal_outputs()
    table = precision_table(outputs, ["mean=0.5%", "p_loss=0.1pp", "p05=2%"]).set_index(
        "statistic")
    n = 40_000
    mean = table.loc["mean"]
    assert mean["bound"] == pytest.approx(0.005 * abs(mean["estimate"]))
    assert mean["half_width"] == pytest.approx(Z95 * mean["se"])
    # (1.96 sd / (0.005 * 10))^2 = 24,586 < 40,000: met.
    assert mean["n_needed"] == pytest.approx((Z95 * 4.0 / 0.05) ** 2, rel=0.03)
    assert bool(mean["met"])
    p = table.loc["p_loss"]
    assert p["n_needed"] == math.ceil(n * (Z95 * p["se"] / 0.001) ** 2)
    assert p["n_needed"] == math.ceil(Z95**2 * p["estimate"] * (1 - p["estimate"]) / 1e-6
                                       - 1e-6)
    assert bool(p["met"]) == (p["n_needed"] <= n)


@pytest.mark.parametrize(("text", "expected"), [
    ("mean=1%", ("npv_society", "mean", 0.01, True)),
    ("municipality.p_loss=0.5pp", ("npv_municipality", "p_loss", 0.005, False)),
    ("npv_region.p05=2e6", ("npv_region", "p05", 2e6, False)),
    ("roi.mean=0.05", ("roi", "mean", 0.05, False)),
])
def test_precision_targets_are_read_as_written(text, expected):
    t = parse_target(text)
    assert (t.output, t.statistic, t.bound, t.relative) == expected


@pytest.mark.parametrize(("text", "message"), [
    ("mean", "write [OUTPUT.]STATISTIC=BOUND"),
    ("median=1%", "unknown statistic 'median'"),
    ("mean=0.5pp", "percentage points (pp) bound a probability"),
    ("p_loss=5", "a probability's bound is below 1"),
    ("mean=-1%", "must be a positive number"),
    ("mean=abc", "'abc' is not a bound"),
])
def test_bad_precision_targets_are_refused_in_one_line(text, message):
    with pytest.raises(ModelError, match=message.replace("(", r"\(").replace(")", r"\)")
                       .replace("[", r"\[").replace("]", r"\]").replace(".", r"\.")):
        parse_target(text)


def test_run_to_precision_adds_chunks_and_equals_one_run_of_that_size():
    model = riskcalc.model_from_dict(linear_model_dict(), source="linear")
    rounds = []
    result, table = run_to_precision(model, ["mean=0.3%"], n=1000, seed=11, chunk_size=1000,
                                     on_round=lambda r, t: rounds.append((r.n, t["met"].all())))
    assert table["met"].all() and len(rounds) >= 2 and not rounds[0][1]
    assert [n for n, _ in rounds] == sorted({n for n, _ in rounds})
    assert result.n % 1000 == 0 and result.n == rounds[-1][0]
    again = riskcalc.simulate(model, result.n, seed=11, chunk_size=1000)
    np.testing.assert_array_equal(result.outputs["npv_society"], again.outputs["npv_society"])
    # The first round's scenarios are the first scenarios of the last round.
    first = riskcalc.simulate(model, 1000, seed=11, chunk_size=1000)
    np.testing.assert_array_equal(first.outputs["npv_society"],
                                  result.outputs["npv_society"][:1000])


def test_run_to_precision_stops_at_max_n():
    model = riskcalc.model_from_dict(linear_model_dict(), source="linear")
    result, table = run_to_precision(model, ["mean=0.001%"], n=500, max_n=3000, seed=1,
                                     chunk_size=1000)
    assert result.n == 3000 and not table["met"].any()


def test_cli_run_precision(tmp_path, capsys):
    out = tmp_path / "run"
    code = main(["run", str(MODELS / "labour_market.toml"), "--n", "2000", "--seed", "4", "--out",
                 str(out), "--precision", "mean=1%", "--precision", "municipality.p05=5%",
                 "--quiet"])
    assert code == 0
    precision = pd.read_csv(out / "precision.csv")
    assert precision["met"].all()
    assert list(precision["output"]) == ["npv_society", "npv_municipality"]
    n = pd.read_parquet(out / "scenarios.parquet").shape[0]
    # 2,000 scenarios did not meet them; whole chunks (65,536 scenarios) were added.
    assert n == precision["n"].iloc[0] and n > 2000 and n % 65_536 == 0
    assert (precision["half_width"] <= precision["bound"]).all()
    convergence = pd.read_csv(out / "convergence.csv")
    assert convergence.groupby("output")["n"].max().eq(n).all()
    assert main(["run", str(MODELS / "labour_market.toml"), "--precision", "mean=1pp"]) == 2
    err = capsys.readouterr().err
    assert "percentage points (pp) bound a probability" in err and err.count("\n") == 1


def test_report_has_a_convergence_section(tmp_path):
    out = tmp_path / "run"
    assert main(["run", str(MODELS / "labour_market.toml"), "--n", "3000", "--seed", "4", "--out",
                 str(out), "--quiet"]) == 0
    from riskcalc.report import write_report
    page = write_report(out, "en").read_text(encoding="utf-8")
    assert "Convergence: are there enough scenarios?" in page and "N needed" in page
    page = write_report(out, "sv").read_text(encoding="utf-8")
    assert "Konvergens: räcker antalet scenarier?" in page and "N som krävs" in page
    assert (out / "figures" / "convergence.svg").is_file()


def test_checkpoints_end_at_n():
    assert checkpoints(50).tolist() == [50]
    points = checkpoints(10_000, 5)
    assert points.tolist() == [100, 316, 1000, 3162, 10_000]
