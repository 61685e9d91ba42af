"""The seed's table 4.3 from models/labour_market_programme.toml's base case."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import MODELS, REFERENCE

from riskcalc import load_model
from riskcalc.cli import main
from riskcalc.results.accumulated import TABLE_4_3_YEARS, accumulated

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
