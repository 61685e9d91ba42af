"""Convergence of a run: how its estimates settle as N grows, and the N a precision needs.

For each output, over the run's own scenarios in their order (the figures of the
run, not of a new one), at checkpoints N = 100 ... n: the running mean, the
probability of loss ``P(X < 0)`` and the 5th percentile, each with its Monte
Carlo standard error (as :mod:`riskcalc.decision.measures` computes them:
``std / sqrt(N)``, ``sqrt(p (1 - p) / N)`` and the distribution-free quantile
error).  A **precision target** asks that the half-width of the 95 % interval,
``1.96 * se``, be at most a bound; standard errors fall as ``1 / sqrt(N)``, so the
N needed is ``N * (1.96 * se / bound) ** 2``.

Lives in ``decision/`` beside the risk measures whose standard errors it uses,
and because a precision is a decision about the run (how many scenarios are
enough); :func:`run_to_precision` drives the engine to meet one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from riskcalc.decision.measures import prob_se
from riskcalc.engine.kernel_cache import table_kernels
from riskcalc.engine.metrics import sorted_quantiles
from riskcalc.errors import ModelError

if TYPE_CHECKING:
    from riskcalc.model.objects import Model
    from riskcalc.results.result import SimulationResult

__all__ = ["STATISTICS", "Z95", "Target", "parse_target", "DEFAULT_TARGETS", "checkpoints",
           "convergence_outputs", "column_convergence", "convergence_table", "precision_table",
           "run_to_precision"]

#: The statistics a precision can be asked of.
STATISTICS = ("mean", "p_loss", "p05")
#: Half-width of a 95 % normal interval in standard errors.
Z95 = 1.959963984540054


@dataclass(frozen=True)
class Target:
    """A precision asked of one statistic of one output.

    Attributes
    ----------
    output : str
        ``npv_society``, ``npv_<actor>`` or ``roi``.
    statistic : {"mean", "p_loss", "p05"}
    bound : float
        The largest half-width of the 95 % interval accepted: a share of the
        estimate's magnitude when `relative`, else in the output's unit (a
        probability for ``p_loss``: 0.005 is 0.5 percentage points).
    relative : bool
    text : str
        As written, e.g. ``"npv_society.mean=1%"``.
    """

    output: str
    statistic: str
    bound: float
    relative: bool
    text: str

    def absolute(self, estimate: float) -> float:
        """The bound in the output's unit, given the current estimate."""
        return self.bound * abs(estimate) if self.relative else self.bound


_TARGET = re.compile(r"^(?:(?P<output>[A-Za-z_]\w*)\.)?(?P<stat>\w+)=(?P<value>[^=]+)$")


def parse_target(text: str) -> Target:
    """Read ``[OUTPUT.]STATISTIC=BOUND``: ``mean=1%``, ``municipality.p_loss=0.5pp``, ``p05=2e6``.

    OUTPUT is ``society`` (the default), an actor key, ``npv_...`` or ``roi``.
    BOUND is a share of the estimate (``1%``), percentage points (``0.5pp``, for
    ``p_loss``) or a number in the output's unit.

    Raises
    ------
    ModelError
        One line naming what is wrong and what would be right.
    """
    example = "e.g. mean=1%, p_loss=0.5pp, municipality.p05=2e6"
    match = _TARGET.match(text.strip().replace(" ", ""))
    if not match:
        raise ModelError(f"--precision {text!r}: write [OUTPUT.]STATISTIC=BOUND, {example}")
    output = match["output"] or "society"
    output = output if output == "roi" or output.startswith("npv_") else f"npv_{output}"
    stat, value = match["stat"], match["value"]
    if stat not in STATISTICS:
        raise ModelError(f"--precision {text!r}: unknown statistic {stat!r}; choose one of "
                         f"{', '.join(STATISTICS)}")
    unit = "pp" if value.endswith("pp") else "%" if value.endswith("%") else ""
    try:
        number = float(value[: len(value) - len(unit)])
    except ValueError:
        raise ModelError(f"--precision {text!r}: {value!r} is not a bound; {example}") from None
    if not (math.isfinite(number) and number > 0):
        raise ModelError(f"--precision {text!r}: the bound must be a positive number")
    if unit == "pp" and stat != "p_loss":
        raise ModelError(f"--precision {text!r}: percentage points (pp) bound a probability; "
                         f"use % or a number for {stat}")
    if unit == "" and stat == "p_loss" and number >= 1:
        raise ModelError(f"--precision {text!r}: a probability's bound is below 1; write "
                         "e.g. p_loss=0.5pp or p_loss=0.005")
    bound = number / 100 if unit else number
    return Target(output, stat, bound, unit == "%", text)


