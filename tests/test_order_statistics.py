"""The sorted column's stand-in reads as np.sort's array reads, to the bit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import MODELS

from riskcalc import load_model, simulate
from riskcalc.decision.tables import risk_tables
from riskcalc.engine import order_statistics, reductions
from riskcalc.engine.kernel_cache import ENV
from riskcalc.engine.order_statistics import OrderStatistics, sorted_values

SEED = 20261130
N = 100_003


@pytest.fixture(autouse=True)
def compiled(monkeypatch):
    monkeypatch.setenv(ENV, "numba")
    monkeypatch.setattr(order_statistics, "MIN_SIZE", 1000)
    reductions.load()


COLUMNS = {
    "normal": lambda rng: rng.normal(3e7, 1e7, N),
    "ties": lambda rng: rng.integers(-50, 50, N).astype(float),
    "zeros and signs": lambda rng: np.where(rng.random(N) < 0.3, rng.choice([0.0, -0.0], N),
                                            rng.normal(size=N)),
    "skewed": lambda rng: rng.pareto(3.0, N),
}


@pytest.mark.parametrize("kind", COLUMNS)
def test_ranks_heads_and_counts_read_as_the_sorted_array_reads(kind):
    rng = np.random.default_rng(SEED)
    values = COLUMNS[kind](rng)
    expected = np.sort(values)
    ordered = sorted_values(values, head=0.11)
    assert isinstance(ordered, OrderStatistics)
    for rank in (0, 1, N // 20, (N - 1) // 10, N // 2, N - 2, N - 1, -1):
        assert ordered[rank] == expected[rank]
    ranks = rng.integers(0, N, 300)
    # The same bits, but for the sign of a zero among zeros of both signs (tied
    # values: np.sort and np.partition order them differently too).
    same = np.array_equal if kind == "zeros and signs" else (
        lambda a, b: a.tobytes() == b.tobytes())
    assert same(ordered[ranks], expected[ranks])
    for m in (1, 7, N // 20, N // 10, N // 4, N):  # past the head too
        assert same(ordered[:m], expected[:m])
        assert ordered[:m].sum() == expected[:m].sum()
    points = [0.0, -0.0, -1e300, 1e300, np.nan, *expected[rng.integers(0, N, 20)],
              *(expected[rng.integers(0, N, 20)] + 1e-9)]
    for side in ("left", "right"):
        for v in points:
            assert ordered.searchsorted(v, side=side) == np.searchsorted(expected, v, side=side)
    assert np.array_equal(ordered.searchsorted(np.asarray(points)),
                          np.searchsorted(expected, points))


def test_columns_it_cannot_read_faster_are_sorted():
    rng = np.random.default_rng(SEED)
    for values in (np.full(N, 2.5), rng.lognormal(0.0, 4.0, N),  # one bin would hold most
                   np.append(rng.random(N - 1), np.inf), rng.random(500)):
        out = sorted_values(values, head=0.1)
        assert isinstance(out, np.ndarray)
        assert out.tobytes() == np.sort(values).tobytes()


@pytest.mark.parametrize(("model", "level"), [("labour_market.toml", 0.95),
                                              ("early_support.toml", 0.8)])
def test_the_tables_read_from_stand_ins_equal_the_straightforward_ones_to_the_bit(
        monkeypatch, model, level):
    result = simulate(load_model(MODELS / model), 60_001, seed=SEED)
    monkeypatch.setenv(ENV, "numpy")
    slow = risk_tables(result, level=level, one_pass=False)
    monkeypatch.setenv(ENV, "numba")
    used = []
    monkeypatch.setattr(order_statistics, "OrderStatistics",
                        lambda *args, **kw: used.append(1) or OrderStatistics(*args, **kw))
    fast = risk_tables(result, level=level, n_jobs=2)
    assert len(used) > 10
    for name in fast:
        pd.testing.assert_frame_equal(fast[name], slow[name], check_exact=True, obj=name)
