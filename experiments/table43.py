"""Calibrate models/labour_market_programme.toml to the seed's table 4.3 (21 cells).

Table 4.3 of the seed (Nilsson 2017) projects the labour-market office's effects,
accumulated by cost kind (real, production value, financial) to years 1, 2, 3, 4,
5, 10 and 20, "under caution assumptions about fading effects, relapse into
unemployment, discounting of future effects".  This script fits those assumptions
(the parameters in CALIBRATED) by least squares on the log ratio of riskcalc's
base case to each cell, through riskcalc's own engine, prints every cell (seed,
riskcalc, difference) with the calibrated values, and writes reports/table43.md.

Run:  python experiments/table43.py   (about a minute)
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from riskcalc import load_model, model_from_dict, simulate  # noqa: E402
from riskcalc.results.accumulated import (  # noqa: E402
    TABLE_4_3_YEARS,
    accumulated,
    claim_table,
)

MODEL = REPO / "models" / "labour_market_programme.toml"
SEED = REPO / "tests" / "data" / "seed_table_4_3_projected_accumulated.csv"
OUT = REPO / "reports" / "table43.md"
#: The caution assumptions fitted, with the bounds a sensible reading allows.
CALIBRATED = {
    "relapse": (0.0, 0.5),
    "full_year_production": (0.5, 3.0),
    "full_year_real": (0.2, 3.0),
    "real_fading": (0.0, 0.6),
    "full_year_financial": (0.05, 3.0),
    "financial_fading": (0.0, 0.6),
    "continuation": (0.0, 1.0),
}
#: The seed's rate: its year-1 production value is 16,023,000 / 1.04.
SEED_RATE = 0.04
KINDS = {"real": "real", "production": "production_value", "financial": "financial"}
GOAL = 0.10
#: Scenarios and seed of the runs that test the seed's claim.
CLAIM_RUN = (20_000, 20261129)


def seed_table() -> pd.DataFrame:
    """The seed's 21 cells: index year, columns real, production, financial (SEK)."""
    frame = pd.read_csv(SEED).set_index("year")
    return frame.rename(columns={v: k for k, v in KINDS.items()})[list(KINDS)]


def cells(model, values: dict[str, float]) -> pd.DataFrame:
    return accumulated(model, values).loc[list(TABLE_4_3_YEARS), list(KINDS)]


def calibrate(model, seed: pd.DataFrame, fixed: dict[str, float] | None = None):
    """Least squares on log(riskcalc / seed) over the cells; returns values and cells."""
    names = [n for n in CALIBRATED if n not in (fixed or {})]
    low = np.array([CALIBRATED[n][0] for n in names])
    high = np.array([CALIBRATED[n][1] for n in names])
    base = model.base_case()
    start = np.clip([base[n] for n in names], low, high)

    def residuals(x):
        values = {**(fixed or {}), **dict(zip(names, x, strict=True))}
        ours = cells(model, values).to_numpy()
        with np.errstate(all="ignore"):
            ratio = np.log(np.where(ours > 0, ours, np.nan) / seed.to_numpy())
        return np.nan_to_num(ratio, nan=5.0).ravel()

    fit = least_squares(residuals, start, bounds=(low, high), x_scale="jac")
    values = {**(fixed or {}), **dict(zip(names, fit.x, strict=True))}
    return values, cells(model, values)


