"""Safe arithmetic expressions for model files.

Model files are data, so nothing in one may run code. An expression is parsed
once with :func:`ast.parse`, every node is checked against a whitelist, and the
tree is compiled into nested closures that call numpy ufuncs directly. Nothing
is ever passed to ``eval``/``exec``/``compile``, so a model file can compute
numbers and nothing else.

Allowed syntax: int/float literals, names, ``+ - * / // % **``, unary ``- +``
and ``not``, comparisons ``< <= > >= == !=`` (chains such as ``0 < x < 1``),
elementwise ``and``/``or``, ``a if cond else b`` and calls with positional
arguments to the functions in :data:`FUNCTIONS`. All arithmetic is float64 and
broadcasts like numpy, so ``(n, 1)`` parameters with a ``(1, Y)`` ``year``
give ``(n, Y)`` results.
"""

from __future__ import annotations

import ast
import operator
import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np

from riskcalc.errors import ExpressionError

__all__ = ["FUNCTIONS", "Expression", "FunctionSpec", "parse_expression"]

Evaluator = Callable[[Mapping[str, Any]], Any]

# Each nesting level costs one Python frame per evaluation (and a few while
# compiling), so this bound keeps both far from the recursion limit.
_MAX_DEPTH = 100
_MAX_LENGTH = 10_000
#: Most syntax nodes in one expression, and most operands of one call, chain of
#: comparisons or chain of and/or: a flat but huge expression is refused as a
#: deep one is (write the parts as derived quantities).
_MAX_NODES = 2_000
_MAX_OPERANDS = 100
_EXAMPLE = "write arithmetic on names and numbers, e.g. 'a * (1 - b) ** (year - 1)'"


@dataclass(frozen=True)
class FunctionSpec:
    """How an allowed function is called.

    Attributes
    ----------
    params : str
        Parameter names as shown in error messages, e.g. ``"x, low, high"``.
    min_args, max_args : int
        Accepted number of positional arguments (``max_args`` -1: no limit).
    doc : str
        One-line description of the elementwise semantics.
    """

    params: str
    min_args: int
    max_args: int
    doc: str


#: The functions an expression may call, by name (all elementwise, broadcasting).
FUNCTIONS: Mapping[str, FunctionSpec] = MappingProxyType({
    "min": FunctionSpec("a, b, ...", 2, -1, "elementwise minimum (np.minimum)"),
    "max": FunctionSpec("a, b, ...", 2, -1, "elementwise maximum (np.maximum)"),
    "where": FunctionSpec("cond, a, b", 3, 3, "a where cond is true, else b (np.where)"),
    "clip": FunctionSpec("x, low, high", 3, 3, "x limited to [low, high]"),
    "exp": FunctionSpec("x", 1, 1, "e ** x"),
    "log": FunctionSpec("x", 1, 1, "natural logarithm"),
    "sqrt": FunctionSpec("x", 1, 1, "square root"),
    "abs": FunctionSpec("x", 1, 1, "absolute value"),
    "floor": FunctionSpec("x", 1, 1, "round down"),
    "ceil": FunctionSpec("x", 1, 1, "round up"),
    "round": FunctionSpec("x", 1, 1, "round to integer, halves to even (np.rint)"),
})
_ALLOWED = ", ".join(sorted(FUNCTIONS))
_UNARY_FUNCS = {"exp": np.exp, "log": np.log, "sqrt": np.sqrt, "abs": np.absolute,
                "floor": np.floor, "ceil": np.ceil, "round": np.rint}

_BINOPS = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply,
           ast.Div: np.true_divide, ast.FloorDiv: np.floor_divide, ast.Mod: np.remainder,
           ast.Pow: np.power}
_COMPARE = {ast.Lt: np.less, ast.LtE: np.less_equal, ast.Gt: np.greater,
            ast.GtE: np.greater_equal, ast.Eq: np.equal, ast.NotEq: np.not_equal}
_BAD_OPS = {ast.BitXor: ("^", "for powers use '**'"), ast.BitAnd: ("&", "use 'and'"),
            ast.BitOr: ("|", "use 'or'"), ast.Invert: ("~", "use 'not'"),
            ast.MatMult: ("@", "use '*'"), ast.LShift: ("<<", "use '* 2 ** n'"),
            ast.RShift: (">>", "use '/ 2 ** n'"), ast.Is: ("is", "use '=='"),
            ast.IsNot: ("is not", "use '!='"), ast.In: ("in", "compare with '=='"),
            ast.NotIn: ("not in", "compare with '!='")}
