"""Value of information against analytic values."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import linear_model_dict
from scipy.stats import norm

from riskcalc import model_from_dict, simulate
from riskcalc.decision import voi
from riskcalc.decision.voi import conditional_mean, evpi, evpi_se, evppi, evppi_se, voi_table

SEED = 0x2026_0BAD_C0FFEE


def normal_evpi(mu: float, sigma: float) -> float:
    """EVPI of approve-if-E[NB]>0 for NB ~ Normal(mu, sigma).

    E[max(NB, 0)] = mu Φ(mu/sigma) + sigma φ(mu/sigma); subtracting max(mu, 0) and
    using Φ(x) - 1 = -Φ(-x) gives sigma φ(mu/sigma) - |mu| Φ(-|mu|/sigma) for either sign.
    """
    return sigma * norm.pdf(mu / sigma) - abs(mu) * norm.cdf(-abs(mu) / sigma)


@pytest.mark.parametrize("mu", [30.0, -50.0, 0.0])
def test_evpi_of_a_normal_net_benefit_matches_its_closed_form(mu):
    nb = np.random.default_rng(SEED).normal(mu, 100.0, 400_000)
    assert evpi(nb) == pytest.approx(normal_evpi(mu, 100.0), abs=4 * evpi_se(nb))


def test_evpi_is_zero_when_the_decision_never_changes():
    nb = np.random.default_rng(SEED).uniform(1.0, 5.0, 1000)
    assert evpi(nb) == 0.0
    assert evpi(-nb) == 0.0


def test_evpi_of_a_two_state_toy_decision():
    # Gain 300 with probability 1/4, lose 60 otherwise: E[NB] = 30 > 0, approve.
    # Perfect information avoids the loss: EVPI = 3/4 * 60 = 45.
    nb = np.array([300.0, -60.0, -60.0, -60.0])
    assert evpi(nb) == pytest.approx(45.0)


class TestEVPPI:
    @pytest.fixture
    def draws(self):
        rng = np.random.default_rng(SEED)
        n = 20_000
        return rng.normal(0.2, 1.0, n), rng.uniform(-1.0, 1.0, n), n

    def test_one_parameter_that_drives_everything_has_evppi_close_to_evpi(self, draws):
        theta, other, _ = draws
        nb = 100 * theta + 0.5 * other  # theta drives NB; other hardly matters
        total, partial = evpi(nb), evppi(nb, theta)
        assert partial <= total * 1.001
        assert partial == pytest.approx(total, rel=0.02)

    def test_an_irrelevant_parameter_has_evppi_near_zero(self, draws):
        theta, other, _ = draws
        nb = 100 * theta
        assert evppi(nb, other) < 0.02 * evpi(nb)

    def test_evppi_of_a_nonlinear_effect_matches_its_analytic_value(self, draws):
        theta, other, _ = draws
        nb = 100 * (theta**2 - 0.5) + 30 * other
        # E[NB | theta] = 100 (theta² - 0.5), known: EVPPI from the exact conditional mean.
        exact = np.maximum(100 * (theta**2 - 0.5), 0).mean() - max(
            (100 * (theta**2 - 0.5)).mean(), 0)
        assert evppi(nb, theta) == pytest.approx(exact, rel=0.05)
        assert evppi(nb, theta) <= evpi(nb)

    def test_discrete_parameter_uses_the_mean_per_value(self):
        theta = np.repeat([0.0, 1.0, 2.0], 100)
        nb = theta - 1.0 + np.tile(np.linspace(-0.1, 0.1, 100), 3)
        fit = conditional_mean(nb, theta)
        assert np.allclose(fit, theta - 1.0)

    def test_fitted_values_keep_the_mean(self, draws):
        theta, other, _ = draws
        nb = 10 * np.sin(3 * theta) + other
        assert conditional_mean(nb, theta).mean() == pytest.approx(nb.mean(), abs=1e-9)


def test_voi_table_reports_evpi_first_then_each_parameter():
    model = model_from_dict(linear_model_dict(), source="linear")
    result = simulate(model, 3000, seed=SEED)
    table = voi_table(result)
    assert list(table["quantity"]) == ["evpi", "evppi", "evppi", "evppi"]
    assert set(table["parameter"]) == {"all", "cost", "saving", "value"}
    total = table["value"].iloc[0]
    assert (table["value"].iloc[1:] <= total * 1.05 + 1e-9).all()
    owner = voi_table(result, actors=["payer", "gainer"])
    assert owner["net_benefit"].iloc[0] == "npv_payer+npv_gainer"


def test_evppi_standard_error_matches_the_spread_of_repeated_estimates():
    # 40 independent runs of n = 20,000: the standard deviation of the EVPPI estimates
    # and the mean of their standard errors agree (within the noise of 40 runs).
    rng = np.random.default_rng(SEED)
    estimates, errors = [], []
    for _ in range(40):
        theta, other = rng.normal(0.2, 1.0, 20_000), rng.normal(0.0, 1.0, 20_000)
        nb = 100 * theta + 60 * other
        estimates.append(evppi(nb, theta))
        errors.append(evppi_se(nb, theta))
    assert 0.7 < np.std(estimates, ddof=1) / np.mean(errors) < 1.4


def test_evppi_of_a_linear_normal_net_benefit_matches_its_closed_form():
    # NB = a θ + b ε, θ and ε standard normal: E[NB | θ] = μ + a θ ~ Normal(μ, a),
    # so EVPPI(θ) is the EVPI of Normal(μ, a).
    rng = np.random.default_rng(SEED)
    theta, other = rng.normal(size=400_000), rng.normal(size=400_000)
    nb = 10.0 + 40 * theta + 60 * other
    assert evppi(nb, theta) == pytest.approx(normal_evpi(10.0, 40.0),
                                             abs=4 * evppi_se(nb, theta))


def test_voi_table_uses_every_scenario_and_gives_each_evppi_a_standard_error():
    data = linear_model_dict()
    data["parameters"]["cost"] = {"pert": [100.0, 200.0, 400.0]}  # the decision is close
    model = model_from_dict(data, source="linear")
    result = simulate(model, 250_000, seed=SEED)
    table = voi_table(result).set_index("parameter")
    nb = result.outputs["npv_society"][result.finite]
    assert nb.size > 200_000 and table.at["all", "value"] > 0
    for name in ("cost", "saving", "value"):
        theta = result.parameters[name][result.finite]
        assert table.at[name, "value"] == pytest.approx(evppi(nb, theta), rel=1e-12)
        assert table.at[name, "se"] == pytest.approx(evppi_se(nb, theta), rel=1e-12)
        assert table.at[name, "se"] > 0


@pytest.mark.parametrize("actor", ["payer", "gainer"])  # NB always < 0; always > 0
def test_voi_of_a_decision_no_information_can_change_is_zero_and_reads_no_parameter(
        actor, monkeypatch):
    result = simulate(model_from_dict(linear_model_dict(), source="linear"), 5000, seed=SEED)
    nb = result.outputs[f"npv_{actor}"]
    estimates = {name: voi._evppi_moments(nb, result.parameters[name], None)
                 for name in ("cost", "saving", "value")}
    total, total_se = evpi(nb), evpi_se(nb)
    for name in ("_evppi_moments", "evpi", "evpi_se"):
        monkeypatch.setattr(voi, name, lambda *args: pytest.fail("computed a zero"))
    table = voi_table(result, actors=[actor]).set_index("parameter")
    assert table.at["all", "value"] == total == 0.0
    assert table.at["all", "se"] == total_se == 0.0
    assert table.at["all", "decision"] == ("approve" if actor == "gainer" else "reject")
    for name, (mean, std) in estimates.items():
        assert table.at[name, "value"] == max(mean, 0.0) == 0.0
        assert table.at[name, "se"] == std / np.sqrt(nb.size) == 0.0


def test_a_parameter_no_bin_of_which_changes_the_decision_has_evppi_zero_without_its_terms(
        monkeypatch):
    # NB mostly positive, θ irrelevant: every bin's mean is positive, as is NB's.
    from riskcalc.engine import reductions
    from riskcalc.engine.kernel_cache import ENV

    rng = np.random.default_rng(SEED)
    nb, theta = rng.normal(100.0, 60.0, 80_000), rng.random(80_000)
    assert (nb < 0).any()
    monkeypatch.setenv(ENV, "numpy")
    expected = voi._evppi_moments(nb, theta, None)  # the terms, made and averaged
    monkeypatch.setenv(ENV, "numba")
    reductions.load()
    monkeypatch.setattr(reductions, "term_mean_std", lambda *args: pytest.fail("summed"))
    assert voi._evppi_moments(nb, theta, None) == expected == (0.0, 0.0)
