"""Policy files, verdicts and the ``riskcalc decide`` command."""

from __future__ import annotations

import json
import math

import pytest
from conftest import MODELS, linear_model_dict

from riskcalc import ModelError, model_from_dict, simulate
from riskcalc.cli import main
from riskcalc.decision.breakeven import mean_statistic, switching_values
from riskcalc.decision.criteria import MaxCapitalNeed, MaxProbLoss, MinProbPayback
from riskcalc.decision.policy import load_policy, policy_from_dict
from riskcalc.decision.verdict import evaluate_policy

SEED = 0x90_11C7_2026
POLICIES = MODELS / "policies"
LABOUR_MARKET = MODELS / "labour_market.toml"


def policy(owner, **criteria):
    return policy_from_dict({"policy": {"name": "test", "owner": owner}, "criteria": criteria},
                            source="test.toml")


@pytest.fixture(scope="module")
def linear_run():
    return simulate(model_from_dict(linear_model_dict(), source="linear"), 2000, seed=SEED)


class TestLoading:
    @pytest.mark.parametrize("path", sorted(POLICIES.glob("*.toml")), ids=lambda p: p.stem)
    def test_example_policies_are_valid_for_the_labour_market_model(self, path, labour_market):
        loaded = load_policy(path)
        loaded.check(labour_market)
        assert loaded.criteria and loaded.name

    def test_criteria_become_typed_frozen_objects(self):
        p = policy(["payer"], max_prob_loss=0.2,
                   min_prob_payback={"years": 5, "probability": 0.8},
                   max_capital_need={"quantile": 0.9, "amount": 3e7})
        assert p.criteria == (MaxProbLoss(0.2), MinProbPayback(5, 0.8),
                              MaxCapitalNeed(3e7, quantile=0.9))
        assert p.owner == ("payer",)
        with pytest.raises(AttributeError):
            p.criteria[0].probability = 0.5

    def test_a_single_owner_may_be_text(self):
        assert policy("payer", max_prob_loss=0.1).owner == ("payer",)

    @pytest.mark.parametrize(("data", "message"), [
        ({"policy": {"owner": "a"}, "criteria": {"max_prob_los": 0.2}},
         r"^test\.toml: \[criteria\]\.max_prob_los: unknown criterion; "
         r"did you mean 'max_prob_loss'\?$"),
        ({"policy": {"owner": "a"}, "criteria": {"max_prob_loss": 1.5}},
         r"\[criteria\]\.max_prob_loss: expected a probability from 0 to 1, got 1\.5"),
        ({"policy": {"owner": "a"}, "criteria": {"min_prob_payback": {"years": 5}}},
         r"\[criteria\]\.min_prob_payback\.probability: missing; min_prob_payback needs "
         r"years, probability"),
        ({"policy": {"owner": "a"}, "criteria": {"min_prob_payback": 0.8}},
         r"\[criteria\]\.min_prob_payback: expected a table \{ years = \.\.\., "
         r"probability = \.\.\. \}, got 0\.8"),
        ({"policy": {"owner": "a"},
          "criteria": {"max_capital_need": {"quantile": 95, "amount": 1e6}}},
         r"\[criteria\]\.max_capital_need\.quantile: expected a share strictly between 0 "
         r"and 1, e\.g\. 0\.95, got 95"),
        ({"policy": {"owner": "a"}, "criteria": {"max_prob_loss": {"probability": 0.1,
                                                                    "of": "fund"}}},
         r"\[criteria\]\.max_prob_loss\.of: expected 'owner' or 'society', got 'fund'"),
        ({"policy": {"owner": "a"}, "criteria": {"max_prob_loss": {"probabilty": 0.1}}},
         r"\[criteria\]\.max_prob_loss\.probabilty: unknown key; did you mean 'probability'\?"),
        ({"policy": {"owner": "a"}, "criteria": {"max_prob_loss": "20 %"}},
         r"\[criteria\]\.max_prob_loss: expected a probability from 0 to 1, got '20 %'"),
        ({"policy": {"name": "x"}, "criteria": {"max_prob_loss": 0.2}},
         r"\[policy\]\.owner: missing; say whose money it is"),
        ({"policy": {"owner": []}, "criteria": {"max_prob_loss": 0.2}},
         r"\[policy\]\.owner: expected an actor key or a list of them, got \[\]"),
        ({"policy": {"owner": ["a", "a"]}, "criteria": {"max_prob_loss": 0.2}},
         r"\[policy\]\.owner: lists an actor twice"),
        ({"policy": {"owner": "a"}, "criteria": {}},
         r"\[criteria\]: no criteria; give at least one of: max_prob_loss"),
        ({"policy": {"owner": "a"}}, r"\[criteria\]: missing table"),
        ({"policy": {"owner": "a"}, "criteria": {"max_prob_loss": 0.2}, "clases": {}},
         r"\[clases\]: unknown table; did you mean 'classes'\?"),
        ({"policy": {"owner": "a"}, "criteria": {"max_prob_loss": 0.2},
          "classes": {"thresholds": [0.0, -0.5, 1.0]}},
         r"\[classes\]\.thresholds: expected three increasing numbers"),
        ({"policy": {"owner": "a"}, "criteria": {"max_prob_loss": 0.2},
          "classes": {"output": "payback_year"}},
         r"\[classes\]\.output: expected 'roi' or an 'npv_\*' output, got 'payback_year'"),
    ])
    def test_bad_policies_are_refused_in_one_line(self, data, message):
        with pytest.raises(ModelError, match=message) as info:
            policy_from_dict(data, source="test.toml")
        assert "\n" not in str(info.value)

    def test_unknown_owner_is_refused_against_the_model(self, labour_market):
        p = policy(["municipalty"], max_prob_loss=0.2)
        with pytest.raises(ModelError, match=r"^test\.toml: \[policy\]\.owner: unknown actor "
                                             r"'municipalty' in .*labour_market\.toml; "
                                             r"did you mean 'municipality'\?$"):
            p.check(labour_market)

    def test_unknown_class_output_is_refused_against_the_model(self, labour_market):
        p = policy_from_dict({"policy": {"owner": "society"},
                              "criteria": {"max_prob_loss": 0.2},
                              "classes": {"output": "npv_scool"}}, source="test.toml")
        with pytest.raises(ModelError, match=r"\[classes\]\.output: unknown output "
                                             r"'npv_scool'"):
            p.check(labour_market)

    def test_toml_syntax_errors_name_the_file(self, tmp_path):
        path = tmp_path / "broken.toml"
        path.write_text("[policy\nowner = 'a'\n")
        with pytest.raises(ModelError, match=r"broken\.toml: TOML syntax error"):
            load_policy(path)


