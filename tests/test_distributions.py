"""Tests for riskcalc.model.distributions."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats

from riskcalc.errors import DistributionError
from riskcalc.model.distributions import (
    PERT,
    Beta,
    Discrete,
    Distribution,
    Fixed,
    LogNormal,
    Normal,
    Triangular,
    TruncatedNormal,
    Uniform,
    parse_distribution,
)

SEED = 20261128
N = 200_000
INF = math.inf


def rng() -> np.random.Generator:
    return np.random.default_rng(SEED)


def pert_beta(a: float, m: float, b: float, lamb: float = 4.0):
    """The scipy Beta that PERT(a, m, b, lamb) is defined to be."""
    alpha, beta = 1 + lamb * (m - a) / (b - a), 1 + lamb * (b - m) / (b - a)
    return stats.beta(alpha, beta, loc=a, scale=b - a)


# (id, distribution, equivalent scipy frozen distribution)
CASES = [
    ("pert", PERT(0.3, 0.475, 0.55), pert_beta(0.3, 0.475, 0.55)),
    ("pert-skewed-lamb6", PERT(100.0, 120.0, 400.0, lamb=6.0), pert_beta(100, 120, 400, 6.0)),
    ("pert-mode-at-min", PERT(0.0, 0.0, 2.0), pert_beta(0, 0, 2)),
    ("triangular", Triangular(0.0, 1.0, 3.0), stats.triang(1 / 3, loc=0, scale=3)),
    ("uniform", Uniform(1.0, 2.5), stats.uniform(1.0, 1.5)),
    ("normal", Normal(10.0, 2.0), stats.norm(10.0, 2.0)),
    ("truncnormal", TruncatedNormal(10, 3, 5, 20), stats.truncnorm(-5 / 3, 10 / 3, 10, 3)),
    ("truncnormal-upper-tail", TruncatedNormal(0, 1, 2, INF), stats.truncnorm(2, INF)),
    ("truncnormal-lower", TruncatedNormal(5, 2, -INF, 4), stats.truncnorm(-INF, -0.5, 5, 2)),
    ("lognormal", LogNormal(1.0, 0.5), stats.lognorm(0.5, scale=math.e)),
    ("beta", Beta(2.0, 5.0), stats.beta(2.0, 5.0)),
    ("beta-scaled", Beta(0.7, 1.5, 10.0, 20.0), stats.beta(0.7, 1.5, loc=10, scale=10)),
]
IDS = [c[0] for c in CASES]
GRID = np.concatenate([[0.0, 1e-9, 1e-4], np.linspace(0.001, 0.999, 199), [1 - 1e-4, 1.0]])


@pytest.mark.parametrize(("case", "dist", "ref"), CASES, ids=IDS)
def test_mean_is_exact_and_matches_sample_mean(case, dist, ref):
    assert dist.mean == pytest.approx(ref.mean(), rel=1e-10, abs=1e-12)
    x = dist.sample(rng(), N)
    assert abs(x.mean() - dist.mean) < 4 * x.std() / math.sqrt(N)


@pytest.mark.parametrize(("case", "dist", "ref"), CASES, ids=IDS)
def test_ppf_matches_scipy_and_is_monotone(case, dist, ref):
    np.testing.assert_allclose(dist.ppf(GRID), ref.ppf(GRID), rtol=1e-10, atol=1e-10)
    fine = dist.ppf(np.linspace(0.0, 1.0, 10_001))
    assert np.all(np.diff(fine) >= 0)


@pytest.mark.parametrize(("case", "dist", "ref"), CASES, ids=IDS)
def test_samples_stay_in_support(case, dist, ref):
    x = dist.sample(rng(), 20_000)
    lo, hi = ref.support()
    assert x.dtype == np.float64 and x.shape == (20_000,)
    assert np.all((x >= lo) & (x <= hi))


@pytest.mark.parametrize(("case", "dist", "ref"), CASES, ids=IDS)
def test_base_defaults_to_mode_or_median(case, dist, ref):
    expected = dist.mode if isinstance(dist, PERT | Triangular) else ref.median()
    assert dist.base == pytest.approx(expected, rel=1e-10, abs=1e-12)
    assert not dist.is_fixed


def test_explicit_base_is_honoured():
    assert PERT(0.3, 0.475, 0.55, base=0.5).base == 0.5
    assert Triangular(0, 1, 3, base=2).base == 2.0
    assert Normal(0, 1, base=-0.3).base == -0.3
    assert TruncatedNormal(0, 1, 0, 2, base=1.5).base == 1.5
    assert LogNormal.from_interval(2, 10, base=4.0).base == 4.0
    assert Beta(2, 3, base=0.9).base == 0.9
    assert Discrete([1, 2], [0.5, 0.5], base=1.5).base == 1.5


def test_ppf_of_half_is_median_for_symmetric_families():
    assert float(Normal(3.0, 2.0).ppf(0.5)) == 3.0
    assert float(Uniform(-1.0, 5.0).ppf(0.5)) == 2.0
    assert float(PERT(0.0, 1.0, 2.0).ppf(0.5)) == pytest.approx(1.0, abs=1e-14)
    assert float(Triangular(0.0, 1.0, 2.0).ppf(0.5)) == pytest.approx(1.0, abs=1e-14)


def test_ppf_clips_u_and_keeps_shape():
    d = PERT(0.0, 1.0, 4.0)
    assert d.ppf(np.array([-0.5, 1.5])).tolist() == [0.0, 4.0]
    assert d.ppf(np.full((3, 2), 0.5)).shape == (3, 2)
    assert isinstance(d.ppf(0.25), np.ndarray)


def test_pert_mean_and_variance_formulas():
    a, m, b = 0.3, 0.475, 0.55
    d = PERT(a, m, b)
    mean = (a + 4 * m + b) / 6
    assert d.mean == pytest.approx(mean, rel=1e-14)
    assert pert_beta(a, m, b).var() == pytest.approx((mean - a) * (b - mean) / 7, rel=1e-12)
    x = d.sample(rng(), N)
    se = x.std() / math.sqrt(N)
    assert abs(x.mean() - mean) < 4 * se
    assert x.var() == pytest.approx((mean - a) * (b - mean) / 7, rel=0.02)


def test_same_seed_gives_identical_samples():
    for _, dist, _ in CASES:
        np.testing.assert_array_equal(dist.sample(rng(), 1000), dist.sample(rng(), 1000))
    d = Discrete([1, 2, 3], [0.2, 0.3, 0.5])
    np.testing.assert_array_equal(d.sample(rng(), 1000), d.sample(rng(), 1000))


def test_sampling_does_not_touch_global_numpy_random_state():
    np.random.seed(1)  # noqa: NPY002 - only to observe the global state
    before = np.random.get_state()[1].copy()  # noqa: NPY002
    for _, dist, _ in CASES:
        dist.sample(rng(), 10)
    Discrete([1, 2], [0.5, 0.5]).sample(rng(), 10)
    np.testing.assert_array_equal(np.random.get_state()[1], before)  # noqa: NPY002


def test_fixed_is_constant():
    d = Fixed(3)
    assert d.is_fixed and d.mean == 3.0 and d.base == 3.0
    np.testing.assert_array_equal(d.sample(rng(), 4), np.full(4, 3.0))
    assert d.sample(rng(), 4).dtype == np.float64
    np.testing.assert_array_equal(d.ppf([0.0, 0.5, 1.0]), [3.0, 3.0, 3.0])


def test_lognormal_from_interval_hits_its_percentiles():
    d = LogNormal.from_interval(2.0, 10.0)
    assert float(d.ppf(0.05)) == pytest.approx(2.0, rel=1e-10)
    assert float(d.ppf(0.95)) == pytest.approx(10.0, rel=1e-10)
    assert d.base == pytest.approx(math.sqrt(20.0), rel=1e-12)
    d80 = LogNormal.from_interval(2.0, 10.0, level=0.8)
    assert float(d80.ppf(0.1)) == pytest.approx(2.0, rel=1e-10)
    assert float(d80.ppf(0.9)) == pytest.approx(10.0, rel=1e-10)


def test_lognormal_from_mean_sd_reproduces_mean_and_sd():
    d = LogNormal.from_mean_sd(5000.0, 1500.0)
    ref = stats.lognorm(d.sigma, scale=math.exp(d.mu))
    assert d.mean == pytest.approx(5000.0, rel=1e-12)
    assert ref.std() == pytest.approx(1500.0, rel=1e-10)


def test_discrete_frequencies_match_weights():
    d = Discrete([30.0, 10.0, 20.0, 40.0], [0.2, 0.5, 0.3, 0.0])
    x = d.sample(rng(), N)
    for value, w in [(10.0, 0.5), (20.0, 0.3), (30.0, 0.2)]:
        assert abs(np.mean(x == value) - w) < 4 * math.sqrt(w * (1 - w) / N)
    assert not np.any(x == 40.0)
    assert d.mean == pytest.approx(17.0, rel=1e-14)


def test_discrete_ppf_steps_at_cumulative_weights():
    d = Discrete([3, 1, 2], [0.2, 0.5, 0.3])  # sorted: 1 (0.5), 2 (0.8), 3 (1.0)
    u = [0.0, 0.25, 0.5, 0.500001, 0.8, 0.800001, 1.0]
    assert d.ppf(u).tolist() == [1.0, 1.0, 1.0, 2.0, 2.0, 3.0, 3.0]
    assert d.base == 1.0  # value at the weighted median
    assert Discrete([1, 2, 3], [0.2, 0.2, 0.6]).base == 3.0


def test_repr_shows_what_the_user_wrote():
    assert repr(PERT(0.3, 0.475, 0.55)) == "PERT(min=0.3, mode=0.475, max=0.55)"
    assert repr(PERT(0, 1, 2, base=1.5, lamb=6)) == (
        "PERT(min=0.0, mode=1.0, max=2.0, base=1.5, lamb=6.0)")
    assert repr(TruncatedNormal(1, 2, 0, INF)) == (
        "TruncatedNormal(mean=1.0, sd=2.0, low=0.0, high=inf)")
    assert repr(LogNormal.from_interval(2, 10)) == "LogNormal.from_interval(low=2.0, high=10.0)"
    assert repr(Beta(2, 3)) == "Beta(a=2.0, b=3.0)"
    assert repr(Fixed(3)) == "Fixed(3.0)"


def test_distributions_pickle_and_compare_equal():
    dists = [d for _, d, _ in CASES] + [Fixed(1.0), Discrete([1, 2], [0.5, 0.5])]
    for d in dists:
        copy = pickle.loads(pickle.dumps(d))
        assert copy == d and hash(copy) == hash(d) and copy.mean == d.mean


@settings(max_examples=60, deadline=None)
@given(
    lo=st.floats(-1e6, 1e6),
    left=st.floats(1e-3, 1e6),
    right=st.floats(1e-3, 1e6),
    seed=st.integers(0, 2**32 - 1),
)
def test_pert_samples_within_bounds_and_ppf_monotone(lo, left, right, seed):
    mode = lo + left
    hi = mode + right
    assume(lo < mode < hi)
    d = PERT(lo, mode, hi)
    x = d.sample(np.random.default_rng(seed), 2000)
    assert np.all((x >= lo) & (x <= hi))
    q = d.ppf(np.linspace(0.0, 1.0, 513))
    assert np.all(np.diff(q) >= 0) and q[0] == lo and q[-1] == hi


# ---------------------------------------------------------------- parse_distribution

@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (3, Fixed(3.0)),
        (2.5, Fixed(2.5)),
        ({"fixed": 3.0}, Fixed(3.0)),
        ({"pert": [0.3, 0.475, 0.55]}, PERT(0.3, 0.475, 0.55)),
        ({"pert": [0.3, 0.475, 0.55], "base": 0.5, "description": "share", "unit": "1"},
         PERT(0.3, 0.475, 0.55, base=0.5)),
        ({"triangular": [0, 1, 3]}, Triangular(0, 1, 3)),
        ({"uniform": [1, 2]}, Uniform(1, 2)),
        ({"normal": [10, 2], "unit": "SEK"}, Normal(10, 2)),
        ({"truncnormal": [10, 3, 0, INF]}, TruncatedNormal(10, 3, 0, INF)),
        ({"lognormal": {"mean": 5.0, "sd": 2.0}}, LogNormal.from_mean_sd(5.0, 2.0)),
        ({"lognormal": {"p05": 2, "p95": 10}}, LogNormal.from_interval(2, 10)),
        ({"lognormal": {"mu": 0.5, "sigma": 0.2}}, LogNormal(0.5, 0.2)),
        ({"beta": [2, 3]}, Beta(2, 3)),
        ({"beta": [2, 3, 10, 20], "base": 12}, Beta(2, 3, 10, 20, base=12)),
        ({"discrete": {"values": [1, 2], "weights": [0.25, 0.75]}},
         Discrete((1.0, 2.0), (0.25, 0.75))),
    ],
)
def test_parse_distribution_accepts_each_spec_shape(spec, expected):
    got = parse_distribution(spec, name="x")
    assert isinstance(got, Distribution)
    assert got == expected and type(got) is type(expected)


NAN = float("nan")
BAD_SPECS = [
    ({"pert": [0.3, 0.7, 0.55]}, r"pert mode 0\.7 is outside \[min, max\] = \[0\.3, 0\.55\]"),
    ({"pert": [0.55, 0.4, 0.3]}, r"pert min 0\.55 is greater than max 0\.3"),
    ({"uniform": [1, 1]}, r"uniform min and max are both 1\.0; use a fixed value"),
    ({"pert": [2, 2, 2]}, r"use a fixed value"),
    ({"triangular": [0, 5, 3]}, r"triangular mode 5\.0 is outside \[min, max\]"),
    ({"normal": [1, 0]}, r"normal sd must be > 0, got 0\.0"),
    ({"truncnormal": [0, -1, 0, 1]}, r"truncnormal sd must be > 0, got -1\.0"),
    ({"lognormal": {"mu": 0, "sigma": 0}}, r"lognormal sigma must be > 0"),
    ({"lognormal": {"mean": 1}},
     r"lognormal takes \{mean, sd\} or \{p05, p95\} or \{mu, sigma\}, got keys \['mean'\]"),
    ({"lognormal": {"p05": 5, "p95": 2}}, r"low \(p05\) 5\.0 is greater than high \(p95\) 2\.0"),
    ({"lognormal": {"p05": 0, "p95": 2}}, r"low \(p05\) must be > 0, got 0\.0"),
    ({"lognormal": {"mu": 0, "sigma": 1}, "base": -1}, r"lognormal base -1 must be > 0"),
    ({"discrete": {"values": [1, 2], "weights": [0.5, 0.6]}}, r"must sum to 1.*sum to 1\.1"),
    ({"discrete": {"values": [1, 2], "weights": [1.2, -0.2]}}, r"weights must be >= 0, got -0\.2"),
    ({"discrete": {"values": [1, 2, 3], "weights": [0.5, 0.5]}}, r"3 values and 2 weights"),
    ({"discrete": {"values": [], "weights": []}}, r"discrete values must not be empty"),
    ({"discrete": {"values": [1, 2]}}, r"discrete takes \{values = \[\.\.\.\], weights"),
    ({"beta": [0, 2]}, r"beta a must be > 0, got 0\.0"),
    ({"beta": [1, -2]}, r"beta b must be > 0, got -2\.0"),
    ({"beta": [1, 2, 3]}, r"beta takes \[a, b\] or \[a, b, low, high\], got 3 numbers"),
    ({"truncnormal": [0, 1, 2, 1]}, r"truncnormal low 2\.0 is greater than high 1\.0"),
    ({"truncnormal": [0, 1, 40, 50]}, r"holds no probability"),
    ({"pert": [0.3, 0.4, 0.55], "base": 0.9},
     r"pert base 0\.9 is outside the support \[0\.3, 0\.55\]"),
    ({"discrete": {"values": [1, 2], "weights": [0.5, 0.5]}, "base": 3}, r"base 3\.0 is outside"),
    ({"pert": [0.3, 0.4]}, r"pert takes \[min, mode, max\], got 2 numbers"),
    ({"pert": 0.3}, r"pert takes \[min, mode, max\] or \{min, mode, max\} or \{p05, mode, p95\}, "
                    r"got 0\.3"),
    ({"pert": [0.3, "a", 0.5]}, r"pert mode must be a number, got 'a'"),
    ({"uniform": [0, True]}, r"uniform max must be a number, got True"),
    ({"normal": [NAN, 1]}, r"normal mean must be a finite number, got nan"),
    ({"uniform": [0, INF]}, r"uniform max must be a finite number, got inf"),
    ({"truncnormal": [0, 1, NAN, 1]}, r"truncnormal low must be a number or \+/-inf, not NaN"),
    ({"prt": [1, 2, 3]}, r"unknown distribution family 'prt'; did you mean 'pert'\?; valid"),
    ({"pert": [1, 2, 3], "uniform": [1, 2]}, r"exactly one distribution family, got 'pert', 'uni"),
    ({}, r"exactly one distribution family, got none; valid families: fixed, pert"),
    ({"base": 1, "unit": "SEK"}, r"exactly one distribution family, got none"),
    ({"pert": [1, 2, 3], "lamda": 4}, r"unknown key 'lamda' in pert table; allowed extra keys"),
    ({"fixed": 3, "base": 4}, r"fixed base 4 differs from the fixed value 3\.0"),
    ({"fixed": "3"}, r"fixed value must be a number, got '3'"),
    (True, r"expected a number or a table .*got True"),
    ("pert", r"expected a number or a table .*got 'pert'"),
]


@pytest.mark.parametrize(("spec", "match"), BAD_SPECS, ids=[m[:40] for _, m in BAD_SPECS])
def test_parse_distribution_refuses_bad_spec_naming_parameter(spec, match):
    with pytest.raises(DistributionError, match=r"^parameter 'success_rate': .*" + match) as info:
        parse_distribution(spec, name="success_rate")
    assert "\n" not in str(info.value)


def test_direct_construction_errors_are_distribution_errors():
    with pytest.raises(DistributionError, match=r"lognormal interval level must be in \(0, 1\)"):
        LogNormal.from_interval(1, 2, level=1.5)
    with pytest.raises(DistributionError, match=r"lognormal mean must be > 0"):
        LogNormal.from_mean_sd(-1, 1)
    with pytest.raises(ValueError, match=r"pert lamb must be > 0"):
        PERT(0, 1, 2, lamb=0)