#: What the report's table says N must be for: the mean to ±1 %, P(loss) to ±0.5
#: percentage points and P5 to ±1 % (half-widths of 95 % intervals).
DEFAULT_TARGETS = ("mean=1%", "p_loss=0.5pp", "p05=1%")


def checkpoints(n: int, points: int = 25, start: int = 100) -> np.ndarray:
    """Geometrically spaced N from `start` (or n) up to n, always ending at n."""
    if n <= start:
        return np.array([n])
    return np.unique(np.round(np.geomspace(start, n, points)).astype(np.int64))


def _statistics(x: np.ndarray, ordered: np.ndarray | None = None,
                threshold: float | None = None,
                moments: tuple[float, float] | None = None) -> dict[str, float]:
    n = x.size
    if moments is None:
        moments = (x.mean(), x.std(ddof=1) if n > 1 else math.nan)
    q = _p05_levels(n)
    if ordered is None:
        return _row(n, *moments, np.count_nonzero(x < 0), _low_quantiles(x, q, threshold))
    # The caller has the values sorted: the same numbers without a pass or a sort.
    return _row(n, *moments, ordered.searchsorted(0.0, side="left"),
                sorted_quantiles(ordered, q))


def _p05_levels(n: int) -> list[float]:
    """P5 and the two quantiles of its distribution-free standard error
    (:func:`riskcalc.decision.measures.quantile_se`) over n values."""
    d = math.sqrt(0.05 * 0.95 / n)
    return [0.05, max(0.05 - d, 0.0), min(0.05 + d, 1.0)]


def _row(n: int, mean: float, std: float, negatives: int,
         quantiles: np.ndarray) -> dict[str, float]:
    """One checkpoint's estimates and standard errors."""
    p_loss = float(negatives) / n
    p05, lo, hi = quantiles
    return {"mean": float(mean), "se_mean": float(std / math.sqrt(n)) if n > 1 else math.nan,
            "p_loss": p_loss, "se_p_loss": prob_se(p_loss, n),
            "p05": float(p05), "se_p05": float(hi - lo) / 2}


def _low_quantiles(x: np.ndarray, q: list[float], threshold: float | None,
                   low: np.ndarray | None = None) -> np.ndarray:
    """``np.quantile(x, q)`` of finite `x`, partially sorting only the values at most
    `threshold` when enough of them lie there (the same numbers, a tenth of the work
    for low quantiles with a threshold near the tenth percentile).

    `low`, where the caller has them, are ``x[x <= threshold]`` (in any order); they
    are partially sorted in place.
    """
    n = x.size
    virtual = (n - 1) * np.asarray(q)
    below = np.floor(virtual).astype(np.intp)
    if threshold is not None and below.max() + 1 < n - 1:
        low = x[x <= threshold] if low is None else low
        # Every value below the (k+1)-th smallest of x is in `low` when `low` holds
        # more than k values: so the k-th smallest of each is the same.
        if low.size > below.max() + 1:
            low.partition(np.unique(np.concatenate([below, below + 1])))
            return sorted_quantiles(low, q, size=n)
    return np.quantile(x, q)


def convergence_outputs(names: Iterable[str]) -> list[str]:
    """The outputs a convergence table follows by default, of the run's `names`:
    every ``npv_<actor>``, ``npv_society`` and ``roi``."""
    names = list(names)
    return [k for k in names if k.startswith("npv_") and not k.startswith("npv_kind_")] + (
        ["roi"] if "roi" in names else [])


