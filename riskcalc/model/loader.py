"""Reading and validating model files into :class:`~riskcalc.model.Model` objects.

Every refusal is a :class:`~riskcalc.errors.ModelError` whose message is one
line: the file, the key, what was wrong and what would be right.
"""

from __future__ import annotations

import difflib
import hashlib
import keyword
import math
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from riskcalc.errors import ModelError, did_you_mean
from riskcalc.files import read_toml
from riskcalc.model.contract import read_contract
from riskcalc.model.correlation import nearest_correlation
from riskcalc.model.distributions import FAMILIES, Distribution, parse_distribution
from riskcalc.model.expressions import FUNCTIONS, Expression, parse_expression
from riskcalc.model.objects import (
    ACTOR_KINDS,
    ADJUSTMENTS,
    COST_KINDS,
    SCOPES,
    Actor,
    Correlations,
    Flow,
    Model,
    Outcome,
    Parameter,
    Programme,
    Regime,
    ReturnClaim,
    Transfer,
)

__all__ = ["load_model", "model_from_dict"]

_TOP_KEYS = ("model", "actors", "parameters", "derived", "outcomes", "flow", "transfer",
             "regimes", "correlations", "programme", "contract")
_MODEL_KEYS = ("name", "name_sv", "description", "currency", "years", "discount_rate",
               "investment", "optimism_bias", "claim", "breakeven")
_CLAIM_KEYS = ("year", "multiple", "source")
_ACTOR_KEYS = ("label", "label_sv", "kind", "description", "realisation")
_OUTCOME_KEYS = ("value", *ADJUSTMENTS, "drop_off", "start_year", "description", "unit")
_FLOW_KEYS = ("actor", "kind", "revenue", "cost", "when", "label", "optimism_bias",
              "whole_units", "scope")
_TRANSFER_KEYS = ("from", "to", "kind", "amount", "when", "label", "scope")
_PROGRAMME_KEYS = ("cohorts", "first_year", "intake", "vary_by_cohort", "description")
#: Names a [programme] provides to expressions (besides `year`).
_PROGRAMME_NAMES = ("intake", "cohort")
_REGIME_KEYS = ("weight", "parameters", "description")
_CORRELATION_KEYS = ("pairs", "names", "matrix")
_PARAMETER_META = ("description", "unit", "source")
#: Names the engine provides or writes as outputs; a model may not redefine them.
_RESERVED = ("year", "society", "roi", "payback_year", "regime", "investment")
_RESERVED_PREFIXES = ("npv_", "hump_", "theoretical_")
#: Longest label, description or unit (characters).
MAX_TEXT = 1_000
#: Most names (parameters, derived values and outcomes together) a model may declare,
#: and most flows and transfers together: far above real models (tens), and low
#: enough that `check` stays within seconds and a run's tables within memory.
MAX_NAMES = 2_000
MAX_FLOWS = 2_000
MAX_ACTORS = 200


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
    data, raw = read_toml(path, "model file")
    return model_from_dict(data, source=str(path), sha256=hashlib.sha256(raw).hexdigest(),
                           root=path.parent)


def model_from_dict(data: Mapping[str, Any], *, source: str = "<dict>",
                    sha256: str | None = None, root: str | Path | None = None) -> Model:
    """Validate a model given as nested dicts (the parsed TOML).

    Parameters
    ----------
    data : mapping
        The same structure as a model file.
    source : str
        Shown in error messages in place of a file name.
    sha256 : str, optional
        Hash to record; by default a hash of the canonical representation of `data`.
    root : str or Path, optional
        The folder ``empirical`` distributions read their CSV files from (the
        model file's folder); without it such files are refused.

    Returns
    -------
    Model
    """
    return _Loader(source, root).build(data, sha256 or hashlib.sha256(
        repr(sorted(_canonical(data).items())).encode()).hexdigest())


