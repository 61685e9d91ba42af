"""Tests for riskcalc.model.expressions: semantics, broadcasting, folding and safety."""

from __future__ import annotations

import pickle
import string
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskcalc.errors import ExpressionError
from riskcalc.model.expressions import FUNCTIONS, Expression, parse_expression

X = np.array([0.25, 1.5, -2.0, 4.0])
Y = np.array([2.0, -0.5, 3.0, 0.0])


def ev(source: str, **env: object) -> object:
    return parse_expression(source).evaluate(env)


@pytest.mark.parametrize(("source", "expected"), [
    ("1 + 2 * 3", 7.0), ("(1 + 2) * 3", 9.0), ("7 - 2 - 1", 4.0), ("8 / 4 / 2", 1.0),
    ("7 // 2", 3.0), ("-7 // 2", -4.0), ("7 % 3", 1.0), ("-7 % 3", 2.0),
    ("2 ** 3 ** 2", 512.0), ("-2 ** 2", -4.0), ("(-2) ** 2", 4.0), ("2 ** -1", 0.5),
    ("+3 - -2", 5.0), ("1e3 + 0x10 + 1_000", 2016.0), ("2 * 3 > 5", 1.0),
])
def test_arithmetic_and_precedence_match_hand_values(source: str, expected: float) -> None:
    assert ev(source) == expected


def test_integer_literals_are_float_so_negative_powers_work() -> None:
    assert ev("x ** -1", x=np.array([2, 4])).tolist() == [0.5, 0.25]


def test_chained_comparison_is_elementwise_and() -> None:
    assert ev("0 < x < 2", x=X).tolist() == [True, True, False, False]
    assert ev("0 < x <= 4 != y", x=X, y=Y).tolist() == [True, True, False, True]


def test_and_or_not_are_elementwise() -> None:
    assert ev("x > 0 and y > 0", x=X, y=Y).tolist() == [True, False, False, False]
    assert ev("x > 3 or y > 2 or x < -1", x=X, y=Y).tolist() == [False, False, True, True]
    assert ev("not x > 1", x=X).tolist() == [True, False, True, False]


def test_ternary_selects_elementwise() -> None:
    assert ev("x if x > y else y", x=X, y=Y).tolist() == [2.0, 1.5, 3.0, 4.0]


def test_comparison_results_count_in_arithmetic() -> None:
    assert ev("(x > 0) + (y > 0)", x=X, y=Y).tolist() == [2.0, 1.0, 1.0, 1.0]
    assert ev("-(x > 0)", x=X).tolist() == [-1.0, -1.0, 0.0, -1.0]


@pytest.mark.parametrize(("name", "ref"), [
    ("exp", np.exp), ("log", np.log), ("sqrt", np.sqrt), ("abs", np.abs),
    ("floor", np.floor), ("ceil", np.ceil), ("round", np.round),
])
def test_unary_functions_match_numpy(name: str, ref: object) -> None:
    values = np.array([0.5, 1.5, 2.5, -0.5, 3.7, 9.0])
    with np.errstate(invalid="ignore"):
        expected = ref(values)
    np.testing.assert_array_equal(ev(f"{name}(x)", x=values), expected)


def test_min_max_where_clip_match_numpy() -> None:
    z = np.array([1.0, 1.0, 1.0, 1.0])
    np.testing.assert_array_equal(ev("min(x, y, z)", x=X, y=Y, z=z), np.minimum.reduce([X, Y, z]))
    np.testing.assert_array_equal(ev("max(x, y, z)", x=X, y=Y, z=z), np.maximum.reduce([X, Y, z]))
    np.testing.assert_array_equal(ev("where(x > y, 1, -1)", x=X, y=Y), np.where(X > Y, 1, -1))
    np.testing.assert_array_equal(ev("clip(x, 0, 2)", x=X), np.clip(X, 0, 2))
    assert ev("round(2.5) + round(3.5)") == 6.0  # halves to even, like numpy


