"""The labour-market model written out by hand: the baselines riskcalc is measured against.

Two independent implementations of ``models/labour_market.toml``:

* :func:`plain_vectorised` — straightforward numpy over (scenarios × years), the
  way one would write this model without riskcalc; also a correctness reference.
* :func:`plain_loop` — one scenario at a time in plain Python, as a spreadsheet
  macro or a first script would do it.
"""

from __future__ import annotations

import math

import numpy as np

YEARS = 20
ACTORS = ("labour_office", "municipality", "employment_service", "social_insurance",
          "region", "justice", "others", "production")


def plain_vectorised(p: dict[str, np.ndarray], years: int = YEARS) -> dict[str, np.ndarray]:
    """NPV per actor and society, ROI and payback year for arrays of parameters (n,)."""
    t = np.arange(1, years + 1)[None, :]
    employed = (p["participants"] * p["success_rate"] * (1 - p["deadweight"]))[:, None] * (
        1 - p["relapse"][:, None]) ** (t - 1)
    first = t == 1
    discount = (1 + p["discount_rate"][:, None]) ** -(t - 1.0)
    flows = {
        "labour_office": first * (p["budget"] - p["program_cost"])[:, None],
        "municipality": employed * p["municipality_saving"][:, None]
        - first * p["budget"][:, None],
        "employment_service": employed * p["employment_service_revenue"][:, None]
        - first * employed * (p["wage_subsidy"] * p["wage_subsidy_share"])[:, None],
        "social_insurance": employed * p["social_insurance_saving"][:, None],
        "region": employed * p["region_saving"][:, None],
        "justice": employed * p["justice_saving"][:, None],
        "others": np.zeros_like(employed),
        "production": employed * p["production_value"][:, None],
    }
    out = {f"npv_{a}": (flows[a] * discount).sum(axis=1) for a in ACTORS}
    society = sum(flows.values()) * discount
    out["npv_society"] = society.sum(axis=1)
    out["roi"] = out["npv_society"] / p["program_cost"]
    cumulative = np.cumsum(society, axis=1)
    paid = cumulative >= 0
    out["payback_year"] = np.where(paid.any(axis=1), paid.argmax(axis=1) + 1.0, np.nan)
    return out


def _pert(rng: np.random.Generator, lo: float, mode: float, hi: float) -> float:
    a = 1 + 4 * (mode - lo) / (hi - lo)
    b = 1 + 4 * (hi - mode) / (hi - lo)
    return lo + rng.beta(a, b) * (hi - lo)


#: Cost kind of each per-person saving (as in the model file).
_KIND = {"municipality": "financial", "social_insurance": "financial", "region": "real",
         "justice": "real", "employment_service": "financial", "production": "production"}


def plain_loop(rng: np.random.Generator, n: int, years: int = YEARS) -> dict[str, np.ndarray]:
    """The model's outputs, drawn and computed one scenario at a time.

    The same outputs as riskcalc: NPV of every actor, of society and by cost kind,
    ROI, payback year and the investment hump of every actor and of society.
    """
    out = {name: np.empty(n) for name in
           [*(f"npv_{a}" for a in ACTORS), "npv_society", "npv_real", "npv_financial",
            "npv_production", "roi", "payback_year", *(f"hump_{a}" for a in ACTORS),
            "hump_society"]}
    for i in range(n):
        success = _pert(rng, 0.30, 0.475, 0.55)
        cost = _pert(rng, 21.0e6, 22.743e6, 26.0e6)
        per_person = {
            "municipality": _pert(rng, 150e3, 193.9e3, 230e3),
            "social_insurance": _pert(rng, 15e3, 25.3e3, 35e3),
            "region": _pert(rng, 10e3, 22.48e3, 30e3),
            "justice": _pert(rng, 0, 4.68e3, 10e3),
            "employment_service": _pert(rng, 10e3, 14.05e3, 18e3),
            "production": _pert(rng, 50e3, 73.5e3, 120e3),
        }
        subsidy = _pert(rng, 60e3, 73.5e3, 80e3) * rng.uniform(0.8, 1.0)
        relapse = rng.uniform(0.05, 0.25)
        deadweight = rng.uniform(0.0, 0.3)
        rate = rng.uniform(0.01, 0.05)
        employed0 = 459 * success * (1 - deadweight)
        cumulative = dict.fromkeys(ACTORS, 0.0)
        lowest = dict.fromkeys(ACTORS, 0.0)
        kinds = {"real": 0.0, "financial": 0.0, "production": 0.0}
        society = society_lowest = 0.0
        payback = math.nan
        for t in range(1, years + 1):
            employed = employed0 * (1 - relapse) ** (t - 1)
            discount = math.pow(1 + rate, -(t - 1))
            net = dict.fromkeys(ACTORS, 0.0)
            for actor, amount in per_person.items():
                net[actor] += employed * amount
                kinds[_KIND[actor]] += employed * amount * discount
            if t == 1:
                net["labour_office"] += 18_823_000 - cost
                net["municipality"] -= 18_823_000
                net["employment_service"] -= employed * subsidy
                kinds["real"] -= cost * discount
                kinds["financial"] -= employed * subsidy * discount
            for actor in ACTORS:
                cumulative[actor] += net[actor] * discount
                lowest[actor] = min(lowest[actor], cumulative[actor])
            society += sum(net.values()) * discount
            society_lowest = min(society_lowest, society)
            if society >= 0 and math.isnan(payback):
                payback = t
        for actor in ACTORS:
            out[f"npv_{actor}"][i] = cumulative[actor]
            out[f"hump_{actor}"][i] = 0.0 - lowest[actor]  # 0.0, not -0.0
        out["npv_society"][i] = society
        for kind, value in kinds.items():
            out[f"npv_{kind}"][i] = value
        out["roi"][i] = society / cost
        out["payback_year"][i] = payback
        out["hump_society"][i] = 0.0 - society_lowest
    return out


def plain_sample(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """Draw the model's 13 uncertain parameters for n scenarios, the plain way."""

    def pert(lo: float, mode: float, hi: float) -> np.ndarray:
        a = 1 + 4 * (mode - lo) / (hi - lo)
        b = 1 + 4 * (hi - mode) / (hi - lo)
        return lo + rng.beta(a, b, n) * (hi - lo)

    return {
        "participants": np.full(n, 459.0), "budget": np.full(n, 18_823_000.0),
        "success_rate": pert(0.30, 0.475, 0.55), "program_cost": pert(21.0e6, 22.743e6, 26.0e6),
        "municipality_saving": pert(150e3, 193.9e3, 230e3),
        "social_insurance_saving": pert(15e3, 25.3e3, 35e3),
        "region_saving": pert(10e3, 22.48e3, 30e3), "justice_saving": pert(0, 4.68e3, 10e3),
        "employment_service_revenue": pert(10e3, 14.05e3, 18e3),
        "wage_subsidy": pert(60e3, 73.5e3, 80e3), "wage_subsidy_share": rng.uniform(0.8, 1.0, n),
        "production_value": pert(50e3, 73.5e3, 120e3), "relapse": rng.uniform(0.05, 0.25, n),
        "deadweight": rng.uniform(0.0, 0.3, n), "discount_rate": rng.uniform(0.01, 0.05, n),
    }
