"""Social-investment funds: loans, repayment rules, the balance year by year, shared draws."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from riskcalc.engine.sampling import sample_parameters
from riskcalc.errors import ModelError
from riskcalc.funds import load_fund, simulate_fund
from riskcalc.funds.spec import fund_from_dict
from riskcalc.funds.tables import cvar_split
from riskcalc.model.loader import model_from_dict

ROOT = Path(__file__).resolve().parents[1]
FUNDS = ROOT / "models" / "funds"


def _model(name, years, payer, cost, gainer, revenue, when):
    return model_from_dict({
        "model": {"name": name, "years": years, "discount_rate": 0.0, "investment": cost},
        "actors": {payer: payer, gainer: gainer},
        "parameters": {"noise": {"uniform": [0.0, 1.0]}},
        "flow": [{"actor": payer, "kind": "real", "cost": cost, "when": "year == 1"},
                 {"actor": gainer, "kind": "real", "revenue": revenue, "when": when}]})


def _two_interventions(min_balance=0.0, rate=0.0):
    """A: lends 100 in year 1, repaid by 75 % of the gainer's 60 a year (years 2-4),
    capped at the loan; B: lends 50 in year 2, repaid in 2 instalments from its year 2."""
    a = _model("A", 4, "dept", 100, "gainer", 60, "year >= 2")
    b = _model("B", 3, "dept2", 50, "gainer2", 30, "year >= 1")
    return fund_from_dict({
        "fund": {"name": "Test fund", "capital": 200, "years": 5, "top_ups": [0, 10],
                 "discount_rate": rate},
        "rules": {"min_balance": min_balance, "max_share": 0.5},
        "intervention": [
            {"name": "a", "model": "a", "start_year": 1, "borrower": "dept",
             "repayment": {"rule": "share", "share": 0.75, "actors": ["gainer"], "within": 4}},
            {"name": "b", "model": "b", "start_year": 2, "borrower": "dept2",
             "repayment": {"rule": "instalments", "instalments": 2, "first": 2}}]},
        models={"a": a, "b": b})


def test_two_interventions_balance_year_by_year_by_hand():
    result = simulate_fund(_two_interventions(), 3, seed=1)
    # Year 1: 200 - 100 lent to A = 100.  Year 2: + 10 top-up + 45 (75 % of A's 60)
    # - 50 lent to B = 105.  Year 3: + 45 (A) + 25 (B) = 175.  Year 4: + 10 (A reaches
    # its 100) + 25 (B) = 210.  Year 5: nothing moves.
    expected = [100, 105, 175, 210, 210]
    for scenario in range(3):
        assert result.yearly["balance"][:, scenario].tolist() == expected
    table = result.balance()
    assert table["mean"].tolist() == expected
    assert table["prob_depleted"].tolist() == [0.0] * 5
    s = result.scenarios
    assert s["repaid_a"].tolist() == [100.0] * 3 and s["repaid_b"].tolist() == [50.0] * 3
    assert s["recovered"].tolist() == [1.0] * 3
    assert s["lowest_balance"].tolist() == [100.0] * 3
    assert np.isnan(s["depletion_year"]).all()
    # A's loan is 100 of the 200 available in year 1: exactly the board's 50 %.
    assert result.interventions()["max_share_ok"].tolist() == [True, True]


def test_actor_nets_with_repayments_by_hand():
    result = simulate_fund(_two_interventions(), 2, seed=1)
    s = result.scenarios
    # dept: -100 cost + 100 loan; gainer: 180 saved - 100 repaid; dept2: -50 + 50 - 50
    # instalments; gainer2: 90 kept; the fund lent 150 and got 150 back.
    assert s["net_dept"].tolist() == [0.0, 0.0]
    assert s["net_gainer"].tolist() == [80.0, 80.0]
    assert s["net_dept2"].tolist() == [-50.0, -50.0]
    assert s["net_gainer2"].tolist() == [90.0, 90.0]
    assert s["net_fund"].tolist() == [0.0, 0.0]
    assert s["before_gainer"].tolist() == [180.0, 180.0]
    # Loans and repayments are transfers: society's NPV is the interventions' own.
    assert s["npv_society"].tolist() == [120.0, 120.0]
    total = sum(s[f"net_{k}"] for k in result.fund.actors)
    assert total.tolist() == [120.0, 120.0]


def test_depletion_year_is_the_first_year_below_the_lowest_balance_allowed():
    result = simulate_fund(_two_interventions(min_balance=104), 2, seed=1)
    assert result.scenarios["depletion_year"].tolist() == [1.0, 1.0]
    assert result.balance()["prob_depleted"].tolist() == [1.0] * 5
    depletion = result.depletion()
    assert depletion["probability"].tolist() == [1.0, 0, 0, 0, 0, 0.0]
    # 105 at the end of year 2 is the lowest after year 1: a floor of 106 is broken in 1.
    result = simulate_fund(_two_interventions(min_balance=100), 2, seed=1)
    assert np.isnan(result.scenarios["depletion_year"]).all()


def test_fund_discounting_at_its_rate():
    result = simulate_fund(_two_interventions(rate=0.1), 1, seed=1)
    # The gainer saves 60 in fund years 2-4 and repays 45, 45, 10 then.
    d = [1.1 ** -k for k in range(5)]
    saved = 60 * (d[1] + d[2] + d[3])
    repaid = 45 * d[1] + 45 * d[2] + 10 * d[3]
    assert result.scenarios["net_gainer"][0] == pytest.approx(saved - repaid, rel=1e-12)
    assert result.scenarios["net_dept"][0] == pytest.approx(0.0, abs=1e-9)


def test_recovery_by_year_by_hand():
    table = simulate_fund(_two_interventions(), 1, seed=1).recovery()
    assert table["lent_mean"].tolist() == [100, 150, 150, 150, 150]
    assert table["repaid_mean"].tolist() == [0, 45, 115, 150, 150]
    assert table["recovered_mean"].tolist() == pytest.approx([0, 0.3, 115 / 150, 1, 1])


def test_cvar_split_adds_up_to_the_fund_cvar():
    rng = np.random.default_rng(3)
    losses = {"a": rng.normal(size=1000), "b": rng.exponential(size=1000)}
    cvar, parts = cvar_split(losses, 0.9)
    total = losses["a"] + losses["b"]
    assert cvar == pytest.approx(np.sort(total)[-100:].mean())
    assert sum(parts.values()) == pytest.approx(cvar)


def test_shared_parameters_are_drawn_once_and_the_others_per_intervention():
    model = model_from_dict({
        "model": {"name": "m", "years": 2, "discount_rate": "rate", "investment": 1},
        "actors": {"x": "X"},
        "parameters": {"rate": {"uniform": [0.0, 0.1]}, "effect": {"uniform": [0.0, 1.0]}},
        "flow": [{"actor": "x", "kind": "real", "revenue": "effect"}]})
    shared = frozenset({"rate"})
    one = sample_parameters(model, 7, 0, 100, own="one", shared=shared)
    two = sample_parameters(model, 7, 0, 100, own="two", shared=shared)
    assert np.array_equal(one["rate"], two["rate"])
    assert np.abs(np.corrcoef(one["effect"], two["effect"])[0, 1]) < 0.3
    # Without `own` the streams are the model's usual ones.
    plain = sample_parameters(model, 7, 0, 100)
    assert np.array_equal(plain["rate"], one["rate"])
    assert not np.array_equal(plain["effect"], one["effect"])


def test_the_example_funds_share_the_discount_rate_and_differ_only_in_repayment():
    repayment = simulate_fund(load_fund(FUNDS / "norrkoping_repayment.toml"), 2000, seed=5)
    budget = simulate_fund(load_fund(FUNDS / "norrkoping_budget.toml"), 2000, seed=5)
    # Same draws: the loans and society's NPV are the same; only the repayments differ.
    assert np.array_equal(repayment.scenarios["npv_society"], budget.scenarios["npv_society"])
    assert np.array_equal(repayment.scenarios["lent_labour_market"],
                          budget.scenarios["lent_labour_market"])
    assert budget.key_figures()["expected_recovery"] == 0.0
    assert repayment.key_figures()["expected_recovery"] > 0.5
    assert (repayment.key_figures()["mean_final_balance"]
            > budget.key_figures()["mean_final_balance"])


def test_fund_results_are_bit_identical_for_any_number_of_workers():
    fund = load_fund(FUNDS / "norrkoping_repayment.toml")
    one = simulate_fund(fund, 700, seed=11, chunk_size=256, n_jobs=1)
    for other in (simulate_fund(fund, 700, seed=11, chunk_size=256, n_jobs=2),
                  simulate_fund(fund, 700, seed=11, chunk_size=256, n_jobs=2, backend="loky")):
        for name, values in one.scenarios.items():
            assert np.array_equal(values, other.scenarios[name], equal_nan=True), name
        assert np.array_equal(one.yearly["balance"], other.yearly["balance"])


def test_fund_run_directory_holds_every_table(tmp_path):
    result = simulate_fund(load_fund(FUNDS / "norrkoping_budget.toml"), 300, seed=2)
    out = result.write(tmp_path / "run")
    for name in ("fund_balance", "fund_depletion", "fund_recovery", "fund_actors",
                 "fund_interventions", "fund_summary"):
        assert (out / f"{name}.csv").is_file()
    assert (out / "manifest.json").is_file() and (out / "fund_scenarios.parquet").is_file()
    import pandas as pd

    balance = pd.read_csv(out / "fund_balance.csv")
    assert list(balance.columns) == ["year", "mean", "p05", "p50", "p95", "prob_depleted"]


@pytest.mark.parametrize(("change", "words"), [
    (lambda d: d["intervention"][0].update(borrower="nobody"), "intervention[0].borrower"),
    (lambda d: d["fund"].update(capital=-1), "fund.capital"),
    (lambda d: d["fund"].update(colour=1), "fund.colour"),
    (lambda d: d["intervention"][0]["repayment"].update(rule="some"), "repayment.rule"),
    (lambda d: d["intervention"][1]["repayment"].update(actors=["x"]), "repayment"),
    (lambda d: d["fund"].update(shared=["nothing"]), "fund.shared"),
    (lambda d: d["fund"].update(discount_rate="noise"), "fund.discount_rate"),
])
def test_bad_fund_files_are_refused_in_one_line(change, words):
    data = {
        "fund": {"capital": 10, "years": 3},
        "intervention": [
            {"name": "a", "model": "m", "borrower": "dept", "repayment": {"rule": "none"}},
            {"name": "b", "model": "m", "borrower": "dept",
             "repayment": {"rule": "instalments", "instalments": 1}}]}
    change(data)
    model = _model("A", 4, "dept", 100, "gainer", 60, "year >= 2")
    with pytest.raises(ModelError) as error:
        fund_from_dict(data, source="f.toml", models={"m": model})
    message = str(error.value)
    assert "\n" not in message and message.startswith("f.toml: ") and words in message


def test_a_missing_model_file_names_it(tmp_path):
    fund = tmp_path / "f.toml"
    fund.write_text('[fund]\ncapital = 1\nyears = 2\n[[intervention]]\nmodel = "no.toml"\n'
                    'borrower = "x"\n', encoding="utf-8")
    with pytest.raises(ModelError, match="no.toml"):
        load_fund(fund)


def test_fund_command_writes_the_run_directory_and_report(tmp_path, capsys):
    from riskcalc.cli import main

    out = tmp_path / "fund"
    code = main(["fund", str(FUNDS / "norrkoping_repayment.toml"), "--n", "400", "--seed", "3",
                 "--out", str(out), "--lang", "sv"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "P(depleted within 15 years)" in printed
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Fondens saldo vid slutet av varje år" in html
    assert (out / "figures" / "fund_balance.png").is_file()
    (out / "report.html").unlink()
    assert main(["report", str(out)]) == 0  # a fund run's report, rewritten in English
    assert "Fund balance at the end of each year" in (out / "report.html").read_text("utf-8")


def test_decide_on_a_fund_approves_the_repayment_model_and_rejects_the_budget_model(tmp_path):
    from riskcalc.cli import main

    policy = ROOT / "models" / "funds" / "board_policy.toml"
    codes = [main(["decide", str(FUNDS / f"norrkoping_{kind}.toml"), "--policy", str(policy),
                   "--n", "400", "--seed", "3", "--out", str(tmp_path / kind), "--quiet"])
             for kind in ("repayment", "budget")]
    assert codes == [0, 1]
    import json

    verdict = json.loads((tmp_path / "budget" / "verdict.json").read_text(encoding="utf-8"))
    failed = [c["criterion"] for c in verdict["criteria"] if not c["passed"]]
    assert failed == ["min_expected_recovery"]


def test_bad_fund_file_exits_2_with_one_line(tmp_path, capsys):
    from riskcalc.cli import main

    bad = tmp_path / "bad.toml"
    bad.write_text((FUNDS / "norrkoping_budget.toml").read_text(encoding="utf-8")
                   .replace('borrower = "school"', 'borrower = "scool"')
                   .replace('model = "../', f'model = "{ROOT / "models"}/'), encoding="utf-8")
    assert main(["fund", str(bad), "--n", "10"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "did you mean 'school'?" in err
    policy = tmp_path / "policy.toml"
    policy.write_text("[criteria]\nmax_prob_loss = 0.1\n", encoding="utf-8")
    assert main(["decide", str(FUNDS / "norrkoping_budget.toml"), "--policy", str(policy)]) == 2
    assert "not a fund criterion" in capsys.readouterr().err


@pytest.mark.parametrize("name", sorted(p.stem for p in (ROOT / "models").glob("*.toml")))
def test_yearly_flows_discounted_are_the_engines_npvs(name):
    from riskcalc.engine.compiled import CompiledModel
    from riskcalc.engine.simulation import simulate
    from riskcalc.funds.flows import yearly_flows
    from riskcalc.model.loader import load_model

    model = load_model(ROOT / "models" / f"{name}.toml")
    result = simulate(model, 300, seed=8)
    compiled = CompiledModel(model)
    params = {k: np.asarray(v) for k, v in result.parameters.items() if k in model.parameters}
    flows = yearly_flows(compiled, params)
    rates = np.broadcast_to(compiled.discount_rates(compiled.environment(params)),
                            (model.years, 300))
    factors = np.cumprod(np.vstack([np.ones((1, 300)), 1 / (1 + rates[1:])]), axis=0)
    np.testing.assert_allclose((flows.society * factors).sum(axis=0),
                               result.outputs["npv_society"], rtol=1e-9, atol=1e-3)
    for a, key in enumerate(model.actor_keys):
        np.testing.assert_allclose((flows.actors[a] * factors).sum(axis=0),
                                   result.outputs[f"npv_{key}"], rtol=1e-9, atol=1e-3)
