"""Outcome contracts (social impact bonds): the investor's and the outcome payer's risk.

A model's ``[contract]`` (:class:`riskcalc.model.contract.Contract`) is evaluated
on a run's sampled parameters, scenario by scenario and vectorised:

1. each payment metric's yearly values are aggregated over its window; a metric
   whose threshold is reached pays ``price × units`` in its window's last year
   (nothing if the contract was terminated before that year);
2. pooled metrics are an alternative trigger: where their payments exceed the
   per-cohort ones, the difference is paid in the pooled window's last year;
3. the base payment (``base_payment × capital``) is paid at the contract's end
   if the service was delivered;
4. payments are capped, in time order, at ``capital × (1 + cap)``.

The investor pays `capital` in year 1 to the provider; payments go from the
outcome payer to the investor.  Both are transfers: society's NPV changes only
by the contract's own transaction costs.

Per-scenario outputs (:func:`evaluate_contract`): ``npv_investor`` (at the
investor's rate), ``irr_investor`` (NaN where no IRR exists: nothing paid),
``contract_paid`` (SEK, undiscounted), ``contract_multiple`` (paid / capital),
``npv_<payer>_after`` (the payer's NPV after payments and transaction costs),
``metric_met`` (1: some payment metric reached its threshold), ``goal_met``,
``npv_society_after`` (every actor after the contract, plus the investor, at the
model's rate).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from riskcalc.engine.compiled import BLOCK_SIZE, CompiledModel
from riskcalc.model.contract import Contract, ContractMeasure
from riskcalc.model.objects import Model

__all__ = ["evaluate_contract", "contract_payments", "irr", "contract_table",
           "contract_summary", "contract_tables", "CONTRACT_OUTPUTS"]

#: Per-scenario outputs summarised in contract.csv.
CONTRACT_OUTPUTS = ("npv_investor", "irr_investor", "contract_paid", "contract_multiple",
                    "npv_payer_after")


def irr(flows: np.ndarray, *, low: float = -0.9999, high: float = 10.0,
        iterations: int = 64) -> np.ndarray:
    """Internal rate of return of cash flows with one sign change, vectorised.

    Parameters
    ----------
    flows : ndarray, shape (T, n)
        Cash flow at t = 0 .. T-1 (years after the first), per scenario: an
        outlay first, then non-negative returns.
    low, high : float
        The search bracket (per year).
    iterations : int
        Bisection steps; 64 halve the bracket to below 1e-15.

    Returns
    -------
    ndarray, shape (n,)
        The rate r with ``sum_t flows[t] / (1 + r)**t = 0``; NaN where none lies in
        the bracket (e.g. nothing is ever returned).
    """
    flows = np.asarray(flows, dtype=float)

    def npv(rate: np.ndarray) -> np.ndarray:
        # Horner's scheme in v = 1 / (1 + r): T multiply-adds, no powers.
        v = 1.0 / (1.0 + rate)
        total = flows[-1].copy()
        for t in range(flows.shape[0] - 2, -1, -1):
            total *= v
            total += flows[t]
        return total

    lo = np.full(flows.shape[1], low)
    hi = np.full(flows.shape[1], high)
    # NPV falls with the rate for an outlay followed by returns: a root lies between
    # where it is positive at the low end and negative at the high end.
    valid = (npv(lo) >= 0) & (npv(hi) <= 0)
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        above = npv(mid) > 0
        lo = np.where(above, mid, lo)
        hi = np.where(above, hi, mid)
    return np.where(valid, 0.5 * (lo + hi), np.nan)


def _aggregate(measure: ContractMeasure, values: np.ndarray) -> np.ndarray:
    first, last = measure.window
    inside = values[first - 1:last]
    if measure.measure == "sum":
        return inside.sum(axis=0)
    if measure.measure == "last":
        return inside[-1]
    return inside.mean(axis=0)


def _yearly(expr, env: Mapping[str, object], years: int, n: int) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.broadcast_to(np.asarray(expr.evaluate(env), dtype=float), (years, n))


def _per_scenario(expr, env: Mapping[str, object], n: int, default: float) -> np.ndarray:
    """One value per scenario: the expression's year-1 value (a scalar is broadcast)."""
    if expr is None:
        return np.full(n, default)
    with np.errstate(all="ignore"):
        value = np.asarray(expr.evaluate(env), dtype=float)
    first = np.reshape(value, (-1, value.shape[-1] if value.ndim else 1))[0]
    return np.broadcast_to(first, (n,)).copy()


