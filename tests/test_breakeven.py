"""Break-even values with common random numbers, against the linear model's closed form."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import linear_model_dict

from riskcalc import model_from_dict, simulate
from riskcalc.decision.breakeven import (
    breakeven_table,
    mean_statistic,
    search_range,
    spearman_ranking,
    switching_values,
)
from riskcalc.engine.metrics import annuity_factor
from riskcalc.engine.sampling import sample_parameters

SEED = 0xB0A2D_2026
N = 512
#: Ten years at 3 %: the present value of 1 a year, and of 1 a year from year 2.
AF = annuity_factor(0.03, 10)


@pytest.fixture(scope="module")
def model():
    """Linear model whose society NPV crosses zero inside the parameters' ranges.

    NPV = -cost + saving * AF + value * (AF - 1).
    """
    data = linear_model_dict()
    data["parameters"]["cost"] = {"pert": [150.0, 200.0, 260.0]}
    return model_from_dict(data, source="linear")


@pytest.fixture(scope="module")
def sample(model):
    return sample_parameters(model, SEED, 0, N)


def test_saving_breaks_even_where_the_closed_form_says(model, sample):
    sv = switching_values(model, "saving", mean_statistic(model), seed=SEED, n=N)
    exact = (sample["cost"].mean() - sample["value"].mean() * (AF - 1)) / AF
    assert len(sv.switches) == 1
    assert sv.first == pytest.approx(exact, rel=1e-5)
    assert sv.switches[0].rising  # more saving: NPV ≥ 0 above the switch
    assert "expected NPV ≥ 0 above" in sv.describe()


def test_cost_breaks_even_from_above(model, sample):
    sv = switching_values(model, "cost", mean_statistic(model), seed=SEED, n=N)
    exact = sample["saving"].mean() * AF + sample["value"].mean() * (AF - 1)
    assert sv.first == pytest.approx(exact, rel=1e-5)
    assert not sv.switches[0].rising


def test_an_actors_npv_can_be_the_target(model, sample):
    # The gainer gains saving * AF > 0 whatever value takes: no switch.
    sv = switching_values(model, "value", mean_statistic(model, ["gainer"]), seed=SEED, n=N)
    assert sv.switches == ()
    assert sv.at_low == pytest.approx(sample["saving"].mean() * AF)
    assert "no switch within the range [0, 20]: expected NPV ≥ 0 throughout" in sv.describe()


def test_the_range_is_the_declared_support_or_the_central_998_per_mille():
    data = linear_model_dict()
    data["parameters"]["value"] = {"normal": [10.0, 2.0]}
    model = model_from_dict(data)
    assert search_range(model, "cost") == (80.0, 150.0)
    lo, hi = search_range(model, "value")
    assert lo == pytest.approx(10 - 3.090232 * 2, rel=1e-6)
    assert hi == pytest.approx(10 + 3.090232 * 2, rel=1e-6)


def test_unknown_parameter_is_refused_with_the_choices(model):
    with pytest.raises(ValueError, match=r"unknown parameter 'savings'; the model has "
                                         r"\['cost', 'saving', 'value'\]"):
        switching_values(model, "savings", mean_statistic(model), seed=SEED)


@pytest.fixture(scope="module")
def result(model):
    return simulate(model, 2000, seed=SEED)


class TestOnARun:
    def test_spearman_ranks_the_strongest_driver_first(self, result):
        ranking = spearman_ranking(result)
        assert ranking["parameter"].iloc[0] == "saving"
        assert ranking["spearman"].abs().is_monotonic_decreasing

    def test_table_lists_the_top_k_with_their_break_even(self, result):
        table = breakeven_table(result, k=2, n=N)
        assert list(table["parameter"]) == list(spearman_ranking(result)["parameter"][:2])
        row = table.set_index("parameter").loc["saving"]
        assert row["low"] <= row["breakeven"] <= row["high"]
        assert np.sign(row["expected_at_low"]) != np.sign(row["expected_at_high"])
        assert row["n_switches"] == 1
