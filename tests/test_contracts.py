"""Outcome contracts (social impact bonds): hand-computed payments, the cap, the guarantee,
early termination, the IRR, and payments as transfers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from riskcalc.engine.simulation import simulate
from riskcalc.errors import ModelError
from riskcalc.funds.contracts import contract_summary, evaluate_contract, irr
from riskcalc.model.loader import load_model, model_from_dict

ROOT = Path(__file__).resolve().parents[1]
CAPITAL = 1e6


def _model(x, *, terminated=0, threshold=0.10, discount=0.0, goal=None, **contract):
    data = {
        "model": {"name": "sib", "years": 4, "discount_rate": discount, "investment": CAPITAL},
        "actors": {"payer": "Outcome payer", "provider": "Provider", "others": "Others"},
        "parameters": {"x": {"fixed": x}, "stop": {"fixed": terminated},
                       "noise": {"uniform": [0, 1]}},
        "outcomes": {"reduction": {"value": "x"}},
        "flow": [{"actor": "provider", "kind": "real", "cost": CAPITAL, "when": "year == 1"},
                 {"actor": "payer", "kind": "real", "revenue": "reduction * 4e6"},
                 {"actor": "others", "kind": "financial", "revenue": "noise * 1e5"}],
        "contract": {
            "capital": CAPITAL, "payer": "payer", "provider": "provider", "cap": 0.2,
            "base_payment": 0.4, "terminated": "stop", "terminated_after": 2,
            "metric": [
                {"name": "cohort", "value": "reduction", "window": [1, 2],
                 "threshold": threshold, "price": 5e6},
                {"name": "pooled", "value": "reduction", "window": [1, 4],
                 "threshold": 0.075, "price": 5e6, "pooled": True}],
            **contract}}
    if goal is not None:
        data["contract"]["goal"] = goal
    return model_from_dict(data)


def _run(model, n=4):
    result = simulate(model, n, seed=1)
    return evaluate_contract(model, result.parameters, result.outputs), result


@pytest.mark.parametrize(("x", "paid"), [
    (0.05, 0.4e6),           # below both thresholds: only the guarantee
    (0.08, 0.4e6 + 0.4e6),   # below the cohort's 10 %, above the pooled 7.5 %: 5e6 * 0.08
    (0.10, 0.5e6 + 0.4e6),   # at the cohort threshold: 5e6 * 0.10, plus the guarantee
    (0.12, 0.6e6 + 0.4e6),   # above: pooled pays no more than the cohort already did
    (0.16, 1.2e6),           # 0.8e6 + 0.4e6 = 1.2e6: exactly at the cap
    (0.30, 1.2e6),           # 1.5e6 + 0.4e6, capped at capital x 1.2
])
def test_payments_above_at_and_below_each_threshold_and_at_the_cap(x, paid):
    values, _ = _run(_model(x))
    assert values["contract_paid"] == pytest.approx(np.full(4, paid), rel=1e-12)
    assert values["contract_multiple"] == pytest.approx(np.full(4, paid / CAPITAL), rel=1e-12)
    # Undiscounted here: the investor's NPV is what comes back minus the capital.
    assert values["npv_investor"] == pytest.approx(np.full(4, paid - CAPITAL), rel=1e-9)


def test_irr_of_a_hand_computed_contract():
    values, _ = _run(_model(0.12))
    # -1e6 in year 1, 0.6e6 (cohort) in year 2, 0.4e6 (guarantee) in year 4: NPV(r) = 0.
    r = values["irr_investor"][0]
    assert -1e6 + 0.6e6 / (1 + r) + 0.4e6 / (1 + r) ** 3 == pytest.approx(0.0, abs=1e-3)
    assert r == pytest.approx(0.0, abs=1e-9)  # 1.0e6 back for 1.0e6: 0 %
    values, _ = _run(_model(0.30))
    r = values["irr_investor"][0]
    assert -1e6 + 1.2e6 / (1 + r) == pytest.approx(0.0, abs=1e-3)  # all paid in year 2
    assert r == pytest.approx(0.2, abs=1e-9)


def test_irr_is_nan_where_nothing_comes_back():
    flows = np.array([[-1.0, -1.0, -1.0], [0.0, 1.1, 0.5], [0.0, 0.0, 0.6]])
    rates = irr(flows)
    assert np.isnan(rates[0])
    assert rates[1] == pytest.approx(0.1, abs=1e-12)
    assert -1 + 0.5 / (1 + rates[2]) + 0.6 / (1 + rates[2]) ** 2 == pytest.approx(0, abs=1e-12)


def test_early_termination_pays_only_the_metrics_measured_before_the_end():
    # Terminated after year 2: the pooled 4-year metric is never measured, the guarantee
    # is paid in year 2.
    values, _ = _run(_model(0.08, terminated=1))
    assert values["contract_paid"] == pytest.approx(np.full(4, 0.4e6))
    values, _ = _run(_model(0.12, terminated=1))
    assert values["contract_paid"] == pytest.approx(np.full(4, 1.0e6))


@pytest.mark.parametrize("x", [0.0, 0.2, 0.5, 1.0])
def test_unreachable_thresholds_pay_only_the_guarantee(x):
    values, _ = _run(model_from_dict(_dict_with_unreachable(x)))
    assert values["contract_paid"] == pytest.approx(np.full(4, 0.4e6))
    assert not values["metric_met"].any()


def _dict_with_unreachable(x):
    """Thresholds of 2 and 1.5 on a share that is at most 1."""
    data = {
        "model": {"name": "sib", "years": 4, "discount_rate": 0.0, "investment": CAPITAL},
        "actors": {"payer": "P", "provider": "Q"},
        "parameters": {"x": {"fixed": x}},
        "flow": [{"actor": "payer", "kind": "real", "revenue": "x * 1e6"}],
        "contract": {"capital": CAPITAL, "payer": "payer", "cap": 0.2, "base_payment": 0.4,
                     "metric": [{"value": "x", "window": [1, 4], "threshold": 2.0,
                                 "price": 5e6},
                                {"value": "x", "window": [1, 4], "threshold": 1.5,
                                 "price": 5e6, "pooled": True}]}}
    return data


@pytest.mark.parametrize("x", [0.02, 0.09, 0.13, 0.4])
def test_investor_gets_between_the_guarantee_and_the_cap(x):
    values, _ = _run(_model(x, discount=0.03))
    assert (values["contract_paid"] <= CAPITAL * 1.2 + 1e-6).all()
    assert (values["contract_paid"] >= 0.4 * CAPITAL - 1e-6).all()


def test_not_delivered_loses_the_guarantee():
    values, _ = _run(_model(0.05, delivered="0"))
    assert values["contract_paid"] == pytest.approx(np.zeros(4))
    assert np.isnan(values["irr_investor"]).all()


@pytest.mark.parametrize("x", [0.05, 0.12, 0.3])
def test_payments_are_a_transfer_society_npv_is_unchanged(x):
    values, result = _run(_model(x, discount=0.035), n=50)
    np.testing.assert_allclose(values["npv_society_after"], result.outputs["npv_society"],
                               rtol=1e-12, atol=1e-6)
    # The payer pays what the investor receives (at the model's rate).
    paid_pv = result.outputs["npv_payer"] - values["npv_payer_after"]
    assert (paid_pv > 0).all()


def test_transaction_costs_are_the_only_change_for_society():
    values, result = _run(_model(0.12, transaction_costs=50_000.0), n=10)
    np.testing.assert_allclose(values["npv_society_after"],
                               result.outputs["npv_society"] - 50_000.0, rtol=1e-12)


def test_metric_mismatch_counts_goal_met_without_payment():
    goal = {"value": "reduction", "window": [1, 4], "threshold": 0.04}
    values, _ = _run(_model(0.05, goal=goal, threshold=0.5))
    model = _model(0.05, goal=goal, threshold=0.5)
    summary = dict(contract_summary(model.contract, values).itertuples(index=False))
    assert summary["prob_goal_met"] == 1.0
    assert summary["prob_metric_met"] == 0.0
    assert summary["prob_mismatch"] == 1.0
    assert summary["prob_investor_loss"] == 1.0


@pytest.mark.parametrize(("change", "words"), [
    ({"payer": "nobody"}, "[contract].payer"),
    ({"cap": -0.1}, "[contract].cap"),
    ({"base_payment": 2.0}, "[contract].base_payment"),
    ({"colour": 1}, "[contract].colour"),
    ({"capital": 0}, "[contract].capital"),
])
def test_bad_contracts_are_refused_in_one_line(change, words):
    data = _dict_with_unreachable(0.1)
    data["contract"].update(change)
    with pytest.raises(ModelError) as error:
        model_from_dict(data, source="sib.toml")
    assert "\n" not in str(error.value) and words in str(error.value)


def test_a_metric_with_an_unknown_name_or_window_is_refused():
    data = _dict_with_unreachable(0.1)
    data["contract"]["metric"][0]["value"] = "reductio"
    with pytest.raises(ModelError, match="unknown name 'reductio'"):
        model_from_dict(data, source="sib.toml")
    data = _dict_with_unreachable(0.1)
    data["contract"]["metric"][0]["window"] = [0, 9]
    with pytest.raises(ModelError, match=r"metric\[0\].window"):
        model_from_dict(data, source="sib.toml")


@pytest.mark.parametrize("name", ["sib_norrkoping", "sib_peterborough"])
def test_example_contracts_hold_their_invariants_in_every_scenario(name, tmp_path):
    import pandas as pd

    from riskcalc.cli import main

    out = tmp_path / name
    assert main(["run", str(ROOT / "models" / f"{name}.toml"), "--n", "3000", "--seed", "4",
                 "--out", str(out), "--quiet", "--report"]) == 0
    model = load_model(ROOT / "models" / f"{name}.toml")
    c = model.contract
    values = pd.read_parquet(out / "contract_scenarios.parquet")
    scenarios = pd.read_parquet(out / "scenarios.parquet")
    assert (values["contract_paid"] <= c.capital * (1 + c.cap) * (1 + 1e-12)).all()
    delivered = (scenarios["delivered"] > 0.5 if "delivered" in scenarios
                 else np.ones(len(values), dtype=bool))
    assert (values["contract_paid"][delivered] >= c.base_payment * c.capital - 1e-6).all()
    np.testing.assert_allclose(values["npv_society_after"], scenarios["npv_society"],
                               rtol=1e-9, atol=1e-3)
    summary = pd.read_csv(out / "contract_summary.csv").set_index("measure")["value"]
    assert summary["n_no_irr"] == int(values["irr_investor"].isna().sum())
    assert 0 < summary["prob_investor_loss"] < 1
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Outcome contract: the investor and the outcome payer" in html


def test_investor_npv_at_the_investors_own_rate():
    values, _ = _run(_model(0.30, discount_rate=0.10))
    # Capped at 1.2e6, all of it due in year 2 (the cohort's 1.5e6 reaches the cap there).
    assert values["npv_investor"] == pytest.approx(np.full(4, -1e6 + 1.2e6 / 1.1), rel=1e-12)


@pytest.mark.parametrize(("measure", "x", "paid"), [
    ("sum", 0.03, 0.6e6),            # 4 years x 0.03 = 0.12 >= 0.10: pays 5e6 x 0.12
    ("sum", 0.02, 0.0),              # 0.08 < 0.10
    ("last", 0.12, 0.6e6),           # the window's last year: 0.12
])
def test_window_measures_sum_and_last(measure, x, paid):
    data = _dict_with_unreachable(x)
    data["contract"]["base_payment"] = 0.0
    data["contract"]["metric"] = [{"value": "x", "window": [1, 4], "measure": measure,
                                   "threshold": 0.10, "price": 5e6}]
    values, _ = _run(model_from_dict(data))
    assert values["contract_paid"] == pytest.approx(np.full(4, paid), abs=1e-6)
