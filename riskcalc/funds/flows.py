"""Each actor's yearly cash flow of one model, undiscounted, per scenario.

The engine reduces cash flows to present values as it goes; a fund (repayments
out of realised savings, a balance year by year) and an outcome contract
(payments by year) need the flows themselves.  They are built from the same
entries and amounts as the engine's (:meth:`CompiledModel.contributions`:
optimism bias, realisation and whole units applied), so a flow here is exactly
what the engine discounts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from riskcalc.engine.compiled import BLOCK_SIZE, CompiledModel

__all__ = ["YearlyFlows", "yearly_flows"]


@dataclass
class YearlyFlows:
    """Cash flows of n scenarios of one model.

    Attributes
    ----------
    actors : ndarray, shape (A, Y, n)
        Net cash flow (revenue minus cost, SEK) of each actor in each model year,
        transfers included; actors in the model's order.
    society : ndarray, shape (Y, n)
        Society's net cash flow (the sum over cost kinds; transfers cancel).
    investment : ndarray, shape (n,)
        The model's ``investment`` (SEK).
    env : dict
        The model's parameters, derived values and outcomes, block by block
        concatenated over scenarios (arrays of shape (1 or Y, n)).
    """

    actors: np.ndarray
    society: np.ndarray
    investment: np.ndarray
    env: dict[str, np.ndarray]


def yearly_flows(compiled: CompiledModel, params: Mapping[str, np.ndarray],
                 names: tuple[str, ...] = ()) -> YearlyFlows:
    """Evaluate a model's yearly cash flows, undiscounted.

    Parameters
    ----------
    compiled : CompiledModel
    params : mapping of str to ndarray, shape (n,)
        One value per scenario for every parameter.
    names : tuple of str
        Values of the model's environment (outcomes, derived values, parameters)
        to keep in :attr:`YearlyFlows.env`, broadcast to shape (Y, n).

    Returns
    -------
    YearlyFlows
    """
    model = compiled.model
    n = len(next(iter(params.values())))
    n_years, n_actors = model.years, len(model.actors)
    actors = np.zeros((n_actors, n_years, n))
    society = np.zeros((n_years, n))
    investment = np.empty(n)
    kept = {name: np.empty((n_years, n)) for name in names}
    for start in range(0, n, BLOCK_SIZE):
        used = min(BLOCK_SIZE, n - start)
        block = {k: np.asarray(v[start:start + used], dtype=float) for k, v in params.items()}
        if used < BLOCK_SIZE:
            # As in the engine: every block is evaluated at the same shape, so a
            # scenario's numbers never depend on the size of its chunk.
            block = {k: np.pad(v, (0, BLOCK_SIZE - used), mode="edge") for k, v in block.items()}
        env = compiled.environment(block)
        part = slice(start, start + used)
        for c in compiled.contributions(env, BLOCK_SIZE):
            entry = c.entry
            amount = entry.sign * c.amount[:, :used]
            rows = slice(None) if c.rows is None else c.rows
            actors[entry.actor, rows, part] += amount
            if entry.kind is not None:
                society[rows, part] += amount
        with np.errstate(all="ignore"):
            investment[part] = np.broadcast_to(
                np.asarray(model.investment.evaluate(env), dtype=float), (1, BLOCK_SIZE))[0, :used]
        for name in names:
            kept[name][:, part] = np.broadcast_to(np.asarray(env[name], dtype=float),
                                                  (n_years, BLOCK_SIZE))[:, :used]
    return YearlyFlows(actors, society, investment, kept)