_BAD_NODES = {
    ast.Attribute: ("attribute access", "use plain names and the functions " + _ALLOWED),
    ast.Subscript: ("indexing", "use plain names; each name is one value per scenario"),
    ast.Slice: ("slicing", "use plain names"),
    ast.Lambda: ("'lambda'", _EXAMPLE),
    ast.NamedExpr: ("assignment (':=')", "declare the value as its own parameter"),
    ast.List: ("a list", "an expression computes one number per scenario"),
    ast.Tuple: ("a tuple", "an expression computes one number per scenario"),
    ast.Set: ("a set", "an expression computes one number per scenario"),
    ast.Dict: ("a dict", "an expression computes one number per scenario"),
    ast.JoinedStr: ("an f-string", "write a number or a name"),
    ast.Starred: ("a starred argument", "pass each argument by position"),
    **{kind: ("a comprehension", _EXAMPLE)
       for kind in (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)},
}
# Only reached after a syntax error, so a name like ``from_year`` never matches.
_STATEMENT = re.compile(r"\b(import|from|def|class|return|del|global|nonlocal|assert|raise"
                        r"|try|except|while|with|pass|async|await)\b")


def _short(text: str) -> str:
    """Quote ``text`` for a one-line message, cut so a huge source stays readable."""
    return repr(text if len(text) <= 80 else text[:77] + "...")


class _Part(NamedTuple):
    """A compiled node: ``fn`` (None when folded to the constant ``value``)."""

    fn: Evaluator | None
    value: Any = None
    boolean: bool = False  # result is a mask; arithmetic casts it to float first


def _fold_or_wrap(func: Callable[..., Any], parts: list[_Part], boolean: bool) -> _Part:
    """Apply ``func`` now if every part is constant, else build one closure for it.

    Constants are captured as values rather than called, so each node costs one
    Python call plus its ufunc per evaluation.
    """
    if all(p.fn is None for p in parts):
        return _Part(None, func(*[p.value for p in parts]), boolean)
    if len(parts) == 1:
        a = parts[0].fn
        return _Part(lambda env: func(a(env)), None, boolean)
    if len(parts) == 2:
        (a, av), (b, bv) = parts[0][:2], parts[1][:2]
        if a is None:
            return _Part(lambda env: func(av, b(env)), None, boolean)
        if b is None:
            return _Part(lambda env: func(a(env), bv), None, boolean)
        return _Part(lambda env: func(a(env), b(env)), None, boolean)
    a, b, c = (p.fn if p.fn is not None else _constant_fn(p.value) for p in parts)
    return _Part(lambda env: func(a(env), b(env), c(env)), None, boolean)


def _constant_fn(value: Any) -> Evaluator:
    return lambda env: value


_TO_FLOAT = operator.methodcaller("astype", np.float64)


def _numeric(part: _Part) -> _Part:
    """Cast a mask to float64 so ``(a > 1) + (b > 1)`` counts instead of or-ing."""
    if not part.boolean:
        return part
    if part.fn is None:
        return _Part(None, float(part.value))
    return _fold_or_wrap(_TO_FLOAT, [part], False)


def _reduce(func: Callable[..., Any], parts: list[_Part], boolean: bool) -> _Part:
    """``func`` folded left over the parts, as one closure that loops over them.

    One closure, not one per part, so that a long chain (``a and b and ...``,
    ``max(a, b, ...)``) costs no Python recursion when evaluated.
    """
    if all(p.fn is None for p in parts) or len(parts) <= 2:
        acc = parts[0]
        for part in parts[1:]:
            acc = _fold_or_wrap(func, [acc, part], boolean)
        return acc
    fns = [p.fn if p.fn is not None else _constant_fn(p.value) for p in parts]
    first, rest = fns[0], fns[1:]

    def evaluate(env: Mapping[str, Any]) -> Any:
        acc = first(env)
        for fn in rest:
            acc = func(acc, fn(env))
        return acc

    return _Part(evaluate, None, boolean)


