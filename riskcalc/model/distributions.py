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
import csv
import dataclasses
import difflib
import functools
import io
import math
import stat
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike

from riskcalc.errors import DistributionError, ModelError, did_you_mean
from riskcalc.files import read_text

__all__ = [
    "Distribution", "Fixed", "PERT", "Triangular", "Uniform", "Normal", "TruncatedNormal",
    "LogNormal", "Beta", "Discrete", "Truncated", "Mixture", "Empirical", "parse_distribution",
]

_EXTRA_KEYS = ("base", "min", "max", "description", "unit")
_frozen = dataclasses.dataclass(frozen=True, repr=False)
_cache = dict(init=False, repr=False, compare=False)


# scipy.special is imported on first use: loading a model that draws from none of
# these (and `riskcalc check` of it) does not pay its 0.15-0.4 s import.
def betainc(a, b, x):
    """scipy.special.betainc."""
    from scipy import special

    return special.betainc(a, b, x)


def betaincinv(a, b, y):
    """scipy.special.betaincinv."""
    from scipy import special

    return special.betaincinv(a, b, y)


def ndtr(x):
    """scipy.special.ndtr: the standard normal CDF."""
    from scipy import special

    return special.ndtr(x)


def ndtri(y):
    """scipy.special.ndtri: the standard normal quantile."""
    from scipy import special

    return special.ndtri(y)


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


