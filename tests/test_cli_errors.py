"""Tests for the command line's handling of bad input: one line on stderr, exit code 2.

Also checks ``riskcalc check --json`` against the seed report's table 4.2.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from riskcalc.cli import main

REPO = Path(__file__).resolve().parents[1]
LABOUR_MARKET = REPO / "models" / "labour_market.toml"
REFERENCE = REPO / "tests" / "data"
TABLE_4_2 = REFERENCE / "seed_table_4_2_socioeconomic_income_statement.csv"
#: The seed CSV's actor names that differ from the model's actor keys.
CSV_ACTORS = {"production_value": "production", "society_total": "society"}
#: Society's year-1 net in the seed's table 4.2 (SEK).
SOCIETY_NET_YEAR1 = 34_017_064

#: A small valid model; each bad file below changes one thing in it.
MODEL = """\
[model]
name = "CLI test model"
years = 3
discount_rate = 0.03
investment = "cost"

[actors]
office = "The office"
council = "The council"

[parameters]
cost = { pert = [900.0, 1000.0, 1300.0] }
saving = { uniform = [100.0, 300.0] }
people = 10

[derived]
savings = "people * saving"

[[flow]]
actor = "office"
cost = "cost"
when = "year == 1"

[[flow]]
actor = "council"
kind = "financial"
revenue = "savings"

[[transfer]]
from = "council"
to = "office"
amount = 200
"""

#: Bad model files: name -> (text or bytes, a word the error must contain).
BAD_FILES: dict[str, tuple[str | bytes, str]] = {
    "toml-syntax": (MODEL.replace("years = 3", "years = = 3"), "TOML syntax error"),
    "unknown-table": (MODEL.replace("[parameters]", "[paramters]"), "did you mean 'parameters'"),
    "missing-years": (MODEL.replace("years = 3\n", ""), "[model].years: missing"),
    "years-float": (MODEL.replace("years = 3", "years = 2.5"), "[model].years"),
    "unknown-name": (MODEL.replace('"people * saving"', '"peeple * saving"'),
                     "did you mean 'people'"),
    "cycle": (MODEL.replace('"people * saving"', '"savings + 1"'), "savings -> savings"),
    "flow-actor": (MODEL.replace('actor = "council"', 'actor = "councl"'),
                   "did you mean 'council'"),
    "transfer-self": (MODEL.replace('to = "office"', 'to = "council"'), "from and to are both"),
    "bad-distribution": (MODEL.replace("[900.0, 1000.0, 1300.0]", "[900.0, 1500.0, 1300.0]"),
                         "[parameters].cost"),
    "attribute-access": (MODEL.replace('"people * saving"', '"people.__class__"'),
                         "attribute access"),
    "import": (MODEL.replace('"people * saving"', "\"__import__('os')\""),
               "function '__import__' is not allowed"),
    "reserved-name": (MODEL.replace("people = 10", "people = 10\nroi = 1"), "reserved"),
    "no-flows": (MODEL[:MODEL.index("[[flow]]")], "at least one flow"),
    "not-utf8": (MODEL.replace('"The office"', '"Kontoret för åtgärder"').encode("latin-1"),
                 "not UTF-8"),
}


def write(tmp_path: Path, content: str | bytes, name: str = "bad_model.toml") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def assert_one_line_error(err: str, path: Path, word: str) -> None:
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert err.endswith("\n")
    assert lines[0].startswith(f"riskcalc: error: {path}: "), err
    assert word in lines[0], err


@pytest.fixture(autouse=True)
def _run_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Work in tmp_path, so a `run` that wrongly succeeded writes nothing into the repo."""
    monkeypatch.chdir(tmp_path)