class _Compiler:
    def __init__(self, source: str, where: str) -> None:
        self.source, self.where, self.names = source, where, set()

    def fail(self, what: str, right: str) -> ExpressionError:
        return ExpressionError(f"{self.where}: {what}; {right}")

    def snippet(self, node: ast.AST) -> str:
        return _short(ast.get_source_segment(self.source, node) or ast.unparse(node))

    def compile(self, node: ast.AST, depth: int = 0) -> _Part:
        if depth > _MAX_DEPTH:
            raise self.fail(f"expression {_short(self.source)} is nested more than "
                            f"{_MAX_DEPTH} levels deep", "split it into derived quantities")
        sub = depth + 1
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Name):
            if node.id in FUNCTIONS:
                raise self.fail(f"'{node.id}' is a function, not a value",
                                f"call it, e.g. {node.id}({FUNCTIONS[node.id].params})")
            self.names.add(node.id)
            return _Part(operator.itemgetter(node.id))
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            parts = [_numeric(self.compile(n, sub)) for n in (node.left, node.right)]
            return _fold_or_wrap(_BINOPS[type(node.op)], parts, False)
        if isinstance(node, ast.UnaryOp) and not isinstance(node.op, ast.Invert):
            operand = self.compile(node.operand, sub)
            if isinstance(node.op, ast.Not):
                return _fold_or_wrap(np.logical_not, [operand], True)
            func = np.negative if isinstance(node.op, ast.USub) else np.positive
            return _fold_or_wrap(func, [_numeric(operand)], False)
        if isinstance(node, ast.Compare):
            return self.compare(node, sub)
        if isinstance(node, ast.BoolOp):
            func = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
            return _reduce(func, [self.compile(v, sub) for v in node.values], True)
        if isinstance(node, ast.IfExp):
            parts = [self.compile(n, sub) for n in (node.test, node.body, node.orelse)]
            return _fold_or_wrap(np.where, parts, parts[1].boolean and parts[2].boolean)
        if isinstance(node, ast.Call):
            return self.call(node, sub)
        raise self.refuse(node)

    def refuse(self, node: ast.AST) -> ExpressionError:
        op = getattr(node, "op", None)
        if type(op) in _BAD_OPS:
            symbol, hint = _BAD_OPS[type(op)]
            return self.fail(f"operator '{symbol}' is not allowed in expressions", hint)
        if type(node) in _BAD_NODES:
            what, hint = _BAD_NODES[type(node)]
            return self.fail(f"{what} ({self.snippet(node)}) is not allowed in expressions", hint)
        kind = type(node).__name__
        return self.fail(f"{kind} ({self.snippet(node)}) is not allowed in expressions", _EXAMPLE)

    def constant(self, node: ast.Constant) -> _Part:
        value = node.value
        if isinstance(value, bool):
            raise self.fail(f"{value} is not allowed in expressions", "use 1 or 0")
        if isinstance(value, int):
            try:
                return _Part(None, float(value))
            except OverflowError:
                raise self.fail(f"number {self.snippet(node)[:20]}... is too large",
                                "write a float such as 1e300") from None
        if isinstance(value, float):
            return _Part(None, value)
        if isinstance(value, complex):
            what, hint = f"a complex number ({self.snippet(node)})", "write a real number"
        elif isinstance(value, str | bytes):
            what, hint = f"a string ({self.snippet(node)})", "write a number or a name"
        else:
            what, hint = self.snippet(node), "write a number"
        raise self.fail(f"{what} is not allowed in expressions", hint)

    def compare(self, node: ast.Compare, sub: int) -> _Part:
        for op in node.ops:
            if type(op) not in _COMPARE:
                symbol, hint = _BAD_OPS[type(op)]
                raise self.fail(f"comparison '{symbol}' is not allowed in expressions", hint)
        operands = [self.compile(n, sub) for n in (node.left, *node.comparators)]
        # A chain evaluates each middle operand twice; operands have no side
        # effects, and chains are short, so this only costs a little time.
        pairs = [_fold_or_wrap(_COMPARE[type(op)], [operands[i], operands[i + 1]], True)
                 for i, op in enumerate(node.ops)]
        return _reduce(np.logical_and, pairs, True)

    def call(self, node: ast.Call, sub: int) -> _Part:
        if isinstance(node.func, ast.Attribute):
            raise self.refuse(node.func)
        if node.keywords:
            kw = node.keywords[0]
            raise self.fail(f"keyword arguments ({self.snippet(kw)}) are not allowed",
                            "pass arguments by position")
        if any(isinstance(a, ast.Starred) for a in node.args):
            raise self.refuse(next(a for a in node.args if isinstance(a, ast.Starred)))
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in FUNCTIONS:
            what = f"function {name!r}" if name else f"calling {self.snippet(node.func)}"
            raise self.fail(f"{what} is not allowed", f"allowed functions: {_ALLOWED}")
        spec, n = FUNCTIONS[name], len(node.args)
        if n < spec.min_args or (spec.max_args >= 0 and n > spec.max_args):
            count = ("at least " if spec.max_args < 0 else "") + str(spec.min_args)
            noun = "argument" if spec.min_args == 1 and spec.max_args == 1 else "arguments"
            raise self.fail(f"{name} takes {count} {noun} ({spec.params}), got {n}",
                            f"write {name}({spec.params})")
        args = [self.compile(a, sub) for a in node.args]
        if name == "where":
            return _fold_or_wrap(np.where, args, args[1].boolean and args[2].boolean)
        args = [_numeric(a) for a in args]
        if name in ("min", "max"):
            return _reduce(np.minimum if name == "min" else np.maximum, args, False)
        if name == "clip":
            low = _fold_or_wrap(np.maximum, args[:2], False)
            return _fold_or_wrap(np.minimum, [low, args[2]], False)
        return _fold_or_wrap(_UNARY_FUNCS[name], args, False)


