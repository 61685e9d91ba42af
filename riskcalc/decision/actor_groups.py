"""What a group of actors carries together: summed NPV, capital need and payback.

A fund's owner may be several actors (a municipality and a region together):
their NPVs add up, and their capital need is the depth of their *summed*
cumulative net, which is at most the sum of their own humps.  That needs the
cumulative nets per actor, so the engine is run again on the scenarios'
parameters (:func:`evaluate_groups`); one pass serves every group.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from riskcalc.engine.compiled import CompiledModel
from riskcalc.engine.metrics import investment_hump, payback_year
from riskcalc.model.objects import Model

if TYPE_CHECKING:
    from riskcalc.results.result import SimulationResult

__all__ = ["GroupOutcomes", "evaluate_groups", "group_outcomes"]

#: Rows of the evaluation blocks when actors' cumulative nets are recomputed.
_GROUP_BLOCK = 8192


@dataclass(frozen=True)
class GroupOutcomes:
    """What a group of actors carries together, per scenario.

    Attributes
    ----------
    actors : tuple of str
        The actors whose cash flows are summed.
    npv : ndarray, shape (n,)
        NPV of the summed net (currency).
    hump : ndarray, shape (n,)
        Capital needed: depth of the most negative summed cumulative discounted
        net, ≥ 0 (currency).  At most, and usually less than, the sum of the
        actors' own humps: one actor's early gain funds another's early cost.
    payback_year : ndarray, shape (n,)
        First year the summed cumulative discounted net is ≥ 0; NaN if never.
    investment : ndarray, shape (n,)
        The model's investment (currency); ``npv / investment`` is the group's return.
    """

    actors: tuple[str, ...]
    npv: np.ndarray
    hump: np.ndarray
    payback_year: np.ndarray
    investment: np.ndarray

    @property
    def n(self) -> int:
        """Number of scenarios."""
        return self.npv.size

    @property
    def ret(self) -> np.ndarray:
        """The group's return: NPV / investment, shape (n,)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.npv / self.investment


def evaluate_groups(model: Model, parameters: Mapping[str, np.ndarray],
                    groups: Mapping[str, Sequence[str] | None]) -> dict[str, GroupOutcomes]:
    """Evaluate the model at `parameters` and reduce actor groups' summed cash flows.

    Parameters
    ----------
    model : Model
    parameters : mapping of str to ndarray, shape (n,)
        A value per scenario for every parameter.
    groups : mapping of str to (sequence of str or None)
        Named groups of actor keys; None stands for society (every actor, where
        transfers cancel).

    Returns
    -------
    dict of str to GroupOutcomes
        One per group, same keys.  One pass of the engine serves every group.
    """
    keys = model.actor_keys
    rows = {}
    for name, actors in groups.items():
        unknown = [a for a in (actors or ()) if a not in keys]
        if unknown or (actors is not None and not actors):
            raise ValueError(f"group {name!r}: unknown actors {unknown}; the model has "
                             f"{list(keys)}")
        rows[name] = [len(keys)] if actors is None else [keys.index(a) for a in actors]
    compiled = CompiledModel(model)
    n = len(next(iter(parameters.values())))
    arrays = {name: (np.empty(n), np.empty(n), np.empty(n)) for name in groups}
    investment = np.empty(n)
    for start in range(0, n, _GROUP_BLOCK):
        part = {k: np.asarray(v)[start:start + _GROUP_BLOCK] for k, v in parameters.items()}
        out = compiled.evaluate(part, keep_cumulative=True)
        cumulative = out.cumulative
        investment[start:start + cumulative.shape[-1]] = out.outputs["investment"]
        for name, (npv, hump, payback) in arrays.items():
            summed = cumulative[rows[name]].sum(axis=0)  # (Y, block)
            stop = start + summed.shape[1]
            npv[start:stop] = summed[-1]
            hump[start:stop] = investment_hump(summed)
            payback[start:stop] = payback_year(summed)
    return {name: GroupOutcomes(tuple(keys if groups[name] is None else groups[name]),
                                *arrays[name], investment) for name in groups}


def group_outcomes(result: SimulationResult, actors: Sequence[str] | None) -> GroupOutcomes:
    """:func:`evaluate_groups` for one group, on a run's finite scenarios.

    The NPV is the sum of the run's ``npv_<actor>`` outputs (exactly the numbers
    of the other tables); hump and payback year come from the summed cumulative
    net, recomputed from the run's parameters (one more pass of the engine).
    """
    keep = result.finite
    params = {k: v[keep] for k, v in result.parameters.items()}
    group = evaluate_groups(result.model, params, {"group": actors})["group"]
    keys = result.model.actor_keys if actors is None else actors
    npv = (result.outputs["npv_society"][keep] if actors is None
           else np.sum([result.outputs[f"npv_{a}"][keep] for a in keys], axis=0))
    return GroupOutcomes(group.actors, npv, group.hump, group.payback_year,
                         result.outputs["investment"][keep])
