"""What `riskcalc run` writes and prints, and the seed's table 4.2 at base case."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from conftest import MODELS, REFERENCE

from riskcalc import income_statement, simulate
from riskcalc.cli import main

SEED_TO_MODEL = {"production_value": "production", "society_total": "society"}


@pytest.fixture(scope="module")
def table_4_2():
    frame = pd.read_csv(REFERENCE / "seed_table_4_2_socioeconomic_income_statement.csv")
    frame["actor"] = frame["actor"].replace(SEED_TO_MODEL)
    return frame.set_index("actor")


def test_base_case_reproduces_seed_table_4_2(labour_market, table_4_2):
    statement = income_statement(labour_market).table
    for actor, row in table_4_2.iterrows():
        ours = statement.loc[actor]
        assert ours["net"] == pytest.approx(row["net"], rel=0.01, abs=1.0), actor
        if actor != "society":
            assert ours["revenue"] == pytest.approx(row["revenue"], rel=0.01, abs=1.0), actor
            assert ours["cost"] == pytest.approx(row["cost"], rel=0.01, abs=1.0), actor
    assert statement.loc["society", "net"] == pytest.approx(34_017_064, rel=0.001)


def test_statement_at_other_values_moves_with_the_success_rate(labour_market):
    base = income_statement(labour_market)
    lower = income_statement(labour_market, {"success_rate": 0.3})
    assert lower.table.loc["municipality", "revenue"] == pytest.approx(
        base.table.loc["municipality", "revenue"] * 0.3 / base.values["success_rate"])
    assert lower.npv["society"] < base.npv["society"]


def test_run_writes_a_complete_run_directory(labour_market, tmp_path):
    result = simulate(labour_market, 3000, seed=11)
    out = result.write(tmp_path / "run")
    names = {p.name for p in out.iterdir()}
    assert names == {"manifest.json", "scenarios.parquet", "summary.csv", "yearly.csv",
                     "payback.csv"}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 11 and manifest["n"] == 3000
    assert manifest["model"]["sha256"] == labour_market.sha256
    assert {"numpy", "scipy", "pandas", "riskcalc"} <= manifest["versions"].keys()
    scenarios = pd.read_parquet(out / "scenarios.parquet")
    assert len(scenarios) == 3000
    assert {"success_rate", "npv_society", "npv_municipality", "roi", "payback_year",
            "hump_society"} <= set(scenarios.columns)
    np.testing.assert_array_equal(scenarios["npv_society"], result.outputs["npv_society"])
    summary = pd.read_csv(out / "summary.csv")
    assert {"output", "mean", "std", "p05", "p50", "p95", "prob_negative"} <= set(summary)
    yearly = pd.read_csv(out / "yearly.csv")
    assert set(yearly["series"]) >= {"society", "municipality", "labour_office"}
    assert yearly["year"].max() == 20


def test_a_failed_write_leaves_no_manifest_and_no_partial_files(labour_market, tmp_path,
                                                                 monkeypatch):
    result = simulate(labour_market, 500, seed=11)
    out = result.write(tmp_path / "run")

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", fail)
    with pytest.raises(OSError):
        result.write(out)
    names = {p.name for p in out.iterdir()}
    assert "manifest.json" not in names  # the directory says: incomplete
    assert not any(".partial" in name for name in names)


def test_summary_probability_of_loss_and_percentiles(labour_market):
    result = simulate(labour_market, 4000, seed=5)
    summary = result.summary().set_index("output")
    office = result.outputs["npv_labour_office"]
    assert summary.loc["npv_labour_office", "prob_negative"] == pytest.approx(np.mean(office < 0))
    assert summary.loc["npv_society", "p50"] == pytest.approx(
        np.median(result.outputs["npv_society"]))
    payback = result.payback()
    assert payback["prob_in_year"].sum() == pytest.approx(1.0)


def test_cli_run_prints_the_actor_table_and_writes_results(tmp_path, capsys):
    code = main(["run", str(MODELS / "labour_market.toml"), "--n", "2000", "--seed", "3",
                 "--out", str(tmp_path / "lm")])
    assert code == 0
    printed = capsys.readouterr().out
    for words in ("Municipality", "Society (total)", "P(loss)", "ROI", "payback"):
        assert words in printed
    assert (tmp_path / "lm" / "manifest.json").exists()
    summary = pd.read_csv(tmp_path / "lm" / "summary.csv").set_index("output")
    for column in ("mean", "p05", "prob_negative", "var_95", "cvar_95", "se_prob_loss",
                   "hump_p95"):
        assert column in summary.columns
    assert summary.loc["npv_labour_office", "var_95"] > 0  # the office loses in every scenario


def test_cli_run_with_the_same_seed_writes_the_same_numbers(tmp_path):
    for name in ("a", "b"):
        assert main(["run", str(MODELS / "labour_market.toml"), "--n", "1500", "--seed", "9",
                     "--quiet", "--no-report", "--jobs", "2" if name == "b" else "1",
                     "--out", str(tmp_path / name)]) == 0
    a = pd.read_parquet(tmp_path / "a" / "scenarios.parquet")
    b = pd.read_parquet(tmp_path / "b" / "scenarios.parquet")
    pd.testing.assert_frame_equal(a, b)
