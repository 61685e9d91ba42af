"""The engine against closed forms and invariants."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from conftest import linear_model_dict

from riskcalc import model_from_dict, simulate
from riskcalc.engine.metrics import annuity_factor, investment_hump, payback_year

SEED = 20261128


def test_each_scenario_npv_matches_the_closed_form(linear_model):
    result = simulate(linear_model, 3000, seed=SEED)
    p, out = result.parameters, result.outputs
    annuity = annuity_factor(0.03, 10)
    # production gains `value` in years 2..10: the annuity less the undiscounted year 1
    np.testing.assert_allclose(out["npv_payer"], -p["cost"], rtol=1e-12)
    np.testing.assert_allclose(out["npv_gainer"], p["saving"] * annuity, rtol=1e-12)
    np.testing.assert_allclose(out["npv_production"], p["value"] * (annuity - 1), rtol=1e-12)
    society = -p["cost"] + p["saving"] * annuity + p["value"] * (annuity - 1)
    # society sums terms of opposite sign: compare on the scale of its terms
    np.testing.assert_allclose(out["npv_society"], society, rtol=1e-12, atol=1e-11)
    np.testing.assert_allclose(out["roi"], society / p["cost"], rtol=1e-12, atol=1e-13)


def test_mean_society_npv_matches_the_closed_form_within_sampling_error(linear_model):
    result = simulate(linear_model, 40_000, seed=SEED)
    annuity = annuity_factor(0.03, 10)
    pert_mean = (80 + 4 * 100 + 150) / 6
    expected = -pert_mean + 15.0 * annuity + 10.0 * (annuity - 1)
    summary = result.summary().set_index("output").loc["npv_society"]
    assert abs(summary["mean"] - expected) < 4 * summary["se_mean"]


def test_constant_flow_discounts_to_the_annuity_formula():
    data = linear_model_dict(years=20, rate=0.035)
    data["parameters"] = {"cost": 1.0, "saving": 1.0, "value": 0.0}
    model = model_from_dict(data)
    result = simulate(model, 1, seed=1)
    assert result.outputs["npv_gainer"][0] == pytest.approx(annuity_factor(0.035, 20),
                                                            rel=1e-13)
    assert annuity_factor(0.035, 20) == pytest.approx(
        sum(1.035 ** -(t - 1) for t in range(1, 21)), rel=1e-13)


def test_transfers_cancel_for_society():
    without = simulate(model_from_dict(linear_model_dict()), 2000, seed=SEED)
    with_transfer = simulate(model_from_dict(linear_model_dict(transfer=7.5)), 2000, seed=SEED)
    # society is built from cost kinds, where transfers never enter: exactly equal
    np.testing.assert_array_equal(with_transfer.outputs["npv_society"],
                                  without.outputs["npv_society"])
    actors = sum(with_transfer.outputs[f"npv_{a}"] for a in ("payer", "gainer", "production"))
    np.testing.assert_allclose(actors, with_transfer.outputs["npv_society"], rtol=1e-12)
    moved = 7.5 * (1 + 1 / 1.03 + 1 / 1.03**2)
    np.testing.assert_allclose(with_transfer.outputs["npv_payer"],
                               without.outputs["npv_payer"] + moved, rtol=1e-12)


@pytest.mark.parametrize(("n_jobs", "backend"),
                         [(2, "threading"), (-1, "threading"), (2, "loky"), (3, "sequential")])
def test_same_seed_gives_identical_results_for_any_number_of_workers(labour_market, n_jobs,
                                                                     backend):
    kwargs = dict(seed=SEED, chunk_size=5000)
    one = simulate(labour_market, 23_000, n_jobs=1, **kwargs)
    many = simulate(labour_market, 23_000, n_jobs=n_jobs, backend=backend, **kwargs)
    for name in one.outputs:
        np.testing.assert_array_equal(one.outputs[name], many.outputs[name], err_msg=name)
    for name in one.parameters:
        np.testing.assert_array_equal(one.parameters[name], many.parameters[name])
    np.testing.assert_array_equal(one.bands, many.bands)


def test_threads_give_the_same_results_as_processes(labour_market):
    a = simulate(labour_market, 12_000, seed=SEED, chunk_size=5000, n_jobs=2, backend="loky")
    b = simulate(labour_market, 12_000, seed=SEED, chunk_size=5000, n_jobs=2,
                 backend="threading")
    for name in a.outputs:
        np.testing.assert_array_equal(a.outputs[name], b.outputs[name], err_msg=name)


def test_a_longer_run_starts_with_the_shorter_run(labour_market):
    short = simulate(labour_market, 7_500, seed=SEED, chunk_size=5000)
    long = simulate(labour_market, 15_000, seed=SEED, chunk_size=5000)
    for name in short.outputs:
        np.testing.assert_array_equal(short.outputs[name], long.outputs[name][:7_500])


def test_different_seeds_give_different_draws(labour_market):
    a = simulate(labour_market, 100, seed=1)
    b = simulate(labour_market, 100, seed=2)
    assert not np.array_equal(a.parameters["success_rate"], b.parameters["success_rate"])


def test_a_drawn_seed_is_recorded_and_reproduces_the_run(labour_market):
    first = simulate(labour_market, 500)
    again = simulate(labour_market, 500, seed=first.seed)
    np.testing.assert_array_equal(first.outputs["npv_society"], again.outputs["npv_society"])


def test_memory_is_bounded_by_the_chunk_not_the_run(labour_market):
    def working_memory(n: int) -> int:
        tracemalloc.start()
        result = simulate(labour_market, n, seed=SEED, chunk_size=4096)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        table = (len(result.parameters) + len(result.outputs)) * n * 8
        return peak - table  # what the run needed beyond its per-scenario table

    small, large = working_memory(16_384), working_memory(65_536)
    assert large < 1.25 * small


def test_nonfinite_scenarios_are_counted_and_left_out_of_the_summary():
    data = linear_model_dict()
    data["parameters"]["divisor"] = {"discrete": {"values": [0.0, 1.0], "weights": [0.5, 0.5]}}
    data["flow"].append({"actor": "gainer", "kind": "financial", "revenue": "1 / divisor"})
    result = simulate(model_from_dict(data), 4000, seed=SEED)
    bad = result.parameters["divisor"] == 0
    assert result.n_nonfinite == bad.sum() > 0
    assert result.nonfinite_example()["divisor"] == 0.0
    summary = result.summary().set_index("output")
    assert np.isfinite(summary.loc["npv_society", "mean"])
    good = result.outputs["npv_society"][~bad]
    assert summary.loc["npv_society", "mean"] == pytest.approx(good.mean(), rel=1e-12)


def test_histogram_bands_agree_with_exact_percentiles(labour_market):
    many_chunks = simulate(labour_market, 60_000, seed=SEED, chunk_size=8192)
    assert many_chunks.band_method == "histogram"
    final = many_chunks.yearly.query("series == 'society' and year == 20").iloc[0]
    exact = np.percentile(many_chunks.outputs["npv_society"], [5, 50, 95])
    spread = many_chunks.outputs["npv_society"].std()
    np.testing.assert_allclose(final[["p05", "p50", "p95"]].to_numpy(float), exact,
                               atol=0.05 * spread)


def test_single_chunk_bands_are_exact(linear_model):
    result = simulate(linear_model, 5000, seed=SEED)
    assert result.band_method == "exact"
    final = result.yearly.query("series == 'gainer' and year == 10").iloc[0]
    np.testing.assert_allclose(final[["p05", "p50", "p95"]].to_numpy(float),
                               np.percentile(result.outputs["npv_gainer"], [5, 50, 95]))


def test_payback_year_is_the_first_year_with_nonnegative_cumulative_net():
    cumulative = np.array([[-5.0, 1.0, -1.0], [-1.0, 2.0, -0.5], [0.0, 3.0, -0.1]])
    np.testing.assert_array_equal(payback_year(cumulative), [3.0, 1.0, np.nan])


def test_investment_hump_is_the_deepest_cumulative_deficit():
    cumulative = np.array([[-5.0, 1.0], [-7.0, 2.0], [3.0, 3.0]])
    np.testing.assert_array_equal(investment_hump(cumulative), [7.0, 0.0])
