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
"""

from __future__ import annotations

import difflib
import math
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from riskcalc.breakeven import (
    DEFAULT_BREAKEVEN_N,
    SwitchingValues,
    fmt_value,
    most_influential,
    switching_values,
)
from riskcalc.errors import ModelError
from riskcalc.model import Model
from riskcalc.result import SimulationResult
from riskcalc.risk import (
    ClassSpec,
    GroupOutcomes,
    class_table,
    evaluate_groups,
    expected_shortfall,
    expected_shortfall_se,
    group_outcomes,
    prob_se,
    quantile_se,
)
from riskcalc.voi import evpi, evpi_se

__all__ = [
    "Criterion", "MaxProbLoss", "MinProbPayback", "MaxCapitalNeed", "MinExpectedROI",
    "MaxExpectedShortfall", "MinExpectedNPV", "CRITERIA", "Policy", "load_policy",
    "policy_from_dict", "CriterionResult", "VerdictSwitch", "Verdict", "evaluate_policy",
]

#: Whom a criterion is about.
SUBJECTS = ("owner", "society")
#: A margin within this many Monte Carlo standard errors of zero is "too close to call".
TOO_CLOSE_SE = 2.0


# -- criteria --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Criterion:
    """A threshold of a fund board, measured on the owner's (or society's) outcomes.

    Subclasses name the measured quantity; ``sense`` says whether the measure must
    stay at most (``"max"``) or at least (``"min"``) the threshold, ``unit`` is
    ``"probability"``, ``"currency"`` or ``"ratio"``.
    """

    of: str = field(default="owner", kw_only=True)
    key: ClassVar[str] = ""
    sense: ClassVar[str] = "max"
    unit: ClassVar[str] = "currency"

    @property
    def threshold(self) -> float:
        """The bound the measure is held to."""
        raise NotImplementedError

    def label(self) -> str:
        """What is measured, for people."""
        raise NotImplementedError

    def measure(self, outcomes: GroupOutcomes) -> tuple[float, float]:
        """The measured value and its Monte Carlo standard error."""
        raise NotImplementedError

    def margin(self, value: float) -> float:
        """Distance from the threshold on the passing side (≥ 0 passes)."""
        return self.threshold - value if self.sense == "max" else value - self.threshold


def _mean_se(values: np.ndarray) -> tuple[float, float]:
    n = values.size
    return float(values.mean()), float(values.std(ddof=1) / math.sqrt(n)) if n > 1 else 0.0


@dataclass(frozen=True)
class MaxProbLoss(Criterion):
    """P(NPV < 0) ≤ `probability`."""

    probability: float
    key: ClassVar[str] = "max_prob_loss"
    unit: ClassVar[str] = "probability"
    threshold = property(lambda self: self.probability)

    def label(self) -> str:
        return f"P({self.of}'s net loss)"

    def measure(self, outcomes: GroupOutcomes) -> tuple[float, float]:
        p = float(np.mean(outcomes.npv < 0))
        return p, prob_se(p, outcomes.n)


@dataclass(frozen=True)
class MinProbPayback(Criterion):
    """P(payback within `years` years) ≥ `probability`."""

    years: int
    probability: float
    key: ClassVar[str] = "min_prob_payback"
    sense: ClassVar[str] = "min"
    unit: ClassVar[str] = "probability"
    threshold = property(lambda self: self.probability)

    def label(self) -> str:
        return f"P({self.of} paid back within {self.years} y)"

    def measure(self, outcomes: GroupOutcomes) -> tuple[float, float]:
        p = float(np.mean(outcomes.payback_year <= self.years))  # NaN (never) is False
        return p, prob_se(p, outcomes.n)


@dataclass(frozen=True)
class MaxCapitalNeed(Criterion):
    """The `quantile` of the investment hump (capital needed) ≤ `amount`."""

    amount: float
    quantile: float = 0.95
    key: ClassVar[str] = "max_capital_need"
    threshold = property(lambda self: self.amount)

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
    threshold = property(lambda self: self.roi)

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
    threshold = property(lambda self: self.amount)

    def label(self) -> str:
        return f"{self.of}'s expected shortfall, worst {100 * (1 - self.level):g} %"

    def measure(self, outcomes: GroupOutcomes) -> tuple[float, float]:
        return (expected_shortfall(outcomes.npv, self.level),
                expected_shortfall_se(outcomes.npv, self.level))


@dataclass(frozen=True)
class MinExpectedNPV(Criterion):
    """E[NPV] ≥ `amount`."""

    amount: float
    key: ClassVar[str] = "min_expected_npv"
    sense: ClassVar[str] = "min"
    threshold = property(lambda self: self.amount)

    def label(self) -> str:
        return f"{self.of}'s expected NPV"

    def measure(self, outcomes: GroupOutcomes) -> tuple[float, float]:
        return _mean_se(outcomes.npv)


#: Criterion key → class, in the order verdicts list them.
CRITERIA: dict[str, type[Criterion]] = {c.key: c for c in (
    MaxProbLoss, MinProbPayback, MaxCapitalNeed, MinExpectedROI, MaxExpectedShortfall,
    MinExpectedNPV)}
#: For criteria that may be written as a plain number: the field the number sets.
_SCALAR_FIELD = {"max_prob_loss": "probability", "max_capital_need": "amount",
                 "min_expected_roi": "roi", "max_expected_shortfall": "amount",
                 "min_expected_npv": "amount"}


# -- the policy and its file -------------------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    """A validated fund-board policy.

    Attributes
    ----------
    name : str
    owner : tuple of str
        Actor keys whose money it is (their NPVs and cash flows add up), or
        ``("society",)`` for society as a whole.
    criteria : tuple of Criterion
    classes : ClassSpec
        How scenarios are sorted into very_bad / bad / half_good / good.
    description, source : str
    """

    name: str
    owner: tuple[str, ...]
    criteria: tuple[Criterion, ...]
    classes: ClassSpec = ClassSpec()
    description: str = ""
    source: str = "<dict>"

    @property
    def owner_group(self) -> tuple[str, ...] | None:
        """The owner's actor keys, or None when the owner is society."""
        return None if self.owner == ("society",) else self.owner

    def check(self, model: Model) -> None:
        """Refuse (ModelError) owner actors or class outputs the model does not have."""
        keys = model.actor_keys
        for actor in self.owner_group or ():
            if actor not in keys:
                raise ModelError(f"{self.source}: [policy].owner: unknown actor {actor!r} in "
                                 f"{model.source}; {_suggest(actor, [*keys, 'society'])}")
        output = self.classes.output
        valid = ["roi", "npv_society", *(f"npv_{k}" for k in keys), "npv_real",
                 "npv_financial", "npv_production"]
        if output not in valid:
            raise ModelError(f"{self.source}: [classes].output: unknown output {output!r} "
                             f"in {model.source}; {_suggest(output, valid)}")


