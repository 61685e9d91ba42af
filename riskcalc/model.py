"""The model: actors, parameters, derived values, flows and transfers.

A model is declared in a TOML file (see ``docs/model-files.md``) and validated
once, here, into frozen objects.  Everything downstream (engine, sensitivity,
reports) reads these objects and never the raw TOML.

Every refusal is a :class:`~riskcalc.errors.ModelError` whose message is one
line: the file, the key, what was wrong and what would be right.
"""

from __future__ import annotations

import difflib
import hashlib
import keyword
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from riskcalc.distributions import Distribution, parse_distribution
from riskcalc.errors import ModelError
from riskcalc.expressions import FUNCTIONS, Expression, parse_expression

__all__ = [
    "COST_KINDS",
    "ACTOR_KINDS",
    "Actor",
    "Parameter",
    "Flow",
    "Transfer",
    "Model",
    "load_model",
    "model_from_dict",
]

#: Cost kinds of the seed's table 4.3: resources used, money moved, production value.
COST_KINDS: tuple[str, ...] = ("real", "financial", "production")
#: Actor kinds: a public body's budget, or society's production value.
ACTOR_KINDS: tuple[str, ...] = ("budget", "production")

_TOP_KEYS = ("model", "actors", "parameters", "derived", "flow", "transfer")
_MODEL_KEYS = ("name", "description", "currency", "years", "discount_rate", "investment")
_ACTOR_KEYS = ("label", "kind", "description")
_FLOW_KEYS = ("actor", "kind", "revenue", "cost", "when", "label")
_TRANSFER_KEYS = ("from", "to", "kind", "amount", "when", "label")
_PARAMETER_META = ("description", "unit", "source")
#: Names the engine provides or writes as outputs; a model may not redefine them.
_RESERVED = ("year", "society", "roi", "payback_year")
_RESERVED_PREFIXES = ("npv_", "hump_")


@dataclass(frozen=True)
class Actor:
    """A budget holder (a silo) or society's production value.

    Attributes
    ----------
    key : str
        Identifier used in flows and output columns (``npv_<key>``).
    label : str
        Name shown in tables, e.g. ``"Arbetsmarknadskontoret"``.
    kind : {"budget", "production"}
    """

    key: str
    label: str
    kind: str = "budget"


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
class Flow:
    """A revenue (saving, income) or cost of one actor, per year.

    ``sign`` is +1 for revenue and -1 for cost; ``amount`` is the positive
    amount in the model's currency per year, ``when`` an optional condition on
    ``year`` (the flow is zero in years where it is false).
    """

    actor: str
    kind: str
    sign: int
    amount: Expression
    when: Expression | None = None
    label: str = ""


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


@dataclass(frozen=True)
class Model:
    """A validated social-investment model.

    Attributes
    ----------
    name, description, currency : str
    years : int
        Horizon in years; year 1 is the intervention year (not discounted).
    discount_rate : Expression
        Annual discount rate (share); year t is discounted by ``(1 + r) ** -(t - 1)``.
    investment : Expression
        The amount ROI is measured against (currency), ROI = society NPV / investment.
    actors : tuple of Actor
    parameters : dict of str to Parameter
    derived : dict of str to Expression
        In evaluation order (every name is defined before it is used).
    flows : tuple of Flow
    transfers : tuple of Transfer
    source : str
        Where the model came from (a path, or ``"<dict>"``), used in messages.
    sha256 : str
        Hash of the file's bytes (or of the canonical dict), recorded in manifests.
    """

    name: str
    currency: str
    years: int
    discount_rate: Expression
    investment: Expression
    actors: tuple[Actor, ...]
    parameters: dict[str, Parameter]
    derived: dict[str, Expression]
    flows: tuple[Flow, ...]
    transfers: tuple[Transfer, ...] = ()
    description: str = ""
    source: str = "<dict>"
    sha256: str = ""
    year_dependent: frozenset[str] = field(default=frozenset(), repr=False)

    @property
    def actor_keys(self) -> tuple[str, ...]:
        """Actor keys in declaration order."""
        return tuple(a.key for a in self.actors)

    @property
    def uncertain_parameters(self) -> tuple[str, ...]:
        """Names of the parameters that vary between scenarios."""
        return tuple(p.name for p in self.parameters.values() if p.is_uncertain)

    @property
    def slug(self) -> str:
        """A file-system friendly name: the file's stem, or the name."""
        if self.source not in ("<dict>", ""):
            return Path(self.source).stem
        return "".join(c if c.isalnum() else "_" for c in self.name.lower()).strip("_")

    def base_case(self) -> dict[str, float]:
        """Every parameter's base-case value (the single number a spreadsheet holds)."""
        return {name: p.distribution.base for name, p in self.parameters.items()}


