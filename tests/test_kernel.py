"""The fused kernel against the straightforward numpy evaluation, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import MODELS, linear_model_dict

from riskcalc import load_model, model_from_dict
from riskcalc.engine.bands import BINS, BandGrid
from riskcalc.engine.compiled import BLOCK_SIZE, CompiledModel
from riskcalc.engine.kernel import TILE
from riskcalc.engine.sampling import PILOT_KEY, sample_parameters

SEED = 20261128


def every_feature() -> dict:
    """A model that uses every part of the vocabulary the engine evaluates."""
    return {
        "model": {"name": "everything", "years": 12, "optimism_bias": 0.2,
                  "discount_rate": {"schedule": [[1, "rate"], [6, 0.02]]},
                  "investment": "cost * 1.5"},
        "actors": {"payer": "Payer",
                   "gainer": {"label": "Gainer", "realisation": {"uniform": [0.4, 0.9]}},
                   "other": {"label": "Other", "realisation": 0.7},
                   "production": {"label": "Production", "kind": "production"}},
        "parameters": {
            "cost": {"pert": [80.0, 100.0, 150.0]},
            "people": {"uniform": [10.0, 40.0]},
            "rate": {"uniform": [0.01, 0.05]},
            "late": {"discrete": {"values": [0.0, 1.0], "weights": [0.5, 0.5]}},
            "divisor": {"discrete": {"values": [0.0, 1.0], "weights": [0.1, 0.9]}},
        },
        "outcomes": {"helped": {"value": "people", "deadweight": 0.1, "drop_off": 0.15,
                                "start_year": 2}},
        "regimes": {"good": {"weight": 0.7},
                    "bad": {"weight": 0.3, "parameters": {"people": {"uniform": [0, 5]}}}},
        "flow": [
            {"actor": "payer", "kind": "real", "cost": "cost", "when": "year <= 2"},
            {"actor": "payer", "kind": "real", "cost": 7, "when": "year >= 4 and year <= 6"},
            {"actor": "gainer", "kind": "financial", "revenue": "helped * 900",
             "whole_units": 2500},
            {"actor": "other", "kind": "real", "revenue": "helped * year * 10"},
            {"actor": "other", "kind": "financial", "cost": "25", "optimism_bias": 0.0,
             "when": "late > 0.5"},
            {"actor": "production", "kind": "production", "revenue": "helped * 300 / divisor"},
        ],
        "transfer": [{"from": "gainer", "to": "payer", "amount": "cost / 4",
                      "when": "year == 3"}],
    }


def every_feature_programme() -> dict:
    """Every feature, as a programme of three cohorts with a parameter drawn per cohort."""
    data = every_feature()
    data["programme"] = {"cohorts": 3, "intake": "people", "vary_by_cohort": ["people"]}
    data["flow"].append({"actor": "payer", "kind": "real", "cost": "40 + intake",
                         "scope": "programme"})
    return data


MODELS_UNDER_TEST = {
    "labour_market": lambda: load_model(MODELS / "labour_market.toml"),
    "early_support": lambda: load_model(MODELS / "early_support.toml"),
    "linear_with_transfer": lambda: model_from_dict(linear_model_dict(transfer=3.0)),
    "every_feature": lambda: model_from_dict(every_feature()),
    "every_feature_programme": lambda: model_from_dict(every_feature_programme()),
}


@pytest.mark.parametrize("name", MODELS_UNDER_TEST)
def test_fused_kernel_gives_the_numpy_paths_bits(name):
    model = MODELS_UNDER_TEST[name]()
    # Two blocks, the second partial and ending inside a tile.
    n = BLOCK_SIZE + TILE + 17
    params = sample_parameters(model, SEED, 0, n)
    pilot = CompiledModel(model, fused=False).evaluate(
        sample_parameters(model, SEED, PILOT_KEY, BLOCK_SIZE), keep_cumulative=True)
    grid = BandGrid.from_pilot(pilot.cumulative.reshape(-1, BLOCK_SIZE))
    fused = CompiledModel(model, fused=True).evaluate(params, keep_cumulative=True, grid=grid)
    plain = CompiledModel(model, fused=False).evaluate(params, keep_cumulative=True, grid=grid)
    for column, values in plain.outputs.items():
        np.testing.assert_array_equal(fused.outputs[column], values, err_msg=column)
    np.testing.assert_array_equal(fused.cumulative, plain.cumulative)
    np.testing.assert_array_equal(fused.band_counts, plain.band_counts)
    np.testing.assert_array_equal(fused.lowest, plain.lowest)
    np.testing.assert_array_equal(fused.highest, plain.highest)


def test_the_feature_model_exercises_what_it_should():
    model = model_from_dict(every_feature())
    out = CompiledModel(model).evaluate(sample_parameters(model, SEED, 0, 2000)).outputs
    assert np.isnan(out["npv_production"]).any()  # scenarios dividing by zero
    assert np.isfinite(out["npv_payer"]).all()
    assert (out["theoretical_gainer"] > out["npv_gainer"]).all()
    assert np.isnan(out["payback_year"]).any() and (out["payback_year"] >= 1).any()


def test_band_counts_match_a_histogram_computed_with_numpy():
    rng = np.random.default_rng(SEED)
    values = rng.normal(0.0, 1.0, size=(5, 3000))
    values[0, :10] = np.nan
    values[1, :] = np.nan
    values[2, :5] = [-1e9, 1e9, 0.0, -np.inf, np.inf]
    grid = BandGrid(low=np.full(5, -2.0), width=np.full(5, 4.0 / BINS))
    counts, extremes = grid.count(values)

    index = np.floor((values - grid.low[:, None]) / grid.width[:, None])
    column = np.clip(index, -1, BINS) + 1
    for row in range(5):
        seen = column[row][~np.isnan(values[row])].astype(int)
        np.testing.assert_array_equal(counts[row], np.bincount(seen, minlength=BINS + 2))
    with np.errstate(all="ignore"), pytest.warns(RuntimeWarning):
        np.testing.assert_array_equal(extremes[:, 0], np.nanmin(values, axis=1))
        np.testing.assert_array_equal(extremes[:, 1], np.nanmax(values, axis=1))
    assert counts[2, 0] >= 2 and counts[2, -1] >= 2  # below and above the grid
    assert counts[1].sum() == 0  # NaN is not counted
