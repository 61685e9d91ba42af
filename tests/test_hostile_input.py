"""Hostile input: every kind ends in one line on stderr and exit 2, never a traceback,
a hang, unbounded memory, or results lost or mixed up (issue 16)."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pandas as pd
import pytest

from riskcalc.cli import main
from riskcalc.errors import ModelError
from riskcalc.files import (
    MAX_NESTING,
    atomic_write,
    read_bytes,
    spreadsheet_safe,
    write_csv,
)
from tests.test_cli_errors import MODEL, assert_one_line_error, write

REPO = Path(__file__).resolve().parents[1]
POLICY = REPO / "models" / "policies" / "society_account.toml"


@pytest.fixture(autouse=True)
def _run_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


# -- files that are not regular files, or too large -------------------------------------------

@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
@pytest.mark.parametrize("command", ["check", "run"])
def test_fifo_as_model_is_refused_without_waiting_for_a_writer(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str) -> None:
    fifo = tmp_path / "model.toml"
    os.mkfifo(fifo)
    assert main([command, str(fifo)]) == 2  # before the fix this blocked forever
    assert_one_line_error(capsys.readouterr().err, fifo, "a pipe (FIFO), not a regular file")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_device_as_model_or_policy_is_refused_without_reading_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "/dev/zero"]) == 2
    assert_one_line_error(capsys.readouterr().err, Path("/dev/zero"), "a device")
    model = write(tmp_path, MODEL, "model.toml")
    assert main(["decide", str(model), "--policy", "/dev/zero", "--n", "10", "--quiet"]) == 2
    assert_one_line_error(capsys.readouterr().err, Path("/dev/zero"), "a device")


def test_file_over_the_size_limit_is_refused_naming_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.toml"
    path.write_bytes(b"# padding\n" * 200)
    with pytest.raises(ModelError, match=r"big.toml: 2,000 bytes, more than the 1,000 bytes a "
                                         r"model file may have$"):
        read_bytes(path, "model file", limit=1000)
    assert read_bytes(path, "model file", limit=2000) == path.read_bytes()


def test_model_file_over_4_mib_exits_2(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, MODEL + "#" * (4 * 2**20) + "\n", "model.toml")
    assert main(["check", str(path)]) == 2
    assert_one_line_error(capsys.readouterr().err, path, "more than the 4,194,304 bytes")


# -- deeply nested TOML ------------------------------------------------------------------------

NESTED = {
    "arrays-500": "x = " + "[" * 500 + "]" * 500 + "\n",
    "inline-tables-400": "x = " + "{a = " * 400 + "1" + "}" * 400 + "\n",
    "arrays-just-past-the-limit": "x = " + "[" * (MAX_NESTING + 1) + "]" * (MAX_NESTING + 1)
                                  + "\n",
}


@pytest.mark.parametrize("nesting", list(NESTED))
def test_deeply_nested_model_file_exits_2_with_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], nesting: str) -> None:
    path = write(tmp_path, NESTED[nesting] + MODEL, "model.toml")
    assert main(["check", str(path)]) == 2
    assert_one_line_error(capsys.readouterr().err, path, f"at most {MAX_NESTING}")


@pytest.mark.parametrize("nesting", list(NESTED))
def test_deeply_nested_policy_file_exits_2_with_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], nesting: str) -> None:
    model = write(tmp_path, MODEL, "model.toml")
    policy = write(tmp_path, NESTED[nesting] + POLICY.read_text(), "policy.toml")
    assert main(["decide", str(model), "--policy", str(policy), "--n", "10", "--quiet"]) == 2
    assert_one_line_error(capsys.readouterr().err, policy, f"at most {MAX_NESTING}")


# -- injection into outputs --------------------------------------------------------------------

@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)",
                                  "\t=1", "\r=1"])
def test_text_a_spreadsheet_would_run_gets_a_leading_apostrophe(text: str) -> None:
    assert spreadsheet_safe(text) == "'" + text


@pytest.mark.parametrize("value", ["Payer", "a=b", "", -3.5, 7, None])
def test_plain_text_and_numbers_are_left_as_they_are(value: object) -> None:
    assert spreadsheet_safe(value) == value


def test_write_csv_neutralises_text_cells_and_headers_but_not_numbers(tmp_path: Path) -> None:
    frame = pd.DataFrame({"actor": ["=HYPERLINK(\"http://evil\")", "Payer"],
                          "@label": ["ok", "-cmd"], "npv": [-1.5, 2.0]})
    rows = list(csv.reader((write_csv(tmp_path / "t.csv", frame)).open()))
    assert rows == [["actor", "'@label", "npv"],
                    ["'=HYPERLINK(\"http://evil\")", "ok", "-1.5"],
                    ["Payer", "'-cmd", "2.0"]]


def test_actor_label_formula_is_not_live_in_any_csv_of_a_decision(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    evil = '=HYPERLINK("http://evil.example","click")'
    model = write(tmp_path, MODEL.replace('"The council"', f"'{evil}'"), "model.toml")
    out = tmp_path / "out"
    assert main(["decide", str(model), "--policy", str(POLICY), "--n", "200", "--seed", "1",
                 "--out", str(out), "--quiet"]) in (0, 1)
    cells = [(path.name, cell) for path in sorted(out.glob("*.csv"))
             for row in csv.reader(path.open()) for cell in row]
    assert ("redistribution.csv", "'" + evil) in cells  # the label is written ...
    for name, cell in cells:  # ... but never as a cell a spreadsheet would run
        assert not cell.startswith(("=", "+", "@")), (name, cell)


# -- a full disk names the file ----------------------------------------------------------------

def test_write_error_without_a_file_name_is_reported_with_the_file(tmp_path: Path) -> None:
    def fail(_: Path) -> None:
        raise OSError(28, "No space left on device")  # as pyarrow raises it: no file name

    with pytest.raises(OSError) as info:
        atomic_write(tmp_path / "scenarios.parquet", fail)
    assert info.value.filename == str(tmp_path / "scenarios.parquet")
    assert not list(tmp_path.iterdir())