def test_broadcasting_params_by_year_gives_n_by_y() -> None:
    n, years = 3, 4
    env = {"participants": np.array([[100.0], [200.0], [50.0]]),
           "success_rate": np.array([[0.5], [0.25], [1.0]]),
           "relapse": np.array([[0.1], [0.5], [0.0]]),
           "year": np.arange(1, years + 1, dtype=float)[None, :]}
    expr = parse_expression("participants * success_rate * (1 - relapse) ** (year - 1)")
    out = expr.evaluate(env)
    assert out.shape == (n, years)
    expected = 100.0 * 0.5 * 0.9 ** np.arange(years)
    np.testing.assert_allclose(out[0], expected)
    assert parse_expression("participants * success_rate").evaluate(env).shape == (n, 1)


def test_scalars_in_env_work() -> None:
    assert ev("a * b + 1", a=2.0, b=3.0) == 7.0


def test_constant_subtrees_are_folded() -> None:
    calls = []

    class Env(dict):
        def __getitem__(self, key: str) -> object:
            calls.append(key)
            return super().__getitem__(key)

    expr = parse_expression("2 * 3 + x")
    assert not expr.is_constant
    assert expr.evaluate(Env(x=1.0)) == 7.0 and calls == ["x"]
    const = parse_expression("2 * 3 + max(1, 4) * (1 < 2)")
    assert const.is_constant and const.names == frozenset()
    value = const.evaluate({})
    assert type(value) is float and value == 10.0


def test_numeric_sources_are_constants() -> None:
    assert parse_expression(3).evaluate({}) == 3.0
    expr = parse_expression(0.25)
    assert expr.source == "0.25" and expr.is_constant
    with pytest.raises(ExpressionError, match="boolean"):
        parse_expression(True)
    with pytest.raises(ExpressionError, match="expected a number or an expression string"):
        parse_expression(None)  # type: ignore[arg-type]


def test_names_are_exactly_the_free_variables() -> None:
    expr = parse_expression("max(a, exp(b)) * where(c, d, 1) if e else clip(f, 0, 1)")
    assert expr.names == frozenset("abcdef")
    assert set(FUNCTIONS) == {"min", "max", "where", "clip", "exp", "log", "sqrt",
                              "abs", "floor", "ceil", "round"}


def test_missing_name_raises_expression_error_naming_it() -> None:
    expr = parse_expression("a + bee", where="m.toml: x")
    with pytest.raises(ExpressionError, match=r"^m\.toml: x: name 'bee' is not defined"):
        expr.evaluate({"a": 1.0})


def test_division_by_zero_gives_inf_without_raising() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = ev("x / y", x=np.array([1.0, -1.0, 0.0]), y=0.0)
        assert ev("1 / 0") == np.inf and np.isnan(ev("0 % 0"))
    assert out[0] == np.inf and out[1] == -np.inf and np.isnan(out[2])


def test_bare_name_result_does_not_alias_the_input() -> None:
    x = np.ones(3)
    ev("x", x=x)[0] = 5.0
    assert x[0] == 1.0


def test_expression_pickles_by_reparsing() -> None:
    expr = parse_expression("a * 2", where="m.toml: k")
    again = pickle.loads(pickle.dumps(expr))
    assert again == expr and again.evaluate({"a": 3.0}) == 6.0