@dataclass(frozen=True)
class Expression:
    """A parsed, whitelisted expression, ready to evaluate on numpy arrays.

    Build it with :func:`parse_expression`, not directly.

    Attributes
    ----------
    source : str
        The text as written (or ``repr`` of a numeric source).
    names : frozenset of str
        Free variable names the expression reads (function names excluded).
    """

    source: str
    names: frozenset[str]
    _evaluator: Evaluator = field(repr=False, compare=False)
    _where: str = field(default="expression", repr=False, compare=False)
    _raw: str | int | float = field(default="", repr=False, compare=False)

    @property
    def is_constant(self) -> bool:
        """True when the expression reads no names (it was folded to one float)."""
        return not self.names

    def evaluate(self, env: Mapping[str, np.ndarray | float]) -> np.ndarray | float:
        """Compute the expression elementwise over ``env``.

        Parameters
        ----------
        env : Mapping
            Values for every name in :attr:`names`: arrays (broadcast together
            as numpy does) or floats.

        Returns
        -------
        numpy.ndarray or float
            A float for constant expressions; otherwise the broadcast result.
            Division by zero and overflow give inf/nan instead of raising.

        Raises
        ------
        ExpressionError
            If ``env`` lacks a name the expression reads.
        """
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return self.evaluate_ignoring_errors(env)

    def evaluate_ignoring_errors(self, env: Mapping[str, np.ndarray | float]
                                 ) -> np.ndarray | float:
        """:meth:`evaluate` for a caller that has set ``np.errstate`` itself.

        The caller makes numpy ignore division by zero, invalid values and
        overflow, once for many expressions (the engine does so per block of
        scenarios): entering numpy's error state for each expression costs about
        as much as the arithmetic on a block, and holds the GIL that the engine's
        other threads wait for.
        """
        try:
            return self._evaluator(env)
        except KeyError:
            missing = sorted(n for n in self.names if n not in env)
            if not missing:
                raise
            listed = ", ".join(repr(n) for n in missing)
            what = f"name {listed} is" if len(missing) == 1 else f"names {listed} are"
            raise ExpressionError(
                f"{self._where}: {what} not defined when evaluating {_short(self.source)}; "
                f"give a value for every name it reads ({', '.join(sorted(self.names))})"
            ) from None

    def __reduce__(self) -> tuple[Any, ...]:
        # Closures do not pickle; re-parsing the source rebuilds them in workers.
        return (_restore, (self._raw, self._where))


def _restore(raw: str | int | float, where: str) -> Expression:
    return parse_expression(raw, where=where)


