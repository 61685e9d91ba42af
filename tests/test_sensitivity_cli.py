"""``riskcalc sobol``, ``morris`` and ``tornado``: files, printed tables, errors."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from riskcalc.cli import main

MODEL = """
[model]
name = "additive"
years = 1
discount_rate = 0
investment = 1

[actors]
payer = "Payer"
gainer = "Gainer"
fixed = "Fixed"

[parameters]
x1 = { uniform = [0.0, 1.0] }
x2 = { uniform = [0.0, 2.0] }
x3 = { uniform = [-1.0, 1.0] }

[[flow]]
actor = "payer"
revenue = "x1"

[[flow]]
actor = "payer"
cost = "2 * x3 + 3"

[[flow]]
actor = "gainer"
revenue = "3 * x2"

[[flow]]
actor = "fixed"
revenue = 5
"""


@pytest.fixture
def model_file(tmp_path):
    path = tmp_path / "additive.toml"
    path.write_text(MODEL, encoding="utf-8")
    return path


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_sobol_writes_tidy_tables_latex_and_manifest(model_file, tmp_path, capsys):
    out = tmp_path / "out"
    code, text, err = run(capsys, "sobol", model_file, "--n", 256, "--second-order", "--seed",
                          7, "--convergence", "--out", out)
    assert code == 0
    table = pd.read_csv(out / "sobol.csv")
    assert list(table.columns) == ["output", "parameter", "S1", "S1_conf", "ST", "ST_conf"]
    assert set(table["output"]) == {"npv_payer", "npv_gainer", "npv_fixed", "npv_society",
                                    "roi"}
    assert list(pd.read_csv(out / "sobol_s2.csv").columns) == [
        "output", "parameter_1", "parameter_2", "S2", "S2_conf"]
    assert set(pd.read_csv(out / "sobol_convergence.csv")["N"]) == {32, 64, 128, 256}
    assert (out / "sobol.tex").read_text(encoding="utf-8").startswith("% riskcalc sobol")
    manifest = json.loads((out / "sobol.json").read_text(encoding="utf-8"))
    assert (manifest["n"], manifest["seed"], manifest["n_evaluations"]) == (256, 7, 256 * 8)
    assert "npv_society: first-order (S1) and total (ST) index" in text
    assert "Total index ST per output" in text and f"Wrote {out}/" in text
    assert "riskcalc: warning: npv_fixed: does not vary" in err


def test_sobol_with_the_default_directory_writes_under_reports(model_file, tmp_path,
                                                               monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, _, _ = run(capsys, "sobol", model_file, "--n", 16, "--outputs", "society",
                     "--quiet")
    assert code == 0
    assert (tmp_path / "reports" / "additive" / "sobol.json").is_file()


def test_sobol_quiet_prints_nothing(model_file, tmp_path, capsys):
    code, text, err = run(capsys, "sobol", model_file, "--n", 16, "--out", tmp_path, "--quiet")
    assert (code, text, err) == (0, "", "")


def test_sobol_refuses_n_that_is_not_a_power_of_two(model_file, tmp_path, capsys):
    code, _, err = run(capsys, "sobol", model_file, "--n", 1000, "--out", tmp_path)
    assert code == 2
    assert "N must be a power of two" in err and "use 512 or 1024" in err


def test_sobol_groups_file_with_unknown_name_exits_2_naming_file_and_key(model_file, tmp_path,
                                                                         capsys):
    groups = tmp_path / "groups.toml"
    groups.write_text('[groups]\nsavings = ["x2", "x_1"]\n', encoding="utf-8")
    code, _, err = run(capsys, "sobol", model_file, "--n", 16, "--groups", groups)
    assert code == 2
    assert f"{groups}: groups.savings: unknown parameter 'x_1'" in err
    assert "did you mean 'x1'?" in err and "Traceback" not in err


def test_sobol_groups_become_rows_of_the_table(model_file, tmp_path, capsys):
    groups = tmp_path / "groups.toml"
    groups.write_text('[groups]\npayer_side = ["x1", "x3"]\n', encoding="utf-8")
    code, _, _ = run(capsys, "sobol", model_file, "--n", 16, "--groups", groups, "--out",
                     tmp_path / "out", "--quiet")
    assert code == 0
    assert list(pd.read_csv(tmp_path / "out" / "sobol.csv")["parameter"].unique()) == [
        "payer_side", "x2"]


def test_sobol_unknown_output_exits_2_with_a_suggestion(model_file, capsys):
    code, _, err = run(capsys, "sobol", model_file, "--n", 16, "--outputs", "npv_payr")
    assert code == 2 and "did you mean 'npv_payer'?" in err


def test_sobol_figures_are_written_on_request(model_file, tmp_path, capsys):
    code, _, _ = run(capsys, "sobol", model_file, "--n", 16, "--out", tmp_path, "--figures",
                     "--quiet")
    assert code == 0
    assert (tmp_path / "sobol.png").stat().st_size > 0
    assert (tmp_path / "sobol_heatmap.png").stat().st_size > 0


def test_morris_writes_its_table(model_file, tmp_path, capsys):
    code, text, _ = run(capsys, "morris", model_file, "--n", 8, "--seed", 1, "--out", tmp_path)
    assert code == 0
    table = pd.read_csv(tmp_path / "morris.csv")
    assert list(table.columns) == ["output", "parameter", "mu", "mu_star", "sigma",
                                   "mu_star_conf"]
    assert "Morris screening: 8 trajectories" in text and "fixed" in text


def test_morris_refuses_an_odd_number_of_levels(model_file, capsys):
    code, _, err = run(capsys, "morris", model_file, "--levels", 3)
    assert code == 2 and "num_levels must be an even whole number" in err


def test_tornado_prints_society_and_the_worst_actor(model_file, tmp_path, capsys):
    code, text, _ = run(capsys, "tornado", model_file, "--out", tmp_path)
    assert code == 0
    table = pd.read_csv(tmp_path / "tornado.csv")
    assert list(table.columns) == ["output", "parameter", "low_value", "high_value",
                                   "output_at_low", "output_at_high", "swing", "base_output"]
    assert "npv_society: base case" in text
    assert "npv_payer: base case" in text  # payer: 0.5 - 3 < 0, the most negative


def test_tornado_with_an_unknown_actor_exits_2(model_file, capsys):
    code, _, err = run(capsys, "tornado", model_file, "--actor", "gainr")
    assert code == 2 and "unknown actor 'gainr'; did you mean 'gainer'?" in err


def test_sobol_refuses_a_single_bootstrap_resample(model_file, capsys):
    code, _, err = run(capsys, "sobol", model_file, "--n", 16, "--resamples", 1)
    assert code == 2 and "bootstrap resamples must be a whole number ≥ 2, got 1" in err