def test_valid_model_checks_with_exit_code_0(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, MODEL, "model.toml")
    assert main(["check", str(path)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert "CLI test model" in out and f"{path}: valid" in out


@pytest.mark.parametrize("command", ["check", "run"])
@pytest.mark.parametrize("bad", list(BAD_FILES))
def test_bad_model_file_exits_2_with_one_line_naming_the_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, bad: str) -> None:
    content, word = BAD_FILES[bad]
    path = write(tmp_path, content)
    args = [command, str(path)] + (["--n", "10", "--quiet"] if command == "run" else [])
    assert main(args) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert_one_line_error(err, path, word)
    assert not (tmp_path / "reports").exists()


@pytest.mark.parametrize("command", ["check", "run"])
def test_missing_model_file_exits_2_naming_the_path(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str) -> None:
    path = tmp_path / "no_such_model.toml"
    assert main([command, str(path)]) == 2
    assert_one_line_error(capsys.readouterr().err, path, "No such file or directory")


@pytest.mark.parametrize("command", ["check", "run"])
def test_non_text_actor_kind_exits_2_without_traceback(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str) -> None:
    text = MODEL.replace('council = "The council"', 'council = { label = "C", kind = 5 }')
    path = write(tmp_path, text)
    assert main([command, str(path)]) == 2
    assert_one_line_error(capsys.readouterr().err, path, "[actors].council.kind")


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--n", "0", "argument --n: expected a positive number, got 0"),
    ("--n", "-5", "argument --n: expected a positive number, got -5"),
    ("--n", "abc", "argument --n: expected a whole number, got 'abc'"),
    ("--n", "1.5", "argument --n: expected a whole number, got '1.5'"),
    ("--jobs", "0", "argument --jobs: 0 jobs cannot run; use 1 to 1024, or -1 for all"),
    ("--jobs", "-100", "argument --jobs: -100 jobs cannot run; use 1 to 1024, or -1 for all"),
    ("--jobs", "5000", "argument --jobs: 5000 jobs cannot run; use 1 to 1024, or -1 for all"),
    ("--jobs", "two", "argument --jobs: expected a whole number, got 'two'"),
    ("--seed", "-1", "argument --seed: expected a non-negative seed, got -1"),
    ("--seed", "x", "argument --seed: expected a whole number, got 'x'"),
])
def test_run_refuses_bad_numbers_with_one_line_and_exit_2(
        capsys: pytest.CaptureFixture[str], option: str, value: str, message: str) -> None:
    with pytest.raises(SystemExit) as info:
        main(["run", str(LABOUR_MARKET), option, value])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1, err  # no usage block
    assert err.startswith(f"riskcalc run: error: {message}")
    assert err.endswith("; see riskcalc run --help\n")


@pytest.mark.parametrize("args", [[], ["runn"], ["run"], ["run", "m.toml", "--bogus"],
                                  ["decide", "m.toml"]])
def test_argument_errors_are_one_line_with_exit_2(
        capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(args)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith("riskcalc"), err
    assert "usage:" not in err


def test_python_m_riskcalc_exits_2_without_traceback(tmp_path: Path) -> None:
    content, word = BAD_FILES["unknown-name"]
    path = write(tmp_path, content)
    proc = subprocess.run([sys.executable, "-m", "riskcalc", "check", str(path)],
                          capture_output=True, text=True, timeout=60, cwd=REPO)
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    assert_one_line_error(proc.stderr, path, word)


def test_check_json_reproduces_the_seed_income_statement(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(LABOUR_MARKET), "--json"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    report = json.loads(out)
    assert {"year1", "npv"} <= report.keys()
    year1 = report["year1"]
    assert year1["society"]["net"] == pytest.approx(SOCIETY_NET_YEAR1, rel=0.01)
    assert year1["society"]["revenue"] is None and year1["society"]["cost"] is None
    assert set(report["npv"]) == set(year1)


def test_check_json_matches_seed_table_4_2_for_every_actor(
        capsys: pytest.CaptureFixture[str]) -> None:
    with TABLE_4_2.open(newline="", encoding="utf-8") as fh:
        expected = {CSV_ACTORS.get(row["actor"], row["actor"]): row for row in csv.DictReader(fh)}
    assert main(["check", str(LABOUR_MARKET), "--json"]) == 0
    year1 = json.loads(capsys.readouterr().out)["year1"]
    assert set(year1) == set(expected)
    for actor, row in expected.items():
        for column in ("revenue", "cost", "net"):
            if row[column] == "":  # society: only the net is given
                continue
            want, got = float(row[column]), year1[actor][column]
            if want == 0:
                assert got == pytest.approx(0, abs=1.0), (actor, column)
            else:
                assert got == pytest.approx(want, rel=0.01), (actor, column)
