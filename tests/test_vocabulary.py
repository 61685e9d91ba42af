"""The analyst's vocabulary against hand-computed NPVs, and its validation."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from riskcalc import ModelError, income_statement, model_from_dict, simulate
from riskcalc.engine.sampling import design_inputs, from_unit_cube

SEED = 20261128


def small_model(**changes) -> dict:
    """A payer that pays 100 in year 1 and a gainer that saves 1,000 per person helped."""
    data = {
        "model": {"name": "vocabulary", "years": 10, "discount_rate": 0.05,
                  "investment": "100"},
        "actors": {"payer": "Payer", "gainer": "Gainer"},
        "parameters": {"people": 100},
        "outcomes": {"helped": {"value": "people"}},
        "flow": [
            {"actor": "payer", "kind": "real", "cost": 100.0, "when": "year == 1"},
            {"actor": "gainer", "kind": "financial", "revenue": "helped * 1000"},
        ],
    }
    for path, value in changes.items():
        *keys, last = path.split(".")
        target = data
        for key in keys:
            target = target[int(key)] if key.isdigit() else target.setdefault(key, {})
        target[last] = value
    return data


def npv_of(data: dict, actor: str = "gainer") -> float:
    return income_statement(model_from_dict(copy.deepcopy(data))).npv[actor]


def test_outcome_adjustments_apply_in_the_standard_order_with_drop_off_and_lag():
    data = small_model(**{"outcomes.helped.deadweight": 0.2,
                          "outcomes.helped.displacement": 0.1,
                          "outcomes.helped.attribution": 0.25,
                          "outcomes.helped.drop_off": 0.1,
                          "outcomes.helped.start_year": 3})
    net = 100 * 0.8 * 0.9 * 0.75
    expected = sum(net * 0.9 ** (t - 3) * 1000 / 1.05 ** (t - 1) for t in range(3, 11))
    assert npv_of(data) == pytest.approx(expected, rel=1e-12)


def test_statement_shows_each_adjustment_of_an_outcome():
    data = small_model(**{"outcomes.helped.deadweight": 0.2,
                          "outcomes.helped.attribution": 0.5})
    steps = income_statement(model_from_dict(data)).outcomes.loc["helped"]
    assert steps["gross"] == 100
    assert steps["after_deadweight"] == pytest.approx(80)
    assert steps["after_displacement"] == pytest.approx(80)
    assert steps["after_attribution"] == pytest.approx(40)
    assert steps["net"] == pytest.approx(40)


def test_an_adjustment_given_as_a_distribution_becomes_a_parameter():
    data = small_model(**{"outcomes.helped.deadweight": {"uniform": [0.1, 0.3]}})
    model = model_from_dict(data)
    assert "helped_deadweight" in model.uncertain_parameters
    result = simulate(model, 2000, seed=SEED)
    annuity = sum(1.05 ** -(t - 1) for t in range(1, 11))
    np.testing.assert_allclose(result.outputs["npv_gainer"],
                               100 * (1 - result.parameters["helped_deadweight"]) * 1000
                               * annuity, rtol=1e-12)


def test_optimism_bias_uplifts_costs_and_is_shown_separately():
    data = small_model(**{"model.optimism_bias": 0.25})
    statement = income_statement(model_from_dict(data))
    assert statement.table.loc["payer", "cost"] == pytest.approx(125.0)
    assert statement.table.loc["payer", "optimism_bias"] == pytest.approx(25.0)
    assert statement.npv["payer"] == pytest.approx(-125.0)


def test_a_flow_can_set_its_own_optimism_bias():
    data = small_model(**{"model.optimism_bias": 0.25, "flow.0.optimism_bias": 0.0})
    assert npv_of(data, "payer") == pytest.approx(-100.0)


def test_realisation_turns_part_of_a_saving_into_budget():
    data = small_model(**{"actors.gainer": {"label": "Gainer", "realisation": 0.6}})
    statement = income_statement(model_from_dict(data))
    assert statement.table.loc["gainer", "revenue"] == pytest.approx(60_000)
    assert statement.table.loc["gainer", "revenue_on_paper"] == pytest.approx(100_000)
    annuity = sum(1.05 ** -(t - 1) for t in range(1, 11))
    assert statement.npv["gainer"] == pytest.approx(60_000 * annuity)
    assert statement.npv_on_paper["gainer"] == pytest.approx(100_000 * annuity)
    assert statement.npv_on_paper["society"] - statement.npv["society"] == pytest.approx(
        40_000 * annuity)


def test_indivisible_savings_count_only_in_whole_units():
    # A ward costs 45,000 a year: 100,000 of savings on paper close two wards.
    data = small_model(**{"flow.1.whole_units": 45_000})
    statement = income_statement(model_from_dict(data))
    assert statement.table.loc["gainer", "revenue"] == pytest.approx(90_000)
    assert statement.table.loc["gainer", "revenue_on_paper"] == pytest.approx(100_000)


def test_run_reports_theoretical_and_realised_npv():
    data = small_model(**{"actors.gainer": {"label": "Gainer",
                                            "realisation": {"uniform": [0.4, 0.8]}}})
    result = simulate(model_from_dict(data), 1000, seed=SEED)
    share = result.parameters["gainer_realisation"]
    np.testing.assert_allclose(result.outputs["npv_gainer"],
                               share * result.outputs["theoretical_gainer"], rtol=1e-12)
    assert "theoretical_society" in result.summary()["output"].tolist()


def test_a_declining_discount_schedule_compounds_across_its_breakpoints():
    # The Green Book: 3.5 % for the first 30 years from now, 3.0 % after.
    data = small_model(**{"model.years": 40,
                          "model.discount_rate": {"schedule": [[1, 0.035], [32, 0.030]]}})
    factors = [1.035 ** -(t - 1) if t <= 31 else 1.035 ** -30 * 1.03 ** -(t - 31)
               for t in range(1, 41)]
    assert npv_of(data) == pytest.approx(100_000 * sum(factors), rel=1e-12)


def test_an_uncertain_discount_rate_is_drawn_per_scenario():
    data = small_model(**{"parameters.rate": {"uniform": [0.01, 0.05]},
                          "model.discount_rate": "rate"})
    result = simulate(model_from_dict(data), 500, seed=SEED)
    rate = result.parameters["rate"]
    annuity = (1 - (1 + rate) ** -10) / rate * (1 + rate)
    np.testing.assert_allclose(result.outputs["npv_gainer"], 100_000 * annuity, rtol=1e-12)


@pytest.mark.parametrize(("path", "value", "key", "message"), [
    ("outcomes.helped.deadweight", 1.5, r"\[outcomes\]\.helped\.deadweight",
     r"value 1\.5 is out of range; it must lie in \[0\.0, 1\.0\]"),
    ("outcomes.helped.drop_off", {"normal": [0.1, 0.05]}, r"\[outcomes\]\.helped\.drop_off",
     "value -inf .*can reach it.* is out of range"),
    ("outcomes.helped.start_year", 11, r"\[outcomes\]\.helped\.start_year",
     r"expected a whole year within the horizon 1\.\.10, got 11"),
    ("model.optimism_bias", -0.1, r"\[model\]\.optimism_bias", "it must be at least 0"),
    ("flow.1.whole_units", 0, r"flow\[2\]\.whole_units", "it must be positive"),
    ("model.discount_rate", {"schedule": [[1, 0.035], [1, 0.03]]},
     r"\[model\]\.discount_rate\.schedule\[2\]", "schedule years increase"),
    ("model.discount_rate", {"schedule": [[5, 0.035]]},
     r"\[model\]\.discount_rate\.schedule\[1\]", "must start in year 1"),
    ("flow.1.optimism_bias", 0.1, r"flow\[2\]\.optimism_bias", "applies to a cost flow only"),
    ("flow.0.whole_units", 10, r"flow\[1\]\.whole_units", "applies to a revenue flow only"),
    ("outcomes.helped.deadwieght", 0.1, r"\[outcomes\]\.helped\.deadwieght",
     "did you mean 'deadweight'"),
])
def test_each_adjustment_is_validated(path, value, key, message):
    with pytest.raises(ModelError, match=f"^vocabulary: {key}: .*{message}"):
        model_from_dict(small_model(**{path: value}), source="vocabulary")


def correlated_model(pairs) -> dict:
    data = small_model()
    data["parameters"].update({
        "a": {"pert": [0.0, 2.0, 10.0]},
        "b": {"uniform": [1.0, 3.0]},
        "c": {"lognormal": {"p05": 1.0, "p95": 4.0}},
    })
    data["flow"].append({"actor": "gainer", "kind": "real", "revenue": "a + b + c"})
    data["correlations"] = {"pairs": pairs}
    return data


def test_sampled_rank_correlations_match_the_declared_ones():
    model = model_from_dict(correlated_model([["a", "b", 0.6], ["a", "c", -0.4]]))
    result = simulate(model, 20_000, seed=SEED)
    p = result.parameters
    rho_ab = stats.spearmanr(p["a"], p["b"]).statistic
    rho_ac = stats.spearmanr(p["a"], p["c"]).statistic
    rho_bc = stats.spearmanr(p["b"], p["c"]).statistic
    # the sampling error of Spearman's rho at n = 20,000 is about 0.007
    assert rho_ab == pytest.approx(0.6, abs=0.025)
    assert rho_ac == pytest.approx(-0.4, abs=0.025)
    assert rho_bc == pytest.approx(0.0, abs=0.03)


def test_correlation_keeps_every_marginal_distribution():
    model = model_from_dict(correlated_model([["a", "b", 0.8]]))
    result = simulate(model, 20_000, seed=SEED)
    for name in ("a", "b"):
        dist = model.parameters[name].distribution
        drawn = np.sort(result.parameters[name])
        # Kolmogorov–Smirnov distance to the declared distribution, on a grid of quantiles
        grid = dist.ppf(np.linspace(0.001, 0.999, 999))
        empirical = np.searchsorted(drawn, grid) / drawn.size
        assert np.max(np.abs(empirical - np.linspace(0.001, 0.999, 999))) < 0.015


def test_a_matrix_that_is_not_positive_definite_is_repaired_with_a_warning():
    pairs = [["a", "b", 0.9], ["a", "c", 0.9], ["b", "c", -0.9]]
    model = model_from_dict(correlated_model(pairs), source="corr")
    (warning,) = model.warnings
    assert "not positive definite" in warning and "a~b +0.900 ->" in warning
    assert np.linalg.eigvalsh(model.correlations.matrix).min() > 0
    simulate(model, 1000, seed=SEED)  # samples without error


def test_correlations_are_validated():
    with pytest.raises(ModelError, match=r"\[correlations\]\.pairs\[1\]: expected a "
                                         r"correlation in \[-1, 1\], got 1\.5"):
        model_from_dict(correlated_model([["a", "b", 1.5]]))
    with pytest.raises(ModelError, match=r"\[correlations\]\.pairs: parameter 'd' is not "
                                         r"declared in \[parameters\]"):
        model_from_dict(correlated_model([["a", "d", 0.5]]))
    with pytest.raises(ModelError, match="'people' is fixed; only uncertain parameters"):
        model_from_dict(correlated_model([["a", "people", 0.5]]))


def test_correlated_runs_are_reproducible_and_grow_by_prefix():
    model = model_from_dict(correlated_model([["a", "b", 0.6]]))
    short = simulate(model, 3000, seed=SEED, chunk_size=2000)
    long = simulate(model, 6000, seed=SEED, chunk_size=2000, n_jobs=2)
    np.testing.assert_array_equal(short.outputs["npv_gainer"],
                                  long.outputs["npv_gainer"][:3000])


def regime_model(weights=(0.2, 0.5, 0.2, 0.1)) -> dict:
    data = small_model(**{"parameters.success": {"uniform": [0.3, 0.6]}})
    data["outcomes"]["helped"]["value"] = "people * success"
    names = ("good", "half_good", "bad", "very_bad")
    data["regimes"] = {name: {"weight": w} for name, w in zip(names, weights, strict=True)}
    data["regimes"]["very_bad"]["parameters"] = {"success": {"uniform": [0.0, 0.05]}}
    data["regimes"]["good"]["parameters"] = {"success": 0.7}
    return data


def test_each_scenario_draws_its_regime_with_the_declared_weights():
    model = model_from_dict(regime_model())
    result = simulate(model, 20_000, seed=SEED)
    regime = result.parameters["regime"]
    shares = np.bincount(regime.astype(int), minlength=4) / regime.size
    np.testing.assert_allclose(shares, [0.2, 0.5, 0.2, 0.1], atol=0.012)
    success = result.parameters["success"]
    assert np.all(success[regime == 0] == 0.7)
    assert success[regime == 3].max() <= 0.05
    middle = success[(regime == 1) | (regime == 2)]
    assert middle.min() >= 0.3 and middle.max() <= 0.6


def test_regime_weights_must_sum_to_one():
    with pytest.raises(ModelError, match=r"\[regimes\]: the weights sum to 0\.9.*must sum to 1"):
        model_from_dict(regime_model((0.2, 0.5, 0.1, 0.1)))
    with pytest.raises(ModelError, match=r"\[regimes\]\.good\.weight: expected a probability"):
        model_from_dict(regime_model((-0.2, 0.7, 0.4, 0.1)))


def test_the_regime_is_an_input_of_sensitivity_designs():
    model = model_from_dict(regime_model())
    assert design_inputs(model) == ["success", "regime"]
    values = from_unit_cube(model, np.array([[0.5, 0.1], [0.5, 0.95], [0.5, 0.5]]))
    np.testing.assert_array_equal(values["regime"], [0, 3, 1])
    assert values["success"][0] == 0.7
    assert values["success"][1] == pytest.approx(0.025)
    assert values["success"][2] == pytest.approx(0.45)


def test_the_shipped_models_speak_the_vocabulary(labour_market):
    from conftest import MODELS

    from riskcalc import load_model

    employed = labour_market.outcomes["employed"]
    assert employed.deadweight.source == "deadweight" and employed.drop_off is not None
    early = load_model(MODELS / "early_support.toml")
    helped = early.outcomes["helped"]
    assert helped.drop_off is not None and helped.start_year > 1
    npv = income_statement(early).npv
    assert npv["school"] < 0 and npv["child_psychiatry"] < 0  # the payers
    assert npv["society"] > 0 and npv["social_services"] > 0  # the gainers


def test_a_schedule_may_mix_uncertain_and_fixed_rates():
    data = small_model(**{"parameters.rate": {"uniform": [0.01, 0.05]},
                          "model.discount_rate": {"schedule": [[1, "rate"], [5, 0.02]]}})
    result = simulate(model_from_dict(data), 300, seed=SEED)
    rate = result.parameters["rate"]
    factors = [np.ones_like(rate)]
    for t in range(2, 11):
        factors.append(factors[-1] / (1 + (rate if t < 5 else 0.02)))
    np.testing.assert_allclose(result.outputs["npv_gainer"], 100_000 * np.sum(factors, axis=0),
                               rtol=1e-12)


def test_run_reports_how_much_correlations_change_the_spread():
    from riskcalc.engine.simulation import correlation_effect

    positive = model_from_dict(correlated_model([["a", "b", 0.9]]))
    negative = model_from_dict(correlated_model([["a", "b", -0.9]]))
    for model, wider in ((positive, True), (negative, False)):
        effect = correlation_effect(simulate(model, 20_000, seed=SEED)).set_index("output")
        ratio = effect.loc["npv_gainer", "ratio"]
        assert (ratio > 1.05) if wider else (ratio < 0.95), ratio
        payer = effect.loc["npv_payer"]  # untouched by a and b
        assert payer["std_correlated"] == payer["std_independent"]


def test_a_streamed_run_compares_spreads_through_disk_and_leaves_nothing_behind(
        tmp_path, monkeypatch):
    # The run without correlations is streamed like the run itself (memory stays
    # bounded at any N); the numbers equal those of the runs in memory, and its
    # folder is removed.
    from riskcalc.engine import simulation

    model = model_from_dict(correlated_model([["a", "b", 0.9]]))
    streamed_run = simulation.simulate(model, 5_000, seed=SEED, chunk_size=2048,
                                       out_dir=tmp_path)
    in_memory = simulation.correlation_effect(
        simulation.simulate(model, 5_000, seed=SEED, chunk_size=2048))
    destinations = []

    def spy(*args, out_dir=None, **kwargs):
        destinations.append(out_dir)
        return simulate(*args, out_dir=out_dir, **kwargs)

    monkeypatch.setattr(simulation, "simulate", spy)
    streamed = simulation.correlation_effect(streamed_run)
    pd.testing.assert_frame_equal(streamed, in_memory, check_exact=True)
    assert len(destinations) == 1 and destinations[0].parent == tmp_path
    assert not list(tmp_path.glob(".*"))
