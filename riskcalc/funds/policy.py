"""A fund board's policy on a whole fund, and its verdict.

A fund policy is a policy file (``[policy]`` with a name, ``[criteria]``) whose
criteria are about the fund rather than one intervention's owner:

* ``max_prob_depleted``: largest probability that the balance goes below the
  lowest allowed within the fund's horizon;
* ``min_expected_recovery``: smallest expected share of the capital lent that
  comes back within the horizon (mean over scenarios of repaid / lent);
* ``max_cvar_loss``: largest CVaR of the fund's loss (lent minus repaid, SEK, at
  the fund's ``cvar_level``);
* ``min_expected_npv_society``: smallest expected society NPV of the portfolio (SEK).

Each criterion is measured with its Monte Carlo standard error; a margin within
two standard errors is flagged as too close to call.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from riskcalc.decision.measures import expected_shortfall_se, prob_se
from riskcalc.errors import ModelError, did_you_mean
from riskcalc.files import read_toml
from riskcalc.funds.result import FundResult
from riskcalc.funds.tables import cvar_split

__all__ = ["FUND_CRITERIA", "FundPolicy", "FundCriterionResult", "FundVerdict",
           "load_fund_policy", "fund_policy_from_dict", "evaluate_fund_policy"]

#: Fund criteria: key → (sense, unit, what is measured).
FUND_CRITERIA: dict[str, tuple[str, str, str]] = {
    "max_prob_depleted": ("max", "probability", "P(fund depleted within its horizon)"),
    "min_expected_recovery": ("min", "share", "expected share of the capital lent recovered"),
    "max_cvar_loss": ("max", "currency", "CVaR of the fund's loss"),
    "min_expected_npv_society": ("min", "currency", "expected society NPV of the portfolio"),
}


@dataclass(frozen=True)
class FundPolicy:
    """A validated fund policy: name and thresholds by criterion key."""

    name: str
    criteria: dict[str, float]
    description: str = ""
    source: str = "<dict>"


@dataclass(frozen=True)
class FundCriterionResult:
    key: str
    threshold: float
    measured: float
    se: float

    @property
    def sense(self) -> str:
        return FUND_CRITERIA[self.key][0]

    @property
    def margin(self) -> float:
        """Positive when the criterion is met."""
        d = self.threshold - self.measured
        return d if self.sense == "max" else -d

    @property
    def passed(self) -> bool:
        return bool(self.margin >= 0)

    @property
    def too_close(self) -> bool:
        return bool(abs(self.margin) < 2 * self.se)


@dataclass(frozen=True)
class FundVerdict:
    """APPROVE when every criterion passes."""

    policy: FundPolicy
    criteria: tuple[FundCriterionResult, ...]
    n: int
    seed: int

    @property
    def approve(self) -> bool:
        return all(c.passed for c in self.criteria)

    @property
    def decision(self) -> str:
        return "APPROVE" if self.approve else "REJECT"

    def to_dict(self) -> dict[str, Any]:
        """verdict.json."""
        return {"decision": self.decision, "policy": self.policy.name,
                "policy_source": self.policy.source, "n": self.n, "seed": self.seed,
                "criteria": [{"criterion": c.key, "label": FUND_CRITERIA[c.key][2],
                              "sense": c.sense, "unit": FUND_CRITERIA[c.key][1],
                              "threshold": c.threshold, "measured": c.measured,
                              "margin": c.margin, "se": c.se, "passed": c.passed,
                              "too_close": c.too_close} for c in self.criteria]}


def load_fund_policy(path: str | Path) -> FundPolicy:
    """Read and validate a fund policy file (one-line ModelError otherwise)."""
    path = Path(path)
    data, _ = read_toml(path, "policy file")
    return fund_policy_from_dict(data, source=str(path))


def fund_policy_from_dict(data: dict[str, Any], *, source: str = "<dict>") -> FundPolicy:
    """Validate a fund policy given as nested dicts."""
    for key in data:
        if key not in ("policy", "criteria"):
            raise ModelError(f"{source}: [{key}]: unknown table in a fund policy; "
                             f"{did_you_mean(key, ['policy', 'criteria'])}")
    head = data.get("policy", {})
    criteria = data.get("criteria")
    if not isinstance(head, dict) or not isinstance(criteria, dict) or not criteria:
        raise ModelError(f"{source}: [criteria]: missing; a fund policy needs at least one of "
                         + ", ".join(FUND_CRITERIA))
    for key in head:
        if key not in ("name", "description"):
            raise ModelError(f"{source}: [policy].{key}: unknown key in a fund policy; "
                             f"{did_you_mean(key, ['name', 'description'])}")
    thresholds = {}
    for key, value in criteria.items():
        if key not in FUND_CRITERIA:
            raise ModelError(f"{source}: [criteria].{key}: not a fund criterion; "
                             f"{did_you_mean(key, FUND_CRITERIA)}")
        unit = FUND_CRITERIA[key][1]
        ok = (not isinstance(value, bool) and isinstance(value, (int, float))
              and math.isfinite(value) and (unit == "currency" or 0 <= value <= 1))
        if not ok:
            what = "an amount" if unit == "currency" else "a share from 0 to 1"
            raise ModelError(f"{source}: [criteria].{key}: expected {what}, got {value!r}")
        thresholds[key] = float(value)
    return FundPolicy(name=str(head.get("name", Path(source).stem)), criteria=thresholds,
                      description=str(head.get("description", "")), source=source)


def _measure(key: str, result: FundResult) -> tuple[float, float]:
    s = result.scenarios
    n = result.n
    if key == "max_prob_depleted":
        p = float(np.isfinite(s["depletion_year"]).mean())
        return p, prob_se(p, n)
    if key == "min_expected_recovery":
        values = s["recovered"][np.isfinite(s["recovered"])]
        if values.size == 0:
            return math.nan, math.nan
        return float(values.mean()), float(values.std(ddof=1) / math.sqrt(values.size)
                                           if values.size > 1 else 0.0)
    if key == "max_cvar_loss":
        names = [i.name for i in result.fund.interventions]
        cvar, _ = cvar_split({i: s[f"loss_{i}"] for i in names}, result.fund.cvar_level)
        return cvar, expected_shortfall_se(-s["fund_loss"], result.fund.cvar_level)
    values = s["npv_society"]
    return float(values.mean()), float(values.std(ddof=1) / math.sqrt(n) if n > 1 else 0.0)


def evaluate_fund_policy(policy: FundPolicy, result: FundResult) -> FundVerdict:
    """Measure every criterion of the policy on a fund run."""
    rows = tuple(FundCriterionResult(key, threshold, *_measure(key, result))
                 for key, threshold in policy.criteria.items())
    return FundVerdict(policy, rows, result.n, result.seed)
