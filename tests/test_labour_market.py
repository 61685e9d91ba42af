"""The labour-market model: the engine against a hand-written numpy version of it."""

from __future__ import annotations

import sys

import numpy as np
from conftest import REPO

from riskcalc import simulate

sys.path.insert(0, str(REPO / "experiments"))
from plain_labour_market import ACTORS, plain_vectorised  # noqa: E402


def test_engine_matches_the_hand_written_model_on_the_same_draws(labour_market):
    result = simulate(labour_market, 9000, seed=4, chunk_size=4000)
    expected = plain_vectorised(result.parameters)
    for name in [*(f"npv_{a}" for a in ACTORS), "npv_society", "roi"]:
        scale = np.abs(expected[name]).max() or 1.0
        np.testing.assert_allclose(result.outputs[name], expected[name], rtol=1e-9,
                                   atol=1e-9 * scale, err_msg=name)
    np.testing.assert_array_equal(result.outputs["payback_year"], expected["payback_year"])


def test_every_uncertain_input_of_the_seed_is_declared(labour_market):
    assert len(labour_market.uncertain_parameters) == 13
    assert labour_market.actor_keys == ACTORS
