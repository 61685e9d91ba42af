"""Distributions as analysts state them: moments, 90 % intervals, three-point estimates,
mixtures, events, observed values and truncation (checked against scipy)."""

from __future__ import annotations

import math
import os

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from riskcalc.errors import DistributionError, ModelError
from riskcalc.model.distributions import (
    PERT,
    Empirical,
    Mixture,
    Normal,
    Truncated,
    Uniform,
    parse_distribution,
)
from riskcalc.model.loader import load_model

N = 200_000
GRID = np.linspace(0.001, 0.999, 101)


def parse(spec, root=None):
    return parse_distribution(spec, name="x", root=root)


def rng():
    return np.random.default_rng(20261129)


# -- moments, 90 % intervals, three-point estimates --------------------------------------

@pytest.mark.parametrize(("spec", "ref"), [
    ({"normal": {"mean": 3.0, "sd": 2.0}}, stats.norm(3.0, 2.0)),
    ({"uniform": {"min": 1.0, "max": 4.0}}, stats.uniform(1.0, 3.0)),
    ({"uniform": {"mean": 2.0, "sd": 0.5}}, stats.uniform(2 - 0.5 * math.sqrt(3), math.sqrt(3))),
    ({"beta": {"a": 2.0, "b": 3.0, "low": 10.0, "high": 20.0}},
     stats.beta(2.0, 3.0, loc=10.0, scale=10.0)),
    ({"truncnormal": {"mean": 0.0, "sd": 1.0, "low": -1.0, "high": 2.0}},
     stats.truncnorm(-1.0, 2.0)),
])
def test_named_forms_equal_the_scipy_distribution(spec, ref):
    d = parse(spec)
    assert d.mean == pytest.approx(ref.mean(), rel=1e-10)
    np.testing.assert_allclose(d.ppf(GRID), ref.ppf(GRID), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize(("spec", "sd"), [
    ({"uniform": {"mean": 2.0, "sd": 0.5}}, 0.5),
    ({"beta": {"mean": 0.3, "sd": 0.1}}, 0.1),
    ({"beta": {"mean": 40.0, "sd": 5.0, "low": 0.0, "high": 100.0}}, 5.0),
    ({"lognormal": {"mean": 5000.0, "sd": 1500.0}}, 1500.0),
])
def test_moment_forms_reproduce_mean_and_sd(spec, sd):
    d = parse(spec)
    family = next(iter(spec))
    mean = spec[family]["mean"]
    assert d.mean == pytest.approx(mean, rel=1e-12)
    if family == "beta":
        lo, hi = spec[family].get("low", 0.0), spec[family].get("high", 1.0)
        ref = stats.beta(d.a, d.b, loc=lo, scale=hi - lo)
    elif family == "uniform":
        ref = stats.uniform(d.min, d.max - d.min)
    else:
        ref = stats.lognorm(d.sigma, scale=math.exp(d.mu))
    assert ref.mean() == pytest.approx(mean, rel=1e-10)
    assert ref.std() == pytest.approx(sd, rel=1e-10)


@pytest.mark.parametrize("spec", [
    {"normal": {"p05": 1.0, "p95": 5.0}},
    {"uniform": {"p05": 0.0, "p95": 0.9}},
    {"lognormal": {"p05": 2.0, "p95": 10.0}},
    {"beta": {"p05": 0.1, "p95": 0.5}},
    {"beta": {"p05": 10.0, "p95": 15.0, "low": 0.0, "high": 100.0}},
    {"pert": {"p05": 0.2, "mode": 0.4, "p95": 0.9}},
    {"pert": {"p05": 100.0, "mode": 100.0, "p95": 400.0}},
    {"triangular": {"p05": 0.2, "mode": 0.25, "p95": 0.9}},
])
def test_ninety_percent_interval_forms_hit_their_percentiles(spec):
    d = parse(spec)
    family = next(iter(spec))
    args = spec[family]
    np.testing.assert_allclose(d.ppf([0.05, 0.95]), [args["p05"], args["p95"]], rtol=1e-7)
    if "mode" in args:
        assert d.mode == args["mode"] and d.base == args["mode"]


def test_normal_from_interval_is_the_scipy_normal_with_those_percentiles():
    d = parse({"normal": {"p05": 1.0, "p95": 5.0}})
    ref = stats.norm(3.0, 4.0 / (2 * stats.norm.ppf(0.95)))
    assert (d.mean, d.sd) == pytest.approx((ref.mean(), ref.std()), rel=1e-12)


def test_three_point_forms_by_name_match_the_list_form():
    assert repr(parse({"pert": {"min": 1, "mode": 2, "max": 5}})) == repr(PERT(1, 2, 5))
    assert parse({"triangular": [0, 1, 3]}).mean == pytest.approx(4 / 3)


# -- truncation -------------------------------------------------------------------------

@pytest.mark.parametrize(("spec", "ref", "lo", "hi"), [
    ({"normal": [10.0, 2.0], "min": 8.0, "max": 11.0}, stats.norm(10.0, 2.0), 8.0, 11.0),
    ({"lognormal": {"mu": 1.0, "sigma": 0.5}, "max": 3.0}, stats.lognorm(0.5, scale=math.e),
     0.0, 3.0),
    ({"beta": [2.0, 5.0], "min": 0.1}, stats.beta(2.0, 5.0), 0.1, 1.0),
    ({"pert": [0.0, 1.0, 4.0], "min": 0.5, "max": 3.0},
     stats.beta(1 + 4 / 4, 1 + 4 * 3 / 4, loc=0.0, scale=4.0), 0.5, 3.0),
])
def test_truncation_is_the_conditional_distribution(spec, ref, lo, hi):
    d = parse(spec)
    assert isinstance(d, Truncated)
    mean = ref.expect(lambda x: x, lb=lo, ub=hi, conditional=True)
    assert d.mean == pytest.approx(mean, rel=1e-7)
    pa, pb = ref.cdf(lo), ref.cdf(hi)
    np.testing.assert_allclose(d.ppf(GRID), ref.ppf(pa + GRID * (pb - pa)), rtol=1e-9)
    x = d.sample(rng(), 20_000)
    assert x.min() >= lo and x.max() <= hi
    assert d.base == pytest.approx(float(ref.ppf(pa + 0.5 * (pb - pa))), rel=1e-9)


def test_truncated_normal_by_min_max_equals_truncnormal():
    d = parse({"normal": [0.0, 1.0], "min": -1.0, "max": 2.0})
    ref = stats.truncnorm(-1.0, 2.0)
    assert d.mean == pytest.approx(ref.mean(), rel=1e-9)
    np.testing.assert_allclose(d.cdf([-2.0, 0.0, 1.0, 3.0]), ref.cdf([-2.0, 0.0, 1.0, 3.0]),
                               atol=1e-12)


# -- mixture, bernoulli, discrete, empirical --------------------------------------------

def test_mixture_moments_and_cdf_match_scipy():
    d = parse({"mixture": {"components": [{"normal": [0.0, 1.0]}, {"uniform": [5.0, 6.0]},
                                          {"lognormal": {"mu": 0.0, "sigma": 0.3}}],
                           "weights": [0.3, 0.5, 0.2]}})
    assert isinstance(d, Mixture)
    refs = [stats.norm(0, 1), stats.uniform(5, 1), stats.lognorm(0.3)]
    w = [0.3, 0.5, 0.2]
    mean = sum(wi * r.mean() for wi, r in zip(w, refs, strict=True))
    second = sum(wi * (r.var() + r.mean() ** 2) for wi, r in zip(w, refs, strict=True))
    assert d.mean == pytest.approx(mean, rel=1e-12)
    xs = np.linspace(-3, 7, 41)
    np.testing.assert_allclose(d.cdf(xs), sum(wi * r.cdf(xs) for wi, r in zip(w, refs,
                                                                              strict=True)))
    u = np.linspace(0.001, 0.999, 999)
    np.testing.assert_allclose(d.cdf(d.ppf(u)), u, atol=1e-10)
    x = d.sample(rng(), N)
    assert abs(x.mean() - mean) < 4 * x.std() / math.sqrt(N)
    assert x.var() == pytest.approx(second - mean**2, rel=0.02)


def test_mixture_component_may_itself_be_truncated():
    d = parse({"mixture": {"components": [{"normal": [0, 1], "min": 0}, {"fixed": 10}],
                           "weights": [0.5, 0.5]}})
    assert d.mean == pytest.approx(0.5 * stats.halfnorm.mean() + 5.0, rel=1e-8)
    assert d.ppf(0.99) == 10.0 and d.ppf(0.0) == pytest.approx(0.0, abs=1e-15)


def test_bernoulli_is_an_event_with_probability_p():
    d = parse({"bernoulli": 0.3})
    ref = stats.bernoulli(0.3)
    x = d.sample(rng(), N)
    assert set(np.unique(x)) == {0.0, 1.0}
    assert d.mean == pytest.approx(ref.mean(), rel=1e-12)
    assert abs(x.mean() - 0.3) < 4 * ref.std() / math.sqrt(N)
    assert d.base == 0.0


def test_empirical_resamples_the_observed_values_equally():
    values = [3.0, 1.0, 4.0, 1.5, 9.0]
    d = parse({"empirical": {"values": values}})
    assert isinstance(d, Empirical)
    assert d.mean == pytest.approx(np.mean(values))
    ref = stats.rv_discrete(values=(range(5), [0.2] * 5))
    x = d.sample(rng(), N)
    for v in values:
        assert abs(np.mean(x == v) - 0.2) < 4 * math.sqrt(0.16 / N)
    assert d.ppf([0.0, 0.19, 0.2, 0.99, 1.0]).tolist() == [1.0, 1.0, 1.5, 9.0, 9.0]
    assert ref.mean() == 2.0  # the index distribution: every value equally likely
    assert d.base == 3.0


def write_model(tmp_path, parameter: str) -> os.PathLike:
    path = tmp_path / "m.toml"
    path.write_text(f"""
[model]
name = "empirical"
years = 2
discount_rate = 0.03
investment = "x"
[actors]
a = "A"
[parameters]
{parameter}
[[flow]]
actor = "a"
kind = "real"
cost = "x"
""", encoding="utf-8")
    return path


def test_empirical_reads_a_csv_next_to_the_model(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "obs.csv").write_text("id,rate\n1,0.2\n2,\n3,0.4\n4,0.3\n",
                                               encoding="utf-8")
    model = load_model(write_model(
        tmp_path, 'x = { empirical = { file = "data/obs.csv", column = "rate" } }'))
    d = model.parameters["x"].distribution
    assert d.values == (0.2, 0.3, 0.4) and d.mean == pytest.approx(0.3)


@pytest.mark.parametrize(("spec", "message"), [
    ('{ file = "../obs.csv" }', "relative to the model file's folder, without '..'"),
    ('{ file = "/etc/passwd" }', "relative to the model file's folder"),
    ('{ file = "missing.csv" }', "cannot read it"),
    ('{ file = "dir" }', "is not a regular file"),
    ('{ file = "link.csv" }', "leads outside the model file's folder"),
    ('{ file = "two.csv" }', "say which with column"),
    ('{ file = "two.csv", column = "rat" }', "did you mean 'rate'"),
    ('{ file = "bad.csv" }', "line 3, column 'v': 'n/a' is not a number"),
    ('{ file = "one.csv" }', "at least 2 observed values"),
    ('{ values = [1, "a"] }', "values[1] must be a number"),
])
def test_empirical_refuses_bad_files_in_one_line(tmp_path, spec, message):
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    (model_dir / "dir").mkdir()
    (tmp_path / "outside.csv").write_text("v\n1\n2\n", encoding="utf-8")
    (model_dir / "link.csv").symlink_to(tmp_path / "outside.csv")
    (model_dir / "two.csv").write_text("id,rate\n1,2\n", encoding="utf-8")
    (model_dir / "bad.csv").write_text("v\n1\nn/a\n", encoding="utf-8")
    (model_dir / "one.csv").write_text("v\n1\n", encoding="utf-8")
    with pytest.raises(ModelError) as info:
        load_model(write_model(model_dir, f"x = {{ empirical = {spec} }}"))
    text = str(info.value)
    assert message in text and "\n" not in text and "[parameters].x" in text


def test_empirical_file_needs_a_model_file():
    with pytest.raises(DistributionError, match="needs a model loaded from a file"):
        parse({"empirical": {"file": "x.csv"}})


# -- bad arguments: one line naming what is wrong ---------------------------------------

@pytest.mark.parametrize(("spec", "message"), [
    ({"normal": {"p05": 5, "p95": 1}}, "normal p05 5.0 is greater than p95 1.0"),
    ({"normal": {"p05": 1, "p50": 3}}, "normal takes [mean, sd] or {mean, sd} or {p05, p95}"),
    ({"uniform": {"mean": 1, "sd": -1}}, "uniform sd must be > 0"),
    ({"beta": {"mean": 0.5, "sd": 0.6}}, "beta sd 0.6 must be > 0 and below 0.5"),
    ({"beta": {"mean": 1.5, "sd": 0.1}}, "beta mean 1.5 must lie strictly inside"),
    ({"beta": {"p05": 0.1, "p95": 1.2}}, "must lie strictly inside [low, high]"),
    ({"pert": {"p05": 0.2, "mode": 0.1, "p95": 0.9}}, "pert mode 0.1 is outside [p05, p95]"),
    ({"bernoulli": 1.3}, "bernoulli takes the probability of the event (1) in [0, 1]"),
    ({"bernoulli": "often"}, "bernoulli probability must be a number"),
    ({"mixture": {"components": [{"normal": [0, 1]}], "weights": [0.5]}},
     "mixture weights must sum to 1"),
    ({"mixture": {"components": [{"normal": [0, 1]}, {"uniform": [1, 0]}],
                  "weights": [0.5, 0.5]}}, "mixture components[1]: uniform min 1.0 is greater"),
    ({"mixture": {"components": [{"normal": [0, 1]}], "weights": [0.5, 0.5]}},
     "as many weights as components"),
    ({"mixture": [{"normal": [0, 1]}]}, "mixture takes {components = [{...}, {...}]"),
    ({"empirical": [1, 2]}, "empirical takes {values = [...]}"),
    ({"normal": [0, 1], "min": 5, "max": 3}, "min 5.0 is greater than max 3.0"),
    ({"uniform": [0, 1], "min": 2}, "holds no probability"),
    ({"fixed": 2, "max": 3}, "a fixed value cannot be truncated"),
    ({"normal": [0, 1], "mni": 0}, "unknown key 'mni' in normal table; did you mean 'min'?"),
])
def test_bad_arguments_give_one_line_errors(spec, message):
    with pytest.raises(DistributionError) as info:
        parse(spec)
    text = str(info.value)
    assert text.startswith("parameter 'x': ") and message in text and "\n" not in text


def test_mixture_of_two_normals_has_the_known_variance():
    d = Mixture([Normal(-1.0, 0.5), Normal(2.0, 1.0)], [0.25, 0.75])
    var = 0.25 * (0.25 + 1.0) + 0.75 * (1.0 + 4.0) - d.mean**2
    x = d.sample(rng(), N)
    assert d.mean == pytest.approx(1.25)
    assert x.var() == pytest.approx(var, rel=0.02)


def test_truncation_keeps_every_draw_of_uniform_inside():
    d = Truncated(Uniform(0.0, 10.0), 2.0, 4.0)
    assert d.mean == pytest.approx(3.0, rel=1e-10)
    np.testing.assert_allclose(d.ppf(GRID), 2.0 + 2.0 * GRID, rtol=1e-12)


def test_new_families_run_end_to_end_and_show_in_the_report(tmp_path):
    from riskcalc.cli import main

    (tmp_path / "obs.csv").write_text("x\n1\n2\n3\n4\n", encoding="utf-8")
    path = write_model(tmp_path, "\n".join([
        'x = { mixture = { components = [{ normal = { p05 = 1, p95 = 3 } }, '
        '{ uniform = [5, 6] }], weights = [0.5, 0.5] } }',
        'y = { normal = [10, 2], min = 8, max = 11 }',
        'z = { empirical = { file = "obs.csv" } }',
        'e = { bernoulli = 0.25 }',
    ]))
    out = tmp_path / "run"
    assert main(["run", str(path), "--n", "4000", "--seed", "2", "--out", str(out), "--quiet",
                 "--report"]) == 0
    scenarios = pd.read_parquet(out / "scenarios.parquet")
    assert set(np.unique(scenarios["z"])) == {1.0, 2.0, 3.0, 4.0}
    assert set(np.unique(scenarios["e"])) == {0.0, 1.0}
    assert scenarios["y"].between(8, 11).all()
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "mixture (normal, uniform)" in page and "normal, truncated" in page
    assert "empirical" in page and "Uncertain inputs" in page


@pytest.mark.parametrize("spec", [
    {"normal": [0, 1], "min": 0},
    {"mixture": {"components": [{"normal": [0, 1]}, {"uniform": [5, 6]}], "weights": [0.5, 0.5]}},
    {"empirical": {"values": [1, 2, 3]}},
    {"pert": {"p05": 1, "mode": 2, "p95": 4}},
])
def test_new_families_survive_pickling_for_worker_processes(spec):
    import pickle

    d = parse(spec)
    u = np.linspace(0.0, 1.0, 11)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(d)).ppf(u), d.ppf(u))
