"""The thresholds a fund board holds a run to, each measured on a group's outcomes.

Every criterion is a frozen dataclass: its fields are what the policy file
gives (a threshold, and for some a horizon, a quantile or a level), its class
variables say what it is (``key`` in the file, ``sense`` max or min, ``unit``),
and :meth:`Criterion.measure` computes the measured value and its Monte Carlo
standard error from a :class:`~riskcalc.decision.GroupOutcomes`.
"""

from __future__ import annotations

import abc
import math
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from riskcalc.decision.actor_groups import GroupOutcomes
from riskcalc.decision.measures import (
    expected_shortfall,
    expected_shortfall_se,
    prob_se,
    quantile_se,
)

__all__ = [
    "SUBJECTS", "Criterion", "MaxProbLoss", "MinProbPayback", "MaxCapitalNeed",
    "MinExpectedROI", "MaxExpectedShortfall", "MinExpectedNPV", "CRITERIA", "as_shown",
]

#: Whom a criterion is about.
SUBJECTS = ("owner", "society")


@dataclass(frozen=True)
class Criterion(abc.ABC):
    """A threshold of a fund board, measured on the owner's (or society's) outcomes.

    Subclasses name the measured quantity; ``sense`` says whether the measure must
    stay at most (``"max"``) or at least (``"min"``) the threshold, ``unit`` is
    ``"probability"``, ``"currency"`` or ``"ratio"``, and ``threshold_field`` names
    the field that holds the threshold (the one a plain number in the file sets).
    """

    of: str = field(default="owner", kw_only=True)
    key: ClassVar[str] = ""
    sense: ClassVar[str] = "max"
    unit: ClassVar[str] = "currency"
    threshold_field: ClassVar[str] = ""

    @property
    def threshold(self) -> float:
        """The bound the measure is held to."""
        return getattr(self, self.threshold_field)

    @abc.abstractmethod
    def label(self) -> str:
        """What is measured, for people."""

    @abc.abstractmethod
    def measure(self, outcomes: GroupOutcomes) -> tuple[float, float]:
        """The measured value and its Monte Carlo standard error."""

    def margin(self, value: float) -> float:
        """Distance from the threshold on the passing side (≥ 0 passes)."""
        return self.threshold - value if self.sense == "max" else value - self.threshold


def _probability_se(event: np.ndarray) -> tuple[float, float]:
    """Share of scenarios where `event` holds, and its standard error."""
    p = float(np.mean(event))
    return p, prob_se(p, event.size)


def _mean_se(values: np.ndarray) -> tuple[float, float]:
    """Mean of `values`, and its standard error."""
    n = values.size
    return float(values.mean()), float(values.std(ddof=1) / math.sqrt(n)) if n > 1 else 0.0


@dataclass(frozen=True)
class MaxProbLoss(Criterion):
    """P(NPV < 0) ≤ `probability`."""

    probability: float
    key: ClassVar[str] = "max_prob_loss"
    unit: ClassVar[str] = "probability"
    threshold_field: ClassVar[str] = "probability"

    def label(self) -> str:
        return f"P({self.of}'s net loss)"

    def measure(self, outcomes: GroupOutcomes) -> tuple[float, float]:
        return _probability_se(outcomes.npv < 0)


@dataclass(frozen=True)
class MinProbPayback(Criterion):
    """P(payback within `years` years) ≥ `probability`."""

    years: int
    probability: float
    key: ClassVar[str] = "min_prob_payback"
    sense: ClassVar[str] = "min"
    unit: ClassVar[str] = "probability"
    threshold_field: ClassVar[str] = "probability"

    def label(self) -> str:
        return f"P({self.of} paid back within {self.years} y)"

    def measure(self, outcomes: GroupOutcomes) -> tuple[float, float]:
        return _probability_se(outcomes.payback_year <= self.years)  # NaN (never) is False


@dataclass(frozen=True)
class MaxCapitalNeed(Criterion):
    """The `quantile` of the investment hump (capital needed) ≤ `amount`."""

    amount: float
    quantile: float = 0.95
    key: ClassVar[str] = "max_capital_need"
    threshold_field: ClassVar[str] = "amount"

    def label(self) -> str:
        return f"{self.of}'s capital need, P{100 * self.quantile:g}"

    def measure(self, outcomes: GroupOutcomes) -> tuple[float, float]:
        return (float(np.quantile(outcomes.hump, self.quantile)),
                quantile_se(outcomes.hump, self.quantile))


@dataclass(frozen=True)
class MinExpectedROI(Criterion):
    """E[NPV / investment] ≥ `roi`."""

    roi: float
    key: ClassVar[str] = "min_expected_roi"
    sense: ClassVar[str] = "min"
    unit: ClassVar[str] = "ratio"
    threshold_field: ClassVar[str] = "roi"

    def label(self) -> str:
        return f"{self.of}'s expected ROI (NPV / investment)"

    def measure(self, outcomes: GroupOutcomes) -> tuple[float, float]:
        return _mean_se(outcomes.ret)


@dataclass(frozen=True)
class MaxExpectedShortfall(Criterion):
    """Expected shortfall (CVaR) of NPV at `level` ≤ `amount`."""

    amount: float
    level: float = 0.95
    key: ClassVar[str] = "max_expected_shortfall"
    threshold_field: ClassVar[str] = "amount"

    def label(self) -> str:
        # Shown as the mean net (see as_shown): a loss is negative, a gain positive.
        return f"{self.of}'s mean net in the worst {100 * (1 - self.level):g} %"

    def measure(self, outcomes: GroupOutcomes) -> tuple[float, float]:
        return (expected_shortfall(outcomes.npv, self.level),
                expected_shortfall_se(outcomes.npv, self.level))


@dataclass(frozen=True)
class MinExpectedNPV(Criterion):
    """E[NPV] ≥ `amount`."""

    amount: float
    key: ClassVar[str] = "min_expected_npv"
    sense: ClassVar[str] = "min"
    threshold_field: ClassVar[str] = "amount"

    def label(self) -> str:
        return f"{self.of}'s expected NPV"

    def measure(self, outcomes: GroupOutcomes) -> tuple[float, float]:
        return _mean_se(outcomes.npv)


#: Criterion key → class, in the order verdicts list them.
CRITERIA: dict[str, type[Criterion]] = {c.key: c for c in (
    MaxProbLoss, MinProbPayback, MaxCapitalNeed, MinExpectedROI, MaxExpectedShortfall,
    MinExpectedNPV)}


def as_shown(key: str, sense: str, measured: float, threshold: float) -> tuple[str, float, float]:
    """A criterion as people read it: ``(sense, measured, threshold)``.

    Expected shortfall is a loss counted positive (ES = 5 MSEK: the worst 5 % lose
    5 MSEK on average); next to NPVs, where a loss is negative, that reads the wrong
    way round, so it is shown as the mean *net* of the worst scenarios, negated with
    its bound: ``ES ≤ 5 MSEK`` is shown as ``mean net in the worst 5 % ≥ −5 MSEK``.
    Every other criterion is shown as measured.
    """
    if key == MaxExpectedShortfall.key:
        return "min", -measured, -threshold
    return sense, measured, threshold
