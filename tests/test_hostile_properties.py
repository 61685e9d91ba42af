"""Property-based hostile input (issue 16): generated model files, expressions and policy
files are either accepted or refused with the one-line error - never anything else.

No traceback, no other exception, no second line: ``check`` exits 0 (warnings allowed)
or 2 with ``riskcalc: error: FILE: ...`` on one line.  The numbers of generated cases
are set in PROFILE below (about 600 in all; a few seconds on 2 cores).
"""

from __future__ import annotations

import json
import math
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskcalc.cli import main
from riskcalc.decision.policy import load_policy
from riskcalc.errors import ModelError
from riskcalc.model.expressions import FUNCTIONS
from riskcalc.model.loader import model_from_dict
from tests.test_cli_errors import MODEL

REPO = Path(__file__).resolve().parents[1]
POLICIES = sorted((REPO / "models" / "policies").glob("*.toml"))
BASE = tomllib.loads(MODEL)

#: Generated cases per test; derandomized so that CI runs the same cases every time.
PROFILE = settings(max_examples=150, deadline=None, derandomize=True,
                   suppress_health_check=[HealthCheck.function_scoped_fixture,
                                          HealthCheck.too_slow])


# -- a small TOML writer (the standard library only reads TOML) -------------------------------

def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") \
            if math.isinf(value) else repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


def toml_document(data: dict[str, Any]) -> str:
    lines = []
    for key, value in data.items():
        if isinstance(value, dict):
            lines.append(f"[{json.dumps(key)}]")
            lines += [f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()]
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for item in value:
                lines.append(f"[[{json.dumps(key)}]]")
                lines += [f"{json.dumps(k)} = {toml_value(v)}" for k, v in item.items()]
        else:
            lines.insert(0, f"{json.dumps(key)} = {toml_value(value)}")
    return "\n".join(lines) + "\n"


# -- strategies --------------------------------------------------------------------------------

NAMES = ["people", "saving", "cost", "savings", "year", "regime", "nobody", "__class__"]
text = st.text(max_size=12)
scalars = (st.integers(-10**20, 10**20) | st.floats(allow_nan=True) | st.booleans() | text
           | st.sampled_from(["cost", "people * saving", "year == 1", "1 / 0", "exp(1e5)"]))
toml_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(text | st.sampled_from(
                               ["pert", "uniform", "normal", "label", "kind", "value", "when"]),
                               inner, max_size=4), max_leaves=12)


@st.composite
def expressions(draw: st.DrawFn, depth: int = 0) -> str:
    """Expressions from the language's grammar, with hostile corners: unknown names and
    functions, huge and tiny numbers, deep nesting, long chains, Python that is not allowed."""
    leaf = (st.sampled_from(NAMES) | st.sampled_from(["0", "1", "1e308", "-1e308", "1e-320",
                                                      "10**400", "2.5", "0.0"])
            | st.integers(-10**6, 10**6).map(str))
    if depth > 4 or draw(st.integers(0, 3)) == 0:
        return draw(leaf)
    kind = draw(st.sampled_from(["binary", "unary", "call", "chain", "if", "paren",
                                 "python"]))
    sub = st.deferred(lambda: expressions(depth + 1))
    if kind == "binary":
        op = draw(st.sampled_from(["+", "-", "*", "/", "**", "%", "//", "<", "<=", "==", "!=",
                                   " and ", " or ", "@", "&", "<<"]))
        return f"{draw(sub)} {op} {draw(sub)}"
    if kind == "unary":
        return draw(st.sampled_from(["-", "+", "not ", "~"])) + draw(sub)
    # Long argument lists and chains are of leaves: flat but huge, and cheap to draw.
    long = depth == 0 and draw(st.booleans())
    parts = st.lists(leaf, min_size=90, max_size=150) if long else st.lists(sub, max_size=3)
    if kind == "call":
        name = draw(st.sampled_from([*FUNCTIONS, "eval", "open", "__import__", "print"]))
        return f"{name}({', '.join(draw(parts))})"
    if kind == "chain":
        op = draw(st.sampled_from([" and ", " < ", " + ", " or "]))
        return op.join([draw(sub), *draw(parts)])
    if kind == "if":
        return f"{draw(sub)} if {draw(sub)} else {draw(sub)}"
    if kind == "paren":
        n = draw(st.sampled_from([1, 2, 150]))
        return "(" * n + draw(sub) + ")" * n
    return draw(st.sampled_from(["lambda: 1", "[1, 2]", "x.y", "'text'", "a[0]", "f(x=1)",
                                 "(y := 1)", "{1: 2}", "1j", "*a", "__import__('os')"]))


def paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a value in nested dicts and lists."""
    found = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += paths(value, (*prefix, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found += paths(value, (*prefix, i))
    return found


@st.composite
def mutated(draw: st.DrawFn, base: dict[str, Any]) -> dict[str, Any]:
    """`base` with a few values replaced, keys removed or keys added."""
    data = json.loads(json.dumps(base))
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from(paths(data)))
        *parent_path, last = where
        parent = data
        for key in parent_path:
            parent = parent[key]
        action = draw(st.sampled_from(["replace", "replace", "delete", "add"]))
        if action == "delete" and isinstance(parent, dict):
            parent.pop(last, None)
        elif action == "add" and isinstance(parent, dict):
            parent[draw(text)] = draw(toml_values)
        else:
            parent[last] = draw(toml_values | expressions())
    return data


# -- the properties ----------------------------------------------------------------------------

def assert_accepted_or_one_line_error(code: int, err: str, path: Path) -> None:
    assert "Traceback" not in err, err
    if code == 0:
        assert all(line.startswith("riskcalc: warning: ") for line in err.splitlines()), err
        return
    assert code == 2, (code, err)
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert err.startswith(f"riskcalc: error: {path}: "), err


@PROFILE
@given(data=mutated(BASE))
def test_generated_model_files_are_accepted_or_refused_in_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], data: dict[str, Any]) -> None:
    path = tmp_path / "model.toml"
    path.write_text(toml_document(data), encoding="utf-8")
    code = main(["check", str(path)])
    assert_accepted_or_one_line_error(code, capsys.readouterr().err, path)


@PROFILE
@given(source=expressions(), where=st.sampled_from(["derived", "when", "investment"]))
def test_generated_expressions_are_accepted_or_refused_in_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], source: str, where: str) -> None:
    data = json.loads(json.dumps(BASE))
    if where == "derived":
        data["derived"]["savings"] = source
    elif where == "when":
        data["flow"][1]["when"] = source
    else:
        data["model"]["investment"] = source
    path = tmp_path / "model.toml"
    path.write_text(toml_document(data), encoding="utf-8")
    code = main(["check", str(path)])
    assert_accepted_or_one_line_error(code, capsys.readouterr().err, path)


@PROFILE
@given(data=st.data())
def test_generated_text_damage_is_accepted_or_refused_in_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], data: st.DataObject) -> None:
    text = MODEL
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 20))
        insert = data.draw(st.text(max_size=8) | st.sampled_from(
            ["[", "]", "{", "=", '"', "\n[[flow]]\n", "[" * 600, "{a=" * 450]))
        text = text[:at] + insert + text[at + cut:]
    path = tmp_path / "model.toml"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    code = main(["check", str(path)])
    assert_accepted_or_one_line_error(code, capsys.readouterr().err, path)


@PROFILE
@given(data=st.data())
def test_generated_policy_files_are_accepted_or_refused_in_one_line(
        tmp_path: Path, data: st.DataObject) -> None:
    base = tomllib.loads(data.draw(st.sampled_from(POLICIES)).read_text(encoding="utf-8"))
    policy = data.draw(mutated(base))
    path = tmp_path / "policy.toml"
    path.write_text(toml_document(policy), encoding="utf-8")
    model = model_from_dict(BASE | {"actors": {"municipality": "M", "council": "C",
                                                "office": "O"}}, source="model.toml")
    try:
        load_policy(path).check(model)
    except ModelError as exc:
        message = str(exc)
        assert "\n" not in message and message.startswith(f"{path}: "), message