class TestVerdict:
    def test_a_sure_gainer_approves(self, linear_run):
        verdict = evaluate_policy(policy(
            ["gainer"], max_prob_loss=0.05, min_prob_payback={"years": 1, "probability": 0.9},
            max_capital_need={"amount": 1.0}, min_expected_npv=0), linear_run, top=0)
        assert verdict.approve and verdict.decision == "APPROVE"
        assert all(c.passed for c in verdict.criteria)

    def test_a_sure_loser_rejects(self, linear_run):
        verdict = evaluate_policy(policy(["payer"], max_prob_loss=0.5, min_expected_roi=-1.5),
                                  linear_run, top=0)
        assert verdict.decision == "REJECT"
        loss, roi = verdict.criteria
        assert loss.measured == 1.0 and loss.margin == pytest.approx(-0.5)
        assert not loss.passed
        # The payer pays the investment and gains nothing: its return is exactly -1.
        assert roi.measured == pytest.approx(-1.0) and roi.passed

    def test_margins_carry_standard_errors_and_flag_close_calls(self, linear_run):
        p_loss = float((linear_run.outputs["npv_society"] < 0).mean())
        verdict = evaluate_policy(policy("society", max_prob_loss=p_loss,
                                         min_expected_npv=-1e9), linear_run, top=0)
        close, far = verdict.criteria
        assert close.se == pytest.approx(math.sqrt(p_loss * (1 - p_loss) / linear_run.n))
        assert close.too_close and not far.too_close
        assert verdict.too_close == ("max_prob_loss",)

    def test_owner_criteria_and_society_criteria_are_measured_on_each(self, linear_run):
        verdict = evaluate_policy(policy(["payer"], min_expected_npv={"amount": 0,
                                                                      "of": "society"}),
                                  linear_run, top=0)
        (npv,) = verdict.criteria
        assert npv.measured == pytest.approx(linear_run.outputs["npv_society"].mean())

    def test_the_verdict_switch_is_the_break_even_of_its_only_criterion(self):
        data = linear_model_dict()
        data["parameters"]["cost"] = {"pert": [150.0, 200.0, 260.0]}
        model = model_from_dict(data, source="linear")
        result = simulate(model, 1000, seed=SEED)
        verdict = evaluate_policy(policy("society", min_expected_npv=0), result, top=1)
        (switch,) = verdict.switches
        assert switch.values.parameter == "saving"
        expected = switching_values(model, "saving", mean_statistic(model), seed=SEED, n=1000)
        assert switch.values.first == pytest.approx(expected.first, rel=1e-6)
        assert switch.binding == (("min_expected_npv",),)
        assert "APPROVE above" in switch.describe()

    def test_to_dict_is_json(self, linear_run):
        verdict = evaluate_policy(policy(["payer", "gainer"], max_prob_loss=0.2), linear_run,
                                  top=1)
        data = json.loads(json.dumps(verdict.to_dict()))
        assert data["decision"] in ("APPROVE", "REJECT")
        assert data["criteria"][0]["name"] == "max_prob_loss"
        assert {"measured", "threshold", "margin", "se", "too_close"} <= set(data["criteria"][0])
        assert data["switching_values"][0]["parameter"] in ("cost", "saving", "value")


