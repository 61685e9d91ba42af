"""The seed's table 4.3 from models/labour_market_programme.toml's base case."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import MODELS, REFERENCE

from riskcalc import ModelError, load_model, model_from_dict, simulate
from riskcalc.cli import main
from riskcalc.results.accumulated import (
    TABLE_4_3_YEARS,
    accumulated,
    claim_table,
    return_multiple,
)

PROGRAMME = MODELS / "labour_market_programme.toml"
#: The cells reports/table43.md says no sensible reading meets within 10 %, and why.
EXPLAINED = {("financial", 2), ("real", 10)}


@pytest.fixture(scope="module")
def seed_4_3() -> pd.DataFrame:
    frame = pd.read_csv(REFERENCE / "seed_table_4_3_projected_accumulated.csv")
    return frame.set_index("year").rename(columns={"production_value": "production"})


def test_base_case_meets_table_4_3_within_ten_percent_except_the_explained_cells(seed_4_3):
    ours = accumulated(load_model(PROGRAMME))
    for kind in ("real", "production", "financial"):
        for year in TABLE_4_3_YEARS:
            ratio = ours.loc[year, kind] / seed_4_3.loc[year, kind]
            limit = 0.25 if (kind, year) in EXPLAINED else 0.10
            assert abs(ratio - 1) <= limit, (kind, year, ratio)


def test_year_one_real_and_financial_add_up_to_table_4_2_less_production(seed_4_3):
    # The seed's 9,622,700 + 8,371,364 is table 4.2's 34,017,064 - 16,023,000.
    ours = accumulated(load_model(PROGRAMME)).loc[1]
    assert ours["real"] == pytest.approx(seed_4_3.loc[1, "real"], rel=1e-5)
    assert ours["financial"] == pytest.approx(seed_4_3.loc[1, "financial"], rel=1e-5)
    assert ours["production"] == pytest.approx(seed_4_3.loc[1, "production"] * 1.04, rel=1e-6)


def test_check_json_gives_accumulated_by_kind_for_every_year(capsys):
    assert main(["check", str(PROGRAMME), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    expected = accumulated(load_model(PROGRAMME))
    assert set(data["accumulated"]) == {"real", "production", "financial"}
    for kind, years in data["accumulated"].items():
        assert list(years) == [str(y) for y in range(1, 21)]
        assert years["20"] == pytest.approx(expected.loc[20, kind])


def test_check_prints_table_4_3_layout(capsys):
    assert main(["check", str(PROGRAMME)]) == 0
    out = capsys.readouterr().out
    assert "Programme: 4 cohorts entering years 1..4" in out
    block = out[out.index("Accumulated discounted effect"):]
    assert "Real" in block and "Production value" in block and "Financial" in block
    header = block.splitlines()[1].split()
    assert header == ["year", *map(str, TABLE_4_3_YEARS)]


def claim_model(claim: dict) -> dict:
    """Year-1 gain x ~ U(0, 10) for an investment of 1, then 1 a year: by year k, x + k - 1."""
    return {"model": {"name": "claim", "years": 3, "discount_rate": 0.0, "investment": 1,
                      "claim": claim},
            "actors": {"a": "A"},
            "parameters": {"x": {"uniform": [0.0, 10.0]}},
            "flow": [{"actor": "a", "revenue": "where(year == 1, x, 1)"}]}


def test_return_multiple_is_accumulated_society_net_over_investment():
    model = model_from_dict(claim_model({"year": 2, "multiple": 8}))
    scenarios = pd.DataFrame({"x": [0.0, 4.0, 9.5]})
    assert return_multiple(model, scenarios, 2) == pytest.approx([1.0, 5.0, 10.5])
    assert return_multiple(model, scenarios, 1) == pytest.approx([0.0, 4.0, 9.5])


def test_claim_probability_matches_the_closed_form():
    model = model_from_dict(claim_model({"year": 2, "multiple": 8, "source": "test"}))
    result = simulate(model, 20_000, seed=5)
    row = claim_table(model, result.scenarios).iloc[0]
    # P(x + 1 >= 8) = P(x >= 7) = 0.3 for x ~ U(0, 10); the median multiple is 6.
    assert row["probability"] == pytest.approx(0.3, abs=0.015)
    assert row["p50"] == pytest.approx(6.0, abs=0.15)
    assert (row["year"], row["multiple"], row["source"]) == (2, 8.0, "test")


def test_seed_claim_holds_at_the_calibrated_base_case():
    # 4-year total effect over one year's cost: the seed's 196 / 22 MSEK is 8.6; ours 8.4.
    model = load_model(PROGRAMME)
    assert model.claim.year == 4 and model.claim.multiple == 8
    base = pd.DataFrame({k: [v] for k, v in model.base_case().items()})
    assert return_multiple(model, base, 4)[0] == pytest.approx(
        accumulated(model).loc[4, "total"] / 22.743e6)
    assert return_multiple(model, base, 4)[0] >= 8


@pytest.mark.parametrize(("claim", "message"), [
    ({"year": 30, "multiple": 8}, r"\[model\]\.claim\.year: expected a whole year"),
    ({"year": 2, "multiple": "eight"}, r"\[model\]\.claim\.multiple: expected a number"),
    ({"year": 2, "multiple": 8, "by": 1}, r"\[model\]\.claim\.by: unknown key"),
])
def test_bad_claim_is_refused_with_the_key(claim, message):
    with pytest.raises(ModelError, match=message):
        model_from_dict(claim_model(claim), source="c.toml")


def test_check_json_gives_each_cohorts_npv_for_a_programme(capsys):
    assert main(["check", str(MODELS / "home_care.toml"), "--json"]) == 0
    cohorts = json.loads(capsys.readouterr().out)["cohorts"]
    assert list(cohorts) == ["1", "2", "3", "4", "5", "programme"]
    assert [cohorts[str(c)]["entry_year"] for c in range(1, 6)] == [1, 2, 3, 4, 5]
    assert cohorts["programme"]["entry_year"] is None
