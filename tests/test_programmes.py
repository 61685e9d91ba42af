"""Recurring cohorts: superposition by entry year against hand-computed NPVs."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import MODELS

from riskcalc import ModelError, load_model, model_from_dict, simulate
from riskcalc.engine.compiled import CompiledModel
from riskcalc.results.accumulated import cohort_npv


def two_cohorts(rate: float = 0.1) -> dict:
    """Two cohorts of 10, one a year; half of each in work from its 2nd year, fading 20 %/y.

    Per cohort: 100 SEK per participant in its entry year; 1,000 SEK a year per person
    in work.  The programme pays 500 SEK in calendar year 1 (start-up).
    """
    return {
        "model": {"name": "two cohorts", "years": 6, "discount_rate": rate,
                  "investment": 2500},
        "programme": {"cohorts": 2, "intake": 10},
        "actors": {"office": "Office", "city": "City"},
        "parameters": {"share": 0.5},
        "outcomes": {"employed": {"value": "intake * share", "start_year": 2,
                                  "drop_off": 0.2}},
        "flow": [
            {"actor": "city", "kind": "financial", "revenue": "employed * 1000"},
            {"actor": "office", "kind": "real", "cost": "intake * 100", "when": "year == 1"},
            {"actor": "office", "kind": "real", "cost": 500, "when": "year == 1",
             "scope": "programme"},
        ],
    }


def base_outputs(model) -> dict[str, float]:
    params = {name: np.array([value]) for name, value in model.base_case().items()}
    outputs = CompiledModel(model).evaluate(params, keep_cumulative=True)
    return {k: float(v[0]) for k, v in outputs.outputs.items()}, outputs.cumulative[..., 0]


def test_two_overlapping_cohorts_with_lag_and_drop_off_match_hand_computed_npv():
    model = model_from_dict(two_cohorts())
    outputs, cumulative = base_outputs(model)
    # Calendar year:       1      2              3              4
    # cohort 1 in work:    0      5              4              3.2  ...
    # cohort 2 in work:    -      0              5              4    ...
    city = [0, 5000, 4000 + 5000, 3200 + 4000, 2560 + 3200, 2048 + 2560]
    office = [-(1000 + 500), -1000, 0, 0, 0, 0]
    factors = [1.1 ** -t for t in range(6)]  # year 1 is not discounted
    city_discounted = [c * f for c, f in zip(city, factors, strict=True)]
    assert outputs["npv_city"] == pytest.approx(sum(city_discounted))
    assert outputs["npv_office"] == pytest.approx(-1500 - 1000 / 1.1)
    assert outputs["npv_society"] == pytest.approx(
        sum((c + o) * f for c, o, f in zip(city, office, factors, strict=True)))
    # Cumulative by cost kind per calendar year: financial is the city's savings.
    kind_financial = cumulative[len(model.actors) + 1 + 1]
    assert kind_financial == pytest.approx(np.cumsum(city_discounted))


def test_whole_units_apply_to_the_sum_over_cohorts():
    data = two_cohorts(rate=0.0)
    data["model"]["years"] = 3
    # Each cohort frees 0.6 of a ward (600 SEK of a 1,000 SEK ward) a year from entry:
    # no cohort alone closes one, the two together do from calendar year 2.
    data["flow"] = [{"actor": "city", "kind": "real", "revenue": "intake * 60",
                     "whole_units": 1000}]
    outputs, _ = base_outputs(model_from_dict(data))
    assert outputs["npv_city"] == pytest.approx(0 + 1000 + 1000)
    assert outputs["theoretical_city"] == pytest.approx(600 + 1200 + 1200)


def test_intake_schedule_reaches_cohort_and_programme_flows():
    data = two_cohorts(rate=0.0)
    data["model"]["years"] = 3
    data["programme"] = {"intake": [3, 5]}  # two cohorts, from the schedule's length
    data["flow"] = [
        {"actor": "office", "kind": "real", "cost": "intake * 100", "when": "year == 2"},
        {"actor": "city", "kind": "real", "cost": "intake * 10 + cohort",
         "scope": "programme"},
    ]
    model = model_from_dict(data)
    assert model.programme.cohorts == 2
    outputs, _ = base_outputs(model)
    # Per cohort in its 2nd year: 300 in calendar year 2, 500 in year 3.
    assert outputs["npv_office"] == pytest.approx(-(300 + 500))
    # The cohort entering each calendar year: 3 (cohort 1), 5 (cohort 2), none.
    assert outputs["npv_city"] == pytest.approx(-(31 + 52 + 0))


def test_parameter_drawn_per_cohort_when_the_file_says_so():
    data = two_cohorts(rate=0.0)
    data["model"]["years"] = 2
    data["parameters"] = {"share": {"uniform": [0.0, 1.0]}}
    data["programme"]["vary_by_cohort"] = ["share"]
    data["flow"] = [{"actor": "city", "kind": "real", "revenue": "share",
                     "when": "year == 1"}]
    data["outcomes"] = {}
    model = model_from_dict(data)
    assert list(model.parameters) == ["share_cohort1", "share_cohort2"]
    outputs = CompiledModel(model).evaluate(
        {"share_cohort1": np.array([0.2, 0.4]), "share_cohort2": np.array([0.5, 0.1])}).outputs
    assert outputs["npv_city"] == pytest.approx([0.7, 0.5])
    # Without vary_by_cohort, one draw holds for both cohorts.
    del data["programme"]["vary_by_cohort"]
    outputs = CompiledModel(model_from_dict(data)).evaluate({"share": np.array([0.2])}).outputs
    assert outputs["npv_city"] == pytest.approx([0.4])


def test_one_cohort_programme_equals_the_plain_model():
    plain = load_model(MODELS / "labour_market.toml")
    data = __import__("tomllib").loads((MODELS / "labour_market.toml").read_text())
    data["programme"] = {"cohorts": 1, "intake": "participants"}
    programme = model_from_dict(data)
    a, _ = base_outputs(plain)
    b, _ = base_outputs(programme)
    assert b == pytest.approx(a, rel=1e-12)


@pytest.mark.parametrize(("change", "message"), [
    ({"cohorts": 9}, r"\[programme\]\.cohorts: 9 cohorts from year 1 enter after the horizon"),
    ({"intake": [1, 2, 3]}, r"\[programme\]\.intake: the schedule lists 3 intakes for 2"),
    ({"intake": "employed"}, r"intake may use parameters only, not 'employed'"),
    ({"vary_by_cohort": ["share"]}, r"parameter 'share' is fixed"),
    ({"vary_by_cohort": ["shares"]}, r"'shares' is not declared.*'share'"),
    ({"colour": 1}, r"\[programme\]\.colour: unknown key"),
    ({"intake": None}, r"\[programme\]\.intake: missing"),
    ({"cohorts": 0}, r"\[programme\]\.cohorts: expected a whole number"),
])
def test_bad_programme_is_refused_with_the_key(change, message):
    data = two_cohorts()
    data["programme"].update(change)
    with pytest.raises(ModelError, match=message):
        model_from_dict(data, source="p.toml")


def test_scope_needs_a_programme_and_a_known_value():
    data = two_cohorts()
    data["flow"][2]["scope"] = "everywhere"
    with pytest.raises(ModelError, match=r"flow\[3\]\.scope: unknown scope 'everywhere'"):
        model_from_dict(data)
    del data["programme"]
    data["flow"][2]["scope"] = "programme"
    data["outcomes"]["employed"]["value"] = "10 * share"
    data["flow"][1]["cost"] = "1000"
    with pytest.raises(ModelError, match=r"flow\[3\]\.scope: only a model with a \[programme\]"):
        model_from_dict(data)


def test_cohort_npv_rows_add_up_and_a_later_cohort_is_discounted_by_its_entry():
    model = model_from_dict(two_cohorts())
    table = cohort_npv(model)
    outputs, _ = base_outputs(model)
    assert list(table.index) == [1, 2, "programme"]
    assert table["npv_society"].sum() == pytest.approx(outputs["npv_society"])
    assert table["npv_office"].sum() == pytest.approx(outputs["npv_office"])
    # Identical cohorts: cohort 2 is cohort 1 one year later, over one year less of horizon.
    city = [0, 5000, 4000, 3200, 2560, 2048]
    assert table.loc[1, "npv_city"] == pytest.approx(sum(c / 1.1 ** t for t, c in enumerate(city)))
    assert table.loc[2, "npv_city"] == pytest.approx(
        sum(c / 1.1 ** (t + 1) for t, c in enumerate(city[:5])))
    assert table.loc["programme", "npv_office"] == pytest.approx(-500)
    assert list(table["entry_year"].iloc[:2]) == [1, 2]


def test_programme_runs_keep_every_actor_and_cost_kind_per_year():
    model = model_from_dict(two_cohorts())
    yearly = simulate(model, 2000, seed=1).yearly
    assert set(yearly["series"]) == {"office", "city", "society", "kind_real",
                                     "kind_financial", "kind_production"}
    assert (yearly.groupby("series")["year"].max() == 6).all()


def test_alike_cohorts_are_evaluated_once_and_shifted_with_the_same_numbers():
    import tomllib

    from riskcalc.engine.sampling import sample_parameters

    data = tomllib.loads((MODELS / "home_care.toml").read_text(encoding="utf-8"))
    alike = model_from_dict(data)
    # "x * 1" is the same number but another expression: each cohort evaluated on its own.
    data["programme"]["intake"] = ["children_per_year"] + ["children_per_year * 1"] * 4
    separate = model_from_dict(data)
    assert CompiledModel(alike)._alike and not CompiledModel(separate)._alike
    params = sample_parameters(alike, 7, 0, 3000)
    a = CompiledModel(alike).evaluate(params, keep_cumulative=True)
    b = CompiledModel(separate).evaluate(params, keep_cumulative=True)
    for name in a.outputs:
        np.testing.assert_array_equal(a.outputs[name], b.outputs[name], err_msg=name)
    np.testing.assert_array_equal(a.cumulative, b.cumulative)
    assert cohort_npv(alike).equals(cohort_npv(separate))


def test_cohorts_reading_their_number_are_not_taken_as_alike():
    data = two_cohorts()
    data["flow"][0]["revenue"] = "employed * 1000 * cohort"
    model = model_from_dict(data)
    assert not CompiledModel(model)._alike
    outputs, _ = base_outputs(model)
    city = [0, 5000, 4000 + 2 * 5000, 3200 + 2 * 4000, 2560 + 2 * 3200, 2048 + 2 * 2560]
    assert outputs["npv_city"] == pytest.approx(sum(c / 1.1 ** t for t, c in enumerate(city)))


def test_cli_refuses_a_bad_programme_in_one_line(tmp_path, capsys):
    from riskcalc.cli import main

    text = (MODELS / "home_care.toml").read_text(encoding="utf-8")
    path = tmp_path / "bad.toml"
    path.write_text(text.replace('intake = "children_per_year"', 'intake = "children"'),
                    encoding="utf-8")
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert f"{path}: [programme].intake: the intake may use parameters only" in err
    assert "children_per_year" in err
