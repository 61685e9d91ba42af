"""Risk measures, outcome classes, acceptability and redistribution against known answers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import linear_model_dict
from scipy.stats import norm

from riskcalc import model_from_dict, simulate
from riskcalc.decision.actor_groups import group_outcomes
from riskcalc.decision.classes import CLASS_NAMES, ClassSpec, class_table, group_by_label
from riskcalc.decision.measures import expected_shortfall, risk_table, value_at_risk
from riskcalc.decision.policy import policy_from_dict
from riskcalc.decision.redistribution import (
    compensate,
    compensation_matrix,
    redistribution_table,
)
from riskcalc.decision.tables import acceptability, payback_within, write_risk_outputs

MU, SIGMA = 100.0, 400.0


def normal_model_dict(mu: float = MU, sigma: float = SIGMA) -> dict:
    """One year, no discounting: the fund's (and society's) NPV is x ~ Normal(mu, sigma)."""
    return {
        "model": {"name": "normal", "years": 1, "discount_rate": 0.0, "investment": 1000.0},
        "actors": {"fund": "Fund", "other": "Other"},
        "parameters": {"x": {"normal": [mu, sigma]}},
        "flow": [{"actor": "fund", "kind": "financial", "revenue": "x"}],
    }


@pytest.fixture(scope="module")
def normal_run():
    return simulate(model_from_dict(normal_model_dict(), source="normal"), 200_000,
                    seed=0x5EED_F00D_2026)


@pytest.fixture(scope="module")
def linear_run():
    return simulate(model_from_dict(linear_model_dict(transfer=30.0), source="linear"), 4000,
                    seed=20260101)


class TestClosedForm:
    """Society NPV ~ Normal(μ, σ): probabilities and quantiles have closed forms."""

    def row(self, run):
        return risk_table(run).set_index("output").loc["npv_society"]

    def test_prob_loss_is_phi_of_minus_mu_over_sigma(self, normal_run):
        row = self.row(normal_run)
        assert row["prob_loss"] == pytest.approx(norm.cdf(-MU / SIGMA),
                                                 abs=4 * row["se_prob_loss"])

    def test_var_95_is_minus_the_5th_percentile(self, normal_run):
        row = self.row(normal_run)
        assert row["var_95"] == pytest.approx(-(MU + SIGMA * norm.ppf(0.05)),
                                              abs=4 * row["se_var_95"])

    def test_cvar_95_matches_the_normal_expected_shortfall(self, normal_run):
        row = self.row(normal_run)
        alpha = 0.05
        exact = -MU + SIGMA * norm.pdf(norm.ppf(alpha)) / alpha
        assert row["cvar_95"] == pytest.approx(exact, abs=4 * row["se_cvar_95"])
        assert row["cvar_95"] > row["var_95"]

    def test_mean_and_its_standard_error(self, normal_run):
        row = self.row(normal_run)
        assert row["mean"] == pytest.approx(MU, abs=4 * row["se_mean"])
        assert row["se_mean"] == pytest.approx(SIGMA / math.sqrt(normal_run.n), rel=0.02)
        assert row["se_prob_loss"] == pytest.approx(
            math.sqrt(row["prob_loss"] * (1 - row["prob_loss"]) / normal_run.n))

    def test_roi_row_is_npv_over_investment(self, normal_run):
        table = risk_table(normal_run).set_index("output")
        assert table.loc["roi", "p50"] == pytest.approx(table.loc["npv_society", "p50"] / 1000)
        assert np.isnan(table.loc["roi", "hump_p95"])

    def test_level_names_the_columns(self, normal_run):
        table = risk_table(normal_run, 0.99)
        assert {"var_99", "cvar_99", "se_var_99", "se_cvar_99"} <= set(table.columns)


class TestEstimators:
    def test_var_and_expected_shortfall_of_1_to_100(self):
        x = np.arange(1.0, 101.0)
        assert value_at_risk(x, 0.95) == pytest.approx(-(1 + 0.05 * 99))
        assert expected_shortfall(x, 0.95) == pytest.approx(-3.0)  # mean of 1..5

    def test_expected_shortfall_weights_the_fractional_scenario(self):
        x = np.arange(1.0, 11.0)  # nα = 1.5: all of x₁, half of x₂
        assert expected_shortfall(x, 0.85) == pytest.approx(-(1 + 0.5 * 2) / 1.5)

    def test_a_sure_gain_has_negative_var(self):
        assert value_at_risk(np.full(10, 5.0)) == pytest.approx(-5.0)

    @pytest.mark.parametrize("level", [0, 1, 1.5, -0.1, True])
    def test_level_outside_0_1_is_refused(self, level):
        with pytest.raises(ValueError, match=r"level must be a share strictly between 0 and 1"):
            value_at_risk(np.arange(5.0), level)


class TestClasses:
    def test_classes_partition_the_scenarios(self, linear_run):
        table = class_table(linear_run, ClassSpec("roi", (-0.5, 0.0, 0.5)))
        assert list(table["class"]) == list(CLASS_NAMES)
        assert table["probability"].sum() == pytest.approx(1.0)
        assert table["n"].sum() == linear_run.finite.sum()

    def test_class_means_recombine_into_the_overall_mean(self, linear_run):
        table = class_table(linear_run).fillna(0.0)
        overall = linear_run.outputs["npv_payer"].mean()
        assert (table["probability"] * table["mean_npv_payer"]).sum() == pytest.approx(overall)

    def test_a_value_on_a_threshold_belongs_to_the_class_above(self):
        spec = ClassSpec("roi", (-0.5, 0.0, 1.0))
        labels = spec.classify(np.array([-0.6, -0.5, 0.0, 0.99, 1.0]))
        assert list(labels) == ["very_bad", "bad", "half_good", "half_good", "good"]

    def test_group_by_label_is_generic_and_reports_empty_labels(self):
        labels = np.array(["a", "b", "a", "a"])
        frame = group_by_label(labels, {"npv": np.array([1.0, 2.0, 3.0, 5.0])},
                               order=["a", "b", "c"], name="regime")
        assert list(frame["regime"]) == ["a", "b", "c"]
        assert list(frame["probability"]) == [0.75, 0.25, 0.0]
        assert frame["mean_npv"].iloc[0] == pytest.approx(3.0)
        assert np.isnan(frame["mean_npv"].iloc[2])

    @pytest.mark.parametrize("thresholds", [(0.0, 0.0, 1.0), (1.0, 0.0, 2.0), (0.0, 1.0)])
    def test_thresholds_must_be_three_increasing_numbers(self, thresholds):
        with pytest.raises(ValueError, match="three increasing finite numbers"):
            ClassSpec("roi", thresholds)

    def test_class_output_must_be_roi_or_an_npv(self):
        with pytest.raises(ValueError, match=r"classes apply to 'roi' or an 'npv_\*' output, "
                                             r"got 'payback_year'"):
            ClassSpec("payback_year")


class TestPaybackAndAcceptability:
    def test_payback_within_counts_never_as_not_paid_back(self):
        frame = payback_within(np.array([1.0, 2.0, 2.0, np.nan]), 3)
        assert list(frame["prob_in_year"]) == [0.25, 0.5, 0.0]
        assert list(frame["prob_within"]) == [0.25, 0.75, 0.75]
        assert frame["se_prob_within"].iloc[1] == pytest.approx(math.sqrt(0.75 * 0.25 / 4))

    def test_payback_within_counts_each_year_as_a_comparison_per_year_would(self):
        rng = np.random.default_rng(5)
        payback = rng.integers(-1, 14, 100_003).astype(float)
        payback[::7] = np.nan
        payback[::11] += 0.5  # not a whole year: in no year
        frame = payback_within(payback, 12)
        expected = [np.mean(payback == y) for y in range(1, 13)]
        assert list(frame["prob_in_year"]) == expected

    def test_acceptability_is_a_survival_curve(self):
        returns = {"society": np.array([-1.0, 0.0, 0.5, 2.0])}
        frame = acceptability(returns, np.array([-2.0, 0.0, 0.6, 3.0]))
        assert list(frame["probability"]) == [1.0, 0.75, 0.25, 0.0]

    def test_default_curve_spans_society_and_decreases(self, linear_run):
        write = acceptability({"society": linear_run.outputs["roi"]})
        p = write["probability"].to_numpy()
        assert np.all(np.diff(p) <= 0) and p[0] == 1.0
        at_zero = (linear_run.outputs["roi"] >= 0).mean()
        grid = write["required_return"].to_numpy()
        assert {-1.0, 0.0, 1.0} <= set(grid)
        assert p[grid == 0.0][0] == pytest.approx(at_zero)


class TestGroups:
    def test_owner_npv_is_the_sum_and_its_hump_at_most_the_sum(self, linear_run):
        group = group_outcomes(linear_run, ["payer", "gainer"])
        out = linear_run.outputs
        assert np.allclose(group.npv, out["npv_payer"] + out["npv_gainer"])
        assert np.all(group.hump <= out["hump_payer"] + out["hump_gainer"] + 1e-9)

    def test_society_group_reproduces_the_run(self, linear_run):
        group = group_outcomes(linear_run, None)
        out = linear_run.outputs
        assert np.allclose(group.hump, out["hump_society"])
        assert np.array_equal(np.isnan(group.payback_year), np.isnan(out["payback_year"]))
        assert np.allclose(group.ret, out["roi"])


class TestRedistribution:
    def test_transfers_sum_to_zero_and_leave_every_actor_whole(self):
        comp = compensate({"school": -9.0, "bup": -3.0, "social": 10.0, "justice": 6.0})
        assert comp.feasible
        assert comp.transfer.sum() == pytest.approx(0.0, abs=1e-12)
        assert np.all(comp.net_after >= -1e-12)
        assert list(comp.transfer[:2]) == [9.0, 3.0]  # losers made exactly whole
        # gainers pay in proportion to their gains: 12 * 10/16 and 12 * 6/16
        assert list(comp.transfer[2:]) == pytest.approx([-7.5, -4.5])

    def test_matrix_rows_are_payments_and_columns_receipts(self):
        comp = compensate({"school": -9.0, "bup": -3.0, "social": 10.0, "justice": 6.0})
        assert comp.matrix[2, 0] == pytest.approx(7.5 * 9 / 12)
        assert np.allclose(comp.matrix.sum(axis=0) - comp.matrix.sum(axis=1), comp.transfer)

    def test_infeasible_compensation_shares_out_all_the_gains(self):
        comp = compensate({"payer": -10.0, "gainer": 4.0})
        assert not comp.feasible
        assert list(comp.transfer) == pytest.approx([4.0, -4.0])

    def test_table_on_a_run_excludes_production_by_default(self, linear_run):
        table = redistribution_table(linear_run).set_index("actor")
        assert table["transfer"].sum() == pytest.approx(0.0, abs=1e-6)
        assert table.loc["production", "role"] == "outside"
        assert table.loc["production", "transfer"] == 0.0
        payer = linear_run.outputs["npv_payer"]
        assert table.loc["payer", "prob_net_loser"] == pytest.approx(np.mean(payer < 0))
        inside = table[table["role"] != "outside"]
        if table["feasible"].iloc[0]:
            assert (inside["expected_net_after"] >= -1e-6).all()

    def test_matrix_on_a_run_is_square_over_actors(self, linear_run):
        matrix = compensation_matrix(linear_run, include_production=True)
        assert list(matrix.index) == list(matrix.columns) == ["payer", "gainer", "production"]
        assert (matrix.to_numpy() >= 0).all()


def test_write_risk_outputs_writes_every_table(tmp_path, linear_run):
    policy = policy_from_dict({"policy": {"owner": ["payer", "gainer"]},
                               "criteria": {"max_prob_loss": 0.2},
                               "classes": {"thresholds": [-1.0, 0.0, 0.5]}})
    written = write_risk_outputs(linear_run, tmp_path, owner=policy.owner_group,
                                 classes=policy.classes)
    names = {p.name for p in written}
    assert names == {"summary.csv", "risk.csv", "classes.csv", "redistribution.csv",
                     "compensation_matrix.csv", "acceptability.csv", "payback_within.csv",
                     "payback.csv", "convergence.csv", "voi.csv"}
    assert "cvar_95" in pd.read_csv(tmp_path / "summary.csv").columns
    risk = pd.read_csv(tmp_path / "risk.csv")
    assert risk["output"].iloc[-1] == "owner"
    classes = pd.read_csv(tmp_path / "classes.csv")
    assert list(classes["upper"].iloc[:3]) == [-1.0, 0.0, 0.5]
    assert "mean_npv_owner" in classes
    assert set(pd.read_csv(tmp_path / "payback_within.csv")["series"]) == {"society", "owner"}
    assert "owner" in set(pd.read_csv(tmp_path / "acceptability.csv")["series"])