def column_convergence(name: str, x: np.ndarray, points: int = 25, *,
                       ordered: np.ndarray | None = None,
                       moments: tuple[float, float] | None = None) -> list[dict[str, Any]]:
    """The rows of :func:`convergence_table` for one output.

    Parameters
    ----------
    name : str
    x : ndarray, shape (n,)
        The output's finite values, in the run's order.
    points : int
    ordered : ndarray, shape (n,), optional
        `x` sorted, where the caller has it: the largest checkpoint needs no
        partial sort, and the others partially sort only the values below the
        run's tenth percentile (the same numbers).
    moments : (float, float), optional
        ``x.mean()`` and ``x.std(ddof=1)``, where the caller has them (a summary
        row): the largest checkpoint does not compute them again.
    """
    threshold = None if ordered is None else ordered[(ordered.size - 1) // 10]
    sizes = checkpoints(x.size, points)
    fused = None if ordered is None else table_kernels(x)
    rows = (_fused_checkpoints(fused, x, sizes[:-1], threshold, ordered) if fused is not None
            else [_statistics(x[:n], None, threshold) for n in sizes[:-1]])
    rows.append(_statistics(x, ordered, threshold, moments))
    return [{"output": name, "n": int(n), **row} for n, row in zip(sizes, rows, strict=True)]


def _fused_checkpoints(fused: Any, x: np.ndarray, sizes: np.ndarray, threshold: float,
                       ordered: np.ndarray) -> list[dict[str, float]]:
    """:func:`_statistics` of each prefix ``x[:n]`` (n in `sizes`, below x.size), from
    one call of the compiled reductions (:mod:`riskcalc.engine.reductions`): the
    same numbers without a temporary column per prefix."""
    k = sizes.size
    means, stds = np.empty(k), np.empty(k)
    negatives, lows = np.empty(k, dtype=np.int64), np.empty(k, dtype=np.int64)
    # Room for every value at most the threshold (the prefixes' in their order), and
    # the one spare place the kernel writes to.
    low = np.empty(ordered.searchsorted(threshold, side="right") + 1)
    fused.prefix_statistics(x, sizes.astype(np.int64), threshold, means, stds, negatives,
                            lows, low)
    scratch = np.empty_like(low)  # partially sorted in place, one prefix after the other
    rows = []
    for i, n in enumerate(sizes):
        mine = scratch[:lows[i]]
        mine[:] = low[:lows[i]]
        rows.append(_row(int(n), means[i], stds[i], negatives[i],
                         _low_quantiles(x[:n], _p05_levels(n), threshold, mine)))
    return rows


class _Columns(Mapping[str, np.ndarray]):
    """Output columns over the finite scenarios, each read when asked for.

    A streamed run reads its columns from disk; reading them one at a time keeps
    one column in memory, not every output of every scenario.
    """

    def __init__(self, source: Mapping[str, np.ndarray], keep: np.ndarray | None,
                 names: Sequence[str]):
        self._source, self._keep, self._names = source, keep, list(names)

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self._names:
            raise KeyError(name)
        values = np.asarray(self._source[name])
        return np.asarray(values if self._keep is None else values[self._keep], dtype=float)

    def __contains__(self, name: object) -> bool:  # without reading the column
        return name in self._names

    def __iter__(self):
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def _outputs(result: SimulationResult | Mapping[str, np.ndarray],
             outputs: Sequence[str] | None) -> Mapping[str, np.ndarray]:
    columns = result if isinstance(result, Mapping) else result.outputs
    names = outputs or convergence_outputs(columns)
    keep = None if isinstance(result, Mapping) else result.finite
    return _Columns(columns, keep, [k for k in names if k in columns] if outputs is None
                    else names)


def convergence_table(result: SimulationResult | Mapping[str, np.ndarray], *,
                      outputs: Sequence[str] | None = None, points: int = 25) -> pd.DataFrame:
    """Running estimates and their standard errors as N grows over the run's scenarios.

    Parameters
    ----------
    result : SimulationResult or mapping of str to ndarray
        The run (its finite scenarios, in order), or output columns.
    outputs : sequence of str, optional
        Default: every ``npv_<actor>``, ``npv_society`` and ``roi``.
    points : int
        Checkpoints (geometric from N = 100).

    Returns
    -------
    DataFrame
        ``output, n, mean, se_mean, p_loss, se_p_loss, p05, se_p05``; one row per
        output and checkpoint, the last at the run's N.
    """
    rows = []
    for name, x in _outputs(result, outputs).items():
        rows += column_convergence(name, x, points)
    return pd.DataFrame(rows)


def precision_table(result: SimulationResult | Mapping[str, np.ndarray],
                    targets: Sequence[Target | str] = DEFAULT_TARGETS, *,
                    outputs: Sequence[str] | None = None,
                    convergence: pd.DataFrame | None = None) -> pd.DataFrame:
    """Whether each precision target holds at the run's N, and the N it needs.

    A target without an output (``mean=1%``) applies to every output in
    `outputs` (default: society's NPV); one with an output to that one.

    Returns
    -------
    DataFrame
        ``output, statistic, target, n, estimate, se, half_width, bound, n_needed,
        met``: ``half_width = 1.96 se``, ``bound`` the target in the output's unit,
        ``n_needed = ceil(n (half_width / bound)^2)`` (NaN where the bound is 0,
        e.g. a relative target on an estimate of 0).

    `convergence`, the run's :func:`convergence_table`, supplies the statistics at
    the run's N (its last row per output) so that no column is read twice.
    """
    parsed = [parse_target(t) if isinstance(t, str) else t for t in targets]
    columns = _outputs(result, None)
    computed: dict[str, dict[str, float]] = {}
    if convergence is not None:
        last = convergence.groupby("output", sort=False).tail(1)
        computed = {row.pop("output"): row for row in last.to_dict("records")}
    rows = []
    for target in parsed:
        named = "." in target.text.split("=")[0]
        names = [target.output] if named else (outputs or [target.output])
        for name in names:
            if name not in columns:
                raise ModelError(f"--precision {target.text!r}: the run has no output {name!r}; "
                                 f"choose one of {', '.join(columns)}")
            if name not in computed:
                x = columns[name]
                computed[name] = {"n": x.size, **_statistics(x)}
            stats = computed[name]
            size = int(stats["n"])
            estimate, se = stats[target.statistic], stats[f"se_{target.statistic}"]
            bound = target.absolute(estimate)
            half = Z95 * se
            needed = (math.ceil(size * (half / bound) ** 2) if bound > 0
                      else (0 if half == 0 else math.nan))
            rows.append({"output": name, "statistic": target.statistic,
                         "target": target.text.split("=", 1)[1], "n": size,
                         "estimate": estimate, "se": se, "half_width": half, "bound": bound,
                         "n_needed": needed, "met": bool(half <= bound)})
    return pd.DataFrame(rows)


def run_to_precision(model: Model, targets: Sequence[Target | str], *, n: int = 20_000,
                     max_n: int = 10_000_000, seed: int | None = None,
                     simulate: Callable[..., SimulationResult] | None = None,
                     on_round: Callable[[SimulationResult, pd.DataFrame], Any] | None = None,
                     **simulate_kwargs: Any) -> tuple[SimulationResult, pd.DataFrame]:
    """Simulate, adding whole chunks of scenarios until every target holds (or `max_n`).

    Chunk k of a run is seeded by its index (SeedSequence(seed, spawn_key=(k, ...))),
    so a run of N scenarios starts with the scenarios of any shorter run of the
    same seed: the result is the run ``simulate(model, N_final, seed=seed)`` would
    give, whatever the rounds were.  Each round asks for the N the standard errors
    say is needed (with 10 % to spare), rounded up to whole chunks, and at least
    one chunk more.

    Parameters
    ----------
    model : Model
    targets : sequence of Target or str
        See :func:`parse_target`.
    n : int
        Scenarios of the first round.
    max_n : int
        Never more scenarios than this; the last round's table then says which
        targets are not met.
    seed : int, optional
        Drawn by the first round when omitted (and kept for the next).
    simulate : callable, optional
        :func:`riskcalc.engine.simulation.simulate` (the default) or a stand-in.
    on_round : callable, optional
        Called with each round's result and precision table (progress messages).
    **simulate_kwargs
        Passed on (n_jobs, backend, out_dir, chunk_size ...).

    Returns
    -------
    (SimulationResult, DataFrame)
        The last round's result and its :func:`precision_table`.
    """
    from riskcalc.engine.compiled import DEFAULT_CHUNK_SIZE

    if simulate is None:
        from riskcalc.engine.simulation import simulate

    parsed = [parse_target(t) if isinstance(t, str) else t for t in targets]
    chunk = int(simulate_kwargs.get("chunk_size", DEFAULT_CHUNK_SIZE))
    n = min(n, max_n)
    while True:
        result = simulate(model, n, seed=seed, **simulate_kwargs)
        seed = result.seed
        table = precision_table(result, parsed)
        if on_round is not None:
            on_round(result, table)
        if table["met"].all() or n >= max_n:
            return result, table
        needed = float(np.nanmax(table["n_needed"].to_numpy(dtype=float)))
        wanted = max(math.ceil(1.1 * needed), n + 1) if math.isfinite(needed) else 2 * n
        n = min(max_n, -(-wanted // chunk) * chunk)