def _suggest(word: str, choices: Iterable[str]) -> str:
    choices = list(choices)
    close = difflib.get_close_matches(word, choices, n=1)
    return f"did you mean {close[0]!r}?" if close else "expected one of: " + ", ".join(choices)


def load_policy(path: str | Path) -> Policy:
    """Read and validate a policy file.

    Raises
    ------
    ModelError
        One line naming the file, the key, what was wrong and what would be right.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ModelError(f"{path}: cannot read the policy file ({exc.strerror})") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ModelError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ModelError(f"{path}: TOML syntax error: {exc}") from exc
    return policy_from_dict(data, source=str(path))


def policy_from_dict(data: Mapping[str, Any], *, source: str = "<dict>") -> Policy:
    """Validate a policy given as nested dicts (the parsed TOML)."""
    return _PolicyLoader(source).build(data)


class _PolicyLoader:
    def __init__(self, source: str):
        self.source = source

    def error(self, key: str, message: str) -> ModelError:
        return ModelError(f"{self.source}: {key}: {message}")

    def table(self, data: Mapping[str, Any], key: str, allowed: Sequence[str], *,
              required: bool) -> dict[str, Any]:
        value = data.get(key)
        if value is None:
            if required:
                raise self.error(f"[{key}]", "missing table; every policy needs one")
            return {}
        if not isinstance(value, dict):
            raise self.error(key, f"expected a table [{key}], got {value!r}")
        what = "criterion" if key == "criteria" else "key"
        for name in value:
            if name not in allowed:
                raise self.error(f"[{key}].{name}", f"unknown {what}; "
                                 f"{_suggest(name, allowed)}")
        return value

    def number(self, value: Any, where: str, *, low: float = -math.inf, high: float = math.inf,
               what: str = "a number", open_ends: bool = False) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not math.isfinite(value):
            raise self.error(where, f"expected {what}, got {value!r}")
        inside = low < value < high if open_ends else low <= value <= high
        if not inside:
            raise self.error(where, f"expected {what}, got {value!r}")
        return float(value)

    def build(self, data: Mapping[str, Any]) -> Policy:
        for key in data:
            if key not in ("policy", "criteria", "classes"):
                raise self.error(f"[{key}]", "unknown table; "
                                 f"{_suggest(key, ['policy', 'criteria', 'classes'])}")
        head = self.table(data, "policy", ("name", "description", "owner"), required=True)
        for key in ("name", "description"):
            if key in head and not isinstance(head[key], str):
                raise self.error(f"[policy].{key}", f"expected text, got {head[key]!r}")
        owner = head.get("owner")
        if owner is None:
            raise self.error("[policy].owner", 'missing; say whose money it is, e.g. '
                             'owner = ["municipality"] (actor keys of the model, or "society")')
        owner = [owner] if isinstance(owner, str) else owner
        if not isinstance(owner, list) or not owner or \
                not all(isinstance(a, str) and a for a in owner):
            raise self.error("[policy].owner", f"expected an actor key or a list of them, "
                                               f"got {head['owner']!r}")
        if len(set(owner)) != len(owner):
            raise self.error("[policy].owner", f"lists an actor twice: {owner!r}")
        if "society" in owner and len(owner) > 1:
            raise self.error("[policy].owner", f"'society' already holds every actor; "
                                               f"give it alone, got {owner!r}")
        criteria_raw = self.table(data, "criteria", tuple(CRITERIA), required=True)
        if not criteria_raw:
            raise self.error("[criteria]", "no criteria; give at least one of: "
                             + ", ".join(CRITERIA))
        criteria = tuple(self.criterion(key, criteria_raw[key])
                         for key in CRITERIA if key in criteria_raw)
        classes = self.classes(self.table(data, "classes", ("output", "thresholds"),
                                          required=False))
        return Policy(name=head.get("name", Path(self.source).stem), owner=tuple(owner),
                      criteria=criteria, classes=classes,
                      description=head.get("description", ""), source=self.source)

    def criterion(self, key: str, value: Any) -> Criterion:
        cls = CRITERIA[key]
        where = f"[criteria].{key}"
        names = [f.name for f in fields(cls) if f.name != "of"] + ["of"]
        required = [f.name for f in fields(cls) if f.name != "of" and f.default is MISSING]
        scalar = not isinstance(value, dict)
        if scalar:
            if key not in _SCALAR_FIELD:
                example = ", ".join(f"{n} = ..." for n in required)
                raise self.error(where, f"expected a table {{ {example} }}, got {value!r}")
            value = {_SCALAR_FIELD[key]: value}
        for name in value:
            if name not in names:
                raise self.error(f"{where}.{name}", f"unknown key; {_suggest(name, names)}")
        for name in required:
            if name not in value:
                raise self.error(f"{where}.{name}", f"missing; {key} needs "
                                 + ", ".join(required))
        kwargs: dict[str, Any] = {}
        for name, raw in value.items():
            at = where if scalar else f"{where}.{name}"
            if name == "of":
                if raw not in SUBJECTS:
                    raise self.error(at, f"expected 'owner' or 'society', got {raw!r}")
                kwargs[name] = raw
            elif name == "probability":
                kwargs[name] = self.number(raw, at, low=0, high=1,
                                           what="a probability from 0 to 1")
            elif name in ("quantile", "level"):
                kwargs[name] = self.number(raw, at, low=0, high=1, open_ends=True,
                                           what="a share strictly between 0 and 1, e.g. 0.95")
            elif name == "years":
                if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
                    raise self.error(at, f"expected a whole number of years ≥ 1, got {raw!r}")
                kwargs[name] = raw
            elif key == "max_capital_need":
                kwargs[name] = self.number(raw, at, low=0, what="an amount ≥ 0")
            else:
                kwargs[name] = self.number(raw, at, what="a finite number")
        return cls(**kwargs)

    def classes(self, table: Mapping[str, Any]) -> ClassSpec:
        output = table.get("output", "roi")
        if not isinstance(output, str) or not (output == "roi" or output.startswith("npv_")):
            raise self.error("[classes].output", f"expected 'roi' or an 'npv_*' output, "
                                                 f"got {output!r}")
        thresholds = table.get("thresholds", list(ClassSpec.thresholds))
        ok = (isinstance(thresholds, list) and len(thresholds) == 3
              and all(not isinstance(t, bool) and isinstance(t, (int, float))
                      and math.isfinite(t) for t in thresholds)
              and thresholds[0] < thresholds[1] < thresholds[2])
        if not ok:
            raise self.error("[classes].thresholds", "expected three increasing numbers "
                             f"[very_bad|bad, bad|half_good, half_good|good], got {thresholds!r}")
        return ClassSpec(output, tuple(thresholds))


# -- the verdict -------------------------------------------------------------------------------


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
                "too_close": self.too_close}


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
        :func:`riskcalc.risk.class_table` with the owner's mean NPV (``mean_npv_owner``).
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

    from riskcalc.sampling import sample_parameters

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
