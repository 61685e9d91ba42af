"""A fund board's verdict on a run: every criterion measured, and what would flip it.

:func:`evaluate_policy` measures each criterion of a :class:`~riskcalc.decision.Policy`
on the owner's (or society's) outcomes of a run, with Monte Carlo standard
errors; for the most influential parameters it finds the values at which the
verdict flips, and which criteria bind there.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
import pandas as pd

from riskcalc.decision.actor_groups import GroupOutcomes, evaluate_groups, group_outcomes
from riskcalc.decision.breakeven import (
    DEFAULT_BREAKEVEN_N,
    SwitchingValues,
    fmt_value,
    most_influential,
    switching_values,
)
from riskcalc.decision.classes import class_table
from riskcalc.decision.criteria import Criterion
from riskcalc.decision.policy import Policy
from riskcalc.decision.voi import evpi, evpi_se
from riskcalc.model.objects import Model
from riskcalc.results.result import SimulationResult

__all__ = ["TOO_CLOSE_SE", "CriterionResult", "VerdictSwitch", "Verdict", "evaluate_policy"]

#: A margin within this many Monte Carlo standard errors of zero is "too close to call".
TOO_CLOSE_SE = 2.0


@dataclass(frozen=True)
class CriterionResult:
    """One criterion, measured.

    Attributes
    ----------
    criterion : Criterion
    measured, se : float
        The measured value and its Monte Carlo standard error.
    margin : float
        Distance from the threshold, positive on the passing side.
    """

    criterion: Criterion
    measured: float
    se: float
    margin: float

    @property
    def passed(self) -> bool:
        """The criterion is met (margin ≥ 0)."""
        return bool(self.margin >= 0)

    @property
    def too_close(self) -> bool:
        """The margin is within 2 standard errors of zero: more scenarios could flip it."""
        return bool(abs(self.margin) < TOO_CLOSE_SE * self.se)

    def to_dict(self) -> dict[str, Any]:
        c = self.criterion
        return {"name": c.key, "label": c.label(), "of": c.of, "sense": c.sense,
                "unit": c.unit, "measured": self.measured, "threshold": c.threshold,
                "margin": self.margin, "se": self.se, "passed": self.passed,
                "too_close": self.too_close,
                "parameters": {f.name: getattr(c, f.name) for f in fields(c)
                               if f.name != "of"}}


@dataclass(frozen=True)
class VerdictSwitch:
    """Where fixing one parameter at a value flips the verdict.

    Attributes
    ----------
    values : SwitchingValues
        Zeros of the smallest criterion margin as the parameter moves.
    spearman : float
        Rank correlation of the parameter with the owner's NPV in the run.
    binding : tuple of tuple of str
        Per switch, the criteria that fail just on its rejecting side.
    """

    values: SwitchingValues
    spearman: float
    binding: tuple[tuple[str, ...], ...]

    def describe(self) -> str:
        """One line for people."""
        sv = self.values
        if not sv.switches:
            return sv.describe("APPROVE", "REJECT")
        parts = [f"APPROVE {'above' if s.rising else 'below'} {fmt_value(s.value)} "
                 f"(binding: {', '.join(b)})" for s, b in zip(sv.switches, self.binding,
                                                             strict=True)]
        return f"{sv.parameter}: " + "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        sv = self.values
        return {"parameter": sv.parameter, "spearman": self.spearman, "low": sv.low,
                "high": sv.high, "base": sv.base, "n": sv.n,
                "switches": [{"value": s.value, "approve_above": s.rising, "binding": list(b)}
                             for s, b in zip(sv.switches, self.binding, strict=True)],
                "throughout": None if sv.switches else
                ("APPROVE" if sv.at_low >= 0 else "REJECT"),
                "text": self.describe()}


@dataclass(frozen=True)
class Verdict:
    """A fund board's verdict on a run.

    Attributes
    ----------
    policy : Policy
    model : Model
    n, seed : int
        The run's size and seed.
    n_used : int
        Scenarios with finite outputs (the rest are left out).
    criteria : tuple of CriterionResult
    switches : tuple of VerdictSwitch
        For the most influential parameters, the values that flip the verdict.
    owner_mean_npv, owner_prob_loss : float
        The owner's expected NPV (currency) and probability of a net loss.
    evpi, evpi_se : float
        Expected value of perfect information of the owner's decision (currency).
    classes : DataFrame
        :func:`riskcalc.decision.class_table` with the owner's mean NPV (``mean_npv_owner``).
    """

    policy: Policy
    model: Model
    n: int
    seed: int
    n_used: int
    criteria: tuple[CriterionResult, ...]
    switches: tuple[VerdictSwitch, ...]
    owner_mean_npv: float
    owner_prob_loss: float
    evpi: float
    evpi_se: float
    classes: pd.DataFrame = field(compare=False)

    @property
    def approve(self) -> bool:
        """True when every criterion is met."""
        return all(c.passed for c in self.criteria)

    @property
    def decision(self) -> str:
        """``"APPROVE"`` or ``"REJECT"``."""
        return "APPROVE" if self.approve else "REJECT"

    @property
    def too_close(self) -> tuple[str, ...]:
        """Keys of the criteria whose margin is within 2 standard errors of zero."""
        return tuple(c.criterion.key for c in self.criteria if c.too_close)

    def to_dict(self) -> dict[str, Any]:
        """Everything in the verdict, as JSON-ready data (``verdict.json``)."""
        return {
            "decision": self.decision, "approve": self.approve,
            "policy": {"name": self.policy.name, "source": self.policy.source,
                       "owner": list(self.policy.owner)},
            "model": {"name": self.model.name, "source": self.model.source,
                      "sha256": self.model.sha256, "currency": self.model.currency},
            "n": self.n, "seed": self.seed, "n_used": self.n_used,
            "owner": {"mean_npv": self.owner_mean_npv, "prob_loss": self.owner_prob_loss},
            "criteria": [c.to_dict() for c in self.criteria],
            "too_close_to_call": list(self.too_close),
            "switching_values": [s.to_dict() for s in self.switches],
            "evpi": {"value": self.evpi, "se": self.evpi_se},
            "classes": _records(self.classes),
        }


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: (None if isinstance(v, float) and not math.isfinite(v) else v)
             for k, v in row.items()} for row in frame.to_dict(orient="records")]


def _subjects(policy: Policy) -> dict[str, Sequence[str] | None]:
    groups: dict[str, Sequence[str] | None] = {"owner": policy.owner_group}
    if any(c.of == "society" for c in policy.criteria):
        groups["society"] = None
    return groups


def _margins(policy: Policy, outcomes: Mapping[str, GroupOutcomes]) -> dict[str, float]:
    return {c.key: c.margin(c.measure(outcomes[c.of])[0]) for c in policy.criteria}


def evaluate_policy(policy: Policy, result: SimulationResult, *, top: int = 5,
                    breakeven_n: int | None = None) -> Verdict:
    """Measure every criterion of a policy on a run, and find what would flip the verdict.

    Parameters
    ----------
    policy : Policy
    result : SimulationResult
    top : int
        Switching values for at most this many parameters, ranked by |Spearman
        correlation| with the owner's NPV, those within noise left out (0: none).
    breakeven_n : int, optional
        Common-sample size for the switching values; default ``min(result.n, 4096)``.

    Returns
    -------
    Verdict
    """
    model = result.model
    policy.check(model)
    outcomes = {name: group_outcomes(result, actors)
                for name, actors in _subjects(policy).items()}
    measured = []
    for c in policy.criteria:
        value, se = c.measure(outcomes[c.of])
        measured.append(CriterionResult(c, value, se, c.margin(value)))
    owner = outcomes["owner"]
    switches = ()
    if top > 0 and model.uncertain_parameters:
        n = min(result.n, DEFAULT_BREAKEVEN_N) if breakeven_n is None else breakeven_n
        switches = tuple(_verdict_switches(policy, result, top, n))
    classes = class_table(result, policy.classes, extra={"npv_owner": owner.npv})
    return Verdict(policy=policy, model=model, n=result.n, seed=result.seed,
                   n_used=owner.n, criteria=tuple(measured), switches=switches,
                   owner_mean_npv=float(owner.npv.mean()),
                   owner_prob_loss=float(np.mean(owner.npv < 0)),
                   evpi=evpi(owner.npv), evpi_se=evpi_se(owner.npv), classes=classes)


def _verdict_switches(policy: Policy, result: SimulationResult, top: int,
                      n: int) -> list[VerdictSwitch]:
    model = result.model
    groups = _subjects(policy)
    target = "npv_society" if policy.owner_group is None else list(policy.owner_group)

    def margins(points: Mapping[str, np.ndarray]) -> dict[str, float]:
        outcomes = evaluate_groups(model, points, groups)
        finite = np.ones(n, dtype=bool)
        for o in outcomes.values():
            finite &= np.isfinite(o.npv) & np.isfinite(o.hump)
        outcomes = {k: GroupOutcomes(o.actors, o.npv[finite], o.hump[finite],
                                     o.payback_year[finite], o.investment[finite])
                    for k, o in outcomes.items()}
        return _margins(policy, outcomes)

    def smallest(points: Mapping[str, np.ndarray]) -> float:
        return min(margins(points).values())

    from riskcalc.engine.sampling import sample_parameters

    sample = sample_parameters(model, result.seed, 0, n)
    found = []
    for _, rank in most_influential(result, target, top).iterrows():
        sv = switching_values(model, rank["parameter"], smallest, seed=result.seed, n=n)
        binding = []
        for s in sv.switches:
            # Just on the rejecting side of the switch: which criteria fail there?
            step = (sv.high - sv.low) * 1e-4
            v = s.value - step if s.rising else s.value + step
            m = margins({**sample, sv.parameter: np.full(n, v)})
            binding.append(tuple(k for k, x in m.items() if x < 0)
                           or (min(m, key=m.get),))
        found.append(VerdictSwitch(sv, float(rank["spearman"]), tuple(binding)))
    return found
