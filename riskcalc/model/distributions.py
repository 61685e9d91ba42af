"""Probability distributions for uncertain model parameters.

Each family is a small frozen dataclass with fast vectorised ``sample`` (from a
:class:`numpy.random.Generator`) and ``ppf`` (inverse CDF, used by Sobol and
Morris designs), an exact analytic ``mean`` and a ``base`` value (the single
number a spreadsheet would use). :func:`parse_distribution` builds one from a
TOML value in a model file's ``[parameters]`` table. Values carry the unit of
the parameter they describe (SEK, persons, a rate, ...).
"""

from __future__ import annotations

import abc
import dataclasses
import difflib
import math
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import betaincinv, ndtr, ndtri

from riskcalc.errors import DistributionError

__all__ = [
    "Distribution", "Fixed", "PERT", "Triangular", "Uniform", "Normal", "TruncatedNormal",
    "LogNormal", "Beta", "Discrete", "parse_distribution",
]

FAMILIES = ("fixed", "pert", "triangular", "uniform", "normal", "truncnormal", "lognormal",
            "beta", "discrete")
_EXTRA_KEYS = ("base", "description", "unit")
_frozen = dataclasses.dataclass(frozen=True, repr=False)
_cache = dict(init=False, repr=False, compare=False)


def _num(family: str, arg: str, x: Any, *, allow_inf: bool = False) -> float:
    """Return ``x`` as a float, or raise DistributionError naming ``family`` and ``arg``."""
    if isinstance(x, bool) or not isinstance(x, (int, float, np.integer, np.floating)):
        raise DistributionError(f"{family} {arg} must be a number, got {x!r}")
    try:
        v = float(x)
    except OverflowError:
        v = math.inf
    if math.isnan(v) or (math.isinf(v) and not allow_inf):
        allowed = "a number or +/-inf, not NaN" if allow_inf else "a finite number"
        raise DistributionError(f"{family} {arg} must be {allowed}, got {x!r}")
    return v


def _positive(family: str, arg: str, v: float) -> None:
    if not v > 0:
        raise DistributionError(f"{family} {arg} must be > 0, got {v!r}")


def _interval(family: str, lo_name: str, lo: float, hi_name: str, hi: float) -> None:
    if lo > hi:
        raise DistributionError(f"{family} {lo_name} {lo!r} is greater than {hi_name} {hi!r}; "
                                f"need {lo_name} < {hi_name}")
    if lo == hi:
        raise DistributionError(f"{family} {lo_name} and {hi_name} are both {lo!r}; "
                                "use a fixed value instead")


