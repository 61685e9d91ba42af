"""A fund board's policy: whose money it is, the thresholds, and the verdict.

A policy file (TOML, see ``docs/decisions.md``)::

    [policy]
    name = "Municipal social-investment fund"
    owner = ["municipality", "labour_office"]   # whose money: their NPVs add up

    [criteria]
    max_prob_loss = 0.2                                  # P(owner's NPV < 0) ≤ 20 %
    min_prob_payback = { years = 5, probability = 0.8 }  # paid back within 5 y with 80 %
    max_capital_need = { quantile = 0.95, amount = 30e6 }
    min_expected_roi = 0.0
    max_expected_shortfall = { level = 0.95, amount = 10e6 }
    min_expected_npv = 0

    [classes]                                            # optional
    output = "roi"
    thresholds = [-0.5, 0.0, 1.0]

Every criterion applies to the owner unless its table says ``of = "society"``.
:func:`load_policy` validates the file into frozen dataclasses (a
:class:`~riskcalc.errors.ModelError` with a one-line message otherwise);
:meth:`Policy.check` validates it against a model; :func:`evaluate_policy` turns
a run into a :class:`Verdict`.

Modules
-------
criteria
    The thresholds (``Criterion`` and its six kinds) and how each is measured.
policy_file
    ``Policy`` and reading and validating a policy file (``load_policy``,
    ``policy_from_dict``).
verdict
    ``evaluate_policy``: the criteria measured on a run, what would flip the
    verdict (``Verdict``, ``CriterionResult``, ``VerdictSwitch``).
"""

from riskcalc.policy.criteria import (
    CRITERIA,
    SUBJECTS,
    Criterion,
    MaxCapitalNeed,
    MaxExpectedShortfall,
    MaxProbLoss,
    MinExpectedNPV,
    MinExpectedROI,
    MinProbPayback,
)
from riskcalc.policy.policy_file import Policy, load_policy, policy_from_dict
from riskcalc.policy.verdict import (
    TOO_CLOSE_SE,
    CriterionResult,
    Verdict,
    VerdictSwitch,
    evaluate_policy,
)

__all__ = [
    "Criterion", "MaxProbLoss", "MinProbPayback", "MaxCapitalNeed", "MinExpectedROI",
    "MaxExpectedShortfall", "MinExpectedNPV", "CRITERIA", "Policy", "load_policy",
    "policy_from_dict", "CriterionResult", "VerdictSwitch", "Verdict", "evaluate_policy",
    "SUBJECTS", "TOO_CLOSE_SE",
]
