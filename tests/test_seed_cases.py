"""The seed's cases as models: home care (double costs, whole wards, empty beds) and youth
exclusion (the seed's 25 %, one half, 0.5 MSEK and 10-12 MSEK; the break-even success rate)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import MODELS

from riskcalc import ModelError, income_statement, load_model, model_from_dict
from riskcalc.cli import main
from riskcalc.decision.breakeven import declared_breakeven
from riskcalc.engine.compiled import CompiledModel
from riskcalc.results.accumulated import accumulated


def base_contributions(model, **values):
    compiled = CompiledModel(model)
    point = {k: np.array([v]) for k, v in {**model.base_case(), **values}.items()}
    return {c.entry.amount.source: c for c in compiled.contributions(
        compiled.environment(point), 1)}, compiled.evaluate(point).outputs


# -- home care ---------------------------------------------------------------------------

def test_home_care_transition_has_double_costs_before_any_ward_closes():
    model = load_model(MODELS / "home_care.toml")
    flows, outputs = base_contributions(model)
    beds = flows["at_home * bed_cost"]
    # Year 1: 8 children x 0.7 kept at home free 5.6 beds, 70 % of them not refilled: 3.92
    # beds, less than a ward of 5; nothing closes, so the team and the support are paid on
    # top of the still running institution (the seed's double cost).
    assert beds.amount[0, 0] == 0.0
    assert beds.unrealised[0, 0] == pytest.approx(5.6 * 1.5e6)
    costs = 1.0e6 + 2.6e6 + 5.6 * 350e3 + 5.6 * 40e3
    assert accumulated(model).loc[1, "total"] == pytest.approx(-costs)
    assert outputs["hump_society"][0] >= costs
    assert outputs["npv_society"][0] > 0  # the hump is an investment: it pays back


def test_home_care_realises_savings_only_in_whole_wards_of_the_sum_over_cohorts():
    model = load_model(MODELS / "home_care.toml")
    flows, _ = base_contributions(model)
    beds = flows["at_home * bed_cost"]
    ward = 5 * 1.5e6
    realised = beds.amount[:, 0]
    assert np.allclose(realised / ward, np.round(realised / ward))
    # Year 2: cohorts 1 and 2 together free 5.6 * 0.9 + 5.6 beds; 70 % not refilled = 7.45
    # beds: one whole ward, though neither cohort alone frees one.
    assert realised[1] == pytest.approx(ward)
    on_paper = realised + beds.unrealised[:, 0]
    assert on_paper[1] == pytest.approx((5.6 * 0.9 + 5.6) * 1.5e6)


def test_home_care_refilled_beds_save_nothing():
    model = load_model(MODELS / "home_care.toml")
    _, outputs = base_contributions(model, refill=1.0)
    _, base = base_contributions(model)
    assert outputs["npv_social_services"][0] < base["npv_social_services"][0]
    flows, _ = base_contributions(model, refill=1.0)
    assert not flows["at_home * bed_cost"].amount.any()


# -- youth exclusion ---------------------------------------------------------------------

def test_youth_exclusion_base_case_uses_the_seeds_figures():
    model = load_model(MODELS / "youth_exclusion.toml")
    base = model.base_case()
    assert base["not_finishing"] == 0.25 and base["catch_up"] == 0.5
    assert base["delay_cost"] == 0.5e6 and base["lifetime_cost"] == 11e6
    # Undiscounted, each success avoids 0.5 x 0.5 MSEK + 0.5 x 11 MSEK = 5.75 MSEK.
    _, outputs = base_contributions(model, discount_rate=0.0)
    participants, successes = 250, 25
    programme = participants * 50e3 * 3
    assert outputs["npv_society"][0] == pytest.approx(successes * 5.75e6 - programme)
    assert outputs["npv_school"][0] == pytest.approx(-programme)
    gained = sum(outputs[f"npv_{a}"][0] for a in model.actor_keys if a != "school")
    assert gained == pytest.approx(successes * 5.75e6)


def test_youth_exclusion_break_even_success_rate_matches_closed_form():
    model = load_model(MODELS / "youth_exclusion.toml")
    d = 1 / 1.035
    cost = 250 * 50e3 * (1 + d + d ** 2)
    per_success = (0.5 * 0.5e6 * d ** 3
                   + 0.5 * 11e6 / 42 * sum(d ** (t - 1) for t in range(4, 46)))
    table = declared_breakeven(model)
    assert list(table["parameter"]) == ["success_rate"]
    assert table["breakeven"].iloc[0] == pytest.approx(cost / (250 * per_success), rel=1e-6)


def test_check_json_reports_the_break_even_success_rate(capsys):
    assert main(["check", str(MODELS / "youth_exclusion.toml"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["breakeven"]["success_rate"] == pytest.approx(0.0501, abs=5e-4)


@pytest.mark.parametrize(("value", "message"), [
    ("sucess_rate", r"\[model\]\.breakeven: parameter 'sucess_rate' is not declared"),
    ("year_group", r"parameter 'year_group' is fixed"),
    (3, r"expected a parameter name or a list"),
])
def test_bad_breakeven_is_refused_with_the_key(value, message):
    import tomllib
    data = tomllib.loads((MODELS / "youth_exclusion.toml").read_text(encoding="utf-8"))
    data["model"]["breakeven"] = value
    with pytest.raises(ModelError, match=message):
        model_from_dict(data, source="y.toml")


# -- early support -----------------------------------------------------------------------

def test_early_support_school_and_child_psychiatry_pay_the_others_named_by_the_seed_gain():
    npv = income_statement(load_model(MODELS / "early_support.toml")).npv
    assert npv["school"] < 0 and npv["child_psychiatry"] < 0
    for gainer in ("social_services", "adult_psychiatry", "justice", "social_insurance"):
        assert npv[gainer] > 0, gainer
