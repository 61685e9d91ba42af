"""results.xlsx: every run's tables in one workbook, read back with pandas."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from conftest import MODELS, linear_model_dict
from openpyxl import load_workbook

from riskcalc import load_model, model_from_dict, simulate
from riskcalc.cli import main
from riskcalc.report.workbook import WORKBOOK, write_workbook


@pytest.fixture(scope="module")
def decided(tmp_path_factory):
    """A labour-market run with a policy verdict and a tornado, as the commands write it."""
    out = tmp_path_factory.mktemp("book") / "run"
    model = MODELS / "labour_market.toml"
    assert main(["decide", str(model), "--policy", str(MODELS / "policies" /
                 "municipal_fund.toml"), "--n", "1000", "--top", "1", "--out", str(out),
                 "--quiet"]) in (0, 1)
    assert main(["tornado", str(model), "--out", str(out), "--quiet"]) == 0
    assert main(["report", str(out)]) == 0  # rewrites the workbook with the tornado in it
    return out


def test_every_table_of_the_run_is_a_sheet(decided):
    sheets = pd.read_excel(decided / WORKBOOK, sheet_name=None)
    assert list(sheets)[:4] == ["Income statement", "Actors", "Outputs", "Yearly bands"]
    for name in ("Payback", "Classes", "Redistribution", "Acceptability",
                 "Value of information", "Break-even", "Tornado"):
        assert name in sheets


def test_numbers_are_numbers_with_units_in_the_headers(decided):
    sheets = pd.read_excel(decided / WORKBOOK, sheet_name=None)
    actors = sheets["Actors"].set_index("actor")
    summary = pd.read_csv(decided / "summary.csv").set_index("output")
    assert actors.at["society", "mean NPV (SEK)"] == pytest.approx(
        summary.at["npv_society", "mean"])
    assert actors.at["labour_office", "probability of a net loss (share 0-1)"] == 1.0
    assert actors.at["society", "mean net in the worst 5 % (SEK)"] == pytest.approx(
        -summary.at["npv_society", "cvar_95"])
    for frame in sheets.values():
        for column in frame.columns:
            if column.endswith("(SEK)") or "(share 0-1)" in column:
                assert pd.api.types.is_numeric_dtype(frame[column]), column
    outputs = sheets["Outputs"].set_index("output")
    assert outputs.at["roi", "unit"].startswith("ratio")
    assert outputs.at["npv_society", "unit"] == "SEK"


def test_income_statement_sheet_reproduces_seed_table_42(decided):
    statement = pd.read_excel(decided / WORKBOOK, sheet_name="Income statement")
    net = statement.set_index("actor")["net, year 1 (SEK)"]
    assert net["society"] == pytest.approx(34_017_064, abs=1)
    assert net["labour_office"] == pytest.approx(-3_920_000)
    assert net["employment_service"] == pytest.approx(-12_960_000)


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    data = linear_model_dict()
    data["actors"]["payer"] = '=HYPERLINK("http://example.com","click")'
    model = model_from_dict(data, source="linear")
    simulate(model, 200, seed=1).write(tmp_path)
    write_workbook(tmp_path, model)
    book = load_workbook(tmp_path / WORKBOOK)
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    labels = pd.read_excel(tmp_path / WORKBOOK, sheet_name="Actors")["label"]
    assert labels[0] == "'=HYPERLINK(\"http://example.com\",\"click\")"


def test_run_writes_the_workbook_with_or_without_the_report(tmp_path):
    out = tmp_path / "run"
    assert main(["run", str(MODELS / "labour_market.toml"), "--n", "300", "--out", str(out),
                 "--no-report", "--quiet"]) == 0
    assert "Actors" in pd.read_excel(out / WORKBOOK, sheet_name=None)


def test_a_workbook_without_the_model_leaves_out_the_income_statement(decided, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(decided, run)
    write_workbook(run)
    sheets = pd.read_excel(run / WORKBOOK, sheet_name=None)
    assert "Income statement" not in sheets and "Actors" in sheets


def test_workbook_is_rewritten_only_when_a_table_changed(decided, tmp_path):
    out = tmp_path / "run"
    shutil.copytree(decided, out)
    book = out / WORKBOOK
    written = book.stat().st_mtime_ns
    write_workbook(out, load_model(MODELS / "labour_market.toml"))
    assert book.stat().st_mtime_ns == written  # the same sheets: left as it is
    tornado = pd.read_csv(out / "tornado.csv")
    tornado.head(1).to_csv(out / "tornado.csv", index=False)
    write_workbook(out, load_model(MODELS / "labour_market.toml"))
    assert len(pd.read_excel(book, sheet_name="Tornado")) == 1  # a changed table: rewritten
