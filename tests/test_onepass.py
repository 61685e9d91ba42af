"""The tables of a run computed in one pass equal those computed the straightforward way."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from conftest import linear_model_dict
from test_vocabulary import regime_model

from riskcalc import model_from_dict, simulate
from riskcalc.decision.classes import ClassSpec
from riskcalc.decision.tables import risk_tables
from riskcalc.engine.metrics import sorted_quantiles

SEED = 20261129


def assert_same_tables(result, **options):
    fast = risk_tables(result, **options)
    slow = risk_tables(result, one_pass=False, **options)
    assert list(fast) == list(slow)
    for name in fast:
        pd.testing.assert_frame_equal(fast[name], slow[name], check_exact=True, obj=name)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_one_pass_tables_equal_the_straightforward_ones_to_the_bit(labour_market, n_jobs):
    # Several chunks, so the class and band machinery meets chunk edges.
    result = simulate(labour_market, 9_000, seed=SEED, chunk_size=4096)
    assert_same_tables(result, n_jobs=n_jobs)


@pytest.mark.parametrize(("n_jobs", "beside"), [(1, 1), (2, 1), (4, 1), (6, 2), (16, 12)])
def test_value_of_information_beside_the_one_pass_takes_the_threads_it_leaves(
        labour_market, monkeypatch, n_jobs, beside):
    from riskcalc.decision import voi

    given = []
    real = voi.voi_table
    monkeypatch.setattr(voi, "voi_table", lambda result, **kw: (given.append(kw["n_jobs"]),
                                                                 real(result, **kw))[1])
    risk_tables(simulate(labour_market, 2_000, seed=SEED), n_jobs=n_jobs)
    assert given == [beside]  # the one pass works on at most four


@pytest.mark.parametrize("owner", [None, ("municipality", "region")])
def test_the_compiled_reductions_give_the_straightforward_tables_to_the_bit(
        labour_market, monkeypatch, owner):
    # 70,001 scenarios: value of information bins by cells (over 50,000), and the
    # convergence checkpoints reach prefixes of tens of thousands.
    from riskcalc.engine import reductions
    from riskcalc.engine.kernel_cache import ENV

    result = simulate(labour_market, 70_001, seed=SEED)
    monkeypatch.setenv(ENV, "numpy")
    slow = risk_tables(result, owner=owner, one_pass=False)
    monkeypatch.setenv(ENV, "numba")
    fast = risk_tables(result, owner=owner, n_jobs=2)
    assert reductions.loaded()
    assert list(fast) == list(slow)
    for name in fast:
        pd.testing.assert_frame_equal(fast[name], slow[name], check_exact=True, obj=name)


def test_a_run_too_large_to_keep_sorted_actor_npvs_reads_them_again_to_the_same_bit(
        labour_market, tmp_path, monkeypatch):
    # Above the budget the compensating transfers count losers from the columns
    # read again instead of from kept sorted copies (bounded memory at any N).
    from riskcalc.decision import onepass

    monkeypatch.setattr(onepass, "_SORTED_BUDGET", 0)
    streamed = simulate(labour_market, 9_000, seed=SEED, chunk_size=4096, out_dir=tmp_path)
    assert_same_tables(streamed, n_jobs=2)


def test_one_pass_tables_from_a_streamed_run_equal_those_in_memory(labour_market, tmp_path):
    streamed = simulate(labour_market, 9_000, seed=SEED, chunk_size=4096, out_dir=tmp_path)
    in_memory = simulate(labour_market, 9_000, seed=SEED, chunk_size=4096)
    fast, slow = risk_tables(streamed, n_jobs=2), risk_tables(in_memory, one_pass=False)
    for name in fast:
        pd.testing.assert_frame_equal(fast[name], slow[name], check_exact=True, obj=name)


def test_one_pass_leaves_out_nonfinite_scenarios_as_the_straightforward_tables_do():
    data = linear_model_dict()
    data["parameters"]["divisor"] = {"discrete": {"values": [0.0, 1.0], "weights": [0.2, 0.8]}}
    data["flow"].append({"actor": "gainer", "kind": "financial", "revenue": "1 / divisor"})
    result = simulate(model_from_dict(data), 5000, seed=SEED, chunk_size=2048)
    assert result.n_nonfinite > 0
    assert_same_tables(result, classes=ClassSpec("npv_gainer", (-10.0, 0.0, 50.0)))


def test_one_pass_handles_declared_regimes():
    result = simulate(model_from_dict(regime_model()), 6000, seed=SEED, chunk_size=2048)
    assert_same_tables(result)


def test_the_engine_finds_the_nonfinite_scenarios_every_column_would_show():
    data = linear_model_dict()
    data["parameters"]["divisor"] = {"discrete": {"values": [0.0, 1.0], "weights": [0.3, 0.7]}}
    data["flow"].append({"actor": "payer", "kind": "real", "cost": "1 / divisor"})
    result = simulate(model_from_dict(data), 5000, seed=SEED, chunk_size=1500, n_jobs=2)
    scanned = dataclasses.replace(result, nonfinite=None)  # finite from the columns
    np.testing.assert_array_equal(result.finite, scanned.finite)
    assert 0 < result.n_nonfinite < result.n


@pytest.mark.parametrize("n", [1, 2, 3, 10, 101, 4096, 65_537])
def test_quantiles_of_sorted_values_are_numpys_to_the_bit(n):
    rng = np.random.default_rng(n)
    ordered = np.sort(rng.standard_t(3, size=n) * 1e6)
    q = np.concatenate([[0.0, 0.01, 0.05, 0.5, 0.95, 0.99, 1.0], rng.random(50)])
    np.testing.assert_array_equal(sorted_quantiles(ordered, q), np.quantile(ordered, q))
    np.testing.assert_array_equal(sorted_quantiles(ordered, np.divide((5, 50, 95), 100)),
                                  np.percentile(ordered, (5, 50, 95)))


@pytest.mark.parametrize("n, ties", [(1, False), (2, False), (150, False), (5_000, True),
                                     (70_001, False)])
def test_convergence_rows_given_the_sorted_column_equal_numpys(n, ties):
    # With the sorted column, the low quantiles of each prefix come from its values
    # below the run's tenth percentile; the rows must not change by a bit.
    from riskcalc.decision.convergence import column_convergence

    x = np.random.default_rng(n).standard_t(4, size=n) * 1e6 - 2e5
    if ties:
        x = np.round(x, -6)
    assert column_convergence("x", x, ordered=np.sort(x)) == column_convergence("x", x)
