"""Risk measures of a run: what a board or an analyst decides on.

Computation only, on the per-scenario outputs of a
:class:`~riskcalc.result.SimulationResult` (shape (n,) arrays, currency SEK or
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
tables
    ``payback_within``, ``acceptability``, and every table of a run directory
    (``risk_tables``, ``write_risk_outputs``).
"""

from riskcalc.risk.actor_groups import GroupOutcomes, evaluate_groups, group_outcomes
from riskcalc.risk.classes import (
    CLASS_NAMES,
    DEFAULT_CLASS_OUTPUT,
    DEFAULT_CLASS_THRESHOLDS,
    ClassSpec,
    class_table,
    group_by_label,
    regime_table,
)
from riskcalc.risk.measures import (
    expected_shortfall,
    expected_shortfall_se,
    level_suffix,
    prob_se,
    quantile_se,
    risk_row,
    risk_table,
    value_at_risk,
)
from riskcalc.risk.tables import (
    acceptability,
    payback_within,
    risk_tables,
    write_risk_outputs,
)

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
]
