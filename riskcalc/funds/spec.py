"""A fund file read and validated into a frozen :class:`Fund`.

A social-investment fund (Norrköping's, Östersund's ...) holds capital, lends it
to departments for interventions and, under a *repayment model*, is paid back
from the savings; under a *budget model* it is not.  The file is data only (see
``docs/funds.md``); every refusal is a :class:`~riskcalc.errors.ModelError` of
one line naming the file, the key, what was wrong and what would be right.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from riskcalc.engine.sampling import REGIME
from riskcalc.errors import ModelError, did_you_mean
from riskcalc.files import read_toml
from riskcalc.model.loader import load_model
from riskcalc.model.objects import Model

__all__ = ["RULES", "FUND_ACTOR", "Repayment", "Intervention", "Fund", "load_fund",
           "fund_from_dict", "is_fund_file"]

#: Repayment rules: a share of realised savings, fixed instalments, or none (budget model).
RULES: tuple[str, ...] = ("share", "instalments", "none")
#: Key of the fund itself among the actors of a fund's tables.
FUND_ACTOR = "fund"

_TOP = ("fund", "rules", "intervention")
_FUND = ("name", "description", "currency", "capital", "years", "top_ups", "discount_rate",
         "shared", "cvar_level")
_RULES = ("max_share", "min_balance")
_INTERVENTION = ("name", "model", "start_year", "scale", "borrower", "loan", "repayment")
_REPAYMENT = {"share": ("rule", "share", "actors", "within"),
              "instalments": ("rule", "instalments", "first"),
              "none": ("rule",)}


@dataclass(frozen=True)
class Repayment:
    """How a loan comes back to the fund.

    Attributes
    ----------
    rule : {"share", "instalments", "none"}
        ``share``: each year, `share` of the realised savings (positive net cash
        flow, SEK) of `actors`, until the loan is repaid or `within` years have
        passed; ``instalments``: the loan in `instalments` equal yearly parts, the
        first in the intervention's year `first`; ``none``: the budget model.
    """

    rule: str = "none"
    share: float = 0.0
    actors: tuple[str, ...] = ()
    within: int = 0
    instalments: int = 0
    first: int = 2


@dataclass(frozen=True)
class Intervention:
    """One loan of the fund: a model, when it starts, its scale and who borrows.

    Attributes
    ----------
    name : str
    model : Model
    start_year : int
        Fund year in which the loan is paid out and the model's year 1 falls.
    scale : float
        Every cash flow of the model is multiplied by it (two cohorts: 2).
    borrower : str
        Actor key of the borrowing department.
    loan : float or None
        Amount lent (SEK); None lends the model's ``investment`` times `scale`.
    repayment : Repayment
    """

    name: str
    model: Model
    start_year: int
    scale: float
    borrower: str
    loan: float | None
    repayment: Repayment


@dataclass(frozen=True)
class Fund:
    """A validated social-investment fund.

    Attributes
    ----------
    name, description, currency : str
    capital : float
        Starting capital (SEK), available at the start of fund year 1.
    years : int
        Horizon of the fund's accounts (fund year 1 .. `years`).
    top_ups : tuple of float
        Money added in each fund year (length `years`, SEK).
    discount_rate : float or str
        Rate of the fund's present values: a number, or a parameter every
        intervention's model shares (drawn per scenario).
    shared : tuple of str
        Parameters (and ``regime``) drawn once per scenario for all
        interventions; every other parameter is drawn per intervention.
    cvar_level : float
        Level of the fund's CVaR and its split over the interventions.
    max_share : float
        Board rule: largest share of capital lent to one intervention.
    min_balance : float
        Board rule: lowest balance allowed (SEK); below it the fund is depleted.
    interventions : tuple of Intervention
    source, sha256 : str
    """

    name: str
    currency: str
    capital: float
    years: int
    top_ups: tuple[float, ...]
    discount_rate: float | str
    shared: tuple[str, ...]
    interventions: tuple[Intervention, ...]
    max_share: float = 1.0
    min_balance: float = 0.0
    cvar_level: float = 0.95
    description: str = ""
    source: str = "<dict>"
    sha256: str = ""

    @property
    def slug(self) -> str:
        """The file's stem (or a name made of the fund's name)."""
        if self.source not in ("<dict>", ""):
            return Path(self.source).stem
        return "".join(c if c.isalnum() else "_" for c in self.name.lower()).strip("_")

    @property
    def actors(self) -> dict[str, str]:
        """Every actor of the interventions' models (key → label, first label wins),
        then the fund."""
        keys: dict[str, str] = {}
        for i in self.interventions:
            for a in i.model.actors:
                keys.setdefault(a.key, a.label)
        keys[FUND_ACTOR] = self.name
        return keys


def is_fund_file(path: str | Path) -> bool:
    """True when `path` is a TOML file with a ``[fund]`` table (not a model file).

    A file that cannot be read or parsed is not one; loading it as a model then
    says what is wrong with it.
    """
    try:
        data, _ = read_toml(path, "model or fund file")
    except ModelError:
        return False
    return isinstance(data.get("fund"), dict)


def load_fund(path: str | Path) -> Fund:
    """Read and validate a fund file and the model files it names.

    Model paths are relative to the fund file's folder.

    Raises
    ------
    ModelError
        One line naming the file (the fund's or a model's), the key and what would be right.
    """
    path = Path(path)
    data, raw = read_toml(path, "fund file")
    return fund_from_dict(data, source=str(path), base=path.parent,
                          sha256=hashlib.sha256(raw).hexdigest())


def fund_from_dict(data: Mapping[str, Any], *, source: str = "<dict>",
                   base: str | Path = ".", models: Mapping[str, Model] | None = None,
                   sha256: str = "") -> Fund:
    """Validate a fund given as nested dicts (the parsed TOML).

    Parameters
    ----------
    data : mapping
    source : str
        Shown in messages in place of a file name.
    base : str or Path
        Folder that model paths are relative to.
    models : mapping of str to Model, optional
        Models by the text of their ``model`` key, used instead of reading files.
    """
    return _FundLoader(source, Path(base), models or {}).build(data, sha256)


class _FundLoader:
    def __init__(self, source: str, base: Path, models: Mapping[str, Model]):
        self.source, self.base, self.models = source, base, models

    def error(self, key: str, message: str) -> ModelError:
        return ModelError(f"{self.source}: {key}: {message}")

    def keys(self, table: Mapping[str, Any], allowed: Sequence[str], where: str) -> None:
        for key in table:
            if key not in allowed:
                raise self.error(f"{where}.{key}" if where else f"[{key}]",
                                 f"unknown key; {did_you_mean(key, allowed)}")

    def number(self, value: Any, where: str, *, low: float = -math.inf,
               high: float = math.inf, whole: bool = False) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not math.isfinite(value):
            raise self.error(where, f"expected a number, got {value!r}")
        if whole and value != int(value):
            raise self.error(where, f"expected a whole number, got {value!r}")
        if not low <= value <= high:
            raise self.error(where, f"{value!r} is out of range; expected a value in "
                                    f"[{low:g}, {high:g}]")
        return int(value) if whole else float(value)

    def build(self, data: Mapping[str, Any], sha256: str) -> Fund:
        self.keys(data, _TOP, "")
        fund = data.get("fund")
        if not isinstance(fund, dict):
            raise self.error("[fund]", "missing table; a fund file needs [fund] with at least "
                                       "capital and years")
        self.keys(fund, _FUND, "fund")
        for key in ("capital", "years"):
            if key not in fund:
                raise self.error(f"fund.{key}", "missing; e.g. capital = 40e6, years = 15")
        capital = self.number(fund["capital"], "fund.capital", low=0.0)
        years = self.number(fund["years"], "fund.years", low=1, high=200, whole=True)
        top_ups = self.top_ups(fund.get("top_ups", 0.0), years)
        rules = data.get("rules", {})
        if not isinstance(rules, dict):
            raise self.error("rules", "expected a table [rules]")
        self.keys(rules, _RULES, "rules")
        max_share = self.number(rules.get("max_share", 1.0), "rules.max_share",
                                low=0.0, high=1.0)
        min_balance = self.number(rules.get("min_balance", 0.0), "rules.min_balance")
        level = self.number(fund.get("cvar_level", 0.95), "fund.cvar_level", low=0.5,
                            high=0.999)
        shared = fund.get("shared", [])
        if not isinstance(shared, list) or not all(isinstance(s, str) for s in shared):
            raise self.error("fund.shared", f"expected a list of parameter names, got "
                                            f"{shared!r}")
        raw = data.get("intervention")
        if not isinstance(raw, list) or not raw:
            raise self.error("[[intervention]]", "missing; a fund lends to at least one "
                                                 "intervention ([[intervention]] tables)")
        interventions = tuple(self.intervention(t, k, years) for k, t in enumerate(raw))
        names = [i.name for i in interventions]
        for k, name in enumerate(names):
            if name in names[:k]:
                raise self.error(f"intervention[{k}].name", f"{name!r} is used twice; give "
                                                            "each intervention its own name")
        self.check_shared(shared, interventions)
        rate = fund.get("discount_rate", 0.0)
        if isinstance(rate, str):
            if rate not in shared:
                raise self.error("fund.discount_rate", f"{rate!r} is not in fund.shared; a "
                                 "parameter rate must be shared by every intervention "
                                 f"(shared = {[*shared, rate]!r})")
            missing = [i.name for i in interventions if rate not in i.model.parameters]
            if missing:
                raise self.error("fund.discount_rate", f"the models of {missing} have no "
                                 f"parameter {rate!r}; use a number such as 0.035")
        else:
            rate = self.number(rate, "fund.discount_rate", low=0.0, high=1.0)
        name = fund.get("name", "Fund")
        if not isinstance(name, str) or not name.strip():
            raise self.error("fund.name", f"expected a non-empty text, got {name!r}")
        currency = fund.get("currency", interventions[0].model.currency)
        for i in interventions:
            if i.model.currency != currency:
                raise self.error("fund.currency", f"{i.name!r} is in {i.model.currency}, the "
                                 f"fund in {currency}; convert the model or the fund")
        return Fund(name=name, currency=currency, capital=capital, years=years,
                    top_ups=top_ups, discount_rate=rate, shared=tuple(shared),
                    interventions=interventions, max_share=max_share,
                    min_balance=min_balance, cvar_level=level,
                    description=str(fund.get("description", "")), source=self.source,
                    sha256=sha256)

    def top_ups(self, value: Any, years: int) -> tuple[float, ...]:
        if isinstance(value, list):
            if len(value) > years:
                raise self.error("fund.top_ups", f"{len(value)} amounts for {years} years; "
                                                 "give at most one per fund year")
            amounts = [self.number(v, f"fund.top_ups[{k}]", low=0.0)
                       for k, v in enumerate(value)]
            return tuple(amounts + [0.0] * (years - len(amounts)))
        amount = self.number(value, "fund.top_ups", low=0.0)
        # A single amount is added every year after the first (year 1 is `capital`).
        return (0.0, *[amount] * (years - 1))

    def intervention(self, table: Any, k: int, years: int) -> Intervention:
        where = f"intervention[{k}]"
        if not isinstance(table, dict):
            raise self.error(where, "expected a table [[intervention]]")
        self.keys(table, _INTERVENTION, where)
        for key in ("model", "borrower"):
            if key not in table:
                raise self.error(f"{where}.{key}", "missing; every intervention names its "
                                                   "model file and the borrowing actor")
        ref = table["model"]
        if not isinstance(ref, str):
            raise self.error(f"{where}.model", f"expected a path, got {ref!r}")
        model = self.models.get(ref) or load_model(self.base / ref)
        if FUND_ACTOR in model.actor_keys:
            raise self.error(f"{where}.model", f"{model.source} has an actor {FUND_ACTOR!r}, "
                             "the name of the fund itself in a fund's tables; rename it")
        name = table.get("name", model.slug)
        if not isinstance(name, str) or not name.isidentifier():
            raise self.error(f"{where}.name", f"{name!r} is not a valid name; use letters, "
                                              "digits and _")
        start = self.number(table.get("start_year", 1), f"{where}.start_year", low=1,
                            high=years, whole=True)
        scale = self.number(table.get("scale", 1.0), f"{where}.scale", low=0.0)
        borrower = table["borrower"]
        if borrower not in model.actor_keys:
            raise self.error(f"{where}.borrower", f"unknown actor {borrower!r} in "
                             f"{model.source}; {did_you_mean(str(borrower), model.actor_keys)}")
        loan = table.get("loan")
        if loan is not None:
            loan = self.number(loan, f"{where}.loan", low=0.0)
        repayment = self.repayment(table.get("repayment", {"rule": "none"}), model,
                                   f"{where}.repayment")
        return Intervention(name, model, start, scale, borrower, loan, repayment)

    def repayment(self, table: Any, model: Model, where: str) -> Repayment:
        if not isinstance(table, dict):
            raise self.error(where, "expected a table with rule = \"share\", \"instalments\" "
                                    "or \"none\"")
        rule = table.get("rule")
        if rule not in RULES:
            raise self.error(f"{where}.rule", f"{rule!r} is not a rule; "
                                              f"{did_you_mean(str(rule), RULES)}")
        self.keys(table, _REPAYMENT[rule], where)
        if rule == "none":
            return Repayment()
        if rule == "instalments":
            count = self.number(table.get("instalments", 0), f"{where}.instalments", low=1,
                                high=model.years, whole=True)
            first = self.number(table.get("first", 2), f"{where}.first", low=1,
                                high=model.years - count + 1, whole=True)
            return Repayment("instalments", instalments=count, first=first)
        share = self.number(table.get("share", math.nan), f"{where}.share", low=0.0, high=1.0)
        actors = table.get("actors")
        if not isinstance(actors, list) or not actors:
            raise self.error(f"{where}.actors", "expected a list of the gaining actors whose "
                                                "savings pay back, e.g. [\"social_services\"]")
        for actor in actors:
            if actor not in model.actor_keys:
                raise self.error(f"{where}.actors", f"unknown actor {actor!r} in "
                                 f"{model.source}; {did_you_mean(str(actor), model.actor_keys)}")
        within = self.number(table.get("within", model.years), f"{where}.within", low=1,
                             high=model.years, whole=True)
        return Repayment("share", share=share, actors=tuple(actors), within=within)

    def check_shared(self, shared: Sequence[str], interventions: Sequence[Intervention]) -> None:
        """A shared parameter is drawn once: every model that has it must declare it alike."""
        for name in shared:
            holders = [i for i in interventions
                       if (name == REGIME and i.model.regimes) or name in i.model.parameters]
            if not holders:
                every = sorted({p for i in interventions for p in i.model.uncertain_parameters})
                raise self.error("fund.shared", f"no intervention's model has a parameter "
                                                f"{name!r}; {did_you_mean(name, every)}")
            first = holders[0]
            for other in holders[1:]:
                if self.declaration(first.model, name) != self.declaration(other.model, name):
                    raise self.error("fund.shared", f"{name!r} is declared differently in "
                                     f"{first.model.source} and {other.model.source}; a shared "
                                     "parameter needs the same distribution (and regimes) in "
                                     "every model")
            if name != REGIME and REGIME not in shared and self.declaration(first.model, name)[1]:
                raise self.error("fund.shared", f"{name!r} is drawn per regime in "
                                 f"{first.model.source}; share the regime too "
                                 f"(shared = {[*shared, REGIME]!r})")
            for i in holders:
                correlations = i.model.correlations
                if correlations is not None and name in correlations.names:
                    raise self.error("fund.shared", f"{name!r} is correlated with other "
                                     f"parameters in {i.model.source}; a shared parameter "
                                     "cannot be part of one model's correlations")

    @staticmethod
    def declaration(model: Model, name: str) -> Any:
        if name == REGIME:
            return [(r.name, r.weight) for r in model.regimes]
        overrides = [(r.name, r.weight, r.overrides.get(name)) for r in model.regimes
                     if name in r.overrides]
        return model.parameters[name].distribution, overrides
