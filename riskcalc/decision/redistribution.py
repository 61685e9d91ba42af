"""Winners, losers and the compensation that would leave every actor whole.

The seed's "compensation problem": the actor who pays for a social investment
is rarely the one who gains.  Given each actor's expected NPV, the actors with an
expected loss are paid their loss by the actors with an expected gain, each
gainer in proportion to its gain.  The transfers sum to zero; when the gains
cover the losses every actor is left at least whole in expectation.

Production value is society's, not a budget: by default it neither pays nor
receives (``include_production=False``); its row is shown with transfer 0.

When the budget holders' expected gains do not cover their losses
(``feasible=False``), the gainers pay all their gains and each loser receives
that total in proportion to its loss: nobody can be made whole.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from riskcalc.decision.measures import prob_se

if TYPE_CHECKING:
    from riskcalc.results.result import SimulationResult

__all__ = ["Compensation", "compensate", "redistribution_table", "compensation_matrix"]


@dataclass(frozen=True)
class Compensation:
    """Transfers between actors that settle expected gains and losses.

    Attributes
    ----------
    actors : tuple of str
        Every actor, in model order.
    expected_net : ndarray, shape (A,)
        Expected NPV of each actor before compensation (currency).
    transfer : ndarray, shape (A,)
        Received (+) or paid (-) by each actor (currency); sums to zero.
    matrix : ndarray, shape (A, A)
        ``matrix[i, j]``: paid by actor i (a gainer) to actor j (a loser), ≥ 0.
        Row sums are what each gainer pays, column sums what each loser receives.
    participates : ndarray of bool, shape (A,)
        Actors that may pay or receive.
    feasible : bool
        True when the participants' gains cover their losses: every participant
        is then at least whole in expectation.
    """

    actors: tuple[str, ...]
    expected_net: np.ndarray
    transfer: np.ndarray
    matrix: np.ndarray
    participates: np.ndarray
    feasible: bool

    @property
    def net_after(self) -> np.ndarray:
        """Expected NPV after the transfers, shape (A,) (currency)."""
        return self.expected_net + self.transfer


def compensate(expected_net: Mapping[str, float], *,
               participants: Sequence[str] | None = None) -> Compensation:
    """Proportional compensation of expected losers by expected gainers.

    Parameters
    ----------
    expected_net : mapping of str to float
        Expected NPV per actor (currency).
    participants : sequence of str, optional
        Actors that may pay or receive; default all.

    Returns
    -------
    Compensation

    Notes
    -----
    Losers L (E_a < 0) and gainers G (E_a > 0) among the participants, with
    D = Σ_L |E_a| and S = Σ_G E_g.  The total moved is T = min(D, S).  Gainer g
    pays T E_g / S; loser l receives T |E_l| / D; the matrix entry (g, l) is
    T (E_g / S) (|E_l| / D).  If S ≥ D, every loser receives exactly |E_l| and
    every gainer keeps E_g (1 - D / S) ≥ 0.
    """
    actors = tuple(expected_net)
    net = np.array([float(expected_net[a]) for a in actors])
    chosen = set(actors if participants is None else participants)
    unknown = sorted(chosen - set(actors))
    if unknown:
        raise ValueError(f"unknown participants {unknown}; the actors are {list(actors)}")
    part = np.array([a in chosen for a in actors])
    loss = np.where(part & (net < 0), -net, 0.0)
    gain = np.where(part & (net > 0), net, 0.0)
    deficit, surplus = loss.sum(), gain.sum()
    moved = min(deficit, surplus)
    matrix = np.zeros((len(actors), len(actors)))
    transfer = np.zeros(len(actors))
    if moved > 0:
        paid, received = moved * gain / surplus, moved * loss / deficit
        matrix = np.outer(paid, received / moved)
        transfer = received - paid
    return Compensation(actors, net, transfer, matrix, part, bool(surplus >= deficit))


def _compensation(result: SimulationResult, include_production: bool) -> Compensation:
    keep = result.finite
    model = result.model
    expected = {a: float(result.outputs[f"npv_{a}"][keep].mean()) for a in model.actor_keys}
    participants = [a.key for a in model.actors if include_production or a.kind != "production"]
    return compensate(expected, participants=participants)


def redistribution_table(result: SimulationResult, *,
                         include_production: bool = False) -> pd.DataFrame:
    """Winners and losers: each actor's expected net, risk of loss and compensation.

    Parameters
    ----------
    result : SimulationResult
    include_production : bool
        Let production value pay compensation (it is not a budget; default False).

    Returns
    -------
    DataFrame
        One row per actor: ``actor, label, kind, expected_net, se_expected_net,
        prob_net_loser, se_prob_net_loser, role`` (loser / gainer / neutral /
        outside), ``transfer`` (+ received, - paid; sums to zero),
        ``expected_net_after``, ``prob_net_loser_after`` (P(NPV + transfer < 0), the
        fixed transfer added to every scenario) and ``feasible`` (the same for every
        row: whether the gains cover the losses).
    """
    keep = result.finite
    comp = _compensation(result, include_production)
    rows = []
    for i, actor in enumerate(result.model.actors):
        npv = result.outputs[f"npv_{actor.key}"][keep]
        n = npv.size
        p_loss = float(np.mean(npv < 0))
        p_after = float(np.mean(npv + comp.transfer[i] < 0))
        net = comp.expected_net[i]
        role = ("outside" if not comp.participates[i] else
                "loser" if net < 0 else "gainer" if net > 0 else "neutral")
        rows.append({
            "actor": actor.key, "label": actor.label, "kind": actor.kind,
            "expected_net": net,
            "se_expected_net": npv.std(ddof=1) / np.sqrt(n) if n > 1 else 0.0,
            "prob_net_loser": p_loss, "se_prob_net_loser": prob_se(p_loss, n),
            "role": role, "transfer": comp.transfer[i],
            "expected_net_after": comp.net_after[i], "prob_net_loser_after": p_after,
            "feasible": comp.feasible,
        })
    return pd.DataFrame(rows)


def compensation_matrix(result: SimulationResult, *,
                        include_production: bool = False) -> pd.DataFrame:
    """Who funds whose losses: expected compensation from each gainer to each loser.

    Returns
    -------
    DataFrame, shape (A, A)
        Index ``from`` (the paying actor; rows), columns the receiving actors; entry (i, j) is paid
        by actor i to actor j in expectation (currency, ≥ 0).  See :func:`compensate`.
    """
    comp = _compensation(result, include_production)
    frame = pd.DataFrame(comp.matrix, index=pd.Index(comp.actors, name="from"),
                         columns=list(comp.actors))
    return frame
