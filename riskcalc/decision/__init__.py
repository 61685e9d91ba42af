"""Decisions on a run: risk measures, outcome classes, who carries what, policy verdicts.

Everything here reads a :class:`~riskcalc.results.SimulationResult` and computes; it
never plots or prints.  Imports go one way: the policy modules (``criteria``,
``policy``, ``verdict``) use the risk modules, never the reverse (a test walks the
imports).

Risk
----
Computation only, on the per-scenario outputs of a
:class:`~riskcalc.results.SimulationResult` (shape (n,) arrays, currency SEK or
whatever the model declares).  Conventions (see ``docs/decisions.md``):

* a **loss** is a negative NPV; ``prob_loss = P(NPV < 0)``;
* ``var_95 = -P5(NPV)``: the loss exceeded with 5 % probability (negative when
  even the 5th percentile is a gain); ``cvar_95`` (expected shortfall) is minus
  the mean NPV over the worst 5 % of scenarios;
* Monte Carlo standard errors: ``std / sqrt(n)`` for means and
  ``sqrt(p (1 - p) / n)`` for probabilities;
* the four **outcome classes** very_bad / bad / half_good / good are cut by three
  increasing thresholds on one output (default ROI: -0.5, 0, 1); a value equal to a
  threshold belongs to the class above it.

Scenarios whose outputs are not finite (``result.finite``) are left out everywhere.

Policy
------
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
measures
    VaR, expected shortfall, standard errors; ``risk_row`` and ``risk_table``.
classes
    Outcome classes (``ClassSpec``, ``class_table``), ``regime_table``, and the
    ``group_by_label`` table behind both.
actor_groups
    What a group of actors carries together (``GroupOutcomes``,
    ``evaluate_groups``, ``group_outcomes``).
redistribution
    Winners and losers, and the transfers that would leave every actor whole.
voi
    Expected value of perfect (partial) information.
tables
    ``payback_within``, ``acceptability``, and every table of a run directory
    (``risk_tables``, ``write_risk_outputs``).
breakeven
    Switching values: where a parameter would flip a decision.
convergence
    Running mean, P(loss) and P5 with standard errors as N grows; precision targets,
    the N they need, and ``run_to_precision``.
criteria
    The thresholds (``Criterion`` and its six kinds) and how each is measured.
policy
    ``Policy`` and reading and validating a policy file (``load_policy``,
    ``policy_from_dict``).
verdict
    ``evaluate_policy``: the criteria measured on a run, what would flip the
    verdict (``Verdict``, ``CriterionResult``, ``VerdictSwitch``).
"""

from riskcalc.lazy import lazy_api

#: Name → defining module, imported on first use (PEP 562): importing this package
#: (as every submodule import does) costs nothing until its API is used.
_API = {
    "GroupOutcomes": "riskcalc.decision.actor_groups",
    "evaluate_groups": "riskcalc.decision.actor_groups",
    "group_outcomes": "riskcalc.decision.actor_groups",
    "breakeven_table": "riskcalc.decision.breakeven",
    "CLASS_NAMES": "riskcalc.decision.classes",
    "DEFAULT_CLASS_OUTPUT": "riskcalc.decision.classes",
    "DEFAULT_CLASS_THRESHOLDS": "riskcalc.decision.classes",
    "ClassSpec": "riskcalc.decision.classes",
    "class_table": "riskcalc.decision.classes",
    "group_by_label": "riskcalc.decision.classes",
    "regime_table": "riskcalc.decision.classes",
    "convergence_table": "riskcalc.decision.convergence",
    "parse_target": "riskcalc.decision.convergence",
    "precision_table": "riskcalc.decision.convergence",
    "run_to_precision": "riskcalc.decision.convergence",
    "CRITERIA": "riskcalc.decision.criteria",
    "SUBJECTS": "riskcalc.decision.criteria",
    "Criterion": "riskcalc.decision.criteria",
    "MaxCapitalNeed": "riskcalc.decision.criteria",
    "MaxExpectedShortfall": "riskcalc.decision.criteria",
    "MaxProbLoss": "riskcalc.decision.criteria",
    "MinExpectedNPV": "riskcalc.decision.criteria",
    "MinExpectedROI": "riskcalc.decision.criteria",
    "MinProbPayback": "riskcalc.decision.criteria",
    "expected_shortfall": "riskcalc.decision.measures",
    "expected_shortfall_se": "riskcalc.decision.measures",
    "level_suffix": "riskcalc.decision.measures",
    "prob_se": "riskcalc.decision.measures",
    "quantile_se": "riskcalc.decision.measures",
    "risk_row": "riskcalc.decision.measures",
    "risk_table": "riskcalc.decision.measures",
    "value_at_risk": "riskcalc.decision.measures",
    "Policy": "riskcalc.decision.policy",
    "load_policy": "riskcalc.decision.policy",
    "policy_from_dict": "riskcalc.decision.policy",
    "compensation_matrix": "riskcalc.decision.redistribution",
    "redistribution_table": "riskcalc.decision.redistribution",
    "acceptability": "riskcalc.decision.tables",
    "payback_within": "riskcalc.decision.tables",
    "risk_tables": "riskcalc.decision.tables",
    "write_risk_outputs": "riskcalc.decision.tables",
    "TOO_CLOSE_SE": "riskcalc.decision.verdict",
    "CriterionResult": "riskcalc.decision.verdict",
    "Verdict": "riskcalc.decision.verdict",
    "VerdictSwitch": "riskcalc.decision.verdict",
    "evaluate_policy": "riskcalc.decision.verdict",
    "evpi": "riskcalc.decision.voi",
    "evppi": "riskcalc.decision.voi",
    "voi_table": "riskcalc.decision.voi",
}

__all__ = [
    "CLASS_NAMES",
    "DEFAULT_CLASS_OUTPUT",
    "DEFAULT_CLASS_THRESHOLDS",
    "ClassSpec",
    "GroupOutcomes",
    "value_at_risk",
    "expected_shortfall",
    "quantile_se",
    "expected_shortfall_se",
    "prob_se",
    "level_suffix",
    "risk_row",
    "regime_table",
    "risk_table",
    "group_by_label",
    "class_table",
    "payback_within",
    "evaluate_groups",
    "group_outcomes",
    "acceptability",
    "risk_tables",
    "write_risk_outputs",
    "breakeven_table",
    "compensation_matrix",
    "redistribution_table",
    "evpi",
    "evppi",
    "voi_table",
    "Criterion", "MaxProbLoss", "MinProbPayback", "MaxCapitalNeed", "MinExpectedROI",
    "MaxExpectedShortfall", "MinExpectedNPV", "CRITERIA", "Policy", "load_policy",
    "policy_from_dict", "CriterionResult", "VerdictSwitch", "Verdict", "evaluate_policy",
    "SUBJECTS", "TOO_CLOSE_SE",
    "convergence_table", "precision_table", "parse_target", "run_to_precision",
]


__getattr__, __dir__ = lazy_api(__name__, _API)