@pytest.mark.parametrize(("source", "match"), [
    ("__import__('os')", r"function '__import__' is not allowed; allowed functions: abs, ceil"),
    ("().__class__", r"attribute access \('\(\)\.__class__'\) is not allowed"),
    ("x.real", r"attribute access \('x\.real'\) is not allowed in expressions"),
    ("np.exp(x)", r"attribute access \('np\.exp'\) is not allowed"),
    ("open('f')", r"function 'open' is not allowed"),
    ("[1,2]", r"a list \('\[1,2\]'\) is not allowed"),
    ("x[0]", r"indexing \('x\[0\]'\) is not allowed"),
    ("lambda: 1", r"'lambda' \('lambda: 1'\) is not allowed"),
    ("'text'", r"a string \(\"'text'\"\) is not allowed in expressions; write a number or a name"),
    ("f(x=1)", r"keyword arguments \('x=1'\) are not allowed; pass arguments by position"),
    ("sin(x)", r"function 'sin' is not allowed; allowed functions: abs, ceil, clip, exp, floor"),
    ("exp(*a)", r"a starred argument \('\*a'\) is not allowed in expressions; pass each argument"),
    ("a := 3", r"assignment \(':='\) is not allowed"),
    ("(a := 3)", r"assignment \(':='\) .* is not allowed"),
    ("{1: 2}", r"a dict \('\{1: 2\}'\) is not allowed"),
    ("x if y", r"syntax error at column 1 in 'x if y' \(expected 'else'"),
    ("a * * b", r"syntax error at column 5 in 'a \* \* b'"),
    ("True", r"True is not allowed in expressions; use 1 or 0"),
    ("1j", r"a complex number \('1j'\) is not allowed"),
    ("import os", r"'import' is not allowed in expressions"),
    ("[i for i in x]", r"a comprehension \('\[i for i in x\]'\) is not allowed"),
    ("x ^ 2", r"operator '\^' is not allowed in expressions; for powers use '\*\*'"),
    ("x is 1", r"comparison 'is' is not allowed"),
    ("None", r"'None' is not allowed"),
    ("exp + 1", r"'exp' is a function, not a value"),
    ("clip(x, 1)", r"clip takes 3 arguments \(x, low, high\), got 2"),
    ("exp(x, 1)", r"exp takes 1 argument \(x\), got 2"),
    ("min(x)", r"min takes at least 2 arguments \(a, b, \.\.\.\), got 1"),
    ("(lambda: 1)()", r"calling .* is not allowed"),
    ("   ", r"expression is empty"),
    ("+".join(["x"] * 300), r"nested more than 100 levels"),
    ("1" * 5000, r"cannot parse|syntax error|too large"),
])
def test_disallowed_input_raises_precise_expression_error(source: str, match: str) -> None:
    with pytest.raises(ExpressionError, match=match) as info:
        parse_expression(source, where="models/x.toml: flow[3].amount")
    message = str(info.value)
    assert message.startswith("models/x.toml: flow[3].amount: ")
    assert "\n" not in message and "; " in message


_TOKENS = ["x", "y", "year", "1", "0", "2.5", "1e308", "+", "-", "*", "/", "//", "%", "**",
           "(", ")", ",", "<", "==", "!=", " and ", " or ", " not ", " if ", " else ",
           "min", "max", "where", "clip", "exp", "log", "sqrt", "round", ".", "[", "'", "="]


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(string.printable, max_size=25),
                 st.lists(st.sampled_from(_TOKENS), max_size=12).map("".join)))
def test_random_text_parses_to_evaluable_or_raises_expression_error(source: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            expr = parse_expression(source)
        except ExpressionError:
            return
        assert isinstance(expr, Expression)
        env = {name: np.array([[0.5], [-2.0], [0.0]]) for name in expr.names}
        if "year" in expr.names:
            env["year"] = np.array([[1.0, 2.0]])
        expr.evaluate(env)


def test_evaluating_under_the_callers_error_state_gives_the_same_values_and_errors() -> None:
    expr = parse_expression("x / y + log(x) ** year", where="flow[0].amount")
    env = {"x": np.array([[0.0, 1.0, 2.0, -1.0]]), "y": np.array([[0.0, 0.0, 3.0, 1.0]]),
           "year": np.array([[1.0], [2.0]])}
    with np.errstate(all="ignore"):
        fast = expr.evaluate_ignoring_errors(env)
    np.testing.assert_array_equal(fast, expr.evaluate(env))
    with pytest.raises(ExpressionError, match=r"flow\[0\].amount: name 'y' is not defined"):
        expr.evaluate_ignoring_errors({"x": 1.0, "year": 1.0})
