"""Shared fixtures: small models whose results are known in closed form."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskcalc import load_model, model_from_dict

REPO = Path(__file__).resolve().parents[1]
MODELS = REPO / "models"
#: The seed's tables 4.1-4.3 as CSV, kept in the repository (tests/data/README.md).
REFERENCE = REPO / "tests" / "data"


def linear_model_dict(years: int = 10, rate: float = 0.03, transfer: float | None = None) -> dict:
    """A model linear in its parameters: NPVs have a closed form.

    payer pays `cost` in year 1; gainer gains `saving` every year; production gains
    `value` every year from year 2.  An optional transfer moves money from gainer to payer.
    """
    data = {
        "model": {"name": "linear", "years": years, "discount_rate": rate,
                  "investment": "cost"},
        "actors": {"payer": "Payer", "gainer": "Gainer",
                   "production": {"label": "Production", "kind": "production"}},
        "parameters": {
            "cost": {"pert": [80.0, 100.0, 150.0]},
            "saving": {"uniform": [5.0, 25.0]},
            "value": {"triangular": [0.0, 10.0, 20.0]},
        },
        "flow": [
            {"actor": "payer", "kind": "real", "cost": "cost", "when": "year == 1"},
            {"actor": "gainer", "kind": "financial", "revenue": "saving"},
            {"actor": "production", "kind": "production", "revenue": "value",
             "when": "year >= 2"},
        ],
    }
    if transfer is not None:
        data["transfer"] = [{"from": "gainer", "to": "payer", "amount": transfer,
                             "when": "year <= 3"}]
    return data


@pytest.fixture
def linear_model():
    return model_from_dict(linear_model_dict(), source="linear")


@pytest.fixture(scope="session")
def labour_market():
    return load_model(MODELS / "labour_market.toml")
