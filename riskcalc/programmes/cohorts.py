"""Recurring cohorts: each cohort's environment and the sum of their cash flows by calendar year.

A programme's cohort c enters in calendar year ``e_c``.  Its cash flows are the
model's, evaluated with ``year`` = years since entry (``t - e_c + 1`` in calendar
year t), ``intake`` = its intake and ``cohort`` = c, and are zero before it enters.
The engine adds the cohorts' amounts per calendar year and only then applies
whole units and realisation (a ward closes when enough people have left it across
cohorts) and discounts (a cohort entering in year 3 is discounted from year 3).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from riskcalc.model.expressions import Expression
from riskcalc.model.objects import Programme

__all__ = ["ProgrammeEnvironment", "programme_environment", "superpose"]


class ProgrammeEnvironment(dict):
    """The calendar-year environment of a programme, holding each cohort's own.

    As a mapping it is what programme-scope flows see: ``year`` is the calendar
    year, ``intake``, ``cohort`` and parameters that vary by cohort are those of
    the cohort entering that year, shape (Y, 1 or n) (0 intake and cohort in years
    without an entry).  `cohorts` holds the cohorts' environments, each with the
    row shifts of the cohorts it stands for: one per cohort (shift 0, its `year`
    already counted from its entry), or, when the cohorts are alike, the first
    cohort's with the shifts ``0, 1, ..., K - 1``.
    """

    cohorts: list[tuple[dict[str, object], list[int]]]


def programme_environment(programme: Programme, base: Mapping[str, object],
                          derive: Callable[[dict[str, object]], None], *,
                          alike: bool = False) -> ProgrammeEnvironment:
    """Each cohort's environment and the calendar one.

    Parameters
    ----------
    programme : Programme
    base : mapping
        ``year`` (calendar years, shape (Y, 1)) and every parameter, shape (1, n) or scalar.
    derive : callable
        Adds the model's derived values and outcomes to an environment, in place.
    alike : bool
        The cohorts differ only in their entry year (the same intake, no parameter
        drawn per cohort, nothing reading ``cohort``): the first cohort is evaluated
        and the others are its rows shifted, K times less work, the same numbers.

    Returns
    -------
    ProgrammeEnvironment
    """
    year = np.asarray(base["year"], dtype=float)
    entries = programme.entry_years
    groups = []
    with np.errstate(all="ignore"):
        for c, entry in enumerate(entries[:1] if alike else entries):
            env = dict(base)
            for name, copies in programme.varying.items():
                env[name] = base[copies[c]]
            env["intake"] = programme.intake[c].evaluate(env)
            env["cohort"] = float(c + 1)
            env["year"] = year - (entry - 1)
            derive(env)
            groups.append((env, [e - entry for e in entries] if alike else [0]))
    cohorts = [groups[0][0]] * len(entries) if alike else [env for env, _ in groups]
    calendar = ProgrammeEnvironment(base)
    # Row t - 1 holds the cohort entering in calendar year t; before the first entry
    # and after the last, its neighbour's draws (intake and cohort are 0 there).
    index = year[:, 0].astype(int) - programme.first_year
    enters = (index >= 0) & (index < programme.cohorts)
    nearest = np.clip(index, 0, programme.cohorts - 1)
    calendar["cohort"] = np.where(enters, index + 1, 0).astype(float).reshape(-1, 1)
    calendar["intake"] = np.where(enters[:, None], _by_year(cohorts, "intake", nearest), 0.0)
    for name in programme.varying:
        calendar[name] = _by_year(cohorts, name, nearest)
    with np.errstate(all="ignore"):
        derive(calendar)
    calendar.cohorts = groups
    return calendar


def _by_year(cohorts: list[dict[str, object]], name: str, index: np.ndarray) -> np.ndarray:
    """Row t: the value of `name` in cohort ``index[t]``, shape (Y, 1 or n)."""
    values = [np.reshape(np.asarray(env[name], dtype=float), (1, -1)) for env in cohorts]
    width = max(v.shape[1] for v in values)
    stacked = np.concatenate([np.broadcast_to(v, (1, width)) for v in values])
    return stacked[index]


def superpose(amount: Expression, when: Expression | None,
              cohorts: list[tuple[dict[str, object], list[int]]],
              shape: tuple[int, int]) -> np.ndarray:
    """A cohort-scope amount added up over the cohorts, by calendar year.

    Parameters
    ----------
    amount : Expression
        The amount per cohort (currency per year), in a cohort's environment.
    when : Expression or None
        The condition on a cohort's years (``year == 1``: its entry year).
    cohorts : list of (dict, list of int)
        The cohorts' environments with their row shifts
        (:attr:`ProgrammeEnvironment.cohorts`).
    shape : (Y, n)

    Returns
    -------
    ndarray, shape (Y, n)
        Sum over cohorts of the amount in the calendar years each has entered.
    """
    total = np.zeros(shape)
    with np.errstate(all="ignore"):
        for env, shifts in cohorts:
            active = np.asarray(env["year"]) >= 1.0
            if when is not None:
                active = active & np.asarray(when.evaluate(env), dtype=bool)
            value = np.where(active, np.asarray(amount.evaluate(env), dtype=float), 0.0)
            for shift in shifts:  # a cohort entering `shift` years later: the same rows, later
                total[shift:] += value[:shape[0] - shift]
    return total
