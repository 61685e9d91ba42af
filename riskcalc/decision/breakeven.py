"""Break-even (switching) values of the most influential parameters.

For a parameter θ and a statistic of the outputs (expected society NPV, say):
fix a sample of all parameters with common random numbers, set θ = v in every
scenario, evaluate, and find the v where the statistic crosses zero.  The
statistic is scanned on a grid over θ's range first, so every crossing in the
range is found (a statistic need not be monotone in θ), then each crossing is
refined with :func:`scipy.optimize.brentq`.

The range of θ is its declared support where that is finite (PERT, triangular,
uniform, beta, truncated normal, ...), else ``[ppf(0.001), ppf(0.999)]``.
The common sample is chunk 0 of the run's seed (:func:`riskcalc.engine.sampling.sample_parameters`):
the first scenarios of the run itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from riskcalc.engine.sampling import sample_parameters
from riskcalc.engine.simulation import evaluate_points
from riskcalc.model.distributions import Distribution
from riskcalc.model.objects import Model
from riskcalc.results.result import SimulationResult

__all__ = [
    "Switch",
    "SwitchingValues",
    "Target",
    "search_range",
    "spearman_ranking",
    "most_influential",
    "fmt_value",
    "mean_statistic",
    "switching_values",
    "breakeven_table",
    "declared_breakeven",
    "DEFAULT_BREAKEVEN_N",
]

#: Scenarios of the common sample (one engine block: one fast evaluation).
DEFAULT_BREAKEVEN_N = 4096
#: A parameter is influential when |Spearman| ≥ NOISE_SE / sqrt(n).
NOISE_SE = 3.0
#: A target: an output name (``"npv_society"``, ``"npv_<actor>"``) or actors whose NPVs add up.
Target = str | Sequence[str]
Statistic = Callable[[Mapping[str, np.ndarray]], float]


@dataclass(frozen=True)
class Switch:
    """One crossing of zero.

    Attributes
    ----------
    value : float
        The parameter value where the statistic is zero (parameter's unit).
    rising : bool
        True when the statistic is ≥ 0 just above `value` (and < 0 below).
    """

    value: float
    rising: bool


@dataclass(frozen=True)
class SwitchingValues:
    """Where a statistic changes sign as one parameter moves over its range.

    Attributes
    ----------
    parameter : str
    low, high : float
        The range searched (parameter's unit).
    at_low, at_high : float
        The statistic at the ends of the range.
    switches : tuple of Switch
        Every crossing found, in increasing order; empty: no switch in the range.
    base : float
        The parameter's base case, for reference.
    n : int
        Scenarios in the common sample.
    """

    parameter: str
    low: float
    high: float
    at_low: float
    at_high: float
    switches: tuple[Switch, ...]
    base: float
    n: int

    @property
    def first(self) -> float:
        """The first switching value, NaN when there is none."""
        return self.switches[0].value if self.switches else math.nan

    def describe(self, positive: str = "expected NPV ≥ 0",
                 negative: str = "expected NPV < 0") -> str:
        """One line for people, e.g. ``success_rate: expected NPV ≥ 0 above 0.4125``."""
        if not self.switches:
            side = positive if self.at_low >= 0 else negative
            return (f"{self.parameter}: no switch within the range "
                    f"[{fmt_value(self.low)}, {fmt_value(self.high)}]: {side} throughout")
        parts = [f"{positive} {'above' if s.rising else 'below'} {fmt_value(s.value)}"
                 for s in self.switches]
        return f"{self.parameter}: " + "; ".join(parts)


def fmt_value(x: float) -> str:
    """A parameter value for reading: 21,000,000 or 0.4125."""
    return f"{x:,.0f}" if abs(x) >= 1e4 else f"{x:.4g}"


def search_range(model: Model, parameter: str) -> tuple[float, float]:
    """The range a switching value is searched in: the finite support, or P0.1–P99.9.

    A parameter that declared regimes override spans every regime's range.
    """
    dists: list[Distribution] = [model.parameters[parameter].distribution]
    dists += [r.overrides[parameter] for r in model.regimes if parameter in r.overrides]
    los, his = [], []
    for dist in dists:
        lo, hi = (float(x) for x in dist.ppf(np.array([0.0, 1.0])))
        los.append(lo if math.isfinite(lo) else float(dist.ppf(np.array([0.001]))[0]))
        his.append(hi if math.isfinite(hi) else float(dist.ppf(np.array([0.999]))[0]))
    return min(los), max(his)


def _target_values(result: SimulationResult, target: Target) -> np.ndarray:
    keep = result.finite
    if isinstance(target, str):
        if target not in result.outputs:
            raise ValueError(f"unknown target output {target!r}; expected one of "
                             f"{[k for k in result.outputs if k.startswith('npv_')]}")
        return result.outputs[target][keep]
    return np.sum([result.outputs[f"npv_{a}"][keep] for a in _actors(result.model, target)],
                  axis=0)


def _actors(model: Model, actors: Sequence[str]) -> list[str]:
    unknown = [a for a in actors if a not in model.actor_keys]
    if unknown or not actors:
        raise ValueError(f"unknown actors {list(unknown)!r}; the model has "
                         f"{list(model.actor_keys)}")
    return list(actors)


def _ranks(values: np.ndarray) -> np.ndarray:
    """Ranks with ties averaged (as Spearman's correlation needs)."""
    return pd.Series(values).rank(method="average").to_numpy()


def spearman_ranking(result: SimulationResult, target: Target = "npv_society") -> pd.DataFrame:
    """Rank the uncertain parameters by |Spearman correlation| with a target in the run.

    Returns
    -------
    DataFrame
        Columns ``parameter, spearman, influential``; strongest first.
        ``influential``: |Spearman| ≥ 3 / sqrt(n), more than the noise of an
        unrelated parameter (whose correlation has standard error ≈ 1 / sqrt(n)).
    """
    y = _ranks(_target_values(result, target))
    keep = result.finite
    rows = []
    for name in result.model.uncertain_parameters:
        x = _ranks(result.parameters[name][keep])
        rho = float(np.corrcoef(x, y)[0, 1]) if np.ptp(x) > 0 and np.ptp(y) > 0 else 0.0
        rows.append({"parameter": name, "spearman": rho})
    frame = pd.DataFrame(rows, columns=["parameter", "spearman"])
    frame["influential"] = frame["spearman"].abs() >= NOISE_SE / math.sqrt(max(y.size, 1))
    order = np.argsort(-frame["spearman"].abs().to_numpy(), kind="stable")
    return frame.iloc[order].reset_index(drop=True)


def most_influential(result: SimulationResult, target: Target = "npv_society",
                     k: int = 5) -> pd.DataFrame:
    """The (at most) k parameters of :func:`spearman_ranking` that are influential."""
    ranking = spearman_ranking(result, target)
    return ranking[ranking["influential"]].head(k).reset_index(drop=True)


def mean_statistic(model: Model, target: Target = "npv_society") -> Statistic:
    """A statistic for :func:`switching_values`: the mean of a target over the sample."""
    if isinstance(target, str):
        names = [target]
    else:
        names = [f"npv_{a}" for a in _actors(model, target)]

    def statistic(points: Mapping[str, np.ndarray]) -> float:
        outputs = evaluate_points(model, points)
        finite = np.ones(len(outputs[names[0]]), dtype=bool)
        total = np.zeros(len(finite))
        for name in names:
            if name not in outputs:
                raise ValueError(f"unknown target output {name!r}")
            total += outputs[name]
            finite &= np.isfinite(outputs[name])
        return float(total[finite].mean())

    return statistic


def switching_values(model: Model, parameter: str, statistic: Statistic, *, seed: int,
                     n: int = DEFAULT_BREAKEVEN_N, bounds: tuple[float, float] | None = None,
                     grid: int = 17,
                     sample: Mapping[str, np.ndarray] | None = None) -> SwitchingValues:
    """Find where `statistic` changes sign as `parameter` moves over its range.

    Parameters
    ----------
    model : Model
    parameter : str
        An uncertain parameter.
    statistic : callable
        Takes the points (every parameter, shape (n,)) and returns a float; its
        zero is sought.  E.g. :func:`mean_statistic`.
    seed : int
        Seed of the common random numbers (the run's seed).
    n : int
        Scenarios in the common sample.
    bounds : (float, float), optional
        Range to search; default :func:`search_range`.
    grid : int
        Points of the initial scan (≥ 2).
    sample : dict of str to ndarray, optional
        The points to hold the other parameters at (e.g. the base case, one point);
        default chunk 0 of `seed`, n scenarios.

    Returns
    -------
    SwitchingValues
    """
    if parameter not in model.parameters:
        raise ValueError(f"unknown parameter {parameter!r}; the model has "
                         f"{list(model.parameters)}")
    lo, hi = bounds if bounds is not None else search_range(model, parameter)
    if not lo < hi:
        raise ValueError(f"parameter {parameter!r} has no range to search: [{lo!r}, {hi!r}]")
    if sample is None:
        sample = sample_parameters(model, seed, 0, n)
    n = len(next(iter(sample.values())))

    def at(v: float) -> float:
        return statistic({**sample, parameter: np.full(n, v)})

    xs = np.linspace(lo, hi, max(grid, 2))
    fs = np.array([at(x) for x in xs])
    nonneg = fs >= 0
    switches = []
    for i in np.flatnonzero(nonneg[:-1] != nonneg[1:]):
        a, b = xs[i], xs[i + 1]
        value = brentq(at, a, b, xtol=(hi - lo) * 1e-7)
        switches.append(Switch(float(value), rising=bool(nonneg[i + 1])))
    return SwitchingValues(parameter, float(lo), float(hi), float(fs[0]), float(fs[-1]),
                           tuple(switches), float(model.parameters[parameter].distribution.base),
                           n)


def breakeven_table(result: SimulationResult, *, target: Target = "npv_society", k: int = 5,
                    n: int | None = None) -> pd.DataFrame:
    """Break-even values of expected NPV for the k parameters that drive it most.

    Parameters
    ----------
    result : SimulationResult
    target : str or sequence of str
        ``"npv_society"`` (default), ``"npv_<actor>"``, or actors whose NPVs add up.
    k : int
        How many parameters, ranked by |Spearman correlation| with the target;
        parameters whose correlation is within noise are left out
        (:func:`most_influential`).
    n : int, optional
        Common-sample size; default ``min(result.n, 4096)``.

    Returns
    -------
    DataFrame
        One row per parameter: ``parameter, spearman, base, low, high,
        expected_at_low, expected_at_high, breakeven`` (the first switching value,
        NaN if none), ``n_switches, note`` (how to read it).
    """
    n = min(result.n, DEFAULT_BREAKEVEN_N) if n is None else n
    statistic = mean_statistic(result.model, target)
    rows = []
    for _, rank in most_influential(result, target, k).iterrows():
        sv = switching_values(result.model, rank["parameter"], statistic, seed=result.seed,
                              n=n)
        rows.append({"parameter": sv.parameter, "spearman": rank["spearman"], "base": sv.base,
                     "low": sv.low, "high": sv.high, "expected_at_low": sv.at_low,
                     "expected_at_high": sv.at_high, "breakeven": sv.first,
                     "n_switches": len(sv.switches), "note": sv.describe()})
    return pd.DataFrame(rows, columns=["parameter", "spearman", "base", "low", "high",
                                       "expected_at_low", "expected_at_high", "breakeven",
                                       "n_switches", "note"])


def declared_breakeven(model: Model, *, seed: int | None = None,
                       n: int = DEFAULT_BREAKEVEN_N) -> pd.DataFrame:
    """Break-even values of the parameters the model file names (``[model].breakeven``).

    Parameters
    ----------
    model : Model
    seed : int, optional
        With a seed: where *expected* society NPV over a common sample of n
        scenarios (chunk 0 of the run's seed) is zero.  Without: where the base
        case's society NPV is zero, every other parameter at its base case.
    n : int
        Scenarios in the common sample (with a seed).

    Returns
    -------
    DataFrame
        One row per declared parameter: ``parameter, base, low, high,
        expected_at_low, expected_at_high, breakeven`` (NaN: none in the range),
        ``n_switches, note, basis`` (``"base case"`` or ``"expected, n scenarios"``).
    """
    statistic = mean_statistic(model)
    point = None
    if seed is None:
        point = {k: np.array([float(v)]) for k, v in model.base_case().items()}
    rows = []
    for name in model.breakeven:
        sv = switching_values(model, name, statistic, seed=0 if seed is None else seed, n=n,
                              sample=point)
        rows.append({"parameter": name, "base": sv.base, "low": sv.low, "high": sv.high,
                     "expected_at_low": sv.at_low, "expected_at_high": sv.at_high,
                     "breakeven": sv.first, "n_switches": len(sv.switches),
                     "note": sv.describe() if seed is not None
                     else sv.describe("society NPV ≥ 0", "society NPV < 0"),
                     "basis": "base case" if seed is None
                     else f"expected, {sv.n} scenarios"})
    return pd.DataFrame(rows, columns=["parameter", "base", "low", "high", "expected_at_low",
                                       "expected_at_high", "breakeven", "n_switches", "note",
                                       "basis"])