def _unit(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Map ``x`` onto [0, 1] by ``[lo, hi]``, clipped."""
    return np.clip((x - lo) / (hi - lo), 0.0, 1.0)


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

    def cdf(self, x: ArrayLike) -> np.ndarray:
        """Cumulative probability ``P(X <= x)``; same shape as ``x``."""
        return np.asarray(self._cdf(np.asarray(x, dtype=np.float64)), dtype=np.float64)

    @abc.abstractmethod
    def _cdf(self, x: np.ndarray) -> np.ndarray: ...

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

    def _cdf(self, x: np.ndarray) -> np.ndarray:
        return (x >= self.value).astype(float)

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

    def _cdf(self, x: np.ndarray) -> np.ndarray:
        return betainc(self._alpha, self._beta, _unit(x, self.min, self.max))


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

    def _cdf(self, x: np.ndarray) -> np.ndarray:
        a, c, b = self.min, self.mode, self.max
        y = np.clip(x, a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            left = (y - a) ** 2 / ((b - a) * (c - a))
            right = 1 - (b - y) ** 2 / ((b - a) * (b - c))
        return np.clip(np.where(y <= c, np.nan_to_num(left), np.nan_to_num(right, nan=1.0)),
                       0.0, 1.0)


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

    def _cdf(self, x: np.ndarray) -> np.ndarray:
        return _unit(x, self.min, self.max)


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

    def _cdf(self, x: np.ndarray) -> np.ndarray:
        return ndtr((x - self.mean) / self.sd)


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

    def _cdf(self, x: np.ndarray) -> np.ndarray:
        z = (np.clip(x, self.low, self.high) - self.mu) / self.sd
        if self._flip:
            return np.clip((self._pb - ndtr(-z)) / (self._pb - self._pa), 0.0, 1.0)
        return np.clip((ndtr(z) - self._pa) / (self._pb - self._pa), 0.0, 1.0)


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

    def _cdf(self, x: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore"):
            return ndtr((np.log(np.maximum(x, 0.0)) - self.mu) / self.sigma)


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

    def _cdf(self, x: np.ndarray) -> np.ndarray:
        return betainc(self.a, self.b, _unit(x, self.low, self.high))


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

    def _cdf(self, x: np.ndarray) -> np.ndarray:
        idx = np.searchsorted(self._v, x, side="right")
        return np.concatenate([[0.0], self._cum])[idx]



@dataclasses.dataclass(frozen=True, repr=False, init=False)
class Truncated(Distribution):
    """Any distribution restricted to ``[min, max]`` and renormalised (a truncation).

    ``ppf(u) = inner.ppf(F(min-) + u * (F(max) - F(min-)))``: the draws are the
    inner distribution's draws that fall in ``[min, max]``, in the same order of
    ``u``. ``base`` defaults to the median; the mean is integrated numerically
    (``quad`` over the quantile function).
    """

    inner: Distribution
    min: float
    max: float
    base: float | None = None
    family: ClassVar[str] = "truncated"

    def __init__(self, inner: Distribution, min: float = -math.inf,  # noqa: A002
                 max: float = math.inf, base: float | None = None) -> None:  # noqa: A002
        f = f"{inner.family} truncation"
        lo, hi = _num(f, "min", min, allow_inf=True), _num(f, "max", max, allow_inf=True)
        _interval(f, "min", lo, "max", hi)
        pa = float(inner.cdf(np.nextafter(lo, -math.inf)))
        pb = float(inner.cdf(hi))
        if not pb > pa:
            raise DistributionError(f"{f}: [min, max] = [{lo!r}, {hi!r}] holds no probability "
                                    f"under {inner!r}; widen it")
        _set(self, inner=inner, min=lo, max=hi, base=base, _pa=pa, _pb=pb)
        self._init_base(float(self.ppf(0.5)), lo, hi)

    @functools.cached_property
    def mean(self) -> float:  # type: ignore[override]
        """``∫ ppf(u) du`` over (0, 1), by adaptive quadrature."""
        from scipy import integrate  # here: `riskcalc check` should not pay for it

        return float(integrate.quad(lambda u: float(self._ppf(np.array(u))), 0.0, 1.0,
                                    limit=200)[0])

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        inner = self.inner.ppf(self._pa + u * (self._pb - self._pa))
        return np.clip(inner, self.min, self.max)

    def _cdf(self, x: np.ndarray) -> np.ndarray:
        inside = (self.inner.cdf(np.clip(x, self.min, self.max)) - self._pa) / (self._pb - self._pa)
        return np.where(x < self.min, 0.0, np.clip(inside, 0.0, 1.0))

    def __repr__(self) -> str:
        return f"Truncated({self.inner!r}, min={self.min!r}, max={self.max!r})"


@dataclasses.dataclass(frozen=True, repr=False, init=False)
class Mixture(Distribution):
    """A weighted mixture: with probability ``weights[k]`` a draw comes from ``components[k]``.

    The quantile function is found by bisection on the mixture's CDF between
    the smallest and largest component quantile at the same ``u`` (the mixture
    quantile always lies between them); 60 halvings narrow it to 2**-60 of that bracket.
    The mean is exact (``sum(weights * component means)``); ``base`` defaults
    to the median.
    """

    components: tuple[Distribution, ...]
    weights: tuple[float, ...]
    base: float | None = None
    family: ClassVar[str] = "mixture"

    def __init__(self, components: Iterable[Distribution], weights: Iterable[float],
                 base: float | None = None) -> None:
        f = "mixture"
        comps = tuple(components)
        w = _weights(f, weights)
        if len(comps) < 1 or len(comps) != len(w):
            raise DistributionError(f"{f} needs as many weights as components, got "
                                    f"{len(comps)} components and {len(w)} weights")
        _set(self, components=comps, weights=w, base=base)
        self._init_base(float(self.ppf(0.5)))

    @property
    def mean(self) -> float:
        """``sum(weights[k] * components[k].mean)``."""
        return math.fsum(w * c.mean for c, w in zip(self.components, self.weights, strict=True))

    def _cdf(self, x: np.ndarray) -> np.ndarray:
        pairs = zip(self.components, self.weights, strict=True)
        return sum(w * c.cdf(x) for c, w in pairs if w > 0)

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        live = [c for c, w in zip(self.components, self.weights, strict=True) if w > 0]
        q = np.stack([c.ppf(u) for c in live])
        lo, hi = q.min(axis=0), q.max(axis=0)
        for _ in range(60):
            done = lo == hi
            if np.all(done):
                break
            mid = np.where(done, lo, 0.5 * (lo + hi))
            below = self._cdf(mid) < u
            lo = np.where(below, mid, lo)
            hi = np.where(below, hi, mid)
        return hi

    def __repr__(self) -> str:
        return f"Mixture({list(self.components)!r}, weights={list(self.weights)!r})"


@dataclasses.dataclass(frozen=True, repr=False, init=False)
class Empirical(Distribution):
    """Resampling of observed ``values``: every draw is one of them, each equally likely.

    ``ppf(u)`` is the ``floor(u * n)``-th smallest value (the last one at
    ``u = 1``); the mean is the values' mean and ``base`` defaults to that
    quantile at 0.5 (the upper of the two middle values when ``n`` is even).
    """

    values: tuple[float, ...]
    base: float | None = None
    source: str = ""
    family: ClassVar[str] = "empirical"

    def __init__(self, values: Iterable[float], base: float | None = None,
                 source: str = "") -> None:
        f = "empirical"
        if isinstance(values, (str, bytes, Mapping)) or not isinstance(values, Iterable):
            raise DistributionError(f"{f} values must be a list of numbers, got {values!r}")
        v = np.sort(np.array([_num(f, f"values[{i}]", x) for i, x in enumerate(values)]))
        if len(v) < 2:
            raise DistributionError(f"{f} needs at least 2 observed values, got {len(v)}")
        _set(self, values=tuple(v.tolist()), base=base, source=source, _v=v)
        self._init_base(float(self.ppf(0.5)), float(v[0]), float(v[-1]))

    @property
    def mean(self) -> float:
        """The mean of the observed values."""
        return math.fsum(self.values) / len(self.values)

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        n = len(self._v)
        return self._v[np.minimum((u * n).astype(np.int64), n - 1)]

    def _cdf(self, x: np.ndarray) -> np.ndarray:
        return np.searchsorted(self._v, x, side="right") / len(self._v)

    def __repr__(self) -> str:
        where = f"file={self.source!r}" if self.source else f"values={list(self.values)!r}"
        return f"Empirical({where}, n={len(self.values)})"


def _weights(family: str, weights: Any) -> tuple[float, ...]:
    """Probability weights: numbers >= 0 that sum to 1 within 1e-9."""
    if isinstance(weights, (str, bytes, Mapping)) or not isinstance(weights, Iterable):
        raise DistributionError(f"{family} weights must be a list of numbers, got {weights!r}")
    w = tuple(_num(family, f"weights[{i}]", x) for i, x in enumerate(weights))
    if w and min(w) < 0:
        raise DistributionError(f"{family} weights must be >= 0, got {min(w)!r}")
    if w and abs(math.fsum(w) - 1.0) > 1e-9:
        raise DistributionError(f"{family} weights must sum to 1 (within 1e-9), "
                                f"they sum to {math.fsum(w)!r}")
    return w


# -- analysts' ways of stating a range ---------------------------------------------------

#: float(scipy.special.ndtri(0.95)), written out so that importing this module needs no
#: scipy (a test holds it to scipy's): the 5th and 95th percentiles are mean -/+ Z95 sd.
Z95 = 1.6448536269514722


def _check_interval(family: str, p05: Any, p95: Any) -> tuple[float, float]:
    lo, hi = _num(family, "p05", p05), _num(family, "p95", p95)
    _interval(family, "p05", lo, "p95", hi)
    return lo, hi


def _solve(family: str, residual: Callable[[np.ndarray], np.ndarray], x0: list[float],
           what: str) -> np.ndarray:
    """Solve ``residual(x) = 0`` (2 unknowns); refuse when no exact solution is found."""
    from scipy import optimize  # here: `riskcalc check` should not pay for it

    sol = optimize.least_squares(residual, x0, xtol=1e-15, ftol=1e-15, gtol=1e-15,
                                 max_nfev=2000)
    if not np.all(np.abs(residual(sol.x)) < 1e-7):
        raise DistributionError(f"{family}: no {family} distribution has {what}; check the "
                                "numbers or choose another family")
    return sol.x


def _three_point_p(family: str, p05: Any, mode: Any, p95: Any) -> tuple[float, float, float]:
    """``(min, mode, max)`` of the PERT or triangular whose 5th/95th percentiles are given."""
    lo, hi = _check_interval(family, p05, p95)
    m = _num(family, "mode", mode)
    if not lo <= m <= hi:
        raise DistributionError(f"{family} mode {m!r} is outside [p05, p95] = [{lo!r}, {hi!r}]")
    span = hi - lo

    def build(x: np.ndarray) -> Distribution:
        a, b = m - span * math.exp(x[0]), m + span * math.exp(x[1])
        return PERT(a, m, b) if family == "pert" else Triangular(a, m, b)

    def residual(x: np.ndarray) -> np.ndarray:
        return (build(x).ppf(np.array([0.05, 0.95])) - [lo, hi]) / span

    x0 = [math.log(max(m - lo, 0.05 * span) + 0.3 * span) - math.log(span),
          math.log(max(hi - m, 0.05 * span) + 0.3 * span) - math.log(span)]
    x = _solve(family, residual, x0, f"p05 = {lo!r}, mode = {m!r}, p95 = {hi!r}")
    d = build(x)
    return d.min, m, d.max  # type: ignore[attr-defined]


def _beta_from_mean_sd(mean: float, sd: float, low: float, high: float) -> tuple[float, float]:
    f = "beta"
    m = (mean - low) / (high - low)
    v = (sd / (high - low)) ** 2
    if not 0 < m < 1:
        raise DistributionError(f"{f} mean {mean!r} must lie strictly inside [low, high] = "
                                f"[{low!r}, {high!r}]")
    if not 0 < v < m * (1 - m):
        raise DistributionError(f"{f} sd {sd!r} must be > 0 and below "
                                f"{math.sqrt(m * (1 - m)) * (high - low)!r} for mean {mean!r} "
                                f"on [{low!r}, {high!r}]")
    k = m * (1 - m) / v - 1
    return m * k, (1 - m) * k


def _beta_from_interval(p05: Any, p95: Any, low: float, high: float) -> tuple[float, float]:
    f = "beta"
    lo, hi = _check_interval(f, p05, p95)
    if not (low < lo and hi < high):
        raise DistributionError(f"{f} [p05, p95] = [{lo!r}, {hi!r}] must lie strictly inside "
                                f"[low, high] = [{low!r}, {high!r}]")
    a0, b0 = _beta_from_mean_sd(0.5 * (lo + hi), min((hi - lo) / (2 * Z95), 0.99 * math.sqrt(
        ((lo + hi) / 2 - low) * (high - (lo + hi) / 2))), low, high)
    target = (np.array([lo, hi]) - low) / (high - low)

    def residual(x: np.ndarray) -> np.ndarray:
        return betaincinv(math.exp(x[0]), math.exp(x[1]), [0.05, 0.95]) - target

    x = _solve(f, residual, [math.log(a0), math.log(b0)], f"p05 = {lo!r} and p95 = {hi!r} "
               f"on [{low!r}, {high!r}]")
    return math.exp(x[0]), math.exp(x[1])


#: Largest CSV file an ``empirical`` distribution reads, and most values it keeps.
EMPIRICAL_MAX_BYTES = 16 * 2**20
EMPIRICAL_MAX_VALUES = 1_000_000


def _args(family: str, value: Any, *forms: tuple[str, ...]) -> list[Any]:
    text = " or ".join(f"[{', '.join(form)}]" for form in forms)
    if not isinstance(value, (list, tuple)):
        raise DistributionError(f"{family} takes {text}, got {value!r}")
    if len(value) not in {len(form) for form in forms}:
        count = f"{len(value)} number" + ("" if len(value) == 1 else "s")
        raise DistributionError(f"{family} takes {text}, got {count}")
    return list(value)


Form = tuple[tuple[str, ...], tuple[str, ...], Callable[..., Distribution]]


def _forms(family: str, value: Any, positional: tuple[tuple[str, ...], ...],
           named: tuple[Form, ...], base: Any) -> Distribution:
    """Build `family` from a list (``positional`` shapes) or a table (one of ``named``).

    Each named form is ``(required keys, optional keys, builder)``; the builder
    is called with the table's values as keywords and ``base``.
    """
    shown = [f"[{', '.join(form)}]" for form in positional]
    shown += ["{" + ", ".join([*req, *(f"{k}?" for k in opt)]) + "}" for req, opt, _ in named]
    text = " or ".join(shown)
    if isinstance(value, (list, tuple)) and positional:
        args = _args(family, value, *positional)
        form = next(f for f in positional if len(f) == len(args))
        value = dict(zip(form, args, strict=True))
    if not isinstance(value, Mapping):
        raise DistributionError(f"{family} takes {text}, got {value!r}")
    keys = set(value)
    for req, opt, build in named:
        if set(req) <= keys <= set(req) | set(opt):
            return build(**value, base=base)
    raise DistributionError(f"{family} takes {text}, got keys {sorted(keys)}")


def _lognormal(value: Any, base: Any, root: Path | None) -> LogNormal:
    return _forms("lognormal", value, (), (  # type: ignore[return-value]
        (("mean", "sd"), (), LogNormal.from_mean_sd),
        (("p05", "p95"), (), lambda p05, p95, base: LogNormal.from_interval(p05, p95, base)),
        (("mu", "sigma"), (), LogNormal)), base)


def _three_point(family: str, cls: type) -> Callable[[Any, Any, Path | None], Distribution]:
    def build(value: Any, base: Any, root: Path | None) -> Distribution:
        return _forms(family, value, (("min", "mode", "max"),), (
            (("min", "mode", "max"), (), lambda min, mode, max, base: cls(  # noqa: A006
                min, mode, max, base=base)),
            (("p05", "mode", "p95"), (), lambda p05, mode, p95, base: cls(
                *_three_point_p(family, p05, mode, p95), base=base))), base)
    return build


def _uniform_moments(mean: Any, sd: Any, base: Any) -> Uniform:
    m, s = _num("uniform", "mean", mean), _num("uniform", "sd", sd)
    _positive("uniform", "sd", s)
    return Uniform(m - math.sqrt(3) * s, m + math.sqrt(3) * s, base)


def _uniform_interval(p05: Any, p95: Any, base: Any) -> Uniform:
    lo, hi = _check_interval("uniform", p05, p95)
    width = (hi - lo) / 0.9
    return Uniform(lo - 0.05 * width, hi + 0.05 * width, base)


def _normal_interval(p05: Any, p95: Any, base: Any) -> Normal:
    lo, hi = _check_interval("normal", p05, p95)
    return Normal(0.5 * (lo + hi), (hi - lo) / (2 * Z95), base)


def _beta(a: Any, b: Any, low: Any = 0.0, high: Any = 1.0, base: Any = None) -> Beta:
    return Beta(a, b, low, high, base)


def _beta_bounds(low: Any, high: Any) -> tuple[float, float]:
    lo, hi = _num("beta", "low", low), _num("beta", "high", high)
    _interval("beta", "low", lo, "high", hi)
    return lo, hi


def _beta_moments(mean: Any, sd: Any, low: Any = 0.0, high: Any = 1.0, base: Any = None) -> Beta:
    lo, hi = _beta_bounds(low, high)
    a, b = _beta_from_mean_sd(_num("beta", "mean", mean), _num("beta", "sd", sd), lo, hi)
    return Beta(a, b, lo, hi, base)


def _beta_interval(p05: Any, p95: Any, low: Any = 0.0, high: Any = 1.0, base: Any = None) -> Beta:
    lo, hi = _beta_bounds(low, high)
    return Beta(*_beta_from_interval(p05, p95, lo, hi), lo, hi, base)


def _discrete(value: Any, base: Any, root: Path | None) -> Discrete:
    if not (isinstance(value, Mapping) and set(value) == {"values", "weights"}):
        raise DistributionError("discrete takes {values = [...], weights = [...]}, "
                                f"got {value!r}")
    return Discrete(value["values"], value["weights"], base)


def _bernoulli(value: Any, base: Any, root: Path | None) -> Discrete:
    p = _num("bernoulli", "probability", value)
    if not 0 <= p <= 1:
        raise DistributionError(f"bernoulli takes the probability of the event (1) in [0, 1], "
                                f"got {p!r}")
    return Discrete((0.0, 1.0), (1.0 - p, p), base)


def _fixed(value: Any, base: Any, root: Path | None) -> Fixed:
    dist = Fixed(value)
    if base is not None and _num("fixed", "base", base) != dist.value:
        raise DistributionError(f"fixed base {base!r} differs from the fixed value "
                                f"{dist.value!r}; drop base")
    return dist


def _mixture(value: Any, base: Any, root: Path | None) -> Mixture:
    if not (isinstance(value, Mapping) and set(value) == {"components", "weights"}):
        raise DistributionError("mixture takes {components = [{...}, {...}], weights = [...]}, "
                                f"got {value!r}")
    comps = value["components"]
    if not isinstance(comps, (list, tuple)) or not comps:
        raise DistributionError(f"mixture components must be a non-empty list of tables such "
                                f"as {{normal = [0, 1]}}, got {comps!r}")
    parsed = []
    for i, comp in enumerate(comps):
        try:
            parsed.append(_parse(comp, root))
        except DistributionError as exc:
            raise DistributionError(f"mixture components[{i}]: {exc}") from None
    return Mixture(parsed, value["weights"], base)


def _empirical(value: Any, base: Any, root: Path | None) -> Empirical:
    if isinstance(value, Mapping) and set(value) == {"values"}:
        return Empirical(value["values"], base)
    if isinstance(value, Mapping) and "file" in value and set(value) <= {"file", "column"}:
        text, values = _read_column(root, value["file"], value.get("column"))
        return Empirical(values, base, source=text)
    raise DistributionError("empirical takes {values = [...]} or {file = \"data.csv\", "
                            f"column = \"name\"}}, got {value!r}")


def _read_column(root: Path | None, file: Any, column: Any) -> tuple[str, list[float]]:
    """The numbers of one column of a CSV file in the model file's folder (bounded read)."""
    f = "empirical"
    if root is None:
        raise DistributionError(f"{f} file needs a model loaded from a file (the CSV lies "
                                "next to it); give values = [...] instead")
    if not isinstance(file, str) or not file:
        raise DistributionError(f"{f} file must be a path text, got {file!r}")
    rel = Path(file)
    if rel.is_absolute() or ".." in rel.parts:
        raise DistributionError(f"{f} file {file!r} must be a path relative to the model "
                                "file's folder, without '..'")
    path = root / rel
    try:
        inside = path.resolve().is_relative_to(root.resolve())
        info = path.stat()
    except OSError as exc:
        raise DistributionError(f"{f} file {file!r}: cannot read it ({exc.strerror})") from None
    if not inside:
        raise DistributionError(f"{f} file {file!r} leads outside the model file's folder; "
                                "copy the CSV next to the model")
    if not stat.S_ISREG(info.st_mode):
        raise DistributionError(f"{f} file {file!r} is not a regular file")
    try:  # the shared bounded reader: regular files only, never blocking, size-limited
        text = read_text(path, "empirical data file", limit=EMPIRICAL_MAX_BYTES)
    except ModelError as exc:
        reason = str(exc).removeprefix(f"{path}: ")
        raise DistributionError(f"{f} file {file!r}: {reason}") from None
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise DistributionError(f"{f} file {file!r} is empty; give a header row and values")
    header = [h.strip() for h in rows[0]]
    if column is None:
        if len(header) != 1:
            raise DistributionError(f"{f} file {file!r} has columns {header}; say which with "
                                    "column = \"name\"")
        column = header[0]
    if not isinstance(column, str) or column not in header:
        raise DistributionError(f"{f} column {column!r} is not in {file!r}; "
                                f"{did_you_mean(str(column), header)}")
    j = header.index(column)
    values = []
    for line, row in enumerate(rows[1:], start=2):
        cell = row[j].strip() if j < len(row) else ""
        if not cell:
            continue  # a missing observation
        try:
            x = float(cell)
        except ValueError:
            raise DistributionError(f"{f} file {file!r} line {line}, column {column!r}: "
                                    f"{cell[:40]!r} is not a number") from None
        if not math.isfinite(x):
            raise DistributionError(f"{f} file {file!r} line {line}, column {column!r}: "
                                    f"{cell[:40]!r} is not a finite number")
        values.append(x)
        if len(values) > EMPIRICAL_MAX_VALUES:
            raise DistributionError(f"{f} file {file!r} has more than {EMPIRICAL_MAX_VALUES} "
                                    "values; thin it first")
    return f"{file}:{column}", values


_BUILDERS: dict[str, Callable[[Any, Any, Path | None], Distribution]] = {
    "fixed": _fixed,
    "pert": _three_point("pert", PERT),
    "triangular": _three_point("triangular", Triangular),
    "uniform": lambda v, b, r: _forms("uniform", v, (("min", "max"),), (
        (("min", "max"), (), lambda min, max, base: Uniform(min, max, base)),  # noqa: A006
        (("mean", "sd"), (), _uniform_moments),
        (("p05", "p95"), (), _uniform_interval)), b),
    "normal": lambda v, b, r: _forms("normal", v, (("mean", "sd"),), (
        (("mean", "sd"), (), Normal),
        (("p05", "p95"), (), _normal_interval)), b),
    "truncnormal": lambda v, b, r: _forms("truncnormal", v, (("mean", "sd", "low", "high"),), (
        (("mean", "sd", "low", "high"), (), TruncatedNormal),), b),
    "lognormal": _lognormal,
    "beta": lambda v, b, r: _forms("beta", v, (("a", "b"), ("a", "b", "low", "high")), (
        (("a", "b"), ("low", "high"), _beta),
        (("mean", "sd"), ("low", "high"), _beta_moments),
        (("p05", "p95"), ("low", "high"), _beta_interval)), b),
    "discrete": _discrete,
    "bernoulli": _bernoulli,
    "mixture": _mixture,
    "empirical": _empirical,
}
FAMILIES = tuple(_BUILDERS)


def _hint(key: Any, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(key), list(choices), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _parse(spec: Any, root: Path | None) -> Distribution:
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
    if "min" not in spec and "max" not in spec:
        return _BUILDERS[family](spec[family], spec.get("base"), root)
    if family == "fixed":
        raise DistributionError("a fixed value cannot be truncated; drop min and max")
    inner = _BUILDERS[family](spec[family], None, root)
    return Truncated(inner, spec.get("min", -math.inf), spec.get("max", math.inf),
                     spec.get("base"))


def parse_distribution(spec: Any, *, name: str, root: str | Path | None = None) -> Distribution:
    """Build a :class:`Distribution` from a TOML value of a ``[parameters]`` table.

    Parameters
    ----------
    spec : number or mapping
        A plain number (-> :class:`Fixed`) or a table with exactly one family
        key: ``fixed = x``, ``pert = [min, mode, max]``, ``triangular = [min,
        mode, max]``, ``uniform = [min, max]``, ``normal = [mean, sd]``,
        ``truncnormal = [mean, sd, low, high]``, ``lognormal = {mean, sd}``,
        ``{p05, p95}`` or ``{mu, sigma}``, ``beta = [a, b]`` or ``[a, b, low,
        high]``, ``discrete = {values = [...], weights = [...]}``,
        ``bernoulli = p``, ``mixture = {components = [...], weights = [...]}``,
        ``empirical = {values = [...]}`` or ``{file = "x.csv", column = "c"}``.
        Most families also take tables of moments (``{mean, sd}``), a 90 %
        interval (``{p05, p95}``) or a three-point estimate (``{min, mode,
        max}`` / ``{p05, mode, p95}``); see docs/model-files.md. The table may
        add ``base = number`` and ``min``/``max`` (a truncation, see
        :class:`Truncated`); ``description`` and ``unit`` are accepted and
        ignored here.
    name : str
        The parameter's name, quoted in every error message.
    root : str or Path, optional
        The model file's folder, where ``empirical`` files are read; without
        it an ``empirical`` file is refused.

    Returns
    -------
    Distribution

    Raises
    ------
    DistributionError
        One-line message naming the parameter, the bad argument and what is allowed.
    """
    try:
        return _parse(spec, None if root is None else Path(root))
    except DistributionError as exc:
        raise DistributionError(f"parameter {name!r}: {exc}") from None