def _canonical(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _canonical(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return value


def _shown(key: str) -> str:
    """A TOML key as it can be shown inside a one-line message."""
    if len(key) > 60:
        return repr(key[:60]) + "..."
    return key if key.isidentifier() else repr(key)


def _brief(value: Any) -> str:
    """A value as it can be shown inside a one-line message: its repr, cut at 60 characters."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class _Loader:
    """Validates one model's data; `source` prefixes every message."""

    def __init__(self, source: str, root: str | Path | None = None):
        self.source = source
        self.root = root
        self.parameters: dict[str, Parameter] = {}
        self.warnings: list[str] = []
        # Expressions whose names are checked once everything is declared: (expr, key).
        self.pending: list[tuple[Expression, str]] = []
        # Share-valued expressions whose range is checked at the end: (expr, key, low, high).
        self.shares: list[tuple[Expression, str, float, float]] = []
        self.programme: Programme | None = None

    def error(self, key: str, message: str) -> ModelError:
        return ModelError(f"{self.source}: {key}: {message}")

    def text(self, table: Mapping[str, Any], key: str, where: str, default: str = "") -> str:
        """The text at `key` of `table` (a label, a description), or `default` when absent."""
        value = table.get(key, default)
        if not isinstance(value, str):
            raise self.error(f"{where}.{key}", f"expected text in quotes, got {_brief(value)}")
        if len(value) > MAX_TEXT:
            raise self.error(f"{where}.{key}", f"{len(value):,} characters; at most "
                                               f"{MAX_TEXT:,}")
        return value

    def check_keys(self, table: Mapping[str, Any], allowed: Iterable[str], where: str) -> None:
        allowed = tuple(allowed)
        for key in table:
            if key not in allowed:
                what = "table" if not where and isinstance(table[key], (dict, list)) else "key"
                raise self.error(f"{where}.{_shown(key)}" if where else f"[{_shown(key)}]",
                                 f"unknown {what}; {did_you_mean(key, allowed)}")

    def table(self, data: Mapping[str, Any], key: str, *, required: bool) -> dict[str, Any]:
        value = data.get(key)
        if value is None:
            if required:
                raise self.error(f"[{key}]", "missing table; every model needs one")
            return {}
        if not isinstance(value, dict):
            raise self.error(key, f"expected a table [{key}], got {type(value).__name__}")
        return value

    def check_size(self, data: Mapping[str, Any]) -> None:
        """Refuse models larger than riskcalc holds (see MAX_NAMES, MAX_FLOWS, MAX_ACTORS)."""
        def count(*keys: str) -> int:
            return sum(len(data[k]) for k in keys if isinstance(data.get(k), (dict, list)))

        for keys, limit, what in ((("parameters", "derived", "outcomes"), MAX_NAMES,
                                   "parameters, derived values and outcomes"),
                                  (("flow", "transfer"), MAX_FLOWS, "flows and transfers"),
                                  (("actors",), MAX_ACTORS, "actors")):
            if count(*keys) > limit:
                where = " + ".join(f"[{k}]" for k in keys)
                raise self.error(where, f"{count(*keys):,} {what}; a model may declare at "
                                        f"most {limit:,}")

    def identifier(self, name: str, where: str) -> None:
        if not name.isidentifier():
            raise self.error(where, f"{_brief(name)} is not a valid name; use letters, digits "
                                    "and _")
        if keyword.iskeyword(name) or name in FUNCTIONS:
            raise self.error(where, f"{name!r} is a word of the expression language and "
                                    "cannot name a value; choose another name")
        if unicodedata.normalize("NFKC", name) != name:
            # Python's parser reads names in NFKC form, so expressions could never find it.
            raise self.error(where, f"{name!r} is not in normal form; write it as "
                                    f"{unicodedata.normalize('NFKC', name)!r}")
        if name == "year":
            raise self.error(where, "'year' is provided by riskcalc (1, 2, ... up to the "
                                    "horizon in every expression); choose another name")
        if name in _RESERVED or name.startswith(_RESERVED_PREFIXES):
            raise self.error(where, f"{name!r} is reserved for riskcalc's own outputs; "
                                    "choose another name")

    def expression(self, value: Any, where: str) -> Expression:
        """Parse an expression now; its names are checked once all are declared."""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise self.error(where, f"expected an expression (text or number), got {value!r}")
        expr = parse_expression(value, where=f"{self.source}: {where}")
        self.pending.append((expr, where))
        return expr

    def distribution(self, spec: Any, name: str, where: str) -> Distribution:
        try:
            return parse_distribution(spec, name=name, root=self.root)
        except ModelError as exc:
            # The key path already names the parameter.
            message = str(exc).removeprefix(f"parameter {name!r}: ")
            raise self.error(where, message) from exc

    def share(self, value: Any, where: str, auto_name: str, *, low: float = 0.0,
              high: float = 1.0) -> Expression:
        """A share: a number, an expression, or a distribution (made a parameter)."""
        if isinstance(value, dict):
            if not any(key in FAMILIES for key in value):
                raise self.error(where, f"expected a number, an expression or a distribution "
                                        f"such as {{uniform = [0.0, 0.3]}}, got {value!r}")
            if auto_name in self.parameters:
                raise self.error(where, f"its distribution would become parameter "
                                        f"{auto_name!r}, which is already declared; name that "
                                        "parameter here instead")
            self.parameters[auto_name] = Parameter(
                auto_name, self.distribution(value, auto_name, where),
                description=f"declared at {where}")
            value = auto_name
        expr = self.expression(value, where)
        self.shares.append((expr, where, low, high))
        return expr

    # -- the model as a whole ------------------------------------------------------------

    def build(self, data: Mapping[str, Any], sha256: str) -> Model:
        self.check_keys(data, _TOP_KEYS, "")
        self.check_size(data)
        head = self.table(data, "model", required=True)
        self.check_keys(head, _MODEL_KEYS, "[model]")
        for key in ("name", "years", "discount_rate", "investment"):
            if key not in head:
                raise self.error(f"[model].{key}", "missing; "
                                 + {"name": "give the model a name",
                                    "years": "give the horizon in years, e.g. years = 20",
                                    "discount_rate": "give a rate (e.g. 0.03), a parameter "
                                                     "name or {schedule = [[1, 0.035], ...]}",
                                    "investment": "give the expression ROI is measured against"
                                    }[key])
        years = head["years"]
        if isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= 200:
            raise self.error("[model].years", f"expected a whole number of years from 1 to 200, "
                                              f"got {years!r}")
        for key in ("name", "name_sv", "currency", "description"):
            if key in head and not isinstance(head[key], str):
                raise self.error(f"[model].{key}", f"expected text, got {head[key]!r}")

        self.parameters = self.declared_parameters(self.table(data, "parameters",
                                                              required=True))
        if not self.parameters:
            raise self.error("[parameters]", "declare at least one parameter, e.g. "
                                             "participants = 100")
        if "programme" in data:
            self.programme = self.read_programme(self.table(data, "programme", required=True),
                                                 years)
        actors = self.actors(self.table(data, "actors", required=True))
        definitions: dict[str, Expression | Outcome] = {}
        for name, value in self.table(data, "derived", required=False).items():
            where = f"[derived].{_shown(name)}"
            self.declare(name, where, definitions)
            definitions[name] = self.expression(value, where)
        for name, spec in self.table(data, "outcomes", required=False).items():
            where = f"[outcomes].{_shown(name)}"
            self.declare(name, where, definitions)
            definitions[name] = self.outcome(name, spec, where, years)
        schedule = self.discount_schedule(head["discount_rate"], years)
        investment = self.expression(head["investment"], "[model].investment")
        optimism_bias = None
        if "optimism_bias" in head:
            optimism_bias = self.share(head["optimism_bias"], "[model].optimism_bias",
                                       "optimism_bias", high=math.inf)
        flows = tuple(self.flow(f, i, actors) for i, f in enumerate(self.array(data, "flow")))
        transfers = tuple(self.transfer(t, i, actors)
                          for i, t in enumerate(self.array(data, "transfer")))
        if not flows:
            raise self.error("[[flow]]", "a model needs at least one flow (a revenue or a cost)")
        regimes = self.regimes(self.table(data, "regimes", required=False))
        correlations = self.correlations(self.table(data, "correlations", required=False))
        contract = None
        if "contract" in data:
            contract = read_contract(self, self.table(data, "contract", required=True),
                                     tuple(a.key for a in actors), years)

        provided = {"year"}
        if self.programme is not None:
            provided |= {*_PROGRAMME_NAMES, *self.programme.varying}
        known = set(self.parameters) | set(definitions) | provided
        for expr, where in self.pending:
            self.check_names(expr, known, where)
        derived = self.ordered(definitions)
        # In a programme, intake, cohort and per-cohort parameters vary by calendar year.
        per_year = self.year_dependence(derived, provided) | provided
        rate_keys = ([f"[model].discount_rate.schedule[{i + 1}]" for i in range(len(schedule))]
                     if isinstance(head["discount_rate"], dict) else ["[model].discount_rate"])
        for key, expr in [("[model].investment", investment),
                          *zip(rate_keys, (rate for _, rate in schedule), strict=True)]:
            if expr.names & per_year:
                hint = ("; for rates that change by year use {schedule = [[1, r1], [k, r2]]}"
                        if "discount_rate" in key else "")
                raise self.error(key, f"may not depend on 'year'; it is one number per "
                                      f"scenario{hint}")
        self.check_shares(regimes)
        return Model(
            name=head["name"], currency=head.get("currency", "SEK"), years=years,
            discount_schedule=schedule, investment=investment, actors=actors,
            parameters=self.parameters, derived=derived, flows=flows, transfers=transfers,
            regimes=regimes, correlations=correlations, optimism_bias=optimism_bias,
            programme=self.programme, claim=self.claim(head.get("claim"), years),
            contract=contract,
            breakeven=self.breakeven(head.get("breakeven", [])),
            description=head.get("description", ""),
            warnings=tuple(self.warnings),
            source=self.source, sha256=sha256, name_sv=head.get("name_sv", ""),
        )

    def declare(self, name: str, where: str, definitions: Mapping[str, Any]) -> None:
        self.identifier(name, where)
        if self.programme is not None and (name in _PROGRAMME_NAMES
                                           or name in self.programme.varying):
            raise self.error(where, f"{name!r} is provided by [programme] to every "
                                    "expression; choose another name")
        if name in self.parameters or name in definitions:
            raise self.error(where, f"{name!r} is already declared; each name may be "
                                    "declared once (in [parameters], [derived] or [outcomes])")

    # -- the parts -----------------------------------------------------------------------

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
                                                  f"{did_you_mean(str(kind), ACTOR_KINDS)}")
            realisation = None
            if "realisation" in value:
                realisation = self.share(value["realisation"], f"{where}.realisation",
                                         f"{key}_realisation")
            result.append(Actor(key, self.text(value, "label", where, key), kind, realisation,
                                self.text(value, "label_sv", where)))
        return tuple(result)

    def declared_parameters(self, table: Mapping[str, Any]) -> dict[str, Parameter]:
        result = {}
        for name, spec in table.items():
            where = f"[parameters].{_shown(name)}"
            self.identifier(name, where)
            meta = {}
            if isinstance(spec, dict):
                meta = {k: spec[k] for k in _PARAMETER_META if k in spec}
                spec = {k: v for k, v in spec.items() if k not in _PARAMETER_META}
            result[name] = Parameter(name, self.distribution(spec, name, where),
                                     self.text(meta, "description", where),
                                     self.text(meta, "unit", where))
        return result

    def outcome(self, name: str, spec: Any, where: str, years: int) -> Outcome:
        if not isinstance(spec, dict):
            raise self.error(where, f"expected a table with value = ... and adjustments, "
                                    f"got {spec!r}")
        self.check_keys(spec, _OUTCOME_KEYS, where)
        if "value" not in spec:
            raise self.error(f"{where}.value", "missing; give the gross outcome, e.g. "
                                               "value = \"participants * success_rate\"")
        start = spec.get("start_year", 1)
        if isinstance(start, bool) or not isinstance(start, int) or not 1 <= start <= years:
            raise self.error(f"{where}.start_year", f"expected a whole year within the "
                                                    f"horizon 1..{years}, got {start!r}")
        shares = {key: self.share(spec[key], f"{where}.{key}", f"{name}_{key}")
                  for key in (*ADJUSTMENTS, "drop_off") if key in spec}
        return Outcome(name, self.expression(spec["value"], f"{where}.value"),
                       start_year=start, **shares)

    def discount_schedule(self, value: Any, years: int) -> tuple[tuple[int, Expression], ...]:
        where = "[model].discount_rate"
        if not isinstance(value, dict):
            rate = self.expression(value, where)
            self.shares.append((rate, where, -0.99, math.inf))
            return ((1, rate),)
        self.check_keys(value, ("schedule",), where)
        steps = value.get("schedule")
        if not isinstance(steps, list) or not steps or not all(
                isinstance(s, list) and len(s) == 2 for s in steps):
            raise self.error(f"{where}.schedule", "expected a list of [from_year, rate] pairs, "
                                                  "e.g. [[1, 0.035], [32, 0.03]]")
        schedule = []
        for i, (year, rate) in enumerate(steps):
            key = f"{where}.schedule[{i + 1}]"
            previous = schedule[-1][0] if schedule else 0
            if isinstance(year, bool) or not isinstance(year, int) or year <= previous:
                raise self.error(key, f"year {year!r} must be a whole number after the "
                                      f"previous one ({previous}); schedule years increase")
            if i == 0 and year != 1:
                raise self.error(key, f"the schedule starts in year {year}; it must start in "
                                      "year 1 so that every year has a rate")
            if year > years:
                self.warnings.append(f"{self.source}: {key}: year {year} is beyond the "
                                     f"horizon of {years} years and is never used")
            expr = self.expression(rate, key)
            self.shares.append((expr, key, -0.99, math.inf))
            schedule.append((year, expr))
        return tuple(schedule)

    def array(self, data: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.error(f"[[{key}]]", f"write each {key} as a [[{key}]] table")
        return value

    def check_names(self, expr: Expression, known: set[str], where: str) -> None:
        for name in sorted(expr.names - known):
            raise self.error(where, f"unknown name {name!r} in {expr.source!r}; "
                                    f"{did_you_mean(name, sorted(known))}")

    def check_actor(self, key: Any, actors: tuple[Actor, ...], where: str) -> str:
        keys = [a.key for a in actors]
        if key not in keys:
            raise self.error(where, f"actor {key!r} is not declared in [actors]; "
                                    f"{did_you_mean(str(key), keys)}")
        return key

    def check_kind(self, kind: Any, where: str) -> str:
        if kind not in COST_KINDS:
            close = difflib.get_close_matches(str(kind), COST_KINDS, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise self.error(where, f"unknown cost kind {kind!r}; {hint}expected one of: "
                                    + ", ".join(COST_KINDS))
        return kind

    def when(self, spec: Mapping[str, Any], where: str) -> Expression | None:
        if "when" not in spec:
            return None
        return self.expression(spec["when"], f"{where}.when")

    def flow(self, spec: dict[str, Any], index: int, actors: tuple[Actor, ...]) -> Flow:
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
        for key, side in (("optimism_bias", "cost"), ("whole_units", "revenue")):
            if key in spec and given[0] != side:
                raise self.error(f"{where}.{key}", f"applies to a {side} flow only; this "
                                                   f"flow is a {given[0]}")
        optimism_bias = None
        if "optimism_bias" in spec:
            optimism_bias = self.share(spec["optimism_bias"], f"{where}.optimism_bias",
                                       f"flow{index + 1}_optimism_bias", high=math.inf)
        whole_units = None
        if "whole_units" in spec:
            whole_units = self.expression(spec["whole_units"], f"{where}.whole_units")
            self.shares.append((whole_units, f"{where}.whole_units", 1e-300, math.inf))
        return Flow(actor, kind, sign, self.expression(spec[given[0]], f"{where}.{given[0]}"),
                    self.when(spec, where), self.text(spec, "label", where), optimism_bias,
                    whole_units, self.scope(spec, where))

    def transfer(self, spec: dict[str, Any], index: int, actors: tuple[Actor, ...]) -> Transfer:
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
        return Transfer(payer, payee, kind, self.expression(spec["amount"], f"{where}.amount"),
                        self.when(spec, where), self.text(spec, "label", where),
                        self.scope(spec, where))

    def breakeven(self, names: Any) -> tuple[str, ...]:
        where = "[model].breakeven"
        names = [names] if isinstance(names, str) else names
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise self.error(where, "expected a parameter name or a list of them, e.g. "
                                    "\"success_rate\"")
        for name in names:
            if name not in self.parameters:
                raise self.error(where, f"parameter {name!r} is not declared in [parameters]"
                                        f"; {did_you_mean(name, self.parameters)}")
            if not self.parameters[name].is_uncertain:
                raise self.error(where, f"parameter {name!r} is fixed; a break-even value "
                                        "is searched over an uncertain parameter's range")
        return tuple(names)

    def claim(self, spec: Any, years: int) -> ReturnClaim | None:
        if spec is None:
            return None
        where = "[model].claim"
        if not isinstance(spec, dict):
            raise self.error(where, "expected a table such as {year = 4, multiple = 8}")
        self.check_keys(spec, _CLAIM_KEYS, where)
        year, multiple = spec.get("year"), spec.get("multiple")
        if isinstance(year, bool) or not isinstance(year, int) or not 1 <= year <= years:
            raise self.error(f"{where}.year", f"expected a whole year within the horizon "
                                              f"1..{years}, got {year!r}")
        if not _is_number(multiple) or not math.isfinite(multiple):
            raise self.error(f"{where}.multiple", f"expected a number (a multiple of the "
                                                  f"investment, e.g. 8), got {multiple!r}")
        return ReturnClaim(year, float(multiple), str(spec.get("source", "")))

    def scope(self, spec: Mapping[str, Any], where: str) -> str:
        if "scope" not in spec:
            return "cohort"
        if self.programme is None:
            raise self.error(f"{where}.scope", "only a model with a [programme] (recurring "
                                               "cohorts) has scopes; remove the key or add "
                                               "[programme]")
        if spec["scope"] not in SCOPES:
            raise self.error(f"{where}.scope", f"unknown scope {spec['scope']!r}; expected "
                                               "'cohort' (once per cohort, from its entry "
                                               "year) or 'programme' (once, on calendar years)")
        return spec["scope"]

    def read_programme(self, table: Mapping[str, Any], years: int) -> Programme:
        """[programme]: K cohorts, their intake, and the parameters drawn per cohort."""
        where = "[programme]"
        self.check_keys(table, _PROGRAMME_KEYS, where)
        for name in _PROGRAMME_NAMES:
            if name in self.parameters:
                raise self.error(f"[parameters].{name}", f"{name!r} is provided by "
                                 "[programme] (each cohort's own); rename the parameter and "
                                 f"use it in [programme].intake")
        intake = table.get("intake")
        if intake is None:
            raise self.error(f"{where}.intake", "missing; give the persons per cohort: a "
                                                "number, a parameter name or a list per year")
        cohorts = table.get("cohorts", len(intake) if isinstance(intake, list) else None)
        if isinstance(cohorts, bool) or not isinstance(cohorts, int) or cohorts < 1:
            raise self.error(f"{where}.cohorts", f"expected a whole number of cohorts (one "
                                                 f"enters each year), got {cohorts!r}")
        first = table.get("first_year", 1)
        if isinstance(first, bool) or not isinstance(first, int) or first < 1:
            raise self.error(f"{where}.first_year", f"expected a whole year >= 1, got {first!r}")
        if first + cohorts - 1 > years:
            raise self.error(f"{where}.cohorts", f"{cohorts} cohorts from year {first} enter "
                                                 f"after the horizon of {years} years; at most "
                                                 f"{years - first + 1}")
        if isinstance(intake, list):
            if len(intake) != cohorts:
                raise self.error(f"{where}.intake", f"the schedule lists {len(intake)} "
                                                    f"intakes for {cohorts} cohorts; give one "
                                                    "per cohort")
            keys = [f"{where}.intake[{i + 1}]" for i in range(cohorts)]
        else:
            intake, keys = [intake] * cohorts, [f"{where}.intake"] * cohorts
        vary = table.get("vary_by_cohort", [])
        if not isinstance(vary, list) or not all(isinstance(v, str) for v in vary):
            raise self.error(f"{where}.vary_by_cohort", "expected a list of parameter names, "
                                                        "e.g. [\"success_rate\"]")
        varying = {}
        for name in vary:
            key = f"{where}.vary_by_cohort"
            if name not in self.parameters:
                raise self.error(key, f"parameter {name!r} is not declared in [parameters]; "
                                      f"{did_you_mean(name, self.parameters)}")
            if not self.parameters[name].is_uncertain:
                raise self.error(key, f"parameter {name!r} is fixed; only an uncertain "
                                      "parameter can be drawn afresh for each cohort")
            varying[name] = tuple(f"{name}_cohort{c}" for c in range(1, cohorts + 1))
            for copy in varying[name]:
                if copy in self.parameters:
                    raise self.error(f"[parameters].{copy}", f"the name holds cohort "
                                     f"{copy.rsplit('cohort', 1)[1]}'s draw of {name!r}; "
                                     "choose another name")
        # A varying parameter becomes one parameter per cohort, in its place.
        expanded = {}
        for name, parameter in self.parameters.items():
            for i, copy in enumerate(varying.get(name, (name,))):
                if copy == name:
                    expanded[name] = parameter
                else:
                    expanded[copy] = Parameter(copy, parameter.distribution,
                                               f"{parameter.description} (cohort {i + 1})"
                                               .strip(), parameter.unit)
        self.parameters = expanded
        expressions = []
        for value, key in zip(intake, keys, strict=True):
            expr = self.expression(value, key)
            allowed = set(self.parameters) | set(varying)
            for name in sorted(expr.names - allowed):
                raise self.error(key, f"the intake may use parameters only, not {name!r}; "
                                      f"{did_you_mean(name, sorted(allowed))}")
            self.shares.append((expr, key, 0.0, math.inf))
            expressions.append(expr)
        return Programme(cohorts, first, tuple(expressions), varying)

    def regimes(self, table: Mapping[str, Any]) -> tuple[Regime, ...]:
        result = []
        for name, spec in table.items():
            where = f"[regimes].{_shown(name)}"
            self.identifier(name, where)
            if not isinstance(spec, dict):
                raise self.error(where, f"expected a table with weight and parameters, "
                                        f"got {spec!r}")
            self.check_keys(spec, _REGIME_KEYS, where)
            weight = spec.get("weight")
            if not _is_number(weight) or not 0 <= weight <= 1 or not math.isfinite(weight):
                raise self.error(f"{where}.weight", f"expected a probability in [0, 1], "
                                                    f"got {weight!r}")
            overrides = {}
            params = spec.get("parameters", {})
            if not isinstance(params, dict):
                raise self.error(f"{where}.parameters", "expected a table of parameter = "
                                                        "distribution")
            varying = self.programme.varying if self.programme is not None else {}
            for pname, pspec in params.items():
                pwhere = f"{where}.parameters.{_shown(pname)}"
                if pname in varying:  # the regime holds for every cohort's draw
                    dist = self.distribution(pspec, pname, pwhere)
                    overrides.update(dict.fromkeys(varying[pname], dist))
                    continue
                if pname not in self.parameters:
                    hint = did_you_mean(pname, self.parameters)
                    raise self.error(pwhere, f"parameter {pname!r} is not declared in "
                                             f"[parameters]; {hint}")
                overrides[pname] = self.distribution(pspec, pname, pwhere)
            result.append(Regime(name, float(weight), overrides))
        if result:
            total = sum(r.weight for r in result)
            if abs(total - 1.0) > 1e-9:
                raise self.error("[regimes]", f"the weights sum to {total:.10g}; they must "
                                              "sum to 1")
        return tuple(result)

    def correlations(self, table: Mapping[str, Any]) -> Correlations | None:
        if not table:
            return None
        where = "[correlations]"
        self.check_keys(table, _CORRELATION_KEYS, where)
        if "pairs" in table and ("names" in table or "matrix" in table):
            raise self.error(where, "give either pairs = [[a, b, rho], ...] or names and "
                                    "matrix, not both")
        if "pairs" in table:
            pairs = table["pairs"]
            if not isinstance(pairs, list) or not all(
                    isinstance(p, list) and len(p) == 3 for p in pairs):
                raise self.error(f"{where}.pairs", "expected a list of [name, name, rho] "
                                                   "triples")
            names = list(dict.fromkeys(n for p in pairs for n in p[:2]))
            for n in names:
                self.check_correlated(n, f"{where}.pairs")
            declared = np.eye(len(names))
            for i, (a, b, rho) in enumerate(pairs):
                key = f"{where}.pairs[{i + 1}]"
                if a == b:
                    raise self.error(key, f"a parameter ({a!r}) cannot be correlated with "
                                          "itself")
                self.check_coefficient(rho, key)
                ia, ib = names.index(a), names.index(b)
                declared[ia, ib] = declared[ib, ia] = rho
        else:
            names = table.get("names")
            matrix = table.get("matrix")
            if not isinstance(names, list) or not isinstance(matrix, list):
                raise self.error(where, "give pairs = [[a, b, rho], ...], or names = [...] "
                                        "with matrix = [[...], ...]")
            for n in names:
                self.check_correlated(n, f"{where}.names")
            if len(set(names)) != len(names):
                raise self.error(f"{where}.names", "a parameter is named twice")
            k = len(names)
            if len(matrix) != k or not all(isinstance(r, list) and len(r) == k for r in matrix):
                raise self.error(f"{where}.matrix", f"expected a {k} × {k} matrix for the "
                                                    f"{k} names")
            for i, row in enumerate(matrix):
                for j, rho in enumerate(row):
                    self.check_coefficient(rho, f"{where}.matrix[{i + 1}][{j + 1}]")
            declared = np.array(matrix, dtype=float)
            if not np.allclose(declared, declared.T) or not np.allclose(np.diag(declared), 1):
                raise self.error(f"{where}.matrix", "a correlation matrix is symmetric with "
                                                    "1 on the diagonal")
        normal, moved = nearest_correlation(2.0 * np.sin(np.pi * declared / 6.0))
        correlations = Correlations(tuple(names), declared, normal)
        if moved.max() > 0:
            used = correlations.matrix
            changes = ", ".join(f"{names[i]}~{names[j]} {declared[i, j]:+.3f} -> "
                                f"{used[i, j]:+.3f}"
                                for i in range(len(names)) for j in range(i + 1, len(names))
                                if abs(used[i, j] - declared[i, j]) > 5e-4)
            self.warnings.append(f"{self.source}: {where}: the correlations are not "
                                 "positive definite (no joint distribution has them); used "
                                 f"the nearest valid matrix: {changes}")
        return correlations

    def check_correlated(self, name: Any, where: str) -> None:
        if self.programme is not None and name in self.programme.varying:
            raise self.error(where, f"parameter {name!r} varies by cohort; correlate "
                                    "parameters drawn once per scenario only")
        if name not in self.parameters:
            raise self.error(where, f"parameter {name!r} is not declared in [parameters]; "
                                    f"{did_you_mean(str(name), self.parameters)}")
        if not self.parameters[name].is_uncertain:
            raise self.error(where, f"parameter {name!r} is fixed; only uncertain "
                                    "parameters can be correlated")

    def check_coefficient(self, rho: Any, where: str) -> None:
        if not _is_number(rho) or not -1 <= rho <= 1:
            raise self.error(where, f"expected a correlation in [-1, 1], got {rho!r}")

    def check_shares(self, regimes: tuple[Regime, ...]) -> None:
        """Shares given as a number or a parameter must lie in their range.

        A general expression cannot be checked before it runs; its range is the
        model author's responsibility (documented).
        """
        for expr, where, low, high in self.shares:
            if expr.is_constant:
                values = [(expr.evaluate({}), "")]
            elif (name := self.parameter_of(expr.source)) is not None:
                dists = [self.parameters[name].distribution]
                dists += [r.overrides[name] for r in regimes if name in r.overrides]
                values = [(float(d.ppf(q)), f" (parameter {expr.source!r} can reach it)")
                          for d in dists for q in (0.0, 1.0)]
            else:
                continue
            for value, why in values:
                if not low <= value <= high:
                    if low > 0 and not math.isfinite(high):
                        right = "it must be positive"
                    elif not math.isfinite(high):
                        right = f"it must be at least {low}"
                    else:
                        right = f"it must lie in [{low}, {high}]"
                    raise self.error(where, f"value {value!r}{why} is out of range; {right}")

    def parameter_of(self, source: str) -> str | None:
        """The parameter an expression names (a varying one's first cohort), if it does."""
        if self.programme is not None and source in self.programme.varying:
            return self.programme.varying[source][0]
        return source if source in self.parameters else None

    def ordered(self, definitions: dict[str, Any]) -> dict[str, Any]:
        """Derived values and outcomes in an order where each is defined before use."""
        order: dict[str, Any] = {}
        visiting: list[str] = []

        def visit(name: str) -> None:
            if name in order:
                return
            if name in visiting:
                cycle = visiting[visiting.index(name):] + [name]
                table = "outcomes" if isinstance(definitions[name], Outcome) else "derived"
                raise self.error(f"[{table}].{name}", "derived values refer to each other in "
                                 f"a cycle: {' -> '.join(cycle)}; break the cycle")
            visiting.append(name)
            for dep in sorted(definitions[name].names & definitions.keys()):
                visit(dep)
            visiting.pop()
            order[name] = definitions[name]

        for name in definitions:
            visit(name)
        return order

    @staticmethod
    def year_dependence(derived: Mapping[str, Any], by_year: set[str]) -> set[str]:
        dependent: set[str] = set()
        for name, expr in derived.items():  # in evaluation order, so one pass suffices
            if expr.names & (dependent | by_year):
                dependent.add(name)
        return dependent
