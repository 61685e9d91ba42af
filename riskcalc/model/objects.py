"""The model: actors, parameters, outcomes, derived values, flows and transfers.

A model is declared in a TOML file (see ``docs/model-files.md``) and validated
once, by :mod:`riskcalc.model.loader`, into the frozen objects of this module.
Everything downstream (sampling, engine, sensitivity, reports) reads these
objects and never the raw TOML.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from riskcalc.model.contract import Contract
from riskcalc.model.distributions import Distribution
from riskcalc.model.expressions import Expression

__all__ = [
    "COST_KINDS",
    "ACTOR_KINDS",
    "ADJUSTMENTS",
    "Actor",
    "Parameter",
    "Outcome",
    "Flow",
    "Transfer",
    "Regime",
    "Correlations",
    "Programme",
    "ReturnClaim",
    "SCOPES",
    "Model",
]

#: Cost kinds of the seed's table 4.3: resources used, money moved, production value.
COST_KINDS: tuple[str, ...] = ("real", "financial", "production")
#: Actor kinds: a public body's budget, or society's production value.
ACTOR_KINDS: tuple[str, ...] = ("budget", "production")
#: Outcome adjustments in the order they are applied (SROI guide, Green Book).
ADJUSTMENTS: tuple[str, ...] = ("deadweight", "displacement", "attribution")
#: Scopes of a flow in a programme: once per cohort (from its entry year) or once for
#: the programme as a whole (start-up, staff), on the calendar years.
SCOPES: tuple[str, ...] = ("cohort", "programme")


@dataclass(frozen=True)
class Actor:
    """A budget holder (a silo) or society's production value.

    Attributes
    ----------
    key : str
        Identifier used in flows and output columns (``npv_<key>``).
    label : str
        Name shown in tables, e.g. ``"Labour-market office"``.
    kind : {"budget", "production"}
    realisation : Expression or None
        Share of this actor's savings on paper that becomes budget ("cashability");
        None means all of it.
    label_sv : str
        Name in Swedish reports (``"Arbetsmarknadskontoret"``); empty: `label`.
    """

    key: str
    label: str
    kind: str = "budget"
    realisation: Expression | None = None
    label_sv: str = ""

    def label_in(self, lang: str) -> str:
        """The name in a report language (``"en"``, ``"sv"``)."""
        return self.label_sv if lang == "sv" and self.label_sv else self.label


@dataclass(frozen=True)
class Parameter:
    """An uncertain (or fixed) input of the model, with its distribution."""

    name: str
    distribution: Distribution
    description: str = ""
    unit: str = ""

    @property
    def is_uncertain(self) -> bool:
        """True when the parameter varies between scenarios."""
        return not self.distribution.is_fixed


@dataclass(frozen=True)
class Outcome:
    """A change the intervention causes (e.g. people in work), net of what it cannot claim.

    In year t the net outcome is::

        value(t) * (1 - deadweight) * (1 - displacement) * (1 - attribution)
                 * (1 - drop_off) ** (t - start_year)        for t >= start_year

    and 0 before `start_year` (a lag).  Drop-off fades the effect from the
    outcome's second year on.

    Attributes
    ----------
    name : str
        The name expressions use for the net outcome.
    value : Expression
        The gross outcome (may depend on ``year``).
    deadweight, displacement, attribution, drop_off : Expression or None
        Shares in [0, 1]; None is 0.
    start_year : int
        First year the outcome counts (1 = no lag).
    """

    name: str
    value: Expression
    deadweight: Expression | None = None
    displacement: Expression | None = None
    attribution: Expression | None = None
    drop_off: Expression | None = None
    start_year: int = 1

    @property
    def names(self) -> frozenset[str]:
        """Every name the outcome reads (``year`` included when it is lagged or fades)."""
        names = set(self.value.names)
        for part in (*self.adjustments().values(), self.drop_off):
            if part is not None:
                names |= part.names
        if self.drop_off is not None or self.start_year > 1:
            names.add("year")
        return frozenset(names)

    def adjustments(self) -> dict[str, Expression | None]:
        """Deadweight, displacement and attribution, in the order applied."""
        return {"deadweight": self.deadweight, "displacement": self.displacement,
                "attribution": self.attribution}

    def steps(self, env: Mapping[str, object]) -> dict[str, np.ndarray]:
        """The outcome after each adjustment, for a report of each one's effect.

        Returns
        -------
        dict of str to ndarray
            ``gross``, then the running value after each adjustment, then ``net``
            (after drop-off and lag), all broadcast over scenarios and years.
        """
        # One error state for every part (entering it per expression holds the GIL
        # about as long as the arithmetic on a block of the engine takes).
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            value = self.value.evaluate_ignoring_errors(env)
            steps = {"gross": value}
            for key, share in self.adjustments().items():
                if share is not None:
                    value = value * (1.0 - share.evaluate_ignoring_errors(env))
                steps[f"after_{key}"] = value
            year = env["year"]
            if self.drop_off is not None:
                elapsed = np.maximum(year - self.start_year, 0.0)
                value = value * _powers(
                    1.0 - np.asarray(self.drop_off.evaluate_ignoring_errors(env), dtype=float),
                    elapsed)
            if self.start_year > 1:
                value = np.where(year >= self.start_year, value, 0.0)
        steps["net"] = value
        return steps

    def evaluate(self, env: Mapping[str, object]) -> np.ndarray:
        """The net outcome, broadcast over scenarios (and years where it varies)."""
        return self.steps(env)["net"]


def _powers(base: np.ndarray, exponent: np.ndarray) -> np.ndarray:
    """``base ** exponent`` for whole-number exponents (years), by running products.

    A power per scenario and year costs several times a multiplication; with the
    same base in every year, the powers 0..max are built row by row and picked.
    """
    whole = np.all(exponent == np.round(exponent)) and exponent.min() >= 0
    if not whole or exponent.shape[-1] != 1 or base.ndim == 2 and base.shape[0] != 1:
        return base ** exponent
    base = np.reshape(base, -1)
    table = np.empty((int(exponent.max()) + 1, len(base)))
    table[0] = 1.0
    for k in range(1, len(table)):
        np.multiply(table[k - 1], base, out=table[k])
    return table[exponent[:, 0].astype(int)]


@dataclass(frozen=True)
class Flow:
    """A revenue (saving, income) or cost of one actor, per year.

    ``sign`` is +1 for revenue and -1 for cost; ``amount`` is the positive
    amount in the model's currency per year, ``when`` an optional condition on
    ``year`` (the flow is zero in years where it is false).  A cost may carry an
    optimism-bias uplift; a revenue may be realised only in whole units of
    ``whole_units`` (a ward, a placement: a fraction of one saves nothing).
    """

    actor: str
    kind: str
    sign: int
    amount: Expression
    when: Expression | None = None
    label: str = ""
    optimism_bias: Expression | None = None
    whole_units: Expression | None = None
    scope: str = "cohort"


@dataclass(frozen=True)
class Transfer:
    """Money moved from one actor to another: a cost to one, a revenue to the other.

    Declared once, it nets to zero for society by construction.
    """

    payer: str
    payee: str
    kind: str
    amount: Expression
    when: Expression | None = None
    label: str = ""
    scope: str = "cohort"


@dataclass(frozen=True)
class Programme:
    """Recurring cohorts: a new cohort enters in each of `cohorts` successive years.

    Each cohort follows the model's outcome path from its own entry year: in the
    expressions of a cohort-scope flow, ``year`` is the year since the cohort
    entered (1 = its entry year), ``intake`` its size and ``cohort`` its number
    (1, 2, ...).  The cohorts' cash flows are added up on the calendar years, then
    discounted, and whole units and realisation apply to the sum.  Programme-scope
    flows are evaluated once on the calendar years, where ``intake`` and ``cohort``
    are those of the cohort entering that year (0 in years without one).

    Attributes
    ----------
    cohorts : int
        Number of cohorts (K).
    first_year : int
        Calendar year the first cohort enters; cohort c enters in ``first_year + c - 1``.
    intake : tuple of Expression
        Each cohort's intake (persons); an expression of parameters only.
    varying : dict of str to tuple of str
        Parameters drawn afresh for every cohort: the name the model's expressions
        use, and the per-cohort parameters (``<name>_cohort<c>``) that hold the draws.
        Every other parameter is drawn once per scenario, for all cohorts.
    """

    cohorts: int
    first_year: int
    intake: tuple[Expression, ...]
    varying: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def entry_years(self) -> tuple[int, ...]:
        """Calendar year each cohort enters."""
        return tuple(range(self.first_year, self.first_year + self.cohorts))


@dataclass(frozen=True)
class ReturnClaim:
    """A claim about the return that a run tests: "by year `year`, `multiple` × the investment".

    E.g. the seed's "over a mandate period (4 years) the effect is more than eight
    times the investment": ``ReturnClaim(4, 8.0, ...)``.  A run reports the
    probability that society's accumulated discounted net by `year` reaches
    `multiple` times the investment, and that multiple's P5-P95.
    """

    year: int
    multiple: float
    source: str = ""


@dataclass(frozen=True)
class Regime:
    """One of a model's declared scenarios (e.g. good / half-good / bad / very bad).

    Each simulated scenario first draws its regime with probability `weight`;
    the parameters in `overrides` are then drawn from the regime's distributions
    instead of the parameter's own.
    """

    name: str
    weight: float
    overrides: dict[str, Distribution] = field(default_factory=dict)


@dataclass(frozen=True)
class Correlations:
    """Rank correlations between parameters, induced by a Gaussian copula.

    Attributes
    ----------
    names : tuple of str
        The correlated parameters.
    declared : ndarray, shape (k, k)
        Rank (Spearman) correlations as declared (1 on the diagonal).
    normal_matrix : ndarray, shape (k, k)
        Correlation of the copula's normal scores: the one whose rank
        correlations are `declared` (Spearman's rho of a bivariate normal with
        correlation r is ``(6 / pi) * arcsin(r / 2)``), moved to the nearest
        positive-definite matrix when no joint distribution has it.
    """

    names: tuple[str, ...]
    declared: np.ndarray
    normal_matrix: np.ndarray

    @property
    def matrix(self) -> np.ndarray:
        """The rank correlations the copula induces (`declared`, unless repaired)."""
        return 6.0 / np.pi * np.arcsin(self.normal_matrix / 2.0)


@dataclass(frozen=True)
class Model:
    """A validated social-investment model.

    Attributes
    ----------
    name, description, currency : str
    years : int
        Horizon in years; year 1 is the intervention year (not discounted).
    discount_schedule : tuple of (int, Expression)
        ``(from_year, rate)`` pairs, years increasing, the first from year 1: the
        annual rate in force when discounting year t - 1 to year t.  Year t is
        discounted by the product of ``1 / (1 + rate)`` over years 2..t.
    investment : Expression
        The amount ROI is measured against (currency), ROI = society NPV / investment.
    actors : tuple of Actor
    parameters : dict of str to Parameter
    derived : dict of str to Expression or Outcome
        Derived values and outcomes in evaluation order (each name is defined
        before it is used).
    flows : tuple of Flow
    transfers : tuple of Transfer
    regimes : tuple of Regime
        Declared scenarios; empty when the model declares none.
    correlations : Correlations or None
    optimism_bias : Expression or None
        The uplift on every cost flow that does not set its own.
    programme : Programme or None
        Recurring cohorts; None: the model is one cohort entering in year 1.
    contract : Contract or None
        An outcome contract (social impact bond) on the model's outcomes.
    claim : ReturnClaim or None
        A claim about the return by a year that runs test (``[model].claim``).
    breakeven : tuple of str
        Parameters whose break-even value (society NPV = 0) `check` and `run`
        report (``[model].breakeven``), e.g. a programme's success rate.
    warnings : tuple of str
        Things the loader repaired or wants the user to know (e.g. a correlation
        matrix moved to the nearest valid one).
    source : str
        Where the model came from (a path, or ``"<dict>"``), used in messages.
    sha256 : str
        Hash of the file's bytes (or of the canonical dict), recorded in manifests.
    """

    name: str
    currency: str
    years: int
    discount_schedule: tuple[tuple[int, Expression], ...]
    investment: Expression
    actors: tuple[Actor, ...]
    parameters: dict[str, Parameter]
    derived: dict[str, Expression | Outcome]
    flows: tuple[Flow, ...]
    transfers: tuple[Transfer, ...] = ()
    regimes: tuple[Regime, ...] = ()
    correlations: Correlations | None = None
    optimism_bias: Expression | None = None
    programme: Programme | None = None
    contract: Contract | None = None
    claim: ReturnClaim | None = None
    breakeven: tuple[str, ...] = ()
    description: str = ""
    warnings: tuple[str, ...] = ()
    source: str = "<dict>"
    sha256: str = ""
    name_sv: str = ""

    def name_in(self, lang: str) -> str:
        """The model's name in a report language (``name_sv`` for Swedish, where given)."""
        return self.name_sv if lang == "sv" and self.name_sv else self.name

    @property
    def actor_keys(self) -> tuple[str, ...]:
        """Actor keys in declaration order."""
        return tuple(a.key for a in self.actors)

    @property
    def uncertain_parameters(self) -> tuple[str, ...]:
        """Names of the parameters that vary between scenarios (in any regime)."""
        overridden = {name for r in self.regimes for name in r.overrides}
        return tuple(p.name for p in self.parameters.values()
                     if p.is_uncertain or p.name in overridden)

    @property
    def outcomes(self) -> dict[str, Outcome]:
        """The declared outcomes, by name."""
        return {k: v for k, v in self.derived.items() if isinstance(v, Outcome)}

    @property
    def realised_actors(self) -> tuple[str, ...]:
        """Actors some of whose savings on paper may not become budget."""
        keys = {a.key for a in self.actors if a.realisation is not None}
        keys |= {f.actor for f in self.flows if f.whole_units is not None and f.sign > 0}
        return tuple(k for k in self.actor_keys if k in keys)

    @property
    def slug(self) -> str:
        """A file-system friendly name: the file's stem, or the name."""
        if self.source not in ("<dict>", ""):
            return Path(self.source).stem
        return "".join(c if c.isalnum() else "_" for c in self.name.lower()).strip("_")

    def base_case(self) -> dict[str, float]:
        """Every parameter's base-case value (the single number a spreadsheet holds)."""
        return {name: p.distribution.base for name, p in self.parameters.items()}

