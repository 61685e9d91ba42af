"""The tables of a fund run, from its per-scenario columns and yearly arrays.

Conventions: amounts in the fund's currency; a fund is *depleted* by year t when
its balance has been below the lowest allowed (``[rules] min_balance``) in some
year up to t; the fund's *loss* is what it lent and did not get back within its
horizon, and its CVaR the mean loss over the worst ``1 - cvar_level`` of
scenarios, split over the interventions by their mean loss in those same
scenarios (the Euler allocation: the parts add up to the whole).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd

from riskcalc.funds.spec import Fund

__all__ = ["balance_table", "depletion_table", "recovery_table", "actor_table",
           "intervention_table", "summary_table", "cvar_split", "PERCENTILES"]

PERCENTILES = (5, 50, 95)


def _percentiles(values: np.ndarray) -> dict[str, np.ndarray]:
    """P5, P50, P95 along the last axis (NaN left out)."""
    q = np.nanpercentile(values, PERCENTILES, axis=-1)
    return {f"p{p:02d}": q[k] for k, p in enumerate(PERCENTILES)}


def balance_table(balance: np.ndarray, depletion_year: np.ndarray) -> pd.DataFrame:
    """fund_balance.csv.

    Parameters
    ----------
    balance : ndarray, shape (T, n)
        Balance at the end of each fund year (SEK).
    depletion_year : ndarray, shape (n,)
        First fund year below the lowest balance allowed (NaN: never).

    Returns
    -------
    DataFrame
        ``year, mean, p05, p50, p95, prob_depleted`` (P(depleted in or before that year)).
    """
    years = np.arange(1, balance.shape[0] + 1)
    depleted = np.nan_to_num(depletion_year, nan=np.inf)
    return pd.DataFrame({"year": years, "mean": balance.mean(axis=1),
                         **_percentiles(balance),
                         "prob_depleted": [(depleted <= y).mean() for y in years]})


def depletion_table(depletion_year: np.ndarray, years: int) -> pd.DataFrame:
    """fund_depletion.csv: ``year, probability, cumulative`` of first depletion; the
    last row, year ``never``, holds the probability of no depletion in the horizon."""
    depleted = np.nan_to_num(depletion_year, nan=np.inf)
    probability = [(depleted == y).mean() for y in range(1, years + 1)]
    never = float(np.isinf(depleted).mean())
    return pd.DataFrame({"year": [*map(str, range(1, years + 1)), "never"],
                         "probability": [*probability, never],
                         "cumulative": [*np.cumsum(probability), 1.0]})


def recovery_table(lent: np.ndarray, repaid: np.ndarray) -> pd.DataFrame:
    """fund_recovery.csv: capital lent and recovered by each fund year.

    Returns
    -------
    DataFrame
        ``year, lent_mean, repaid_mean`` (cumulative, SEK), ``recovered_mean,
        recovered_p05, recovered_p50, recovered_p95``: repaid by that year as a
        share of lent by that year, over the scenarios that have lent.
    """
    cum_lent, cum_repaid = np.cumsum(lent, axis=0), np.cumsum(repaid, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(cum_lent > 0, cum_repaid / cum_lent, np.nan)
    rows = {"year": np.arange(1, lent.shape[0] + 1), "lent_mean": cum_lent.mean(axis=1),
            "repaid_mean": cum_repaid.mean(axis=1)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN years: nothing lent yet
        rows["recovered_mean"] = np.nanmean(share, axis=1)
        rows.update({f"recovered_{k}": v for k, v in _percentiles(share).items()})
    return pd.DataFrame(rows)


def actor_table(fund: Fund, scenarios: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """fund_actors.csv: who pays back and who keeps the gains.

    Returns
    -------
    DataFrame
        One row per actor (the fund last): ``actor, label, mean_before`` (present
        value of the interventions' flows, at the fund's rate, to fund year 1),
        ``mean_loans_repayments`` (loans received minus repayments made; the fund:
        repayments minus loans), ``mean_after, p05_after, p95_after,
        prob_loss_after`` (P(net < 0)).
    """
    rows = []
    for key, label in fund.actors.items():
        after = scenarios[f"net_{key}"]
        before = scenarios[f"before_{key}"]
        p = _percentiles(after)
        rows.append({"actor": key, "label": label, "mean_before": before.mean(),
                     "mean_loans_repayments": (after - before).mean(),
                     "mean_after": after.mean(), "p05_after": float(p["p05"]),
                     "p95_after": float(p["p95"]), "prob_loss_after": (after < 0).mean()})
    return pd.DataFrame(rows)


def cvar_split(losses: Mapping[str, np.ndarray], level: float) -> tuple[float, dict[str, float]]:
    """The CVaR of the summed losses and each part's contribution (Euler allocation).

    Parameters
    ----------
    losses : mapping of str to ndarray, shape (n,)
        Each part's loss per scenario (SEK; a gain is negative).
    level : float
        E.g. 0.95: the mean over the worst 5 % of scenarios (at least one).

    Returns
    -------
    cvar : float
        Mean total loss over the worst ``ceil((1 - level) n)`` scenarios.
    contributions : dict of str to float
        Each part's mean loss over those scenarios; they add up to `cvar`.
    """
    total = sum(losses.values())
    n = len(total)
    k = max(1, math.ceil((1.0 - level) * n - 1e-9))
    worst = np.argsort(total, kind="stable")[n - k:]
    return float(total[worst].mean()), {name: float(v[worst].mean())
                                        for name, v in losses.items()}


def intervention_table(fund: Fund, scenarios: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """fund_interventions.csv: one row per intervention.

    Columns: ``intervention, model, start_year, scale, borrower, rule, lent_mean,
    repaid_mean, recovered_mean`` (mean repaid / mean lent), ``npv_society_mean,
    cvar_contribution, cvar_share`` (of the fund's CVaR of its loss),
    ``share_of_capital_max`` (largest share of the capital available lent to it in
    any scenario) and ``max_share_ok`` (the board's largest share kept).
    """
    names = [i.name for i in fund.interventions]
    cvar, parts = cvar_split({i: scenarios[f"loss_{i}"] for i in names}, fund.cvar_level)
    rows = []
    for i in fund.interventions:
        lent, repaid = scenarios[f"lent_{i.name}"], scenarios[f"repaid_{i.name}"]
        share = float(np.max(scenarios[f"share_{i.name}"]))
        rows.append({
            "intervention": i.name, "model": i.model.source, "start_year": i.start_year,
            "scale": i.scale, "borrower": i.borrower, "rule": i.repayment.rule,
            "lent_mean": lent.mean(), "repaid_mean": repaid.mean(),
            "recovered_mean": repaid.mean() / lent.mean() if lent.mean() > 0 else math.nan,
            "npv_society_mean": scenarios[f"npv_society_{i.name}"].mean(),
            "cvar_contribution": parts[i.name],
            "cvar_share": parts[i.name] / cvar if cvar != 0 else math.nan,
            "share_of_capital_max": share, "max_share_ok": bool(share <= fund.max_share)})
    return pd.DataFrame(rows)


def summary_table(fund: Fund, scenarios: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """fund_summary.csv: ``measure, value`` rows a board reads first.

    Measures: ``prob_depleted`` (within the horizon), ``mean_final_balance``,
    ``p05_final_balance``, ``mean_lowest_balance``, ``expected_recovery`` (mean of
    repaid / lent), ``mean_lent``, ``mean_repaid``, ``cvar_loss`` (at
    ``cvar_level``), ``npv_society_mean``, ``npv_society_p05``,
    ``npv_society_p95``, ``prob_society_loss``, ``max_share_ok`` (1: every
    intervention within the board's largest share), ``n``.
    """
    names = [i.name for i in fund.interventions]
    cvar, _ = cvar_split({i: scenarios[f"loss_{i}"] for i in names}, fund.cvar_level)
    society = scenarios["npv_society"]
    recovered = scenarios["recovered"]
    lent = sum(scenarios[f"lent_{i}"] for i in names)
    repaid = sum(scenarios[f"repaid_{i}"] for i in names)
    ok = all(np.max(scenarios[f"share_{i}"]) <= fund.max_share for i in names)
    values = {
        "prob_depleted": float(np.isfinite(scenarios["depletion_year"]).mean()),
        "mean_final_balance": scenarios["final_balance"].mean(),
        "p05_final_balance": float(np.percentile(scenarios["final_balance"], 5)),
        "mean_lowest_balance": scenarios["lowest_balance"].mean(),
        "expected_recovery": (float(np.nanmean(recovered)) if np.isfinite(recovered).any()
                              else math.nan),
        "mean_lent": lent.mean(), "mean_repaid": repaid.mean(),
        "cvar_loss": cvar, "cvar_level": fund.cvar_level,
        "npv_society_mean": society.mean(),
        "npv_society_p05": float(np.percentile(society, 5)),
        "npv_society_p95": float(np.percentile(society, 95)),
        "prob_society_loss": float((society < 0).mean()),
        "max_share_ok": float(ok), "n": float(len(society))}
    return pd.DataFrame({"measure": list(values), "value": [float(v) for v in values.values()]})