def load_model(path: str | Path) -> Model:
    """Read and validate a model file.

    Parameters
    ----------
    path : str or Path
        A TOML model file.

    Returns
    -------
    Model

    Raises
    ------
    ModelError
        With a one-line message naming the file, the key and what would be right.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ModelError(f"{path}: cannot read the model file ({exc.strerror})") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))  # a BOM is common from Windows editors
    except UnicodeDecodeError as exc:
        raise ModelError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ModelError(f"{path}: TOML syntax error: {exc}") from exc
    return model_from_dict(data, source=str(path), sha256=hashlib.sha256(raw).hexdigest())


def model_from_dict(data: Mapping[str, Any], *, source: str = "<dict>",
                    sha256: str | None = None) -> Model:
    """Validate a model given as nested dicts (the parsed TOML).

    Parameters
    ----------
    data : mapping
        The same structure as a model file.
    source : str
        Shown in error messages in place of a file name.
    sha256 : str, optional
        Hash to record; by default a hash of the canonical representation of `data`.

    Returns
    -------
    Model
    """
    return _Loader(source).build(data, sha256 or hashlib.sha256(
        repr(sorted(_canonical(data).items())).encode()).hexdigest())


def _canonical(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _canonical(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return value


def _shown(key: str) -> str:
    """A TOML key as it can be shown inside a one-line message."""
    return key if key.isidentifier() else repr(key)


def _suggest(word: str, choices: Iterable[str]) -> str:
    choices = list(choices)
    close = difflib.get_close_matches(word, choices, n=1)
    if close:
        return f"did you mean {close[0]!r}?"
    return "expected one of: " + ", ".join(choices) if choices else "none are declared"


class _Loader:
    """Validates one model's data; `source` prefixes every message."""

    def __init__(self, source: str):
        self.source = source

    def error(self, key: str, message: str) -> ModelError:
        return ModelError(f"{self.source}: {key}: {message}")

    def check_keys(self, table: Mapping[str, Any], allowed: Iterable[str], where: str) -> None:
        allowed = tuple(allowed)
        for key in table:
            if key not in allowed:
                what = "table" if not where and isinstance(table[key], (dict, list)) else "key"
                raise self.error(f"{where}.{_shown(key)}" if where else f"[{_shown(key)}]",
                                 f"unknown {what}; {_suggest(key, allowed)}")

    def table(self, data: Mapping[str, Any], key: str, *, required: bool) -> dict[str, Any]:
        value = data.get(key)
        if value is None:
            if required:
                raise self.error(f"[{key}]", "missing table; every model needs one")
            return {}
        if not isinstance(value, dict):
            raise self.error(key, f"expected a table [{key}], got {type(value).__name__}")
        return value

    def identifier(self, name: str, where: str) -> None:
        if not name.isidentifier():
            raise self.error(where, f"{name!r} is not a valid name; use letters, digits and _")
        if keyword.iskeyword(name) or name in FUNCTIONS:
            raise self.error(where, f"{name!r} is a word of the expression language and "
                                    "cannot name a value; choose another name")
        if unicodedata.normalize("NFKC", name) != name:
            # Python's parser reads names in NFKC form, so expressions could never find it.
            raise self.error(where, f"{name!r} is not in normal form; write it as "
                                    f"{unicodedata.normalize('NFKC', name)!r}")
        if name in _RESERVED or name.startswith(_RESERVED_PREFIXES):
            raise self.error(where, f"{name!r} is reserved for riskcalc's own outputs; "
                                    "choose another name")

    def expression(self, value: Any, where: str) -> Expression:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise self.error(where, f"expected an expression (text or number), got {value!r}")
        return parse_expression(value, where=f"{self.source}: {where}")

    # -- the parts of a model ------------------------------------------------------------

    def build(self, data: Mapping[str, Any], sha256: str) -> Model:
        self.check_keys(data, _TOP_KEYS, "")
        head = self.table(data, "model", required=True)
        self.check_keys(head, _MODEL_KEYS, "[model]")
        for key in ("name", "years", "discount_rate", "investment"):
            if key not in head:
                raise self.error(f"[model].{key}", "missing; "
                                 + {"name": "give the model a name",
                                    "years": "give the horizon in years, e.g. years = 20",
                                    "discount_rate": "give a rate (e.g. 0.03) or a parameter name",
                                    "investment": "give the expression ROI is measured against"
                                    }[key])
        years = head["years"]
        if isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= 200:
            raise self.error("[model].years", f"expected a whole number of years from 1 to 200, "
                                              f"got {years!r}")
        for key in ("name", "currency", "description"):
            if key in head and not isinstance(head[key], str):
                raise self.error(f"[model].{key}", f"expected text, got {head[key]!r}")

        actors = self.actors(self.table(data, "actors", required=True))
        parameters = self.parameters(self.table(data, "parameters", required=True))
        derived_raw = self.table(data, "derived", required=False)
        for name in derived_raw:
            self.identifier(name, f"[derived].{_shown(name)}")
            if name in parameters:
                raise self.error(f"[derived].{name}", "already declared in [parameters]; "
                                                      "each name may be declared once")
        derived_exprs = {n: self.expression(v, f"[derived].{n}") for n, v in derived_raw.items()}
        known = set(parameters) | set(derived_exprs) | {"year"}
        for name, expr in derived_exprs.items():
            self.check_names(expr, known, f"[derived].{name}")
        derived = self.ordered(derived_exprs)
        year_dependent = self.year_dependence(derived)

        discount_rate = self.expression(head["discount_rate"], "[model].discount_rate")
        investment = self.expression(head["investment"], "[model].investment")
        for key, expr in (("discount_rate", discount_rate), ("investment", investment)):
            self.check_names(expr, known, f"[model].{key}")
            if expr.names & (year_dependent | {"year"}):
                raise self.error(f"[model].{key}", "may not depend on 'year'; it is one number "
                                                   "per scenario")
        flows = tuple(self.flow(f, i, actors, known) for i, f in
                      enumerate(self.array(data, "flow")))
        transfers = tuple(self.transfer(t, i, actors, known) for i, t in
                          enumerate(self.array(data, "transfer")))
        if not flows:
            raise self.error("[[flow]]", "a model needs at least one flow (a revenue or a cost)")
        return Model(
            name=head["name"], currency=head.get("currency", "SEK"), years=years,
            discount_rate=discount_rate, investment=investment, actors=actors,
            parameters=parameters, derived=derived, flows=flows, transfers=transfers,
            description=head.get("description", ""), source=self.source, sha256=sha256,
            year_dependent=frozenset(year_dependent),
        )

    def actors(self, table: Mapping[str, Any]) -> tuple[Actor, ...]:
        if not table:
            raise self.error("[actors]", "declare at least one actor")
        result = []
        for key, value in table.items():
            where = f"[actors].{_shown(key)}"
            self.identifier(key, where)
            if isinstance(value, str):
                result.append(Actor(key, value))
                continue
            if not isinstance(value, dict):
                raise self.error(where, "expected a label or a table with label/kind, "
                                        f"got {value!r}")
            self.check_keys(value, _ACTOR_KEYS, where)
            kind = value.get("kind", "budget")
            if kind not in ACTOR_KINDS:
                raise self.error(f"{where}.kind", f"unknown actor kind {kind!r}; "
                                                  f"{_suggest(str(kind), ACTOR_KINDS)}")
            result.append(Actor(key, str(value.get("label", key)), kind))
        return tuple(result)

    def parameters(self, table: Mapping[str, Any]) -> dict[str, Parameter]:
        result = {}
        for name, spec in table.items():
            where = f"[parameters].{_shown(name)}"
            self.identifier(name, where)
            meta = {}
            if isinstance(spec, dict):
                meta = {k: spec[k] for k in _PARAMETER_META if k in spec}
                spec = {k: v for k, v in spec.items() if k not in _PARAMETER_META}
            try:
                dist = parse_distribution(spec, name=name)
            except ModelError as exc:
                # The key path already names the parameter.
                message = str(exc).removeprefix(f"parameter {name!r}: ")
                raise self.error(where, message) from exc
            result[name] = Parameter(name, dist, str(meta.get("description", "")),
                                     str(meta.get("unit", "")))
        return result

    def array(self, data: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.error(f"[[{key}]]", f"write each {key} as a [[{key}]] table")
        return value

    def check_names(self, expr: Expression, known: set[str], where: str) -> None:
        for name in sorted(expr.names - known):
            raise self.error(where, f"unknown name {name!r} in {expr.source!r}; "
                                    f"{_suggest(name, sorted(known))}")

    def check_actor(self, key: Any, actors: tuple[Actor, ...], where: str) -> str:
        keys = [a.key for a in actors]
        if key not in keys:
            raise self.error(where, f"actor {key!r} is not declared in [actors]; "
                                    f"{_suggest(str(key), keys)}")
        return key

    def check_kind(self, kind: Any, where: str) -> str:
        if kind not in COST_KINDS:
            close = difflib.get_close_matches(str(kind), COST_KINDS, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise self.error(where, f"unknown cost kind {kind!r}; {hint}expected one of: "
                                    + ", ".join(COST_KINDS))
        return kind

    def when(self, spec: Mapping[str, Any], where: str, known: set[str]) -> Expression | None:
        if "when" not in spec:
            return None
        expr = self.expression(spec["when"], f"{where}.when")
        self.check_names(expr, known, f"{where}.when")
        return expr

    def flow(self, spec: dict[str, Any], index: int, actors: tuple[Actor, ...],
             known: set[str]) -> Flow:
        where = f"flow[{index + 1}]"
        self.check_keys(spec, _FLOW_KEYS, where)
        if "actor" not in spec:
            raise self.error(f"{where}.actor", "missing; name the actor whose budget it hits")
        actor = self.check_actor(spec["actor"], actors, f"{where}.actor")
        kind = self.check_kind(spec.get("kind", "real"), f"{where}.kind")
        given = [k for k in ("revenue", "cost") if k in spec]
        if len(given) != 1:
            raise self.error(where, "give exactly one of revenue = ... or cost = ..., "
                                    f"got {' and '.join(given) or 'neither'}")
        sign = 1 if given[0] == "revenue" else -1
        amount = self.expression(spec[given[0]], f"{where}.{given[0]}")
        self.check_names(amount, known, f"{where}.{given[0]}")
        return Flow(actor, kind, sign, amount, self.when(spec, where, known),
                    str(spec.get("label", "")))

    def transfer(self, spec: dict[str, Any], index: int, actors: tuple[Actor, ...],
                 known: set[str]) -> Transfer:
        where = f"transfer[{index + 1}]"
        self.check_keys(spec, _TRANSFER_KEYS, where)
        for key in ("from", "to", "amount"):
            if key not in spec:
                raise self.error(f"{where}.{key}", "missing; a transfer needs from, to and amount")
        payer = self.check_actor(spec["from"], actors, f"{where}.from")
        payee = self.check_actor(spec["to"], actors, f"{where}.to")
        if payer == payee:
            raise self.error(where, f"from and to are both {payer!r}; a transfer moves money "
                                    "between two different actors")
        kind = self.check_kind(spec.get("kind", "financial"), f"{where}.kind")
        amount = self.expression(spec["amount"], f"{where}.amount")
        self.check_names(amount, known, f"{where}.amount")
        return Transfer(payer, payee, kind, amount, self.when(spec, where, known),
                        str(spec.get("label", "")))

    def ordered(self, exprs: dict[str, Expression]) -> dict[str, Expression]:
        """Derived values in an order where each is defined before use; refuse cycles."""
        order: dict[str, Expression] = {}
        visiting: list[str] = []

        def visit(name: str) -> None:
            if name in order:
                return
            if name in visiting:
                cycle = visiting[visiting.index(name):] + [name]
                raise self.error(f"[derived].{name}", "derived values refer to each other in a "
                                 f"cycle: {' -> '.join(cycle)}; break the cycle")
            visiting.append(name)
            for dep in sorted(exprs[name].names & exprs.keys()):
                visit(dep)
            visiting.pop()
            order[name] = exprs[name]

        for name in exprs:
            visit(name)
        return order

    @staticmethod
    def year_dependence(derived: Mapping[str, Expression]) -> set[str]:
        dependent: set[str] = set()
        for name, expr in derived.items():  # in evaluation order, so one pass suffices
            if expr.names & (dependent | {"year"}):
                dependent.add(name)
        return dependent
