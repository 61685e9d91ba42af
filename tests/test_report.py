"""Tests of the run report: HTML, Markdown, LaTeX, figures, labels and the ``report`` command.

The optional tables other commands write (classes.csv, sobol.csv, tornado.csv,
acceptability.csv, redistribution.csv, verdict.json) are small fixtures written here,
in the schemas of riskcalc.decision, riskcalc.sensitivity and riskcalc.decision.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import MODELS, linear_model_dict

from riskcalc import load_model, model_from_dict, simulate
from riskcalc.cli import main
from riskcalc.format import money, percent
from riskcalc.report import read_run, write_report
from riskcalc.report.labels import LANGUAGES, class_label, get_labels

FIGURES = ("society_npv", "actor_npv", "cumulative_net", "sobol", "sobol_heatmap", "tornado",
           "acceptability")
ACTORS = ("labour_office", "municipality", "employment_service", "social_insurance", "region",
          "justice", "others", "production")
PARAMETERS = ("success_rate", "relapse", "discount_rate", "program_cost")


def write_extras(run_dir: Path) -> None:
    """The optional inputs of a report, as the other commands write them."""
    rows = [{"output": out, "parameter": p, "S1": 0.1 * (i + 1), "S1_conf": 0.02,
             "ST": 0.12 * (i + 1), "ST_conf": 0.03}
            for out in ("npv_society", "npv_municipality", "roi")
            for i, p in enumerate(PARAMETERS)]
    pd.DataFrame(rows).to_csv(run_dir / "sobol.csv", index=False)
    rows = [{"output": "npv_society", "parameter": p, "low_value": 0.1, "high_value": 0.9,
             "output_at_low": 300e6 - 1e7 * (i + 1), "output_at_high": 300e6 + 2e7 * (i + 1),
             "swing": 3e7 * (i + 1), "base_output": 300e6} for i, p in enumerate(PARAMETERS)]
    pd.DataFrame(rows).to_csv(run_dir / "tornado.csv", index=False)
    required = np.linspace(-1, 20, 22)
    pd.DataFrame([{"required_return": r, "series": s, "probability": max(0.0, 1 - r / 20)}
                  for s in ("society", "labour_office") for r in required]
                 ).to_csv(run_dir / "acceptability.csv", index=False)
    pd.DataFrame({"class": ["very_bad", "bad", "half_good", "good"], "output": "roi",
                  "lower": [-np.inf, 5.0, 10.0, 20.0], "upper": [5.0, 10.0, 20.0, np.inf],
                  "probability": [0.0123, 0.2345, 0.5678, 0.1854],
                  "mean_npv_society": [1e8, 2e8, 3e8, 5e8],
                  "mean_npv_labour_office": [-5e6, -4.5e6, -4e6, -3.5e6]}
                 ).to_csv(run_dir / "classes.csv", index=False)
    pd.DataFrame({"actor": list(ACTORS), "label": list(ACTORS), "expected_net": 1e6,
                  "prob_net_loser": 0.25, "role": "gainer", "transfer": -1e5,
                  "expected_net_after": 9e5, "prob_net_loser_after": 0.3, "feasible": True}
                 ).to_csv(run_dir / "redistribution.csv", index=False)
    verdict = {"decision": "REJECT", "criteria": [
        {"name": "max_prob_loss", "of": "owner", "unit": "probability", "sense": "max",
         "measured": 1.0, "threshold": 0.2, "margin": -0.8, "passed": False,
         "parameters": {"probability": 0.2}},
        {"name": "max_capital_need", "of": "owner", "unit": "currency", "sense": "max",
         "measured": 5.8e6, "threshold": 3e7, "margin": 2.42e7, "passed": True,
         "parameters": {"amount": 3e7, "quantile": 0.95}}],
        "switching_values": [{"parameter": "program_cost", "low": 21e6, "high": 26e6,
                              "switches": [], "throughout": "REJECT"}]}
    (run_dir / "verdict.json").write_text(json.dumps(verdict), encoding="utf-8")
    list_in_manifest(run_dir, "sobol.csv", "tornado.csv", "acceptability.csv", "classes.csv",
                     "redistribution.csv", "verdict.json")


def list_in_manifest(run_dir: Path, *names: str) -> None:
    """List files in the run's manifest, as the commands that write them into a run do:
    the report reads nothing the manifest does not list (issue 16)."""
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"] += list(names)
    (run_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


@pytest.fixture(scope="module")
def plain_run(tmp_path_factory) -> Path:
    """A labour-market run directory (N = 2,000) with only the files `run` writes."""
    out = tmp_path_factory.mktemp("plain")
    simulate(load_model(MODELS / "labour_market.toml"), 2_000, seed=3).write(out)
    return out


@pytest.fixture(scope="module")
def full_run(plain_run, tmp_path_factory) -> Path:
    """The plain run plus every optional table, reported in English."""
    out = tmp_path_factory.mktemp("full") / "run"
    shutil.copytree(plain_run, out)
    write_extras(out)
    write_report(out, model=MODELS / "labour_market.toml")
    return out


def _html(run_dir: Path) -> str:
    return (run_dir / "report.html").read_text(encoding="utf-8")


# --- Files ---------------------------------------------------------------------------------

def test_report_writes_html_markdown_latex_and_every_figure_as_png_and_svg(full_run):
    for name in ("report.html", "summary.md", "tables.tex"):
        assert (full_run / name).stat().st_size > 0
    for figure in FIGURES:
        assert (full_run / "figures" / f"{figure}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert b"<svg" in (full_run / "figures" / f"{figure}.svg").read_bytes()[:2000]


def test_html_is_self_contained_with_figures_as_inline_png(full_run):
    page = _html(full_run)
    assert "<script" not in page and "<link" not in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page)
    sources = re.findall(r'<img src="([^"]+)"', page)
    assert len(sources) == len(FIGURES)
    for src in sources:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1])[:4] == b"\x89PNG"


def test_run_directory_without_manifest_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match="no manifest.json"):
        write_report(tmp_path)


# --- What the report says ------------------------------------------------------------------

def test_summary_states_society_mean_npv_as_in_summary_csv(full_run):
    summary = pd.read_csv(full_run / "summary.csv").set_index("output")
    mean = money(summary.at["npv_society", "mean"])
    assert mean in _html(full_run)
    assert mean in (full_run / "summary.md").read_text(encoding="utf-8")
    assert percent(summary.at["npv_labour_office", "prob_negative"]) in _html(full_run)


def test_paying_actor_is_the_one_with_most_negative_median(full_run):
    run = read_run(full_run)
    medians = {a: run.summary.at[f"npv_{a}", "p50"] for a in run.actors}
    assert run.payer == min(medians, key=medians.get) == "labour_office"
    assert "Who pays: Labour-market office" in _html(full_run)


def test_income_statement_reproduces_seed_table_42_at_base_case(full_run):
    page = _html(full_run)
    section = page[page.index("Socio-economic income statement"):]
    section = section[:section.index("</table>")]
    assert money(34_017_064) in section          # society, year 1
    assert money(-3_920_000) in section          # labour-market office
    assert money(-12_960_000) in section         # employment service


def test_table_43_shows_cost_kinds_at_seed_years_with_intervals(full_run):
    tex = (full_run / "tables.tex").read_text(encoding="utf-8")
    assert "Cost kind & 1 & 2 & 3 & 4 & 5 & 10 & 20" in tex
    yearly = pd.read_csv(full_run / "yearly.csv")
    real = yearly[yearly["series"].isin(["real", "kind_real"])].set_index("year")
    assert money(real.at[10, "p50"]) in _html(full_run)


def test_table_43_shows_only_the_years_within_a_short_horizon(tmp_path):
    model = model_from_dict(linear_model_dict(years=3), source="linear")
    simulate(model, 500, seed=1).write(tmp_path)
    write_report(tmp_path, model=model)
    markdown = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert "| Cost kind | 1 | 2 | 3 |" in markdown
    assert "model file" not in _html(tmp_path)   # given, so no note about a missing file


def test_policy_verdict_lists_each_criterion(full_run):
    page = _html(full_run)
    assert ("Policy verdict: REJECT; 1 of 2 criteria not met: P(the owner&#x27;s net loss)."
            in page)
    verdict = page[page.index("Policy verdict: REJECT</h3>"):]
    for text in ("100.0 %", "at most 20.0 %", "The owner&#x27;s capital need, P95",
                 "5.8 MSEK", "at most 30.0 MSEK", "-80.0 percentage points",
                 "no switch within the range 21,000,000 to 26,000,000: REJECT throughout"):
        assert text in verdict


def test_classes_table_uses_thresholds_and_probabilities_of_classes_csv(full_run):
    page = _html(full_run)
    assert "Range (ROI)" in page
    for text in ("−∞ – 5", "20 – ∞", "1.2 %", "56.8 %", "Half-good"):
        assert text in page


def test_methods_paragraph_cites_n_seed_versions_and_model_hash(full_run):
    manifest = json.loads((full_run / "manifest.json").read_text(encoding="utf-8"))
    page = _html(full_run)
    methods = page[page.index("<h2>Methods</h2>"):]
    for text in ("N = 2,000", "seed 3", manifest["model"]["sha256"],
                 f"riskcalc {manifest['versions']['riskcalc']}",
                 f"NumPy {manifest['versions']['numpy']}"):
        assert text in methods


def test_absent_optional_files_are_named_and_the_report_still_written(plain_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(plain_run, run)
    write_report(run, model=MODELS / "labour_market.toml")
    page = _html(run)
    assert "Not part of this run: classes.csv, sobol.csv" in page
    assert sorted(p.stem for p in (run / "figures").glob("*.png")) == [
        "actor_npv", "cumulative_net", "society_npv"]


def test_unreadable_verdict_is_noted_not_fatal(plain_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(plain_run, run)
    (run / "verdict.json").write_text("{not json", encoding="utf-8")
    list_in_manifest(run, "verdict.json")
    write_report(run, model=MODELS / "labour_market.toml")
    assert "verdict.json could not be read" in _html(run)


def test_missing_model_file_leaves_out_the_income_statement_with_a_note(plain_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(plain_run, run)
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    manifest["model"]["source"] = "nowhere/gone.toml"
    (run / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    write_report(run)
    page = _html(run)
    assert "nowhere/gone.toml was not found" in page
    assert "Socio-economic income statement" not in page


def test_report_in_swedish_uses_the_seed_terms(full_run, tmp_path):
    run = tmp_path / "sv"
    shutil.copytree(full_run, run)
    write_report(run, "sv", model=MODELS / "labour_market.toml")
    page = _html(run)
    assert '<html lang="sv">' in page
    for term in ("Sammanfattning", "Samhället", "Socioekonomisk resultaträkning",
                 "Sannolikhet för förlust", "Reala effekter", "Produktionsvärde",
                 "investeringspuckel", "AVSLÅ"):
        assert term in page


def test_latex_tables_escape_special_characters(full_run):
    tex = (full_run / "tables.tex").read_text(encoding="utf-8")
    assert r"\begin{tabular}" in tex and r"\toprule" in tex
    assert "100.0 \\%" in tex
    assert not re.search(r"(?<!\\)%(?! )", tex.split("\n", 2)[2])  # only comments use %


# --- Labels --------------------------------------------------------------------------------

def test_every_english_label_has_a_swedish_one():
    english, swedish = get_labels("en"), get_labels("sv")
    assert set(english) == set(swedish)
    assert LANGUAGES == ("en", "sv")


def test_unknown_language_is_refused_with_the_choices():
    with pytest.raises(ValueError, match=r"language 'de' is not available; choose one of en, sv"):
        get_labels("de")


def test_class_names_are_labelled_in_any_spelling():
    sv = get_labels("sv")
    assert class_label("half-good", sv) == class_label("half_good", sv) == "Halvbra"
    assert class_label("very bad", get_labels("en")) == "Very bad"
    assert class_label("regime A", sv) == "regime A"


# --- Command line --------------------------------------------------------------------------

def test_report_command_writes_the_report(plain_run, tmp_path, capsys):
    run = tmp_path / "run"
    shutil.copytree(plain_run, run)
    assert main(["report", str(run), "--lang", "sv", "--model",
                 str(MODELS / "labour_market.toml")]) == 0
    assert f"Wrote {run / 'report.html'}" in capsys.readouterr().out
    assert '<html lang="sv">' in _html(run)


def test_report_command_on_a_directory_without_a_run_exits_2(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no manifest.json" in err


# --- Figures -------------------------------------------------------------------------------

def _plot_inputs():
    rng = np.random.default_rng(7)
    npv = pd.DataFrame({"payer": rng.normal(-5e6, 1e6, 500),
                        "gainer": rng.normal(2e7, 5e6, 500)})
    band = pd.DataFrame({"year": [1, 2, 3, 4], "p05": [-6e6, -5e6, -1e6, 1e6],
                         "p50": [-4e6, -3e6, 1e6, 4e6], "p95": [-2e6, 0.0, 3e6, 8e6]})
    sobol = pd.DataFrame({"output": ["npv_society"] * 2 + ["npv_payer"] * 2,
                          "parameter": ["a", "b"] * 2, "S1": [0.6, 0.3, 0.1, 0.8],
                          "S1_conf": 0.05, "ST": [0.65, 0.35, 0.15, 0.85], "ST_conf": 0.05})
    tornado = pd.DataFrame({"output": "npv_society", "parameter": ["a", "b"],
                            "output_at_low": [1e6, 2e6], "output_at_high": [5e6, 4e6],
                            "base_output": 3e6})
    accept = pd.DataFrame({"required_return": [0, 1, 2] * 2, "series": ["society"] * 3 +
                           ["payer"] * 3, "probability": [1, 0.5, 0.1, 0.9, 0.2, 0.0]})
    return npv, band, sobol, tornado, accept


def test_every_plot_draws_on_the_axes_it_is_given_and_returns_them():
    from matplotlib.figure import Figure

    from riskcalc.report.plots import results as plots
    from riskcalc.report.plots import sensitivity

    npv, band, sobol, tornado, accept = _plot_inputs()
    calls = [lambda ax: plots.society_npv_histogram(npv["gainer"], ax=ax),
             lambda ax: plots.actor_npv_boxes(npv, ax=ax),
             lambda ax: plots.cumulative_fan(band, ax=ax),
             lambda ax: sensitivity.plot_sobol_indices(sobol, ax=ax),
             lambda ax: sensitivity.plot_sobol_heatmap(sobol, ax=ax),
             lambda ax: sensitivity.plot_tornado(tornado, ax=ax),
             lambda ax: plots.acceptability_curve(accept, ax=ax)]
    for call in calls:
        ax = Figure().add_subplot()
        assert call(ax) is ax
        assert ax.has_data()


def test_plots_without_axes_make_figures_pyplot_does_not_track():
    import matplotlib.pyplot as plt

    from riskcalc.report.plots.results import cumulative_fan

    before = plt.get_fignums()
    ax = cumulative_fan(_plot_inputs()[1])
    assert plt.get_fignums() == before
    assert ax.figure is not None


def test_money_ticks_read_like_money():
    from riskcalc.report.plots.results import money_formatter

    tick = money_formatter("SEK")
    assert [tick(v) for v in (3e8, 2.5e6, -4e6, 0.0, 5e4)] == [
        "300 MSEK", "2.5 MSEK", "-4 MSEK", "0 SEK", "50 kSEK"]


def test_histogram_legend_names_each_class_with_its_probability():
    from riskcalc.report.plots.results import society_npv_histogram

    values = np.arange(10.0) - 3
    classes = np.where(values < 0, "loss", "gain")
    ax = society_npv_histogram(values, classes=classes, class_order=["loss", "gain"],
                               labels=get_labels("sv"))
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "Förlust (30,0 %)", "Vinst (70,0 %)"]


def test_fan_chart_marks_the_investment_hump_and_the_payback_year():
    from riskcalc.report.plots.results import cumulative_fan

    ax = cumulative_fan(_plot_inputs()[1])
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "Investment hump (capital need): 4.0 MSEK" in texts
    assert "Payback time: year 3" in texts
    assert not ax.texts  # no words inside the axes to cover the lines


def test_summary_opens_with_a_boards_plain_facts_without_a_policy(plain_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(plain_run, run)
    write_report(run, model=MODELS / "labour_market.toml")
    page = _html(run)
    summary = page[page.index("<h2>Summary</h2>"):page.index("</section>")]
    table = pd.read_csv(run / "summary.csv").set_index("output")
    facts = ["Who pays: Labour-market office", "Who gains: Municipality",
             "Chance of a net loss over the horizon: Labour-market office "
             + percent(table.at["npv_labour_office", "prob_negative"]),
             "Capital need (investment hump): Labour-market office needs",
             # The office's cumulative net never climbs back to zero: its gains go elsewhere.
             "At the median, Labour-market office does not get its outlay back within 20 years",
             "Society&#x27;s expected return"]
    where = [summary.index(f) for f in facts]
    assert where == sorted(where)
    assert "Policy verdict" not in summary
