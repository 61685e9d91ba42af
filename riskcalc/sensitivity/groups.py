"""Groups of inputs that a Sobol' or Morris design moves together.

A groups file is a TOML table ``[groups]`` of ``name = ["parameter", ...]``;
inputs it does not list form a group of their own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from riskcalc.errors import ModelError, did_you_mean
from riskcalc.files import read_toml
from riskcalc.model.objects import Model
from riskcalc.sensitivity.problem import analysed_inputs

__all__ = ["check_groups", "read_groups", "group_of"]


def check_groups(groups: Mapping[str, Sequence[str]], inputs: Sequence[str], *,
                 source: str = "groups") -> dict[str, tuple[str, ...]]:
    """Validate groups of inputs and complete them with one group per ungrouped input.

    Parameters
    ----------
    groups : mapping of str to sequence of str
        Group name → the inputs (parameter names) it holds.
    inputs : sequence of str
        The design's inputs (:func:`riskcalc.engine.sampling.design_inputs`).
    source : str
        Shown first in error messages (a file name).

    Returns
    -------
    dict of str to tuple of str
        Every group, in the order of its first input in `inputs`; inputs not
        listed form a group of their own, named after the input.

    Raises
    ------
    ModelError
        An unknown or repeated input, an empty group, or a group named after an
        input outside it, naming `source` and the group's key.
    """
    group_by_input: dict[str, str] = {}
    for name, members in groups.items():
        where = f"{source}: groups.{name}"
        if not isinstance(name, str) or not name.isidentifier():
            raise ModelError(f"{where}: {name!r} is not a valid group name; use letters, "
                             "digits and _")
        if isinstance(members, str) or not isinstance(members, Sequence) or not members:
            raise ModelError(f"{where}: expected a non-empty list of parameter names, "
                             f"got {members!r}")
        for member in members:
            if member not in inputs:
                raise ModelError(f"{where}: unknown parameter {member!r}; "
                                 f"{did_you_mean(str(member), inputs)}")
            if member in group_by_input:
                raise ModelError(f"{where}: {member!r} is already in group "
                                 f"{group_by_input[member]!r}; an input belongs to one group")
            group_by_input[member] = name
        if name in inputs and group_by_input.get(name) != name:
            raise ModelError(f"{where}: {name!r} is also the name of an input outside the "
                             "group; give the group another name")
    result: dict[str, list[str]] = {}
    for name in inputs:
        result.setdefault(group_by_input.get(name, name), []).append(name)
    return {g: tuple(members) for g, members in result.items()}


def group_of(membership: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Input → the group it belongs to, from :func:`check_groups`' group → inputs."""
    return {p: g for g, members in membership.items() for p in members}


def read_groups(path: str | Path, model: Model) -> dict[str, tuple[str, ...]]:
    """Read a groups file: a TOML table ``[groups]`` of ``name = ["param", ...]``.

    Parameters
    ----------
    path : str or Path
    model : Model
        The inputs it may name are :func:`riskcalc.engine.sampling.design_inputs`.

    Returns
    -------
    dict of str to tuple of str
        As :func:`check_groups`.
    """
    path = Path(path)
    data, _ = read_toml(path, "groups file")
    for key in data:
        if key != "groups":
            raise ModelError(f"{path}: [{key}]: unknown table; a groups file holds one "
                             'table, [groups], of name = ["parameter", ...]')
    groups = data.get("groups")
    if not isinstance(groups, dict) or not groups:
        raise ModelError(f'{path}: [groups]: missing or empty; write name = ["parameter", ...]')
    return check_groups(groups, analysed_inputs(model), source=str(path))