def _scale(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Map ``x`` in [0, 1] onto [lo, hi] in place (clipped against rounding)."""
    x = np.asarray(x)  # ufuncs turn 0-d input into scalars, which cannot be updated in place
    top = x == 1.0
    x *= hi - lo
    x += lo
    np.clip(x, lo, hi, out=x)
    x[top] = hi  # lo + (hi - lo) can round below hi
    return x


def _set(obj: object, **values: Any) -> None:
    for key, value in values.items():
        object.__setattr__(obj, key, value)


class Distribution(abc.ABC):
    """Base class of all parameter distributions.

    Attributes
    ----------
    mean : float
        Exact analytic mean, in the parameter's unit.
    base : float
        Base-case value: the explicit ``base`` if given, else the mode for
        PERT/triangular, else the median (for Discrete, the weighted median).
    is_fixed : bool
        True only for :class:`Fixed`.
    """

    family: ClassVar[str] = ""
    _labels: ClassVar[dict[str, str]] = {}

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Draw ``n`` independent values from ``rng``; float64 array of shape ``(n,)``."""
        return self._ppf(rng.random(n))

    def ppf(self, u: ArrayLike) -> np.ndarray:
        """Inverse CDF at probabilities ``u`` (clipped to [0, 1]); same shape as ``u``."""
        u = np.clip(np.asarray(u, dtype=np.float64), 0.0, 1.0)
        return np.asarray(self._ppf(u), dtype=np.float64)

    @abc.abstractmethod
    def _ppf(self, u: np.ndarray) -> np.ndarray: ...

    @property
    def is_fixed(self) -> bool:
        """True only for :class:`Fixed`."""
        return False

    def _init_base(self, default: float, lo: float = -math.inf, hi: float = math.inf) -> None:
        given = self.base is not None
        base = _num(self.family, "base", self.base) if given else float(default)
        if given and not lo <= base <= hi:
            raise DistributionError(f"{self.family} base {base!r} is outside the support "
                                    f"[{lo!r}, {hi!r}]")
        _set(self, base=base, _base_given=given)

    def __repr__(self) -> str:
        origin = getattr(self, "_origin", None)
        if origin:
            return origin
        parts = []
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if f.name.startswith("_") or (f.name == "base" and not self._base_given):
                continue
            if f.name != "base" and f.default is not dataclasses.MISSING and value == f.default:
                continue
            parts.append(f"{self._labels.get(f.name, f.name)}={value!r}")
        return f"{type(self).__name__}({', '.join(parts)})"


@_frozen
class Fixed(Distribution):
    """A constant parameter: every draw equals ``value``."""

    value: float
    family: ClassVar[str] = "fixed"

    def __post_init__(self) -> None:
        _set(self, value=_num("fixed", "value", self.value))

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.full(n, self.value)

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        return np.full(u.shape, self.value)

    mean = property(lambda self: self.value, doc="The constant value.")
    base = property(lambda self: self.value, doc="The constant value.")
    is_fixed = property(lambda self: True, doc="Always True.")

    def __repr__(self) -> str:
        return f"Fixed({self.value!r})"


class _Bounded(Distribution):
    """Shared checks for families given by ``min[, mode], max``."""

    def _check(self, names: tuple[str, ...]) -> None:
        _set(self, **{k: _num(self.family, k, getattr(self, k)) for k in names})
        lo, hi = self.min, self.max  # type: ignore[attr-defined]
        _interval(self.family, "min", lo, "max", hi)
        if "mode" in names and not lo <= self.mode <= hi:  # type: ignore[attr-defined]
            raise DistributionError(f"{self.family} mode {self.mode!r} is outside "  # type: ignore[attr-defined]
                                    f"[min, max] = [{lo!r}, {hi!r}]")


@_frozen
class PERT(_Bounded):
    """PERT distribution: a Beta scaled to ``[min, max]`` with the given ``mode``.

    Parameters
    ----------
    min, mode, max : float
        Lowest, most likely and highest value, ``min <= mode <= max``, ``min < max``.
    base : float, optional
        Base-case value in ``[min, max]``; defaults to ``mode``.
    lamb : float, default 4.0
        Shape weight of the mode; ``alpha = 1 + lamb*(mode-min)/(max-min)``,
        ``beta = 1 + lamb*(max-mode)/(max-min)``.
    """

    min: float
    mode: float
    max: float
    base: float | None = None
    lamb: float = 4.0
    _alpha: float = dataclasses.field(default=0.0, **_cache)
    _beta: float = dataclasses.field(default=0.0, **_cache)
    family: ClassVar[str] = "pert"

    def __post_init__(self) -> None:
        self._check(("min", "mode", "max", "lamb"))
        _positive("pert", "lamb", self.lamb)
        span = self.max - self.min
        _set(self, _alpha=1 + self.lamb * (self.mode - self.min) / span,
             _beta=1 + self.lamb * (self.max - self.mode) / span)
        self._init_base(self.mode, self.min, self.max)

    @property
    def mean(self) -> float:
        """``(min + lamb*mode + max) / (lamb + 2)``."""
        return (self.min + self.lamb * self.mode + self.max) / (self.lamb + 2)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return _scale(rng.beta(self._alpha, self._beta, n), self.min, self.max)

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        return _scale(betaincinv(self._alpha, self._beta, u), self.min, self.max)


@_frozen
class Triangular(_Bounded):
    """Triangular distribution on ``[min, max]`` peaking at ``mode``; base defaults to mode."""

    min: float
    mode: float
    max: float
    base: float | None = None
    family: ClassVar[str] = "triangular"

    def __post_init__(self) -> None:
        self._check(("min", "mode", "max"))
        self._init_base(self.mode, self.min, self.max)

    @property
    def mean(self) -> float:
        """``(min + mode + max) / 3``."""
        return (self.min + self.mode + self.max) / 3

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        x = rng.triangular(self.min, self.mode, self.max, n)
        return np.clip(x, self.min, self.max, out=x)

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        a, c, b = self.min, self.mode, self.max
        left = a + np.sqrt(u * (b - a) * (c - a))
        right = b - np.sqrt((1 - u) * (b - a) * (b - c))
        return np.clip(np.where(u < (c - a) / (b - a), left, right), a, b)


@_frozen
class Uniform(_Bounded):
    """Uniform distribution on ``[min, max]``; base defaults to the midpoint."""

    min: float
    max: float
    base: float | None = None
    family: ClassVar[str] = "uniform"

    def __post_init__(self) -> None:
        self._check(("min", "max"))
        self._init_base(self.mean, self.min, self.max)

    @property
    def mean(self) -> float:
        """``(min + max) / 2``."""
        return 0.5 * (self.min + self.max)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        x = rng.uniform(self.min, self.max, n)
        return np.clip(x, self.min, self.max, out=x)

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        return _scale(u.copy(), self.min, self.max)


@_frozen
class Normal(Distribution):
    """Normal distribution with ``mean`` and standard deviation ``sd > 0``."""

    mean: float
    sd: float
    base: float | None = None
    family: ClassVar[str] = "normal"

    def __post_init__(self) -> None:
        _set(self, mean=_num("normal", "mean", self.mean), sd=_num("normal", "sd", self.sd))
        _positive("normal", "sd", self.sd)
        self._init_base(self.mean)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.normal(self.mean, self.sd, n)

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        return self.mean + self.sd * ndtri(u)


@dataclasses.dataclass(frozen=True, repr=False, init=False)
class TruncatedNormal(Distribution):
    """Normal(``mean``, ``sd``) restricted to ``[low, high]`` (either may be infinite).

    ``mean`` and ``sd`` are those of the parent normal; they are stored as
    ``mu`` and ``sd``, while the ``mean`` property is the truncated mean.
    ``base`` defaults to the median.
    """

    mu: float
    sd: float
    low: float
    high: float
    base: float | None = None
    family: ClassVar[str] = "truncnormal"
    _labels: ClassVar[dict[str, str]] = {"mu": "mean"}

    def __init__(self, mean: float, sd: float, low: float, high: float,
                 base: float | None = None) -> None:
        f = "truncnormal"
        mu, sd = _num(f, "mean", mean), _num(f, "sd", sd)
        lo, hi = _num(f, "low", low, allow_inf=True), _num(f, "high", high, allow_inf=True)
        _positive(f, "sd", sd)
        _interval(f, "low", lo, "high", hi)
        a, b = (lo - mu) / sd, (hi - mu) / sd
        flip = a > 0  # work in the lower tail, where ndtr keeps its precision
        pa, pb = (float(ndtr(-b)), float(ndtr(-a))) if flip else (float(ndtr(a)), float(ndtr(b)))
        if not pb > pa:
            raise DistributionError(f"truncnormal [low, high] = [{lo!r}, {hi!r}] holds no "
                                    f"probability under normal(mean={mu!r}, sd={sd!r})")
        _set(self, mu=mu, sd=sd, low=lo, high=hi, base=base, _a=a, _b=b, _flip=flip,
             _pa=pa, _pb=pb)
        self._init_base(float(self.ppf(0.5)), lo, hi)

    @property
    def mean(self) -> float:
        """``mu + sd*(phi(a) - phi(b)) / (Phi(b) - Phi(a))`` with standardised bounds a, b."""
        phi = (math.exp(-0.5 * self._a**2) - math.exp(-0.5 * self._b**2)) / math.sqrt(2 * math.pi)
        return min(max(self.mu + self.sd * phi / (self._pb - self._pa), self.low), self.high)

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        if self._flip:
            z = -ndtri(self._pa + (1.0 - u) * (self._pb - self._pa))
        else:
            z = ndtri(self._pa + u * (self._pb - self._pa))
        return np.clip(self.mu + self.sd * z, self.low, self.high)


@_frozen
class LogNormal(Distribution):
    """Log-normal: ``exp(N(mu, sigma))``; support ``(0, inf)``, base defaults to ``exp(mu)``.

    Build from moments with :meth:`from_mean_sd` or from a central interval
    with :meth:`from_interval`.
    """

    mu: float
    sigma: float
    base: float | None = None
    _origin: str | None = dataclasses.field(default=None, **_cache)
    family: ClassVar[str] = "lognormal"

    def __post_init__(self) -> None:
        _set(self, mu=_num("lognormal", "mu", self.mu),
             sigma=_num("lognormal", "sigma", self.sigma))
        _positive("lognormal", "sigma", self.sigma)
        if self.base is not None and _num("lognormal", "base", self.base) <= 0:
            raise DistributionError(f"lognormal base {self.base!r} must be > 0")
        self._init_base(math.exp(self.mu), 0.0)

    @classmethod
    def from_mean_sd(cls, mean: float, sd: float, base: float | None = None) -> LogNormal:
        """Log-normal with the given arithmetic ``mean > 0`` and standard deviation ``sd > 0``."""
        m, s = _num("lognormal", "mean", mean), _num("lognormal", "sd", sd)
        _positive("lognormal", "mean", m)
        _positive("lognormal", "sd", s)
        var = math.log1p((s / m) ** 2)
        dist = cls(math.log(m) - 0.5 * var, math.sqrt(var), base)
        extra = f", base={dist.base!r}" if base is not None else ""
        _set(dist, _origin=f"LogNormal.from_mean_sd(mean={m!r}, sd={s!r}{extra})")
        return dist

    @classmethod
    def from_interval(cls, low: float, high: float, base: float | None = None,
                      level: float = 0.90) -> LogNormal:
        """Log-normal whose central ``level`` interval is ``[low, high]``.

        With the default ``level=0.90``, ``low`` is the 5th and ``high`` the
        95th percentile; ``0 < low < high``.
        """
        f = "lognormal interval"
        lo, hi = _num(f, "low (p05)", low), _num(f, "high (p95)", high)
        lev = _num(f, "level", level)
        _positive(f, "low (p05)", lo)
        _interval(f, "low (p05)", lo, "high (p95)", hi)
        if not 0 < lev < 1:
            raise DistributionError(f"{f} level must be in (0, 1), got {lev!r}")
        z = float(ndtri(0.5 + 0.5 * lev))
        log_lo, log_hi = math.log(lo), math.log(hi)
        dist = cls(0.5 * (log_lo + log_hi), (log_hi - log_lo) / (2 * z), base)
        extra = (f", base={dist.base!r}" if base is not None else "") + (
            f", level={lev!r}" if lev != 0.9 else "")
        _set(dist, _origin=f"LogNormal.from_interval(low={lo!r}, high={hi!r}{extra})")
        return dist

    @property
    def mean(self) -> float:
        """``exp(mu + sigma**2 / 2)``."""
        return math.exp(self.mu + 0.5 * self.sigma**2)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.lognormal(self.mu, self.sigma, n)

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        return np.exp(self.mu + self.sigma * ndtri(u))


@_frozen
class Beta(Distribution):
    """Beta(``a``, ``b``) scaled to ``[low, high]``; base defaults to the median."""

    a: float
    b: float
    low: float = 0.0
    high: float = 1.0
    base: float | None = None
    family: ClassVar[str] = "beta"

    def __post_init__(self) -> None:
        _set(self, **{k: _num("beta", k, getattr(self, k)) for k in ("a", "b", "low", "high")})
        _positive("beta", "a", self.a)
        _positive("beta", "b", self.b)
        _interval("beta", "low", self.low, "high", self.high)
        self._init_base(float(self.ppf(0.5)), self.low, self.high)

    @property
    def mean(self) -> float:
        """``low + (high - low) * a / (a + b)``."""
        return self.low + (self.high - self.low) * self.a / (self.a + self.b)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return _scale(rng.beta(self.a, self.b, n), self.low, self.high)

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        return _scale(betaincinv(self.a, self.b, u), self.low, self.high)


@_frozen
class Discrete(Distribution):
    """Finitely many ``values`` with probabilities ``weights`` (>= 0, summing to 1 within 1e-9).

    ``ppf(u)`` is the smallest value (values sorted) whose cumulative weight is
    >= ``u``; values of weight zero are never returned. ``base`` defaults to
    the weighted median, and an explicit one must lie within the values' range.
    """

    values: tuple[float, ...]
    weights: tuple[float, ...]
    base: float | None = None
    _v: np.ndarray = dataclasses.field(default=None, **_cache)  # type: ignore[assignment]
    _cum: np.ndarray = dataclasses.field(default=None, **_cache)  # type: ignore[assignment]
    family: ClassVar[str] = "discrete"

    def __post_init__(self) -> None:
        f = "discrete"
        for arg, seq in (("values", self.values), ("weights", self.weights)):
            if isinstance(seq, (str, bytes, Mapping)) or not isinstance(seq, Iterable):
                raise DistributionError(f"{f} {arg} must be a list of numbers, got {seq!r}")
        v = tuple(_num(f, f"values[{i}]", x) for i, x in enumerate(self.values))
        w = tuple(_num(f, f"weights[{i}]", x) for i, x in enumerate(self.weights))
        if not v:
            raise DistributionError(f"{f} values must not be empty; give at least one value")
        if len(v) != len(w):
            raise DistributionError(f"{f} values and weights must have the same length, "
                                    f"got {len(v)} values and {len(w)} weights")
        if min(w) < 0:
            raise DistributionError(f"{f} weights must be >= 0, got {min(w)!r}")
        total = math.fsum(w)
        if abs(total - 1.0) > 1e-9:
            raise DistributionError(f"{f} weights must sum to 1 (within 1e-9), "
                                    f"they sum to {total!r}")
        order = np.argsort(v, kind="stable")
        va, wa = np.array(v)[order], np.array(w)[order] / total
        cum = np.minimum(np.cumsum(wa[wa > 0]), 1.0)
        cum[-1] = 1.0
        _set(self, values=v, weights=w, _v=va[wa > 0], _cum=cum)
        self._init_base(float(self.ppf(0.5)), min(v), max(v))

    @property
    def mean(self) -> float:
        """``sum(values * weights)``."""
        return float(np.dot(self._v, np.diff(self._cum, prepend=0.0)))

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        idx = np.searchsorted(self._cum, u, side="left")
        return self._v[np.minimum(idx, len(self._v) - 1)]


_LOGNORMAL_FORMS = "{mean = .., sd = ..}, {p05 = .., p95 = ..} or {mu = .., sigma = ..}"


def _args(family: str, value: Any, *forms: tuple[str, ...]) -> list[Any]:
    text = " or ".join(f"[{', '.join(form)}]" for form in forms)
    if not isinstance(value, (list, tuple)):
        raise DistributionError(f"{family} takes {text}, got {value!r}")
    if len(value) not in {len(form) for form in forms}:
        count = f"{len(value)} number" + ("" if len(value) == 1 else "s")
        raise DistributionError(f"{family} takes {text}, got {count}")
    return list(value)


def _lognormal(value: Any, base: Any) -> LogNormal:
    keys = set(value) if isinstance(value, Mapping) else None
    if keys == {"mean", "sd"}:
        return LogNormal.from_mean_sd(value["mean"], value["sd"], base)
    if keys == {"p05", "p95"}:
        return LogNormal.from_interval(value["p05"], value["p95"], base)
    if keys == {"mu", "sigma"}:
        return LogNormal(value["mu"], value["sigma"], base)
    raise DistributionError(f"lognormal takes {_LOGNORMAL_FORMS}, got {value!r}")


def _discrete(value: Any, base: Any) -> Discrete:
    if not (isinstance(value, Mapping) and set(value) == {"values", "weights"}):
        raise DistributionError("discrete takes {values = [...], weights = [...]}, "
                                f"got {value!r}")
    return Discrete(value["values"], value["weights"], base)


def _fixed(value: Any, base: Any) -> Fixed:
    dist = Fixed(value)
    if base is not None and _num("fixed", "base", base) != dist.value:
        raise DistributionError(f"fixed base {base!r} differs from the fixed value "
                                f"{dist.value!r}; drop base")
    return dist


_BUILDERS = {
    "fixed": _fixed,
    "pert": lambda v, b: PERT(*_args("pert", v, ("min", "mode", "max")), base=b),
    "triangular": lambda v, b: Triangular(*_args("triangular", v, ("min", "mode", "max")), b),
    "uniform": lambda v, b: Uniform(*_args("uniform", v, ("min", "max")), b),
    "normal": lambda v, b: Normal(*_args("normal", v, ("mean", "sd")), b),
    "truncnormal": lambda v, b: TruncatedNormal(
        *_args("truncnormal", v, ("mean", "sd", "low", "high")), base=b),
    "lognormal": _lognormal,
    "beta": lambda v, b: Beta(*_args("beta", v, ("a", "b"), ("a", "b", "low", "high")), base=b),
    "discrete": _discrete,
}


def _hint(key: Any, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(key), list(choices), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _parse(spec: Any) -> Distribution:
    if not isinstance(spec, bool) and isinstance(spec, (int, float, np.integer, np.floating)):
        return Fixed(spec)
    valid = ", ".join(FAMILIES)
    if not isinstance(spec, Mapping):
        raise DistributionError("expected a number or a table such as {pert = [min, mode, max]}, "
                                f"got {spec!r}")
    families = [k for k in spec if k in FAMILIES]
    others = [k for k in spec if k not in FAMILIES and k not in _EXTRA_KEYS]
    if not families and others:
        raise DistributionError(f"unknown distribution family {others[0]!r}"
                                f"{_hint(others[0], FAMILIES)}; valid families: {valid}")
    if len(families) != 1:
        found = ", ".join(map(repr, families)) or "none"
        raise DistributionError(f"a table needs exactly one distribution family, got {found}; "
                                f"valid families: {valid}")
    family = families[0]
    if others:
        raise DistributionError(f"unknown key {others[0]!r} in {family} table"
                                f"{_hint(others[0], _EXTRA_KEYS)}; allowed extra keys: "
                                f"{', '.join(_EXTRA_KEYS)}")
    return _BUILDERS[family](spec[family], spec.get("base"))


def parse_distribution(spec: Any, *, name: str) -> Distribution:
    """Build a :class:`Distribution` from a TOML value of a ``[parameters]`` table.

    Parameters
    ----------
    spec : number or mapping
        A plain number (-> :class:`Fixed`) or a table with exactly one family
        key: ``fixed = x``, ``pert = [min, mode, max]``, ``triangular = [min,
        mode, max]``, ``uniform = [min, max]``, ``normal = [mean, sd]``,
        ``truncnormal = [mean, sd, low, high]``, ``lognormal = {mean, sd}``,
        ``{p05, p95}`` or ``{mu, sigma}``, ``beta = [a, b]`` or ``[a, b, low,
        high]``, ``discrete = {values = [...], weights = [...]}``. The table may
        add ``base = number``; ``description`` and ``unit`` are accepted and
        ignored here.
    name : str
        The parameter's name, quoted in every error message.

    Returns
    -------
    Distribution

    Raises
    ------
    DistributionError
        One-line message naming the parameter, the bad argument and what is allowed.
    """
    try:
        return _parse(spec)
    except DistributionError as exc:
        raise DistributionError(f"parameter {name!r}: {exc}") from None
