"""The quick start as a new user meets it: one command ends in a report, the same command
gives the same numbers, and every command writes money as money."""

from __future__ import annotations

import json
import re

import pandas as pd
from conftest import MODELS

from riskcalc.cli import main
from riskcalc.cli.common import DEFAULT_SEED

MODEL = MODELS / "labour_market.toml"


def _run(capsys, *argv) -> tuple[int, str]:
    code = main([str(a) for a in argv])
    return code, capsys.readouterr().out


def test_run_ends_in_a_report_and_prints_its_path(tmp_path, capsys):
    out = tmp_path / "lm"
    code, text = _run(capsys, "run", MODEL, "--n", 500, "--out", out)
    assert code == 0
    assert (out / "report.html").is_file() and (out / "summary.md").is_file()
    assert text.rstrip().splitlines()[-1] == f"Report: {out / 'report.html'}"


def test_no_report_skips_the_report(tmp_path, capsys):
    out = tmp_path / "lm"
    code, text = _run(capsys, "run", MODEL, "--n", 300, "--out", out, "--no-report")
    assert code == 0
    assert (out / "summary.csv").is_file() and not (out / "report.html").exists()
    assert "Report:" not in text


def test_the_same_command_gives_the_same_numbers_with_the_default_seed(tmp_path, capsys):
    first, second = tmp_path / "a", tmp_path / "b"
    _, text = _run(capsys, "run", MODEL, "--n", 300, "--out", first, "--no-report")
    _run(capsys, "run", MODEL, "--n", 300, "--out", second, "--no-report")
    assert f"seed {DEFAULT_SEED}" in text
    assert json.loads((first / "manifest.json").read_text())["seed"] == DEFAULT_SEED
    pd.testing.assert_frame_equal(pd.read_csv(first / "summary.csv"),
                                  pd.read_csv(second / "summary.csv"))


def test_seed_random_draws_a_fresh_seed_and_prints_it(tmp_path, capsys):
    out = tmp_path / "r"
    _, text = _run(capsys, "run", MODEL, "--n", 300, "--out", out, "--no-report",
                   "--seed", "random")
    seed = json.loads((out / "manifest.json").read_text())["seed"]
    assert seed != DEFAULT_SEED
    assert f"seed {seed}" in text


def test_run_states_the_worst_five_percent_as_a_net_with_its_sign(tmp_path, capsys):
    out = tmp_path / "lm"
    _, text = _run(capsys, "run", MODEL, "--n", 500, "--out", out, "--no-report")
    risk = pd.read_csv(out / "risk.csv").set_index("output")
    assert "net in worst 5 %" in text and "loss in worst" not in text
    # Society gains even in its worst 5 %: a positive net, minus the expected shortfall.
    assert risk.at["npv_society", "cvar_95"] < 0
    society = next(line for line in text.splitlines() if line.strip().startswith("Society"))
    assert society.rstrip().endswith(f"{-risk.at['npv_society', 'cvar_95'] / 1e6:.1f} MSEK")


def test_morris_and_tornado_write_money_not_exponents(tmp_path, capsys):
    _, morris = _run(capsys, "morris", MODEL, "--n", 4, "--out", tmp_path / "m")
    _, tornado = _run(capsys, "tornado", MODEL, "--out", tmp_path / "t")
    for text in (morris, tornado):
        assert not re.search(r"\de[+-]\d", text)
        assert "MSEK" in text
    assert re.search(r"municipality_saving +\d{3},\d{3} +\d{3},\d{3}", tornado)
