"""Spider plot beside the tornado, and each actor's NPV split by cost kind."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import MODELS, linear_model_dict
from scipy import stats

import riskcalc
from riskcalc.cli import main
from riskcalc.results.actor_kinds import actor_kind_split, kind_split_model
from riskcalc.sensitivity.tornado import SPIDER_PERCENTILES, tornado_analysis

ANNUITY = sum(1.03 ** -(y - 1) for y in range(1, 11))  # linear model: 10 years at 3 %


@pytest.fixture(scope="module")
def linear():
    return riskcalc.model_from_dict(linear_model_dict(transfer="2.0"), source="linear")


def test_spider_sweeps_each_input_over_its_percentiles(linear):
    result = tornado_analysis(linear)
    spider = result.spider
    gainer = spider[(spider["output"] == "npv_gainer") & (spider["parameter"] == "saving")]
    assert gainer["percentile"].tolist() == list(SPIDER_PERCENTILES)
    saving = stats.uniform(5.0, 20.0).ppf(SPIDER_PERCENTILES)
    np.testing.assert_allclose(gainer["value"], saving)
    # NPV of the gainer: saving every year, minus the transfer of 2 in years 1-3.
    transfer = 2.0 * sum(1.03 ** -(y - 1) for y in (1, 2, 3))
    np.testing.assert_allclose(gainer["output_value"], saving * ANNUITY - transfer, rtol=1e-12)
    # Inputs that do not enter an output leave it flat at the base case.
    payer_on_saving = spider[(spider["output"] == "npv_payer")
                             & (spider["parameter"] == "saving")]
    assert (payer_on_saving["output_value"] == payer_on_saving["base_output"]).all()


def test_spider_agrees_with_the_tornado_at_p10_and_p90(linear):
    result = tornado_analysis(linear)
    spider = result.spider.set_index(["output", "parameter", "percentile"])["output_value"]
    for row in result.table.itertuples():
        assert spider[(row.output, row.parameter, 0.1)] == pytest.approx(row.output_at_low)
        assert spider[(row.output, row.parameter, 0.9)] == pytest.approx(row.output_at_high)


def test_tornado_command_writes_spider_and_the_report_shows_it(tmp_path):
    out = tmp_path / "run"
    model = str(MODELS / "labour_market.toml")
    assert main(["run", model, "--n", "2000", "--seed", "1", "--out", str(out), "--quiet"]) == 0
    assert main(["tornado", model, "--out", str(out), "--quiet"]) == 0
    spider = pd.read_csv(out / "spider.csv")
    assert {"output", "parameter", "percentile", "value", "output_value",
            "base_output"} <= set(spider.columns)
    from riskcalc.report import write_report
    page = write_report(out, "sv").read_text(encoding="utf-8")
    assert "Spindeldiagram" in page and (out / "figures" / "spider.svg").is_file()


def test_actor_kinds_add_up_to_each_actor_and_each_kind(linear):
    run = riskcalc.simulate(linear, 3000, seed=9, chunk_size=1000)
    split = actor_kind_split(linear, 3000, seed=9, chunk_size=1000)
    kinds = ("real", "financial", "production")
    for actor in linear.actor_keys:
        total = sum(split.npv[f"{actor}__{k}"] for k in kinds)
        np.testing.assert_allclose(total, run.outputs[f"npv_{actor}"], rtol=1e-12, atol=1e-9)
    for kind in kinds:
        total = sum(split.npv[f"{a}__{kind}"] for a in linear.actor_keys)
        np.testing.assert_allclose(total, run.outputs[f"npv_kind_{kind}"], rtol=1e-12,
                                   atol=1e-9)
    # Known parts: the payer's cost is real; the gainer's saving financial; the production
    # actor's value is production value.
    np.testing.assert_allclose(split.npv["payer__real"], -run.parameters["cost"])
    assert (split.npv["gainer__real"] == 0).all() and (split.npv["payer__production"] == 0).all()
    np.testing.assert_allclose(split.npv["production__production"],
                               run.parameters["value"] * (ANNUITY - 1), rtol=1e-12)
    summary = split.summary.set_index(["actor", "kind"])
    assert summary.loc[("payer", "real"), "mean"] == pytest.approx(
        -run.parameters["cost"].mean())
    yearly = split.yearly
    last = yearly[(yearly["actor"] == "payer") & (yearly["kind"] == "real")]
    assert last["year"].tolist() == list(range(1, 11))
    assert last["p50"].iloc[-1] == pytest.approx(np.median(-run.parameters["cost"]), rel=0.01)


def test_transfers_stay_within_their_kind(linear):
    split = kind_split_model(linear)
    assert [t.payer for t in split.transfers] == [f"gainer__{linear.transfers[0].kind}"]
    assert [t.payee for t in split.transfers] == [f"payer__{linear.transfers[0].kind}"]
    assert len(split.actors) == 3 * len(linear.actors)


def test_run_by_kind_writes_the_split_and_the_report_table(tmp_path):
    out = tmp_path / "run"
    assert main(["run", str(MODELS / "labour_market.toml"), "--n", "2000", "--seed", "3",
                 "--out", str(out), "--by-kind", "--quiet"]) == 0
    summary = pd.read_csv(out / "actor_kinds.csv")
    npv = pd.read_parquet(out / "actor_kinds.parquet")
    scenarios = pd.read_parquet(out / "scenarios.parquet")
    total = npv["municipality__real"] + npv["municipality__financial"] \
        + npv["municipality__production"]
    np.testing.assert_allclose(total, scenarios["npv_municipality"], rtol=1e-9)
    assert set(summary["kind"]) == {"real", "financial", "production"}
    assert (out / "actor_kinds_yearly.csv").is_file()
    from riskcalc.report import write_report
    page = write_report(out, "en").read_text(encoding="utf-8")
    assert "Net present value per actor and cost kind" in page
