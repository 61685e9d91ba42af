"""The fund's joint Monte Carlo simulation: every intervention, one seed, year by year.

Chunk *k* of a fund run samples each intervention's model from the run's seed
(:func:`riskcalc.engine.sampling.sample_parameters`): the parameters the fund
file lists as ``shared`` come from the run's common streams, so a discount
rate or an economic regime is drawn once per scenario and the interventions'
risks move together; every other parameter comes from the intervention's own
streams (``<intervention>/<parameter>``), independent of the others'.  Chunks
run through joblib (threads, processes or Dask) and are gathered in chunk
order, so the same seed gives bit-identical results for any number of workers.

Accounting (SEK, undiscounted unless named ``npv``): in fund year 1 the fund
holds its capital plus that year's top-up; each intervention's loan leaves the
fund in its start year (the model's year 1); repayments come back in the years
they are paid; the balance at the end of fund year t is the running sum.  The
loan is a transfer from the fund to the borrower and a repayment one from the
paying actors to the fund, so society's net present value of the portfolio is
the sum of the interventions' own, whatever the repayment rule.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import joblib
import numpy as np

from riskcalc.engine.compiled import DEFAULT_CHUNK_SIZE, CompiledModel
from riskcalc.engine.sampling import sample_parameters
from riskcalc.engine.simulation import DEFAULT_BACKEND, chunk_sizes, engine_backend
from riskcalc.funds.flows import yearly_flows
from riskcalc.funds.result import FundResult
from riskcalc.funds.spec import FUND_ACTOR, Fund, Intervention

__all__ = ["simulate_fund", "repayments", "fund_chunk"]


def repayments(intervention: Intervention, actors: np.ndarray, loan: np.ndarray) -> np.ndarray:
    """What each actor pays back to the fund in each of the model's years.

    Parameters
    ----------
    intervention : Intervention
    actors : ndarray, shape (A, Y, n)
        Each actor's net cash flow per model year (SEK, scaled).
    loan : ndarray, shape (n,)
        The amount lent (SEK).

    Returns
    -------
    ndarray, shape (A, Y, n)
        Repayments (SEK, ≥ 0) by actor and year; their sum over actors and years
        never exceeds the loan.
    """
    rule = intervention.repayment
    paid = np.zeros_like(actors)
    model = intervention.model
    if rule.rule == "instalments":
        borrower = model.actor_keys.index(intervention.borrower)
        first = rule.first - 1
        paid[borrower, first:first + rule.instalments] = loan / rule.instalments
    elif rule.rule == "share":
        rows = [model.actor_keys.index(a) for a in rule.actors]
        savings = np.maximum(actors[rows, :rule.within], 0.0)  # a net cost saves nothing
        total = savings.sum(axis=0)
        due = np.minimum(np.cumsum(rule.share * total, axis=0), loan)
        pay = np.diff(due, axis=0, prepend=0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            split = np.where(total > 0, savings / total, 0.0)
        paid[rows, :rule.within] = split * pay
    return paid


def _discount(rate: np.ndarray | float, years: int) -> np.ndarray:
    """Discount factors of fund years 1..years: ``(1 + r) ** -(t - 1)``, shape (years, n or 1)."""
    rate = np.reshape(np.asarray(rate, dtype=float), (1, -1))
    return (1.0 + rate) ** -np.arange(years, dtype=float).reshape(-1, 1)


@dataclass(frozen=True, eq=False)  # hashed by identity: Dask's joblib backend hashes tasks
class _FundChunk:
    fund: Fund
    seed: int

    def __call__(self, chunk: int, n: int) -> dict[str, np.ndarray]:
        return fund_chunk(self.fund, self.seed, chunk, n)


def fund_chunk(fund: Fund, seed: int, chunk: int, n: int) -> dict[str, np.ndarray]:
    """Evaluate chunk `chunk` (n scenarios) of a fund run.

    Returns
    -------
    dict of str to ndarray
        Per-scenario columns, shape (n,) (see :class:`FundResult`), and the
        yearly arrays ``balance``, ``lent``, ``repaid`` of shape (fund years, n).
    """
    shared = frozenset(fund.shared)
    horizon = fund.years
    inflow = np.zeros((horizon, n))
    inflow[0] += fund.capital
    inflow += np.asarray(fund.top_ups).reshape(-1, 1)
    lent = np.zeros((horizon, n))
    repaid = np.zeros((horizon, n))
    keys = list(fund.actors)
    before = {k: np.zeros(n) for k in keys}
    after = {k: np.zeros(n) for k in keys}
    out: dict[str, np.ndarray] = {}
    samples = {}
    last = max(i.start_year + i.model.years - 1 for i in fund.interventions)
    for i in fund.interventions:
        samples[i.name] = sample_parameters(i.model, seed, chunk, n, own=i.name, shared=shared)
    rate = fund.discount_rate
    if isinstance(rate, str):
        rate = samples[fund.interventions[0].name][rate]
    discount = _discount(rate, last)
    society = np.zeros(n)
    for i in fund.interventions:
        flows = yearly_flows(CompiledModel(i.model), samples[i.name])
        actors = flows.actors * i.scale
        loan = (np.full(n, i.loan) if i.loan is not None
                else np.maximum(flows.investment * i.scale, 0.0))
        paid = repayments(i, actors, loan)
        first = i.start_year - 1
        span = slice(first, first + i.model.years)
        d = discount[span]
        for a, key in enumerate(i.model.actor_keys):
            value = (actors[a] * d).sum(axis=0)
            before[key] += value
            after[key] += value - (paid[a] * d).sum(axis=0)
        after[i.borrower] += loan * d[0]
        in_fund = paid.sum(axis=0)  # (Y, n)
        fund_pv = (in_fund * d).sum(axis=0) - loan * d[0]
        after[FUND_ACTOR] += fund_pv
        lent[first] += loan
        inside = min(i.model.years, horizon - first)
        repaid[first:first + inside] += in_fund[:inside]
        out[f"lent_{i.name}"] = loan
        out[f"repaid_{i.name}"] = in_fund[:inside].sum(axis=0)
        out[f"loss_{i.name}"] = loan - out[f"repaid_{i.name}"]
        out[f"npv_society_{i.name}"] = (flows.society * i.scale * d).sum(axis=0)
        available = fund.capital + sum(fund.top_ups[:i.start_year])
        with np.errstate(divide="ignore", invalid="ignore"):
            out[f"share_{i.name}"] = loan / available if available > 0 else np.full(n, np.inf)
        society += out[f"npv_society_{i.name}"]
    balance = np.cumsum(inflow - lent + repaid, axis=0)
    below = balance < fund.min_balance
    depleted = below.any(axis=0)
    out["final_balance"] = balance[-1]
    out["lowest_balance"] = balance.min(axis=0)
    out["depletion_year"] = np.where(depleted, below.argmax(axis=0) + 1.0, np.nan)
    total_lent, total_repaid = lent.sum(axis=0), repaid.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["recovered"] = np.where(total_lent > 0, total_repaid / total_lent, np.nan)
    out["fund_loss"] = total_lent - total_repaid
    out["npv_society"] = society
    for key in keys:
        out[f"before_{key}"] = before[key]
        out[f"net_{key}"] = after[key]
    out["balance"], out["lent"], out["repaid"] = balance, lent, repaid
    return out


def simulate_fund(fund: Fund, n: int = 20_000, *, seed: int | None = None, n_jobs: int = 1,
                  chunk_size: int = DEFAULT_CHUNK_SIZE, backend: str = DEFAULT_BACKEND,
                  scheduler: str | None = None) -> FundResult:
    """Run a fund's joint Monte Carlo simulation.

    Parameters
    ----------
    fund : Fund
        From :func:`riskcalc.load_fund`.
    n : int
        Number of scenarios.
    seed : int, optional
        Seed of the run; drawn (and recorded) when omitted.  The same seed gives
        bit-identical results for any `n_jobs` and `backend`.
    n_jobs, chunk_size, backend, scheduler
        As for :func:`riskcalc.simulate`.

    Returns
    -------
    FundResult
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive whole number of scenarios, got {n!r}")
    if seed is None:
        seed = int(np.random.SeedSequence().entropy)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative whole number, got {seed!r}")
    started = time.perf_counter()
    sizes = chunk_sizes(int(n), chunk_size)
    task = _FundChunk(fund, int(seed))
    with engine_backend(backend, scheduler) as joblib_backend:
        parallel = joblib.Parallel(n_jobs=n_jobs, backend=None if joblib_backend == "dask"
                                   else joblib_backend)
        parts = parallel(joblib.delayed(task)(k, size) for k, size in enumerate(sizes))
    columns = {name: np.concatenate([p[name] for p in parts], axis=-1) for name in parts[0]}
    yearly = {name: columns.pop(name) for name in ("balance", "lent", "repaid")}
    return FundResult(fund=fund, seed=int(seed), n=int(n), chunk_size=chunk_size,
                      scenarios=columns, yearly=yearly,
                      timings={"simulate_s": time.perf_counter() - started},
                      environment={"n_jobs": n_jobs, "backend": backend})