def parse_expression(source: str | int | float, *, where: str = "expression") -> Expression:
    """Parse, check and compile an expression from a model file.

    Parameters
    ----------
    source : str, int or float
        Expression text, or a number (a constant expression).
    where : str
        Location prefix for error messages, e.g. ``"models/x.toml: flow[3].amount"``.

    Returns
    -------
    Expression
        Name-free sub-expressions are already computed (constant folding).

    Raises
    ------
    ExpressionError
        For syntax errors and anything outside the allowed syntax; the message is
        one line: ``"{where}: {what was wrong}; {what would be right}"``.
    """
    if isinstance(source, bool | np.bool_):
        raise ExpressionError(f"{where}: a boolean ({source}) is not a number; write 1 or 0")
    if isinstance(source, int | np.integer | float | np.floating):
        value = float(source) if isinstance(source, float | np.floating) else int(source)
        return Expression(repr(value), frozenset(), _constant_fn(float(value)), where, value)
    if not isinstance(source, str):
        raise ExpressionError(f"{where}: expected a number or an expression string, got "
                              f"{type(source).__name__}; write e.g. 0.5 or \"a * b\"")
    text = source.strip()
    if not text:
        raise ExpressionError(f"{where}: expression is empty; {_EXAMPLE}")
    if len(text) > _MAX_LENGTH:
        raise ExpressionError(f"{where}: expression is longer than {_MAX_LENGTH} characters; "
                              "split it into derived quantities")
    tree = _parse(text, where)
    _check_size(tree, text, where)
    compiler = _Compiler(text, where)
    try:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            part = compiler.compile(tree.body)
    except RecursionError:
        raise ExpressionError(f"{where}: expression {_short(text)} is nested too deeply; "
                              "split it into derived quantities") from None
    if part.fn is None:
        evaluator = _constant_fn(float(part.value))
    elif isinstance(tree.body, ast.Name):
        # A bare name would hand back the caller's own array; copy so that
        # in-place updates of the result cannot corrupt the inputs.
        name = tree.body.id

        def evaluator(env: Mapping[str, Any]) -> Any:
            value = env[name]
            return value.copy() if isinstance(value, np.ndarray) else value
    else:
        evaluator = part.fn
    return Expression(source, frozenset(compiler.names), evaluator, where, source)


def _check_size(tree: ast.Expression, text: str, where: str) -> None:
    """Refuse expressions with more than _MAX_NODES nodes or _MAX_OPERANDS operands
    in one call or chain (walked without recursion, before compiling)."""
    stack: list[ast.AST] = [tree.body]
    nodes = 0
    while stack:
        node = stack.pop()
        nodes += 1
        if nodes > _MAX_NODES:
            raise ExpressionError(f"{where}: expression {_short(text)} has more than "
                                  f"{_MAX_NODES:,} parts; split it into derived quantities")
        operands = (len(node.args) if isinstance(node, ast.Call) else
                    len(node.values) if isinstance(node, ast.BoolOp) else
                    len(node.comparators) + 1 if isinstance(node, ast.Compare) else 0)
        if operands > _MAX_OPERANDS:
            what = ("arguments in one call" if isinstance(node, ast.Call) else
                    "operands of one and/or chain" if isinstance(node, ast.BoolOp) else
                    "operands of one chain of comparisons")
            raise ExpressionError(f"{where}: expression {_short(text)} has {operands:,} "
                                  f"{what}; at most {_MAX_OPERANDS}, so split it into "
                                  "derived quantities")
        stack.extend(ast.iter_child_nodes(node))


def _parse(text: str, where: str) -> ast.Expression:
    try:
        with warnings.catch_warnings():
            # e.g. "'int' object is not callable" - the whitelist refuses these anyway.
            warnings.simplefilter("ignore")
            return ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, OverflowError, RecursionError, MemoryError) as exc:
        keyword = _STATEMENT.search(text)
        if keyword:
            what = f"'{keyword.group(1)}' is not allowed in expressions (in {_short(text)})"
        elif ":=" in text:
            what = f"assignment (':=') is not allowed in expressions (in {_short(text)})"
        elif isinstance(exc, SyntaxError):
            lines = text.splitlines() or [text]
            line = min(max(exc.lineno or 1, 1), len(lines))
            col = exc.offset if exc.offset and exc.offset > 0 else len(lines[line - 1]) + 1
            at = f"line {line}, column {col}" if len(lines) > 1 else f"column {col}"
            what = f"syntax error at {at} in {_short(text)} ({exc.msg})"
        else:
            what = f"cannot parse {_short(text)} ({type(exc).__name__})"
        raise ExpressionError(f"{where}: {what}; {_EXAMPLE}") from None