class TestDecideCommand:
    def run(self, tmp_path, policy_path, *extra):
        return main(["decide", str(LABOUR_MARKET), "--policy", str(policy_path), "--n", "2000",
                     "--seed", "1", "--top", "1", "--out", str(tmp_path / "run"), *extra])

    def test_municipal_fund_approves_with_exit_0(self, tmp_path, capsys):
        assert self.run(tmp_path, POLICIES / "municipal_fund.toml") == 0
        out = capsys.readouterr().out
        assert out.startswith("VERDICT: APPROVE")
        for name in ("verdict.json", "breakeven.csv", "risk.csv", "classes.csv", "voi.csv",
                     "manifest.json", "scenarios.parquet"):
            assert (tmp_path / "run" / name).is_file()

    def test_cautious_repayment_fund_rejects_with_exit_1(self, tmp_path, capsys):
        assert self.run(tmp_path, POLICIES / "cautious_repayment_fund.toml", "--json") == 1
        verdict = json.loads(capsys.readouterr().out)
        assert verdict["decision"] == "REJECT"
        assert verdict == json.loads((tmp_path / "run" / "verdict.json").read_text())

    def test_bad_policy_exits_2_with_one_line(self, tmp_path, capsys):
        bad = tmp_path / "bad.toml"
        bad.write_text('[policy]\nowner = "labour_ofice"\n[criteria]\nmax_prob_loss = 0.1\n')
        assert self.run(tmp_path, bad) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1
        assert "[policy].owner: unknown actor 'labour_ofice'" in err
        assert "did you mean 'labour_office'?" in err
        assert not (tmp_path / "run").exists()

    def test_missing_policy_file_exits_2(self, tmp_path, capsys):
        assert self.run(tmp_path, tmp_path / "nowhere.toml") == 2
        assert "cannot read the policy file" in capsys.readouterr().err
