"""The compiled table reductions give numpy's numbers to the last bit (``==``, not close)."""

from __future__ import annotations

import numpy as np
import pytest

from riskcalc.decision import voi
from riskcalc.engine import reductions

RNG = np.random.default_rng(20261130)
#: Every size up to 300 (numpy's blocks of 8 and 128 and their remainders), then
#: random sizes up to three million (several levels of pairwise halves).
SIZES = [*range(1, 301), *sorted(RNG.integers(301, 3_000_000, 12).tolist())]


def columns(n: int) -> dict[str, np.ndarray]:
    """Awkward columns: a wide spread with an offset, ties, negative zeros, all one sign."""
    rng = np.random.default_rng(n)
    ties = rng.integers(-3, 4, n).astype(float) * 1e6
    ties[rng.random(n) < 0.2] = -0.0
    return {"spread": rng.standard_normal(n) * 1e7 + 3e6 * rng.random() - 1e6,
            "ties": ties,
            "positive": rng.lognormal(10, 2, n)}


@pytest.fixture(scope="module", autouse=True)
def loaded():
    reductions.load()


def test_mean_and_std_are_numpys_for_every_size():
    wrong = []
    for n in SIZES:
        for name, x in columns(n).items():
            mean, std = reductions.mean_std(x)
            if mean != x.mean() or not (np.isnan(std) if n == 1 else std == x.std(ddof=1)):
                wrong.append((n, name))
    assert wrong == []


def test_a_sum_of_negative_zeros_is_positive_zero_as_numpys():
    for n in (1, 7, 8, 128, 129, 1000):
        mean, std = reductions.mean_std(np.full(n, -0.0))
        assert not np.signbit(mean) and mean == np.full(n, -0.0).mean()


def test_prefix_statistics_are_numpys_of_each_prefix():
    for n in [1, 2, 9, 130, 1000, 250_000, 1_234_567]:
        for x in columns(n).values():
            sizes = np.unique(np.geomspace(1, n, 25).round().astype(np.int64))
            threshold = np.sort(x)[(n - 1) // 10]
            k = sizes.size
            means, stds = np.empty(k), np.empty(k)
            negatives, lows = np.empty(k, np.int64), np.empty(k, np.int64)
            low = np.empty(n + 1)
            reductions.prefix_statistics(x, sizes, threshold, means, stds, negatives, lows, low)
            for i, m in enumerate(sizes):
                prefix = x[:m]
                assert means[i] == prefix.mean()
                assert stds[i] == prefix.std(ddof=1) if m > 1 else np.isnan(stds[i])
                assert negatives[i] == np.count_nonzero(prefix < 0)
                np.testing.assert_array_equal(low[:lows[i]], prefix[prefix <= threshold])


def plan(theta: np.ndarray) -> tuple[np.ndarray, float, float, np.ndarray, int]:
    """What :func:`riskcalc.decision.voi._bin_plan` gives the kernels."""
    return voi._bin_plan(theta, None)


@pytest.mark.parametrize("n", [50, 4096, 60_000, 1_000_003])
@pytest.mark.parametrize("kind", ["continuous", "discrete", "constant"])
def test_bin_totals_and_term_moments_are_numpys(n, kind):
    rng = np.random.default_rng(n)
    theta = {"continuous": rng.normal(5, 2, n), "discrete": rng.integers(0, 5, n) * 0.5,
             "constant": np.full(n, 2.0)}[kind]
    y = rng.standard_normal(n) * 1e6 + 2e5 * (theta - theta.mean())
    y[::7] = -0.0
    index, k = voi._bins(theta, None)  # the reference
    sums_ref = np.bincount(index, weights=y, minlength=k)
    counts_ref = np.bincount(index, minlength=k)
    given, lo, factor, lookup, bins = plan(theta)
    assert bins == k
    given = given.astype(np.int32)
    sums, counts = np.zeros(k), np.zeros(k, np.int64)
    found = np.empty(0 if given.size else n, np.int32)
    reductions.bin_totals(theta, y, given, lo, factor, lookup, sums, counts, found)
    np.testing.assert_array_equal(sums, sums_ref)
    np.testing.assert_array_equal(counts, counts_ref)
    if not given.size:
        np.testing.assert_array_equal(found, index)  # each scenario's bin, kept
    for approve_now in (0.0, 1.0):
        weights = (sums_ref / np.maximum(counts_ref, 1) > 0).astype(float) - approve_now
        terms = y * weights[index]
        # With no bin per scenario given, the bins are found from θ again, or read as kept.
        for bins_of in ((given,) if given.size else (given, found)):
            mean, std = reductions.term_mean_std(theta, y, bins_of, lo, factor, lookup,
                                                 weights)
            assert mean == terms.mean() and std == terms.std(ddof=1)
