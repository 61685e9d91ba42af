"""An outcome contract (social impact bond) declared in a model file: ``[contract]``.

An investor pays `capital` up front to the provider; an outcome payer (an actor)
pays the investor for measured outcomes: each payment metric is an expression over
outcomes and parameters, aggregated over an evaluation window of model years, and
pays ``price × units`` when it reaches its threshold.  A base payment (a share of
the capital) is due if the service is delivered, total payments are capped at
``capital × (1 + cap)``, and the contract may end early.  The declaration is
validated here, by the model loader; :mod:`riskcalc.funds.contracts` evaluates it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from riskcalc.errors import ModelError, did_you_mean
from riskcalc.model.expressions import Expression

__all__ = ["MEASURES", "ContractMeasure", "Contract", "read_contract"]

#: How a metric is aggregated over its window.
MEASURES: tuple[str, ...] = ("mean", "sum", "last")

_CONTRACT_KEYS = ("label", "capital", "provider", "payer", "cap", "base_payment", "delivered",
                  "terminated", "terminated_after", "discount_rate", "transaction_costs",
                  "metric", "goal", "description")
_METRIC_KEYS = ("name", "value", "window", "measure", "threshold", "price", "units", "pooled",
                "description")
_GOAL_KEYS = ("value", "window", "measure", "threshold", "description")


@dataclass(frozen=True)
class ContractMeasure:
    """A payment metric (or the social goal) measured over a window of model years.

    Attributes
    ----------
    name : str
    value : Expression
        The metric per year (may depend on ``year``).
    window : tuple of (int, int)
        First and last model year measured (inclusive).
    measure : {"mean", "sum", "last"}
        How the yearly values are aggregated over the window.
    threshold : float
        The metric is *met* when its aggregate is at least this.
    price : Expression or None
        SEK per unit paid when met (None for the social goal).
    units : Expression or None
        Units paid for, summed over the window; None: the aggregate itself.
    pooled : bool
        A pooled metric is an alternative trigger: when the pooled payments exceed
        the per-cohort ones, the difference is paid in the pooled window's last year.
    """

    name: str
    value: Expression
    window: tuple[int, int]
    measure: str = "mean"
    threshold: float = -math.inf
    price: Expression | None = None
    units: Expression | None = None
    pooled: bool = False


@dataclass(frozen=True)
class Contract:
    """A validated outcome contract.

    Attributes
    ----------
    capital : float
        Investor capital paid to the provider in year 1 (SEK).
    payer : str
        Actor key of the outcome payer.
    provider : str or None
        Actor key that receives the capital (None: outside the model's actors).
    cap : float
        Largest return on capital: total payments ≤ capital × (1 + cap) (inf: none).
    base_payment : float
        Share of capital paid at the contract's end if delivered (the guarantee).
    delivered, terminated : Expression or None
        Per scenario, 1 (true) or 0: the service was delivered (default 1) / the
        contract ended after `terminated_after` (default 0).
    terminated_after : int
        Last year of a terminated contract: metrics whose window ends later pay nothing.
    discount_rate : Expression or None
        The investor's rate for ``npv_investor``; None: the model's.
    transaction_costs : Expression or None
        Real cost of the contract to the payer in year 1 (SEK).
    metrics : tuple of ContractMeasure
    goal : ContractMeasure or None
        The social goal, for P(goal met while no payment metric is met).
    """

    capital: float
    payer: str
    metrics: tuple[ContractMeasure, ...]
    provider: str | None = None
    cap: float = math.inf
    base_payment: float = 0.0
    delivered: Expression | None = None
    terminated: Expression | None = None
    terminated_after: int = 0
    discount_rate: Expression | None = None
    transaction_costs: Expression | None = None
    goal: ContractMeasure | None = None
    label: str = ""

    @property
    def end_year(self) -> int:
        """Last year of the contract when it runs its course: the last window's end."""
        return max(m.window[1] for m in self.metrics)

    @property
    def most_paid(self) -> float:
        """The cap on total payments (SEK): capital × (1 + cap)."""
        return self.capital * (1.0 + self.cap)


class _Loader(Protocol):  # the model loader's helpers used here
    def error(self, key: str, message: str) -> ModelError: ...
    def expression(self, value: Any, where: str) -> Expression: ...


def _number(loader: _Loader, value: Any, where: str, low: float = -math.inf,
            high: float = math.inf) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        raise loader.error(where, f"expected a number, got {value!r}")
    if not low <= value <= high:
        raise loader.error(where, f"{value!r} is out of range; expected a value in "
                                  f"[{low:g}, {high:g}]")
    return float(value)


def _keys(loader: _Loader, table: Mapping[str, Any], allowed: tuple[str, ...],
          where: str) -> None:
    for key in table:
        if key not in allowed:
            raise loader.error(f"{where}.{key}", f"unknown key; {did_you_mean(key, allowed)}")


def _measure(loader: _Loader, table: Any, where: str, years: int, *, goal: bool,
             index: int = 0) -> ContractMeasure:
    if not isinstance(table, dict):
        raise loader.error(where, "expected a table with value, window and threshold")
    _keys(loader, table, _GOAL_KEYS if goal else _METRIC_KEYS, where)
    for key in ("value", "window", "threshold", *(() if goal else ("price",))):
        if key not in table:
            raise loader.error(f"{where}.{key}", "missing; a metric needs value, window = "
                               "[first, last], threshold" + ("" if goal else " and price"))
    window = table["window"]
    if (not isinstance(window, list) or len(window) != 2
            or not all(isinstance(y, int) and not isinstance(y, bool) for y in window)
            or not 1 <= window[0] <= window[1] <= years):
        raise loader.error(f"{where}.window", f"expected [first, last] model years within "
                                              f"1..{years}, got {window!r}")
    measure = table.get("measure", "mean")
    if measure not in MEASURES:
        raise loader.error(f"{where}.measure",
                           f"{measure!r}: {did_you_mean(str(measure), MEASURES)}")
    pooled = table.get("pooled", False)
    if not isinstance(pooled, bool):
        raise loader.error(f"{where}.pooled", f"expected true or false, got {pooled!r}")
    name = table.get("name", "goal" if goal else f"metric{index + 1}")
    if not isinstance(name, str) or not name.isidentifier():
        raise loader.error(f"{where}.name", f"{name!r} is not a valid name")
    return ContractMeasure(
        name=name, value=loader.expression(table["value"], f"{where}.value"),
        window=(window[0], window[1]), measure=measure,
        threshold=_number(loader, table["threshold"], f"{where}.threshold"),
        price=None if goal else loader.expression(table["price"], f"{where}.price"),
        units=(loader.expression(table["units"], f"{where}.units")
               if "units" in table else None), pooled=pooled)


def read_contract(loader: _Loader, table: Mapping[str, Any], actor_keys: tuple[str, ...],
                  years: int) -> Contract:
    """Validate a model file's ``[contract]`` table (names are checked by the loader)."""
    where = "[contract]"
    _keys(loader, table, _CONTRACT_KEYS, where)
    for key in ("capital", "payer", "metric"):
        if key not in table:
            raise loader.error(f"{where}.{key}", "missing; a contract needs capital, payer and "
                                                 "at least one [[contract.metric]]")
    actors = {}
    for key in ("payer", "provider"):
        if key in table:
            if table[key] not in actor_keys:
                raise loader.error(f"{where}.{key}", f"unknown actor {table[key]!r}; "
                                   f"{did_you_mean(str(table[key]), actor_keys)}")
            actors[key] = table[key]
    cap = _number(loader, table.get("cap", math.inf), f"{where}.cap", low=0.0)
    base = _number(loader, table.get("base_payment", 0.0), f"{where}.base_payment", low=0.0,
                   high=1.0 + cap)
    raw = table["metric"]
    if not isinstance(raw, list) or not raw:
        raise loader.error(f"{where}.metric", "write each payment metric as a "
                                              "[[contract.metric]] table")
    metrics = tuple(_measure(loader, m, f"{where}.metric[{k}]", years, goal=False, index=k)
                    for k, m in enumerate(raw))
    names = [m.name for m in metrics]
    for k, name in enumerate(names):
        if name in names[:k]:
            raise loader.error(f"{where}.metric[{k}].name", f"{name!r} is used twice")
    goal = None
    if "goal" in table:
        goal = _measure(loader, table["goal"], f"{where}.goal", years, goal=True)

    def optional(key: str) -> Expression | None:
        return loader.expression(table[key], f"{where}.{key}") if key in table else None

    after = table.get("terminated_after", years)
    if isinstance(after, bool) or not isinstance(after, int) or not 1 <= after <= years:
        raise loader.error(f"{where}.terminated_after", f"expected a model year in 1..{years}, "
                                                        f"got {after!r}")
    label = table.get("label", "")
    if not isinstance(label, str):
        raise loader.error(f"{where}.label", f"expected text, got {label!r}")
    capital = _number(loader, table["capital"], f"{where}.capital", low=0.0, high=1e15)
    if capital == 0:
        raise loader.error(f"{where}.capital", "expected the investor's capital (SEK, > 0)")
    return Contract(
        capital=capital,
        payer=actors["payer"], provider=actors.get("provider"), metrics=metrics, cap=cap,
        base_payment=base, delivered=optional("delivered"), terminated=optional("terminated"),
        terminated_after=after, discount_rate=optional("discount_rate"),
        transaction_costs=optional("transaction_costs"), goal=goal, label=label)
