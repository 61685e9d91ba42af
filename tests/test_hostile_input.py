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
    LOCK,
    MAX_NESTING,
    atomic_write,
    read_bytes,
    spreadsheet_safe,
    write_csv,
)
from tests.test_cli_errors import MODEL, assert_one_line_error, write

REPO = Path(__file__).resolve().parents[1]
POLICY = REPO / "models" / "policies" / "society_account.toml"


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file under `directory` and its bytes."""
    return {str(p.relative_to(directory)): p.read_bytes()
            for p in sorted(directory.rglob("*")) if p.is_file()}


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


# -- all scenarios non-finite ------------------------------------------------------------------

NONFINITE = {
    "investment-zero": (('investment = "cost"', 'investment = "0"'), "[model].investment"),
    "division-by-zero": (('"people * saving"', '"people * saving / 0"'), "council"),
    "exp-overflow": (('"people * saving"', '"exp(people * saving)"'), "council"),
    "near-1e308": (("people = 10", "people = 1e308"), "council"),
}


@pytest.mark.parametrize("kind", list(NONFINITE))
def test_run_where_every_scenario_is_non_finite_exits_2_and_keeps_the_previous_run(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str) -> None:
    out = tmp_path / "out"
    good = write(tmp_path, MODEL, "good.toml")
    assert main(["run", str(good), "--n", "100", "--seed", "1", "--out", str(out),
                 "--quiet"]) == 0
    before = snapshot(out)
    (old, new), word = NONFINITE[kind]
    bad = write(tmp_path, MODEL.replace(old, new), "bad.toml")
    for n in ("100", "70000"):  # one chunk (exact bands) and several (histogram bands)
        assert main(["run", str(bad), "--n", n, "--out", str(out), "--quiet"]) == 2
        assert_one_line_error(capsys.readouterr().err, bad, "scenarios give outputs that "
                                                            "are not finite")
    assert snapshot(out) == before
    assert not [p for p in out.iterdir() if p.name.startswith(".") and p.name != LOCK]


def test_run_with_some_non_finite_scenarios_still_counts_and_reports_them(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, MODEL.replace('"people * saving"',
                                         '"people * saving / (saving > 150)"'), "m.toml")
    assert main(["run", str(path), "--n", "400", "--seed", "3", "--out", "o"]) == 0
    assert "scenarios gave outputs that are not finite" in capsys.readouterr().out


# -- flat but huge expressions -----------------------------------------------------------------

FLAT = {
    "call-1000-arguments": ("max(" + ", ".join(["saving"] * 1000) + ")", "1,000 arguments"),
    "and-1600": (" and ".join(["x"] * 1600), "1,600 operands of one and/or chain"),
    "and-400": (" and ".join(["saving>1"] * 400), "400 operands of one and/or chain"),
    "compare-2000": ("<".join(["x"] * 2000), "2,000 operands of one chain"),
    "nodes": ("+".join(["-saving"] * 1100), "parts"),
}


@pytest.mark.parametrize("kind", list(FLAT))
def test_flat_but_huge_expression_exits_2_with_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str) -> None:
    expr, word = FLAT[kind]
    path = write(tmp_path, MODEL.replace('"people * saving"', f'"{expr}"'), "m.toml")
    assert main(["check", str(path)]) == 2
    assert_one_line_error(capsys.readouterr().err, path, word)


def test_long_chains_within_the_limits_evaluate_without_recursion() -> None:
    import sys

    import numpy as np

    from riskcalc.model.expressions import parse_expression

    x = {"a": np.array([1.0, 2.0, 3.0])}
    chain = parse_expression(" and ".join(["a > 1"] * 100))
    biggest = parse_expression("max(" + ", ".join(f"a * {k}" for k in range(100)) + ")")
    limit = sys.getrecursionlimit()
    try:
        sys.setrecursionlimit(80)  # deeper than the test's own frames, far below 100 links
        assert chain.evaluate(x).tolist() == [False, True, True]
        assert biggest.evaluate(x).tolist() == [99.0, 198.0, 297.0]
    finally:
        sys.setrecursionlimit(limit)


# -- sizes -------------------------------------------------------------------------------------

def test_run_larger_than_memory_is_refused_with_the_n_that_fits(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    from riskcalc.engine import resources

    monkeypatch.setattr(resources, "available_memory", lambda: 10 * 2**20)
    path = write(tmp_path, MODEL, "m.toml")
    policy = str(POLICY)
    assert main(["decide", str(path), "--policy", policy, "--n", "10**12".replace("10**12",
                 "1000000000000"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith("riskcalc: error: --n 1,000,000,000,000:")
    fit = int(err.split("at most ")[1].split()[0].replace(",", ""))
    assert 0 < fit < 10 * 2**20 / 8
    assert main(["decide", str(path), "--policy", policy, "--n", str(fit // 2),
                 "--quiet"]) in (0, 1)  # what it said fits, runs


def test_streamed_run_larger_than_the_disk_is_refused_before_writing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    from riskcalc.engine import resources

    monkeypatch.setattr(resources, "available_disk", lambda path: 2**20)
    path = write(tmp_path, MODEL, "m.toml")
    assert main(["run", str(path), "--n", "1000000", "--out", "o", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "of disk space at o" in err and "at most" in err and len(err.splitlines()) == 1
    assert not Path("o").exists() or [p.name for p in Path("o").iterdir()] == [LOCK]


@pytest.mark.parametrize(("command", "n", "word"), [
    ("run", "100000000000000000000000", "give at most 1,099,511,627,776"),
    ("sobol", str(2**30), "base points need about"),
    ("morris", "1000000000", "trajectories need about"),
])
def test_sizes_that_cannot_fit_are_refused_before_starting(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        command: str, n: str, word: str) -> None:
    from riskcalc.engine import resources

    monkeypatch.setattr(resources, "available_memory", lambda: 2**30)
    path = write(tmp_path, MODEL, "m.toml")
    assert main([command, str(path), "--n", n, "--quiet"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and word in err and "--n" in err, err


@pytest.mark.parametrize(("table", "count", "word"), [
    ("parameters", 2_001, "parameters, derived values and outcomes; a model may declare "
                          "at most 2,000"),
    ("actors", 201, "actors; a model may declare at most 200"),
])
def test_models_above_the_documented_size_limits_are_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], table: str, count: int,
        word: str) -> None:
    extra = "".join(f"x{k} = 1\n" if table == "parameters" else f'x{k} = "X"\n'
                    for k in range(count))
    text = MODEL.replace(f"[{table}]\n", f"[{table}]\n{extra}")
    path = write(tmp_path, text, "m.toml")
    assert main(["check", str(path)]) == 2
    assert_one_line_error(capsys.readouterr().err, path, word)


# -- labels that are not text ------------------------------------------------------------------

@pytest.mark.parametrize(("old", "new", "key"), [
    ('council = "The council"', 'council = { label = [1, 2, 3] }', "[actors].council.label"),
    ('amount = 200', 'amount = 200\nlabel = 5', "[[transfer]]"),
])
def test_label_that_is_not_text_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        old: str, new: str, key: str) -> None:
    path = write(tmp_path, MODEL.replace(old, new), "m.toml")
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert_one_line_error(err, path, "expected text in quotes")


# -- one run directory, one run ----------------------------------------------------------------

def test_failed_start_keeps_the_previous_run_and_says_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    path = write(tmp_path, MODEL, "m.toml")
    assert main(["run", str(path), "--n", "100", "--seed", "1", "--out", "o", "--quiet"]) == 0
    before = snapshot(Path("o"))
    real_import = builtins.__import__

    def no_dask(name: str, *args: object, **kwargs: object) -> object:
        if name.startswith("distributed"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_dask)
    assert main(["run", str(path), "--n", "100", "--out", "o", "--backend", "dask",
                 "--quiet"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "pip install 'riskcalc[dask]'" in err
    assert snapshot(Path("o")) == before


def test_files_left_by_a_killed_run_are_removed_by_the_next(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, MODEL, "m.toml")
    out = Path("o")
    out.mkdir()
    dead = 2**22 + 12345  # above Linux's default pid_max: no such process
    (out / f".summary.csv.partial-{dead}").write_text("half")
    (out / f".scenarios.parquet.partial-{dead}").mkdir()
    alive = out / f".summary.csv.partial-{os.getpid() + 0}"
    assert main(["run", str(path), "--n", "100", "--out", "o", "--quiet"]) == 0
    assert not [p for p in out.iterdir() if p.name.startswith(".") and p != alive
                and p.name != LOCK]


def test_second_command_into_a_directory_in_use_is_refused_and_the_first_keeps_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from riskcalc.files import directory_lock

    path = write(tmp_path, MODEL, "m.toml")
    with directory_lock(Path("o")):  # as a first run, still writing, holds it
        for args in (["run", str(path), "--n", "100"], ["decide", str(path), "--policy",
                                                          str(POLICY), "--n", "100"]):
            assert main([*args, "--out", "o", "--quiet"]) == 2
            err = capsys.readouterr().err
            assert len(err.splitlines()) == 1
            assert f"o: another riskcalc command (process {os.getpid()}) is writing" in err
        assert main(["report", "o"]) == 2
        assert "another riskcalc command" in capsys.readouterr().err
    assert main(["run", str(path), "--n", "100", "--out", "o", "--quiet"]) == 0  # released


def test_decide_on_one_model_then_run_of_another_never_shows_the_first_verdict(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = write(tmp_path, MODEL.replace("CLI test model", "Model A"), "a.toml")
    b = write(tmp_path, MODEL.replace("CLI test model", "Model B"), "b.toml")
    assert main(["decide", str(a), "--policy", str(POLICY), "--n", "300", "--seed", "1",
                 "--out", "o", "--quiet"]) in (0, 1)
    assert Path("o/verdict.json").is_file() and Path("o/breakeven.csv").is_file()
    assert main(["run", str(b), "--n", "300", "--seed", "1", "--out", "o", "--report",
                 "--quiet"]) == 0
    names = {p.name for p in Path("o").iterdir()}
    assert "verdict.json" not in names and "breakeven.csv" not in names
    html = Path("o/report.html").read_text()
    assert "Model B" in html and "Model A" not in html
    body = html.split("<body", 1)[1]
    assert "APPROVE" not in body and "REJECT" not in body


def test_a_new_run_removes_the_cost_kind_split_and_discovery_of_the_one_before(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = write(tmp_path, MODEL.replace("CLI test model", "Model A"), "a.toml")
    b = write(tmp_path, MODEL.replace("CLI test model", "Model B"), "b.toml")
    assert main(["decide", str(a), "--policy", str(POLICY), "--n", "300", "--seed", "1",
                 "--by-kind", "--top", "0", "--out", "o", "--quiet"]) in (0, 1)
    summary = pd.read_csv("o/summary.csv").set_index("output")
    median = float(summary.loc["npv_society", "p50"])
    assert main(["discover", "o", "--where", f"npv_society < {median!r}"]) == 0
    made = {p.name for p in Path("o").iterdir()}
    assert {"actor_kinds.csv", "actor_kinds_yearly.csv", "actor_kinds.parquet",
            "discovery.csv", "discovery.json"} <= made
    assert main(["run", str(b), "--n", "300", "--seed", "1", "--out", "o", "--no-report",
                 "--quiet"]) == 0
    left = {p.name for p in Path("o").iterdir()}
    assert not {n for n in left if n.startswith(("actor_kinds", "discovery"))}


def test_report_ignores_a_verdict_the_run_did_not_write(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from riskcalc.report.run import read_run

    path = write(tmp_path, MODEL, "m.toml")
    assert main(["run", str(path), "--n", "200", "--seed", "1", "--out", "o",
                 "--quiet"]) == 0
    Path("o/verdict.json").write_text('{"decision": "APPROVE"}')  # left by someone else
    assert read_run("o").verdict is None


DAMAGED = {
    "manifest-a-list": ("manifest.json", "[1, 2, 3]", "expected a JSON object"),
    "model-a-string": ("manifest.json", None, "model: expected an object"),
    "manifest-not-json": ("manifest.json", "{not json", "not valid JSON"),
    "summary-missing-column": ("summary.csv", None, "column 'p50' is missing"),
    "summary-text": ("summary.csv", "output,mean,p05,p50,p95,prob_negative\nx,a,b,c,d,e\n",
                     "holds text where numbers belong"),
    "yearly-empty": ("yearly.csv", "", "not a readable CSV table"),
}


@pytest.mark.parametrize("kind", list(DAMAGED))
def test_report_of_a_damaged_run_directory_exits_2_with_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str) -> None:
    import json

    path = write(tmp_path, MODEL, "m.toml")
    assert main(["run", str(path), "--n", "200", "--seed", "1", "--out", "o",
                 "--quiet"]) == 0
    name, text, word = DAMAGED[kind]
    target = Path("o") / name
    if kind == "model-a-string":
        data = json.loads(target.read_text())
        text = json.dumps({**data, "model": "m.toml"})
    elif kind == "summary-missing-column":
        frame = pd.read_csv(target)
        text = frame.drop(columns="p50").to_csv(index=False)
    target.write_text(text)
    assert main(["report", "o"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert err.startswith(f"riskcalc: error: {target}: ") and word in err, err


def test_summary_md_escapes_html_and_links_from_the_model(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)> [x](javascript:alert(3))"
    path = write(tmp_path, MODEL.replace('"CLI test model"', f"'{evil}'")
                 .replace('"The council"', "'<b onmouseover=alert(4)>council</b>'"), "m.toml")
    assert main(["run", str(path), "--n", "200", "--seed", "1", "--out", "o", "--report",
                 "--quiet"]) == 0
    for name in ("summary.md", "report.html"):
        text = Path("o", name).read_text()
        assert "<script>" not in text and "<img src=x" not in text and "<b onmouse" not in text
    summary = Path("o/summary.md").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in summary
    assert "\\[x\\](javascript:" in summary  # escaped brackets: no link in Markdown


# -- processes and leftovers -------------------------------------------------------------------

def test_ctrl_c_is_one_line_with_exit_130(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from riskcalc.cli import commands_run

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(commands_run, "simulate", interrupted)
    path = write(tmp_path, MODEL, "m.toml")
    assert main(["run", str(path), "--n", "100", "--out", "o", "--quiet"]) == 130
    err = capsys.readouterr().err
    assert err.startswith("riskcalc: interrupted;") and len(err.splitlines()) == 1


def test_output_into_a_closed_pipe_is_quiet(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = write(tmp_path, MODEL, "m.toml")
    process = subprocess.Popen([sys.executable, "-m", "riskcalc", "check", str(path)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO)
    process.stdout.close()  # as `| head -0` does
    err = process.stderr.read().decode()
    assert process.wait() == 141
    assert err == ""


def test_full_disk_names_the_file_it_could_not_write(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, MODEL, "m.toml")

    def full(self: pd.DataFrame, *args: object, **kwargs: object) -> None:
        raise OSError("Error writing bytes")  # pyarrow's: no errno, no file name

    monkeypatch.setattr(pd.DataFrame, "to_csv", full)
    assert main(["run", str(path), "--n", "100", "--out", "o", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1
    assert err.startswith("riskcalc: error: o/") and ".csv: Error writing bytes" in err, err


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux's /proc")
def test_loky_workers_end_when_their_run_is_killed(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    def children(pid: int) -> set[int]:
        found = set()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(stat.parent.name))
        return found

    out = tmp_path / "o"
    process = subprocess.Popen([sys.executable, "-m", "riskcalc", "run",
                                str(REPO / "models" / "labour_market.toml"), "--n", "20000000",
                                "--backend", "loky", "--jobs", "2", "--quiet", "--out",
                                str(out)], cwd=REPO, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not any(out.glob(".scenarios.parquet.partial-*/part-*")):
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.05)
    workers = children(process.pid)
    assert workers
    process.send_signal(signal.SIGKILL)
    process.wait()
    while workers := {w for w in workers if Path(f"/proc/{w}").exists()
                      and "Z" not in Path(f"/proc/{w}/stat").read_text().rsplit(")", 1)[1][:3]}:
        assert time.monotonic() < deadline + 60, f"workers {workers} outlived their run"
        time.sleep(0.2)
    # The next run into the directory removes what the killed one left.
    assert main(["run", str(write(tmp_path, MODEL, "m.toml")), "--n", "100", "--out",
                 str(out), "--quiet"]) == 0
    assert not [p for p in out.iterdir() if ".partial-" in p.name]
