"""Sensitivity analysis against closed-form indices, SALib itself, and its own contracts."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from SALib.analyze import sobol as salib_sobol

from riskcalc import ModelError, model_from_dict
from riskcalc.engine.compiled import BLOCK_SIZE
from riskcalc.engine.sampling import design_inputs, from_unit_cube
from riskcalc.engine.simulation import evaluate_points
from riskcalc.sensitivity import (
    check_groups,
    default_outputs,
    morris_analysis,
    read_groups,
    sobol_analysis,
    sobol_design,
    sobol_indices,
    tornado_analysis,
)
from riskcalc.sensitivity.problem import work_chunk
from riskcalc.sensitivity.sobol import _design_points
from riskcalc.sensitivity.sobol_estimators import from_b_mask, sobol_base

SEED = 20260314

# -- analytic test functions -------------------------------------------------------------------

#: Ishigami (a = 7, b = 0.1): S1, ST and S13, the only non-zero second-order index.
ISHIGAMI_S1 = np.array([0.3139, 0.4424, 0.0])
ISHIGAMI_ST = np.array([0.5576, 0.4424, 0.2437])
ISHIGAMI_S13 = 0.2437
#: Sobol' G-function coefficients.
G_A = np.array([0.0, 1.0, 4.5, 9.0, 99.0, 99.0])


def ishigami(unit: np.ndarray) -> np.ndarray:
    x = -np.pi + 2 * np.pi * unit
    return np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])


def g_function(unit: np.ndarray) -> np.ndarray:
    return np.prod((np.abs(4 * unit - 2) + G_A) / (1 + G_A), axis=1)


def g_function_indices() -> tuple[np.ndarray, np.ndarray]:
    partial = 1 / (3 * (1 + G_A) ** 2)
    total = np.prod(1 + partial) - 1
    return partial / total, partial * np.prod(1 + partial) / (1 + partial) / total


def assert_within(estimate, conf, truth, widths=3.0):
    """Every estimate lies within `widths` interval half-widths of the truth."""
    estimate, conf, truth = map(np.asarray, (estimate, conf, truth))
    assert np.all(np.abs(estimate - truth) <= widths * conf + 1e-6), (estimate, conf, truth)


# -- a linear additive riskcalc model with known variance shares ------------------------------


def additive_model_dict() -> dict:
    """NPVs linear in independent uniforms: one year, no discounting.

    a = x1 - 2 x3, b = 3 x2, fixed = 5; society = x1 + 3 x2 - 2 x3 + 5; ROI = society.
    Variances: x1 1/12, 3 x2 36/12, 2 x3 16/12, so society's shares are 1, 36, 16 (/ 53).
    """
    return {
        "model": {"name": "additive", "years": 1, "discount_rate": 0, "investment": 1},
        "actors": {"a": "Payer", "b": "Gainer", "fixed": "Fixed"},
        "parameters": {"x1": {"uniform": [0.0, 1.0]}, "x2": {"uniform": [0.0, 2.0]},
                       "x3": {"uniform": [-1.0, 1.0]}, "unused": 7.0},
        "flow": [{"actor": "a", "revenue": "x1"}, {"actor": "b", "revenue": "3 * x2"},
                 {"actor": "a", "cost": "2 * x3"}, {"actor": "fixed", "revenue": 5}],
    }


ADDITIVE_SHARES = {
    "npv_society": np.array([1, 36, 16]) / 53,
    "roi": np.array([1, 36, 16]) / 53,
    "npv_a": np.array([1, 0, 16]) / 17,
    "npv_b": np.array([0, 1, 0]),
}


@pytest.fixture(scope="module")
def additive():
    return model_from_dict(additive_model_dict(), source="additive")


@pytest.fixture(scope="module")
def additive_sobol(additive):
    return sobol_analysis(additive, 1024, second_order=True, seed=SEED, convergence=True)


# -- the estimators ------------------------------------------------------------------------------


def test_ishigami_indices_match_the_analytic_values():
    n = 2**12
    unit = sobol_design(3, n, second_order=True, seed=SEED)
    ix = sobol_indices(ishigami(unit), 3, n, second_order=True, rng=SEED)
    assert_within(ix.S1[0], ix.S1_conf[0], ISHIGAMI_S1)
    assert_within(ix.ST[0], ix.ST_conf[0], ISHIGAMI_ST)
    assert_within(ix.S2[0, 0, 2], ix.S2_conf[0, 0, 2], ISHIGAMI_S13)
    assert_within([ix.S2[0, 0, 1], ix.S2[0, 1, 2]], [ix.S2_conf[0, 0, 1], ix.S2_conf[0, 1, 2]],
                  [0.0, 0.0])


def test_g_function_indices_match_the_analytic_values():
    n = 2**12
    s1, st = g_function_indices()
    ix = sobol_indices(g_function(sobol_design(6, n, seed=SEED)), 6, n, rng=SEED)
    assert_within(ix.S1[0], ix.S1_conf[0], s1)
    assert_within(ix.ST[0], ix.ST_conf[0], st)


@pytest.mark.parametrize("second_order", [True, False])
@pytest.mark.parametrize("groups", [None, ["g", "g", "x3", "x4"]])
def test_vectorised_bootstrap_reproduces_salib_on_the_same_resamples(second_order, groups):
    n, d = 256, 4
    unit = sobol_design(d, n, second_order=second_order, groups=groups, seed=SEED)
    y = np.column_stack([ishigami(unit[:, :3]) + unit[:, 3], unit[:, 0] * unit[:, 3] ** 2,
                         g_function(np.column_stack([unit, unit[:, :2]]))])
    n_groups = d if groups is None else 3
    ours = sobol_indices(y, n_groups, n, second_order=second_order, num_resamples=50,
                         rng=np.random.default_rng(SEED))
    problem = {"num_vars": d, "names": ["x1", "x2", "x3", "x4"], "bounds": [[0, 1]] * d}
    if groups:
        problem["groups"] = groups
    keys = ("S1", "S1_conf", "ST", "ST_conf") + (("S2", "S2_conf") if second_order else ())
    for o in range(y.shape[1]):
        reference = salib_sobol.analyze(problem, y[:, o].copy(), calc_second_order=second_order,
                                        num_resamples=50, seed=SEED)
        for key in keys:
            np.testing.assert_allclose(getattr(ours, key)[o], reference[key], rtol=0,
                                       atol=1e-10, err_msg=f"output {o}, {key}")


def test_index_sums_carry_their_own_bootstrap_interval():
    n = 2**10
    ix = sobol_indices(ishigami(sobol_design(3, n, seed=SEED)), 3, n, rng=SEED)
    assert ix.S1_sum[0] == pytest.approx(ix.S1[0].sum())
    assert 0 < ix.S1_sum_conf[0] < ix.S1_conf[0].sum()


def test_a_constant_output_has_zero_indices():
    n = 64
    y = np.column_stack([np.full(n * 5, 3.0), ishigami(sobol_design(3, n, seed=SEED))])
    ix = sobol_indices(y, 3, n)
    assert ix.constant.tolist() == [True, False]
    assert not ix.S1[0].any() and not ix.ST_conf[0].any()


def test_outputs_of_the_wrong_length_are_refused():
    with pytest.raises(ValueError, match=r"N \* 5 = 320 rows"):
        sobol_indices(np.zeros(300), 3, 64)


def test_non_finite_outputs_are_refused():
    y = np.ones(64 * 5)
    y[7] = np.nan
    with pytest.raises(ValueError, match="not finite"):
        sobol_indices(y, 3, 64)


@pytest.mark.parametrize("second_order", [True, False])
@pytest.mark.parametrize("groups", [None, ["g", "x2", "g", "h"]])
def test_design_equals_salibs_sampler_value_for_value(second_order, groups):
    from SALib.sample import sobol as salib_sample

    problem = {"num_vars": 4, "names": ["x1", "x2", "x3", "x4"], "bounds": [[0, 1]] * 4}
    if groups:
        problem["groups"] = groups
    # scipy's sampler spawns from a generator's SeedSequence: each call gets a fresh one.
    for seed in (lambda: SEED, lambda: np.random.SeedSequence(SEED)):
        given = seed()
        reference = salib_sample.sample(
            problem, 64, calc_second_order=second_order, scramble=True,
            seed=np.random.default_rng(given) if isinstance(given, np.random.SeedSequence)
            else given)
        ours = sobol_design(4, 64, second_order=second_order, groups=groups, seed=seed())
        np.testing.assert_array_equal(ours, reference)


def test_n_must_be_a_power_of_two():
    with pytest.raises(ModelError, match="power of two.*got 1000; use 512 or 1024"):
        sobol_design(3, 1000)


# -- the design through the model -------------------------------------------------------------


@pytest.mark.parametrize("second_order", [True, False])
def test_mapping_a_and_b_only_equals_mapping_the_whole_design(additive, second_order):
    inputs = design_inputs(additive)
    n = 32
    unit = sobol_design(len(inputs), n, second_order=second_order, groups=["g", "x2", "g"],
                        seed=SEED)
    a, b = sobol_base(len(inputs), n, seed=SEED)
    mask = from_b_mask(np.array([0, 1, 0]), 2, second_order)
    fast = _design_points(additive, a, b, inputs, mask, threads=2)
    whole = from_unit_cube(additive, unit, inputs)
    assert fast.keys() == whole.keys()
    for name in whole:
        np.testing.assert_array_equal(fast[name], whole[name], err_msg=name)


def test_model_path_equals_salib_on_the_same_design_and_resamples(additive, additive_sobol):
    design_seed, boot_seed = np.random.SeedSequence(SEED).spawn(2)
    unit = sobol_design(3, 1024, second_order=True, seed=design_seed)
    outputs = evaluate_points(additive, from_unit_cube(additive, unit))
    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[0, 1]] * 3}
    for o, name in enumerate(additive_sobol.outputs):
        if name == "npv_fixed":
            continue
        reference = salib_sobol.analyze(problem, outputs[name], calc_second_order=True,
                                        seed=boot_seed)
        for key in ("S1", "S1_conf", "ST", "ST_conf", "S2", "S2_conf"):
            np.testing.assert_allclose(getattr(additive_sobol.indices, key)[o], reference[key],
                                       rtol=0, atol=1e-10, err_msg=f"{name}, {key}")


def test_additive_model_gives_each_actor_its_variance_shares(additive_sobol):
    table = additive_sobol.table.set_index(["output", "parameter"])
    for output, shares in ADDITIVE_SHARES.items():
        rows = table.loc[output].loc[["x1", "x2", "x3"]]
        assert_within(rows["S1"], rows["S1_conf"], shares)
        assert_within(rows["ST"], rows["ST_conf"], shares)


def test_default_outputs_are_every_actor_society_and_roi(additive, additive_sobol):
    assert default_outputs(additive) == ["npv_a", "npv_b", "npv_fixed", "npv_society", "roi"]
    assert additive_sobol.outputs == tuple(default_outputs(additive))
    assert additive_sobol.inputs == ("x1", "x2", "x3")  # the fixed parameter is no input


def test_evaluations_are_n_2d_plus_2_with_second_order_and_n_d_plus_2_without(additive):
    with_s2 = sobol_analysis(additive, 64, second_order=True, seed=1, outputs=["society"])
    without = sobol_analysis(additive, 64, seed=1, outputs=["society"])
    assert with_s2.n_evaluations == 64 * (2 * 3 + 2)
    assert without.n_evaluations == 64 * (3 + 2)
    assert without.indices.S2 is None and without.second_order_table.empty


def test_groups_are_inputs_of_their_own(additive):
    result = sobol_analysis(additive, 256, seed=1, outputs=["society"],
                            groups={"pair": ["x1", "x3"]})
    assert result.inputs == ("pair", "x2")
    assert result.groups == {"pair": ("x1", "x3"), "x2": ("x2",)}
    assert result.n_evaluations == 256 * (2 + 2)
    assert_within(result.indices.ST[0], result.indices.ST_conf[0], np.array([17, 36]) / 53)


def test_the_same_seed_gives_the_same_indices_on_any_backend(additive):
    one = sobol_analysis(additive, 64, seed=5, outputs=["a"], chunk_size=100)
    for backend in ("threading", "loky"):
        two = sobol_analysis(additive, 64, seed=5, outputs=["a"], chunk_size=100, n_jobs=2,
                             backend=backend)
        pd.testing.assert_frame_equal(one.table, two.table)


def test_one_and_several_jobs_give_the_same_bits(additive):
    """Design mapping, evaluation (in smaller chunks), indices and intervals in threads."""
    def run(n_jobs):
        return sobol_analysis(additive, 1024, second_order=True, seed=9, convergence=True,
                              n_jobs=n_jobs)

    one = run(1)
    for n_jobs in (2, 3, -1):
        other = run(n_jobs)
        for key in ("S1", "S1_conf", "ST", "ST_conf", "S2", "S2_conf", "S1_sum",
                    "S1_sum_conf", "ST_sum", "ST_sum_conf", "constant"):
            np.testing.assert_array_equal(getattr(other.indices, key),
                                          getattr(one.indices, key), err_msg=key)
        pd.testing.assert_frame_equal(other.convergence, one.convergence, check_exact=True)


def test_a_designs_chunks_are_whole_blocks_about_four_per_worker():
    assert work_chunk(458_752, 65_536, 1) == 65_536
    assert work_chunk(458_752, 65_536, 2) == 57_344  # 14 blocks: 8 chunks for 2 workers
    assert work_chunk(458_752, 65_536, 16) == 8192
    assert work_chunk(1000, 65_536, 16) == BLOCK_SIZE
    assert work_chunk(458_752, 100, 4) == 100  # not whole blocks: kept as given
    assert work_chunk(458_752, 2 * BLOCK_SIZE, 2) == 2 * BLOCK_SIZE  # never larger


def test_convergence_uses_prefixes_of_one_design(additive, additive_sobol):
    conv = additive_sobol.convergence
    assert sorted(conv["N"].unique()) == [128, 256, 512, 1024]
    full = conv[conv["N"] == 1024].drop(columns="N").reset_index(drop=True)
    pd.testing.assert_frame_equal(full, additive_sobol.table)
    half = conv[conv["N"] == 512]
    design_seed, boot_seed = np.random.SeedSequence(SEED).spawn(2)
    unit = sobol_design(3, 1024, second_order=True, seed=design_seed)[:512 * 8]
    y = evaluate_points(additive, from_unit_cube(additive, unit))["npv_society"]
    ix = sobol_indices(y, 3, 512, second_order=True, rng=np.random.default_rng(boot_seed))
    society = half[half["output"] == "npv_society"]
    np.testing.assert_allclose(society["ST"], ix.ST[0], atol=1e-12)
    assert (conv.groupby("N")["ST_conf"].max().diff().dropna() < 0).all()


# -- warnings ------------------------------------------------------------------------------------


def test_a_constant_output_is_reported(additive_sobol):
    assert any(w.startswith("npv_fixed: does not vary") for w in additive_sobol.warnings)
    assert additive_sobol.indices.constant.tolist() == [False, False, True, False, False]


def test_wide_intervals_suggest_a_larger_n(additive):
    result = sobol_analysis(additive, 16, seed=3, outputs=["society"], num_resamples=20)
    assert any("too wide" in w and "try N = " in w for w in result.warnings)


def test_declared_correlations_are_reported(additive):
    data = additive_model_dict()
    data["correlations"] = {"pairs": [["x1", "x2", 0.6]]}
    model = model_from_dict(data, source="correlated")
    result = sobol_analysis(model, 64, seed=1, outputs=["society"])
    assert any("correlations between x1, x2" in w and "independent" in w
               for w in result.warnings)


def test_a_declared_regime_is_an_input_of_its_own():
    model = model_from_dict({
        "model": {"name": "regimes", "years": 1, "discount_rate": 0, "investment": 1},
        "actors": {"a": "A"},
        "parameters": {"x": {"uniform": [0, 1]}, "y": {"uniform": [0, 1]}},
        "regimes": {"good": {"weight": 0.5, "parameters": {"x": {"uniform": [1, 2]}}},
                    "bad": {"weight": 0.5}},
        "flow": [{"actor": "a", "revenue": "x + y"}],
    }, source="regimes")
    result = sobol_analysis(model, 1024, seed=2, outputs=["a"])
    assert result.inputs == ("x", "y", "regime")
    assert result.n_evaluations == 1024 * (3 + 2)
    # x = [good] + U(0, 1): the regime explains 0.25 of 5/12, x and y 1/12 each.
    assert_within(result.indices.S1[0], result.indices.S1_conf[0], [0.2, 0.2, 0.6])


# -- input errors -------------------------------------------------------------------------------


def test_an_unknown_output_suggests_the_close_name(additive):
    with pytest.raises(ModelError, match="unknown output 'npv_socety'; did you mean "
                                         "'npv_society'"):
        sobol_analysis(additive, 64, outputs=["npv_socety"])


def test_payback_year_that_is_nan_is_refused_with_the_reason(additive):
    data = additive_model_dict()
    data["flow"].append({"actor": "a", "cost": 10})
    model = model_from_dict(data, source="loss")
    with pytest.raises(ModelError, match="'payback_year' is not finite.*no payback"):
        sobol_analysis(model, 64, outputs=["payback_year"])


def test_groups_file_with_an_unknown_parameter_names_file_key_and_suggestion(additive,
                                                                            tmp_path):
    path = tmp_path / "groups.toml"
    path.write_text('[groups]\nsavings = ["x1", "x22"]\n', encoding="utf-8")
    with pytest.raises(ModelError, match=r"groups.toml: groups.savings: unknown parameter "
                                         r"'x22'; did you mean 'x2'\?"):
        read_groups(path, additive)


def test_groups_file_reads_into_complete_groups(additive, tmp_path):
    path = tmp_path / "groups.toml"
    path.write_text('[groups]\nsavings = ["x3", "x1"]\n', encoding="utf-8")
    assert read_groups(path, additive) == {"savings": ("x1", "x3"), "x2": ("x2",)}


@pytest.mark.parametrize(("groups", "message"), [
    ({"g": ["x1"], "h": ["x1"]}, "'x1' is already in group 'g'"),
    ({"g": []}, "expected a non-empty list"),
    ({"x1": ["x2"]}, "also the name of an input outside the group"),
    ({"g": ["unused"]}, "unknown parameter 'unused'"),
])
def test_invalid_groups_are_refused(groups, message):
    with pytest.raises(ModelError, match=message):
        check_groups(groups, ["x1", "x2", "x3"], source="g.toml")


def test_groups_file_with_another_table_is_refused(additive, tmp_path):
    path = tmp_path / "groups.toml"
    path.write_text('[group]\nsavings = ["x1"]\n', encoding="utf-8")
    with pytest.raises(ModelError, match=r"\[group\]: unknown table"):
        read_groups(path, additive)


# -- tables and files ----------------------------------------------------------------------------


def test_tables_are_tidy(additive_sobol):
    assert list(additive_sobol.table.columns) == ["output", "parameter", "S1", "S1_conf", "ST",
                                                  "ST_conf"]
    assert len(additive_sobol.table) == 5 * 3
    s2 = additive_sobol.second_order_table
    assert list(s2.columns) == ["output", "parameter_1", "parameter_2", "S2", "S2_conf"]
    assert s2[["parameter_1", "parameter_2"]].iloc[:3].values.tolist() == [
        ["x1", "x2"], ["x1", "x3"], ["x2", "x3"]]
    assert additive_sobol.matrix("ST").shape == (3, 5)


def test_latex_table_escapes_names(additive_sobol):
    tex = additive_sobol.to_latex(labels={"npv_society": "Samhällets NPV & ROI"})
    assert r"npv\_a" in tex and r"Samhällets NPV \& ROI" in tex
    assert tex.count(r"\midrule") == 5 and r"\begin{tabular}{llrrrr}" in tex


def test_write_puts_tables_and_manifest_in_the_directory(additive_sobol, tmp_path):
    out = additive_sobol.write(tmp_path / "run")
    names = sorted(p.name for p in out.iterdir())
    assert names == ["sobol.csv", "sobol.json", "sobol.tex", "sobol_convergence.csv",
                     "sobol_s2.csv"]
    manifest = json.loads((out / "sobol.json").read_text(encoding="utf-8"))
    assert manifest["n"] == 1024 and manifest["seed"] == SEED and manifest["second_order"]
    assert manifest["n_evaluations"] == 1024 * 8
    assert manifest["model"]["sha256"] == additive_sobol.model.sha256
    assert manifest["versions"]["SALib"] and "total_s" in manifest["timings"]
    assert pd.read_csv(out / "sobol.csv").shape == (15, 6)


# -- Morris and tornado ------------------------------------------------------------------------


def test_morris_effects_of_an_additive_model_are_exact(additive):
    result = morris_analysis(additive, 10, seed=SEED, outputs=["society"])
    rows = result.table.set_index("parameter")
    # Levels at bin midpoints: a grid step of 1 moves the quantile by (p - 1) / p = 3/4.
    expected = np.array([1 * 1, 3 * 2, 2 * 2]) * 0.75
    np.testing.assert_allclose(rows["mu_star"], expected, rtol=1e-12)
    np.testing.assert_allclose(rows["mu"], expected * [1, 1, -1], rtol=1e-12)
    np.testing.assert_allclose(rows["sigma"], 0, atol=1e-9)
    assert result.n_evaluations == 10 * (3 + 1)
    assert list(result.table.columns) == ["output", "parameter", "mu", "mu_star", "sigma",
                                          "mu_star_conf"]


def test_morris_writes_its_table_and_manifest(additive, tmp_path):
    out = morris_analysis(additive, 4, seed=1, groups={"g": ["x1", "x2"]}).write(tmp_path)
    assert sorted(p.name for p in out.iterdir()) == ["morris.csv", "morris.json"]
    assert set(pd.read_csv(out / "morris.csv")["parameter"]) == {"g", "x3"}


def test_tornado_swings_each_input_from_p10_to_p90_with_the_others_at_base(additive):
    result = tornado_analysis(additive)
    society = result.for_output("society")
    assert society["parameter"].tolist() == ["x2", "x3", "x1"]  # sorted by swing
    np.testing.assert_allclose(society["swing"], [3 * 1.6, 2 * 1.6, 0.8])
    base = 0.5 + 3 * 1.0 - 2 * 0.0 + 5
    np.testing.assert_allclose(society["base_output"], base)
    x3 = society.set_index("parameter").loc["x3"]
    assert (x3["low_value"], x3["high_value"]) == pytest.approx((-0.8, 0.8))
    assert x3["output_at_low"] == pytest.approx(base + 1.6)
    # 2 D + 1 for the tornado, D times the 7 spider percentiles beside it.
    assert result.n_evaluations == 2 * 3 + 1 + 3 * 7
    assert list(result.table.columns) == ["output", "parameter", "low_value", "high_value",
                                          "output_at_low", "output_at_high", "swing",
                                          "base_output"]


def test_tornado_names_the_actor_with_the_most_negative_base_npv(additive):
    data = additive_model_dict()
    data["flow"].append({"actor": "b", "cost": 100})
    assert tornado_analysis(model_from_dict(data)).worst_actor == "b"


def test_tornado_refuses_quantiles_out_of_order(additive):
    with pytest.raises(ModelError, match="0 < low < high < 1, got low = 0.9"):
        tornado_analysis(additive, low=0.9, high=0.1)


# -- figures ---------------------------------------------------------------------------------


def test_figures_draw_on_the_given_axes_and_use_the_given_words(additive, additive_sobol):
    from matplotlib.figure import Figure

    from riskcalc.report.plots.sensitivity import (
        plot_morris,
        plot_sobol_heatmap,
        plot_sobol_indices,
        plot_tornado,
    )

    swedish = {"sobol": "Sobolindex", "npv_society": "Samhället", "tornado": "Tornado",
               "morris": "Morris-screening", "sobol_heatmap": "Totalindex per aktör"}
    draws = [
        (plot_sobol_indices, additive_sobol, "Sobolindex: Samhället"),
        (plot_sobol_heatmap, additive_sobol, "Totalindex per aktör"),
        (plot_tornado, tornado_analysis(additive), "Tornado"),
        (plot_morris, morris_analysis(additive, 4, seed=1), "Morris-screening: Samhället"),
    ]
    for plot, result, title in draws:
        ax = Figure().add_subplot()
        assert plot(result, ax=ax, labels=swedish) is ax
        assert ax.get_title() == title


def test_figures_make_an_untracked_figure_when_no_axes_is_given(additive_sobol):
    import matplotlib.pyplot as plt

    from riskcalc.report.plots.sensitivity import plot_sobol_indices

    before = plt.get_fignums()
    ax = plot_sobol_indices(additive_sobol.table, output="a")
    assert ax.get_title() == "Sobol index: npv_a"
    assert plt.get_fignums() == before


def test_tornado_money_ticks_keep_their_decimal():
    # MaxNLocator may put ticks at 2.5 MSEK; rounded to whole millions they would lie.
    from riskcalc.report.plots.sensitivity import plot_tornado

    table = pd.DataFrame({"output": "npv_society", "parameter": ["a", "b"],
                          "output_at_low": [-5e6, -1e6], "output_at_high": [5e6, 1e6],
                          "base_output": 0.0})
    ax = plot_tornado(table, currency="SEK")
    tick = ax.xaxis.get_major_formatter()
    assert [tick(v) for v in (2.5e6, -7.5e6, 5e6)] == ["2.5 MSEK", "-7.5 MSEK", "5 MSEK"]


def test_figures_refuse_an_output_not_in_the_table(additive_sobol):
    from riskcalc.report.plots.sensitivity import plot_sobol_indices

    with pytest.raises(ValueError, match="output 'payback_year' is not in the table"):
        plot_sobol_indices(additive_sobol, output="payback_year")