def comparison(seed: pd.DataFrame, ours: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for kind in KINDS:
        for year in TABLE_4_3_YEARS:
            a, b = seed.loc[year, kind], ours.loc[year, kind]
            rows.append({"kind": kind, "year": year, "seed": a, "riskcalc": b,
                         "difference": b / a - 1})
    return pd.DataFrame(rows)


def markdown(frame: pd.DataFrame) -> str:
    lines = ["| kind | year | seed (SEK) | riskcalc (SEK) | difference |",
             "|---|---:|---:|---:|---:|"]
    for _, r in frame.iterrows():
        mark = "" if abs(r["difference"]) <= GOAL else " **(> 10 %)**"
        lines.append(f"| {r['kind']} | {r['year']} | {r['seed']:,.0f} | {r['riskcalc']:,.0f} | "
                     f"{r['difference']:+.1%}{mark} |")
    return "\n".join(lines)


def main() -> int:
    model = load_model(MODEL)
    seed = seed_table()
    values, ours = calibrate(model, seed, fixed={"discount_rate": SEED_RATE})
    table = comparison(seed, ours)
    full, full_cells = calibrate(model, seed, fixed={"discount_rate": SEED_RATE,
                                                         "continuation": 1.0})
    full_table = comparison(seed, full_cells)
    print("Seed table 4.3 against riskcalc's calibrated base case")
    print(table.to_string(index=False, formatters={
        "seed": "{:,.0f}".format, "riskcalc": "{:,.0f}".format, "difference": "{:+.1%}".format}))
    print("\nCalibrated values:")
    for name, value in values.items():
        print(f"  {name} = {value:.4f}")
    missed = table[table["difference"].abs() > GOAL]
    print(f"\n{len(table) - len(missed)} of {len(table)} cells within {GOAL:.0%}; largest "
          f"difference {table['difference'].abs().max():.1%}")
    print(f"Four equal cohorts (continuation = 1): largest difference "
          f"{full_table['difference'].abs().max():.1%}, "
          f"{(full_table['difference'].abs() > GOAL).sum()} cells beyond {GOAL:.0%}")
    claims = claim_runs()
    for reading, row in claims.items():
        print(f"Claim, {reading}: P(4-year effect >= 8 x investment) = {row['probability']:.1%}, "
              f"multiple median {row['p50']:.1f}, P5-P95 {row['p05']:.1f}-{row['p95']:.1f}")
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(report(table, values, full_table, full, claims), encoding="utf-8")
    print(f"Wrote {OUT.relative_to(REPO)}")
    return 0


def claim_runs() -> dict[str, pd.Series]:
    """The seed's claim tested by Monte Carlo: the model as shipped, and one cohort only."""
    data = tomllib.loads(MODEL.read_text(encoding="utf-8"))
    one_cohort = dict(data, parameters={**data["parameters"], "continuation": 0.0})
    n, seed = CLAIM_RUN
    rows = {}
    for reading, model in (("the model as shipped (later cohorts uncertain, 0-100 %)",
                            load_model(MODEL)),
                           ("one cohort (continuation = 0, the seed's reading)",
                            model_from_dict(one_cohort, source=str(MODEL)))):
        rows[reading] = claim_table(model, simulate(model, n, seed=seed).scenarios).iloc[0]
    return rows


def report(table, values, full_table, full, claims) -> str:
    missed = table[table["difference"].abs() > GOAL]
    values_md = "\n".join(f"| `{k}` | {v:.4f} | "
                          + (f"{CALIBRATED[k][0]} – {CALIBRATED[k][1]} |" if k in CALIBRATED
                             else "fixed: the seed's rate |") for k, v in values.items())
    full_md = "\n".join(f"| `{k}` | {v:.4f} |" for k, v in full.items())
    claims_md = "\n".join(f"| {reading} | {r['probability']:.1%} | {r['p50']:.1f} | "
                          f"{r['p05']:.1f} – {r['p95']:.1f} |" for reading, r in claims.items())
    model = load_model(MODEL)
    claims_base = accumulated(model).loc[4, "total"] / model.investment.evaluate(
        model.base_case())
    return f"""# The seed's table 4.3, reproduced by riskcalc

Written by `experiments/table43.py` from `models/labour_market_programme.toml` and the seed's
table 4.3 (`tests/data/seed_table_4_3_projected_accumulated.csv`). Each cell is the effect
accumulated, discounted, by cost kind, at the base case (`riskcalc check
models/labour_market_programme.toml` prints the same layout).

## What the seed's numbers pin down

- Year 1, real + financial = 9,622,700 + 8,371,364 = 17,994,064 SEK: exactly table 4.2's
  society net less its production value (34,017,064 − 16,023,000). So the year-1 real and
  financial cells are undiscounted and *include* the office's cost (real) and the wage subsidies
  (financial); the municipality's 42,261,864 SEK of savings split 26,443,900 real and
  15,817,964 financial (`municipality_real_share`).
- Year 1, production value = 15,406,731 = 16,023,000 / 1.04: the seed discounts the production
  value of year 1 at 4 % but not the real and financial effects of the same year. riskcalc
  discounts every kind alike and never year 1, so this cell is 4.0 % above the seed by
  construction, whatever the calibration.
- Over 4 years the total effect is 61.1 + 107.4 + 27.8 = 196.4 MSEK, the seed's "196 MSEK",
  which it compares with one year's cost (22 MSEK).

## Calibrated base case

{len(table) - len(missed)} of {len(table)} cells within {GOAL:.0%}; largest difference
{table['difference'].abs().max():.1%}.

{markdown(table)}

| parameter | calibrated | bounds searched |
|---|---:|---|
{values_md}

The calibrated values are the model's base case (rounded); each keeps a judgement range around it
in the model file.

## Why some cells cannot be met

Cells beyond {GOAL:.0%}: {", ".join(f"{r['kind']} year {r['year']} ({r['difference']:+.1%})"
                                     for _, r in missed.iterrows()) or "none"}.

- **Financial, year 2.** The seed's accumulated financial effect grows by 3.4 MSEK in year 2 but
  by 7.3 and 8.7 MSEK in years 3 and 4. The year-1 cell contains the wage subsidies (a one-off
  cost), so year 2 is the first year of savings alone; a cohort whose savings then fade (relapse,
  fading, discounting) gives increments that fall after the first full year, and more cohorts
  only add shifted copies of that shape. No sensible reading makes the increment dip in year 2
  and recover in years 3–4; the fit splits the difference, leaving year 2 high.
- **Real, year 10.** The seed's real increments slow from 8.9 MSEK in year 5 to 5.3 MSEK a year
  over years 6–10, then hold at 3.9 MSEK a year over years 11–20: a fade that slows down. A
  constant yearly fading rate (geometric) that meets years 2–5 and year 20 overshoots year 10.
- **Production value, year 1** is 4.0 % high by construction (the seed discounts only this
  kind in year 1), within the goal.

## The recurring reading: four equal cohorts

If the office's work is read as a programme of four equal cohorts (459 a year, `continuation =
1`), the best fit is much worse: largest difference {full_table['difference'].abs().max():.1%},
{(full_table['difference'].abs() > GOAL).sum()} cells beyond {GOAL:.0%}. Four cohorts' effects
would accumulate far faster in years 2–4 than the seed's table does. The seed's projection is
therefore, in substance, the path of one year's cohort (the 218 people into work), which is
also what its "eight times the 22 MSEK" compares: four years of effects against one year's cost.
The model keeps the later cohorts as an uncertain `continuation` so a board can weigh a full
programme; its base case is the calibrated one.

| parameter (four equal cohorts) | best fit |
|---|---:|
{full_md}

## The seed's claim as a probability

"Over a mandate period (4 years) the total effect is just under 200 MSEK (196 MSEK), against
22 MSEK of cost: more than eight times the investment." The model declares it
(`[model].claim = {{year = 4, multiple = 8}}`), so every `riskcalc run` of it reports the
probability that society's accumulated discounted net by year 4 reaches 8 × the investment
(the office's cost for the cohorts it takes in). At the calibrated base case the multiple is
{claims_base:.1f}. By Monte Carlo ({CLAIM_RUN[0]:,} scenarios, seed {CLAIM_RUN[1]}):

| reading | P(multiple ≥ 8) | median multiple | P5 – P95 |
|---|---:|---:|---:|
{claims_md}

Under the seed's own reading (one cohort) the claim is about as likely as not: the seed's
8.6 × sits near the middle of the uncertainty in success rate, savings, production value and
relapse. Once later cohorts may join, each adds its cost at once but its effects only over
the years after, so the four-year multiple falls and the claim becomes unlikely.
"""


if __name__ == "__main__":
    raise SystemExit(main())