def contract_payments(contract: Contract, metrics: Mapping[str, np.ndarray],
                      units: Mapping[str, np.ndarray], prices: Mapping[str, np.ndarray],
                      delivered: np.ndarray, terminated: np.ndarray,
                      years: int) -> tuple[np.ndarray, np.ndarray]:
    """The payments to the investor by year, from the metrics' aggregates.

    Parameters
    ----------
    contract : Contract
    metrics, units, prices : mapping of metric name to ndarray, shape (n,)
        Each metric's aggregate over its window, the units it pays for and the price.
    delivered, terminated : ndarray of bool, shape (n,)
    years : int
        The model's horizon.

    Returns
    -------
    paid : ndarray, shape (years, n)
        Payments (SEK) in each model year, after the cap.
    met : ndarray of bool, shape (n,)
        Some payment metric reached its threshold (and was assessed).
    """
    n = len(delivered)
    due = np.zeros((years, n))
    met = np.zeros(n, dtype=bool)
    pooled_total, cohort_total = np.zeros(n), np.zeros(n)
    pooled_year = 0
    end = np.where(terminated, contract.terminated_after, contract.end_year)
    for m in contract.metrics:
        assessed = ~terminated | (m.window[1] <= contract.terminated_after)
        hit = assessed & (metrics[m.name] >= m.threshold)
        met |= hit
        amount = np.where(hit, np.maximum(prices[m.name] * units[m.name], 0.0), 0.0)
        if m.pooled:
            pooled_total += amount
            pooled_year = max(pooled_year, m.window[1])
        else:
            cohort_total += amount
            due[m.window[1] - 1] += amount
    if pooled_year:
        due[pooled_year - 1] += np.maximum(pooled_total - cohort_total, 0.0)
    base = np.where(delivered, contract.base_payment * contract.capital, 0.0)
    np.add.at(due, (end - 1, np.arange(n)), base)
    capped = np.minimum(np.cumsum(due, axis=0), contract.most_paid)
    return np.diff(capped, axis=0, prepend=0.0), met


def _factors(rates: np.ndarray, years: int) -> np.ndarray:
    """Discount factors per year, as the engine's: year 1 undiscounted, shape (Y, n or 1)."""
    rates = np.broadcast_to(rates, (years, rates.shape[1]))
    factors = np.empty(rates.shape)
    factors[0] = 1.0
    for y in range(1, years):
        factors[y] = factors[y - 1] / (1.0 + rates[y])
    return factors


