"""A policy file read, validated and held as a typed :class:`Policy`.

:func:`load_policy` reads the TOML file (see ``docs/decisions.md`` and
:mod:`riskcalc.decision`), :func:`policy_from_dict` validates the parsed tables
into frozen dataclasses, with a :class:`~riskcalc.errors.ModelError` of one
line that names the file and the key otherwise; :meth:`Policy.check` validates
the policy against a model.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import MISSING, dataclass, fields
from pathlib import Path
from typing import Any

from riskcalc.decision.classes import ClassSpec
from riskcalc.decision.criteria import CRITERIA, SUBJECTS, Criterion
from riskcalc.errors import ModelError, did_you_mean
from riskcalc.files import read_toml
from riskcalc.model.objects import Model

__all__ = ["Policy", "load_policy", "policy_from_dict"]


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
                                 f"{model.source}; {did_you_mean(actor, [*keys, 'society'])}")
        output = self.classes.output
        valid = ["roi", "npv_society", *(f"npv_{k}" for k in keys), "npv_real",
                 "npv_financial", "npv_production"]
        if output not in valid:
            raise ModelError(f"{self.source}: [classes].output: unknown output {output!r} "
                             f"in {model.source}; {did_you_mean(output, valid)}")


def load_policy(path: str | Path) -> Policy:
    """Read and validate a policy file.

    Raises
    ------
    ModelError
        One line naming the file, the key, what was wrong and what would be right.
    """
    path = Path(path)
    data, _ = read_toml(path, "policy file")
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
                                 f"{did_you_mean(name, allowed)}")
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
                                 f"{did_you_mean(key, ['policy', 'criteria', 'classes'])}")
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
            # A plain number sets the threshold, where the threshold is all a criterion needs.
            if required != [cls.threshold_field]:
                example = ", ".join(f"{n} = ..." for n in required)
                raise self.error(where, f"expected a table {{ {example} }}, got {value!r}")
            value = {cls.threshold_field: value}
        for name in value:
            if name not in names:
                raise self.error(f"{where}.{name}", f"unknown key; {did_you_mean(name, names)}")
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