def evaluate_contract(model: Model, parameters: Mapping[str, np.ndarray],
                      outputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Evaluate a model's outcome contract on a run's scenarios.

    Parameters
    ----------
    model : Model
        With a ``[contract]``.
    parameters : mapping of str to ndarray, shape (n,)
        The run's sampled parameters (``SimulationResult.parameters``).
    outputs : mapping of str to ndarray, shape (n,)
        The run's outputs (``npv_<payer>``, ``npv_<provider>``, ``npv_society``).

    Returns
    -------
    dict of str to ndarray, shape (n,)
        See the module's description.
    """
    contract = model.contract
    if contract is None:
        raise ValueError(f"{model.source} declares no [contract]")
    compiled = CompiledModel(model)
    years = model.years
    # Each column read once: a streamed run's columns come from disk on every access.
    parameters = {k: np.asarray(parameters[k], dtype=float) for k in model.parameters}
    names = list(parameters)
    n = len(parameters[names[0]])
    columns = {k: np.empty(n) for k in ("paid_pv_model", "npv_investor", "irr_investor",
                                        "contract_paid", "metric_met", "goal_met",
                                        "transaction_pv")}
    for start in range(0, n, BLOCK_SIZE):
        used = min(BLOCK_SIZE, n - start)
        block = {k: parameters[k][start:start + used] for k in names}
        env = compiled.environment(block)
        metrics, units, prices = {}, {}, {}
        for m in contract.metrics:
            metrics[m.name] = _aggregate(m, _yearly(m.value, env, years, used))
            units[m.name] = (metrics[m.name] if m.units is None else
                             _aggregate(ContractMeasure(m.name, m.units, m.window, "sum"),
                                        _yearly(m.units, env, years, used)))
            prices[m.name] = _per_scenario(m.price, env, used, 0.0)
        delivered = _per_scenario(contract.delivered, env, used, 1.0) > 0.5
        terminated = _per_scenario(contract.terminated, env, used, 0.0) > 0.5
        paid, met = contract_payments(contract, metrics, units, prices, delivered, terminated,
                                      years)
        part = slice(start, start + used)
        with np.errstate(all="ignore"):
            model_factors = _factors(compiled.discount_rates(env), years)
            investor_rates = (model_factors if contract.discount_rate is None else
                              _factors(np.reshape(_per_scenario(contract.discount_rate, env,
                                                                used, 0.0), (1, -1)), years))
        flows = paid.copy()
        flows[0] -= contract.capital
        columns["npv_investor"][part] = (flows * investor_rates).sum(axis=0)
        columns["irr_investor"][part] = irr(flows)
        columns["contract_paid"][part] = paid.sum(axis=0)
        columns["paid_pv_model"][part] = (paid * model_factors).sum(axis=0)
        columns["metric_met"][part] = met
        columns["goal_met"][part] = (np.nan if contract.goal is None else
                                     _aggregate(contract.goal, _yearly(
                                         contract.goal.value, env, years, used))
                                     >= contract.goal.threshold)
        columns["transaction_pv"][part] = _per_scenario(contract.transaction_costs, env,
                                                        used, 0.0)
    out = {k: columns[k] for k in ("npv_investor", "irr_investor", "contract_paid")}
    out["contract_multiple"] = columns["contract_paid"] / contract.capital
    payer = contract.payer
    out["npv_payer_after"] = (outputs[f"npv_{payer}"] - columns["paid_pv_model"]
                              - columns["transaction_pv"])
    out["metric_met"], out["goal_met"] = columns["metric_met"], columns["goal_met"]
    # Society after the contract: every actor after it, plus the investor (at the
    # model's rate): a check that the payments and the capital are transfers.
    society = out["npv_payer_after"] + (columns["paid_pv_model"] - contract.capital)
    for key in model.actor_keys:
        if key != payer:
            society = society + outputs[f"npv_{key}"]
    if contract.provider is not None:
        society = society + contract.capital
    out["npv_society_after"] = society
    return out


def contract_table(values: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """contract.csv: ``output, mean, p05, p50, p95, n_nan`` of each per-scenario output
    (IRR over the scenarios that have one; ``n_nan`` counts those that do not)."""
    rows = []
    for name in CONTRACT_OUTPUTS:
        v = values[name]
        finite = v[np.isfinite(v)]
        q = np.percentile(finite, [5, 50, 95]) if finite.size else [np.nan] * 3
        rows.append({"output": name, "mean": finite.mean() if finite.size else np.nan,
                     "p05": q[0], "p50": q[1], "p95": q[2], "n_nan": int(v.size - finite.size)})
    return pd.DataFrame(rows)


def contract_summary(contract: Contract, values: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """contract_summary.csv: ``measure, value``: capital, P(investor loss), IRR P5/P50/P95,
    scenarios without an IRR, P(metric met), P(goal met), and P(goal met while no payment
    metric is met) — the metric mismatch (NaN without a declared goal)."""
    npv, rate = values["npv_investor"], values["irr_investor"]
    finite = rate[np.isfinite(rate)]
    q = np.percentile(finite, [5, 50, 95]) if finite.size else [np.nan] * 3
    goal = values["goal_met"]
    met = values["metric_met"] > 0.5
    has_goal = contract.goal is not None
    measures = {
        "capital": contract.capital, "most_paid": contract.most_paid,
        "prob_investor_loss": float((npv < 0).mean()),
        "irr_p05": q[0], "irr_p50": q[1], "irr_p95": q[2],
        "n_no_irr": float(rate.size - finite.size),
        "prob_metric_met": float(met.mean()),
        "prob_goal_met": float((goal > 0.5).mean()) if has_goal else np.nan,
        "prob_mismatch": float(((goal > 0.5) & ~met).mean()) if has_goal else np.nan,
        "mean_paid": float(values["contract_paid"].mean()),
    }
    return pd.DataFrame({"measure": list(measures),
                         "value": [float(v) for v in measures.values()]})


def contract_tables(model: Model, values: Mapping[str, np.ndarray]) -> dict[str, pd.DataFrame]:
    """The run directory's contract tables: ``contract`` (per output) and
    ``contract_summary`` (the investor's and the payer's risk)."""
    return {"contract": contract_table(values),
            "contract_summary": contract_summary(model.contract, values)}
