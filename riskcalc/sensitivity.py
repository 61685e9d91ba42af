"""Sensitivity analysis: Sobol' indices, Morris screening and one-at-a-time tornado.

Which assumptions drive society's return, and each actor's net position?

* :func:`sobol_analysis` — variance-based indices S1, ST (and S2) with bootstrap
  intervals, for every actor's NPV, society's NPV and ROI at once.  The design is
  SALib's Saltelli extension of a scrambled Sobol' sequence in the unit cube,
  mapped through each input's inverse CDF (:func:`riskcalc.sampling.from_unit_cube`)
  and evaluated by the same chunked, parallel engine as a Monte Carlo run.
* :func:`sobol_indices` — the estimators alone, for any outputs ``Y`` of a
  :func:`sobol_design`: Saltelli et al. (2010) for S1, Jansen (1999) for ST,
  Saltelli (2002) for S2, exactly as :func:`SALib.analyze.sobol.analyze`
  computes them (same normalisation, same bootstrap resamples for a given
  seed), but for all outputs at once: each bootstrap mean is a weighted mean
  whose weights are how often each row was drawn, so one matrix product gives
  every resample of every index.
* :func:`morris_analysis` — elementary effects (mu, mu*, sigma) on SALib's
  Morris trajectories, for screening many inputs cheaply.
* :func:`tornado_analysis` — each input swung from its P10 to its P90 with the
  others at their base case.

Results are frozen dataclasses with DataFrame views and a ``write`` method
(files written atomically, the JSON manifest last).  Nothing here prints or
plots; figures are in :mod:`riskcalc.plots.sensitivity`.

The inputs of a design are :func:`riskcalc.sampling.design_inputs`: the
uncertain parameters and, in a model with declared regimes, the regime itself.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import math
import time
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from riskcalc.engine import DEFAULT_CHUNK_SIZE, output_columns
from riskcalc.errors import ModelError
from riskcalc.files import atomic_write, write_json
from riskcalc.model import Model
from riskcalc.result import package_versions
from riskcalc.sampling import design_inputs, from_unit_cube
from riskcalc.simulation import evaluate_points

__all__ = [
    "SobolIndices",
    "SobolResult",
    "MorrisResult",
    "TornadoResult",
    "default_outputs",
    "read_groups",
    "check_groups",
    "sobol_design",
    "sobol_indices",
    "sobol_analysis",
    "morris_analysis",
    "tornado_analysis",
]

#: Below this variance (of the normalised output) an index is 0, as in SALib.
_EPS = np.finfo(float).eps
#: Columns of the per-pair products built at once (bounds memory for many inputs).
_PAIR_BLOCK = 256


# -- inputs, outputs and groups -------------------------------------------------------------


def default_outputs(model: Model) -> list[str]:
    """The outputs analysed by default: every actor's NPV, society's NPV and ROI."""
    return [*(f"npv_{a}" for a in model.actor_keys), "npv_society", "roi"]


def _did_you_mean(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    if close:
        return f"did you mean {close[0]!r}?"
    return "expected one of: " + ", ".join(choices)


def _resolve_outputs(model: Model, outputs: Sequence[str] | None) -> list[str]:
    """Output column names; an actor key or ``society`` stands for its ``npv_`` column."""
    if outputs is None:
        return default_outputs(model)
    if isinstance(outputs, str):
        outputs = [outputs]
    columns = output_columns(model)
    resolved = []
    for name in outputs:
        column = name if name in columns else f"npv_{name}"
        if column not in columns:
            raise ModelError(f"{model.source}: unknown output {name!r}; "
                             f"{_did_you_mean(name, columns)}")
        if column not in resolved:
            resolved.append(column)
    if not resolved:
        raise ModelError(f"{model.source}: no outputs to analyse; choose from "
                         + ", ".join(columns))
    return resolved


def _inputs(model: Model) -> list[str]:
    inputs = design_inputs(model)
    if not inputs:
        raise ModelError(f"{model.source}: the model has no uncertain parameters, so there "
                         "is nothing to analyse; give at least one a distribution")
    return inputs


def check_groups(groups: Mapping[str, Sequence[str]], inputs: Sequence[str], *,
                 source: str = "groups") -> dict[str, tuple[str, ...]]:
    """Validate groups of inputs and complete them with one group per ungrouped input.

    Parameters
    ----------
    groups : mapping of str to sequence of str
        Group name → the inputs (parameter names) it holds.
    inputs : sequence of str
        The design's inputs (:func:`riskcalc.sampling.design_inputs`).
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
    group_of: dict[str, str] = {}
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
                                 f"{_did_you_mean(str(member), inputs)}")
            if member in group_of:
                raise ModelError(f"{where}: {member!r} is already in group "
                                 f"{group_of[member]!r}; an input belongs to one group")
            group_of[member] = name
        if name in inputs and group_of.get(name) != name:
            raise ModelError(f"{where}: {name!r} is also the name of an input outside the "
                             "group; give the group another name")
    result: dict[str, list[str]] = {}
    for name in inputs:
        result.setdefault(group_of.get(name, name), []).append(name)
    return {g: tuple(members) for g, members in result.items()}


def read_groups(path: str | Path, model: Model) -> dict[str, tuple[str, ...]]:
    """Read a groups file: a TOML table ``[groups]`` of ``name = ["param", ...]``.

    Parameters
    ----------
    path : str or Path
    model : Model
        The inputs it may name are :func:`riskcalc.sampling.design_inputs`.

    Returns
    -------
    dict of str to tuple of str
        As :func:`check_groups`.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except OSError as exc:
        raise ModelError(f"{path}: cannot read the groups file ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise ModelError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ModelError(f"{path}: TOML syntax error: {exc}") from exc
    for key in data:
        if key != "groups":
            raise ModelError(f"{path}: [{key}]: unknown table; a groups file holds one "
                             'table, [groups], of name = ["parameter", ...]')
    groups = data.get("groups")
    if not isinstance(groups, dict) or not groups:
        raise ModelError(f'{path}: [groups]: missing or empty; write name = ["parameter", ...]')
    return check_groups(groups, _inputs(model), source=str(path))


def _check_seed(seed: int | None) -> int:
    if seed is None:
        return int(np.random.SeedSequence().entropy)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative whole number, got {seed!r}")
    return int(seed)


def _check_bootstrap(num_resamples: int, conf_level: float) -> None:
    if isinstance(num_resamples, bool) or not isinstance(num_resamples, (int, np.integer)) \
            or num_resamples < 2:
        raise ModelError(f"the number of bootstrap resamples must be a whole number ≥ 2, "
                         f"got {num_resamples!r}")
    if not 0 < conf_level < 1:
        raise ModelError(f"the confidence level must lie strictly between 0 and 1, "
                         f"got {conf_level!r}")


def _correlation_warning(model: Model, method: str) -> list[str]:
    correlations = getattr(model, "correlations", ())
    if not correlations:
        return []
    names = getattr(correlations, "names", ())
    which = f" between {', '.join(names)}" if names else ""
    return [f"the model declares correlations{which}; {method} assumes independent inputs, "
            "so the design ignores them and the results describe the model with "
            "uncorrelated inputs"]


def _finite_outputs(model: Model, values: Mapping[str, np.ndarray],
                    outputs: Sequence[str]) -> np.ndarray:
    """Stack the outputs as columns (n_evals, n_outputs); refuse non-finite values."""
    y = np.column_stack([np.asarray(values[o], dtype=float) for o in outputs])
    bad = ~np.isfinite(y)
    if bad.any():
        j = int(np.flatnonzero(bad.any(axis=0))[0])
        why = " (NaN means no payback within the horizon)" if outputs[j] == "payback_year" else ""
        raise ModelError(f"{model.source}: output {outputs[j]!r} is not finite at "
                         f"{int(bad[:, j].sum())} of {len(y)} design points{why}; sensitivity "
                         "indices need a number at every point, so leave it out of the outputs")
    return y


def _evaluate(model: Model, points: Mapping[str, np.ndarray], outputs: Sequence[str],
              engine: Mapping[str, Any]) -> np.ndarray:
    return _finite_outputs(model, evaluate_points(model, points, **engine), outputs)


# -- Sobol': design and estimators -----------------------------------------------------------


def _check_power_of_two(n: int, what: str = "N") -> None:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ModelError(f"{what} must be a whole number ≥ 2 (a power of two), got {n!r}")
    if n & (n - 1):
        low = 1 << (int(n).bit_length() - 1)
        raise ModelError(f"{what} must be a power of two (Sobol' points are balanced only "
                         f"then), got {n}; use {low} or {2 * low}")


def _steps(n_groups: int, second_order: bool) -> int:
    """Rows of the design per base point: A, the AB blocks, (the BA blocks), B."""
    return 2 * n_groups + 2 if second_order else n_groups + 2


def sobol_design(n_inputs: int, n: int, *, second_order: bool = False,
                 groups: Sequence[str] | None = None,
                 seed: int | np.random.Generator | np.random.SeedSequence | None = None
                 ) -> np.ndarray:
    """Saltelli's design on a scrambled Sobol' sequence in the unit cube (SALib's sampler).

    Parameters
    ----------
    n_inputs : int
        D, the number of inputs.
    n : int
        N, base points; a power of two.
    second_order : bool
        Add the BA blocks that second-order indices need.
    groups : sequence of str, optional
        The group of each input (length D); G groups move together.
    seed : int, Generator or SeedSequence, optional
        Scrambling of the Sobol' sequence.

    Returns
    -------
    ndarray, shape (N * (2G + 2), D) or (N * (G + 2), D)
        Rows in SALib's order: for each base point, A, the G blocks AB_k,
        (the G blocks BA_k), B.  G = D without groups.
    """
    from SALib.sample import sobol as salib_sobol

    _check_power_of_two(n)
    if isinstance(seed, np.random.SeedSequence):
        seed = np.random.default_rng(seed)
    problem = {"num_vars": int(n_inputs), "names": [f"x{i}" for i in range(n_inputs)],
               "bounds": [[0.0, 1.0]] * int(n_inputs)}
    if groups is not None:
        problem["groups"] = list(groups)
    return salib_sobol.sample(problem, int(n), calc_second_order=second_order, scramble=True,
                              seed=seed)


@dataclass(frozen=True, eq=False)
class SobolIndices:
    """Sobol' indices of several outputs estimated on one design.

    Indices are shares of the output's variance; every ``*_conf`` is the
    half-width of the bootstrap confidence interval at `conf_level`
    (Z times the standard deviation over the resamples, as in SALib).

    Attributes
    ----------
    S1, S1_conf, ST, ST_conf : ndarray, shape (n_outputs, D)
    S2, S2_conf : ndarray, shape (n_outputs, D, D), or None
        Entry [o, j, k] for j < k; NaN elsewhere (SALib's layout).
    S1_sum, S1_sum_conf, ST_sum, ST_sum_conf : ndarray, shape (n_outputs,)
        Sum over the inputs, with its own bootstrap interval.
    constant : ndarray of bool, shape (n_outputs,)
        Outputs that do not vary; their indices are 0.
    n : int
        N, base points of the design.
    num_resamples : int
    conf_level : float
    """

    S1: np.ndarray
    S1_conf: np.ndarray
    ST: np.ndarray
    ST_conf: np.ndarray
    S2: np.ndarray | None
    S2_conf: np.ndarray | None
    S1_sum: np.ndarray
    S1_sum_conf: np.ndarray
    ST_sum: np.ndarray
    ST_sum_conf: np.ndarray
    constant: np.ndarray
    n: int
    num_resamples: int
    conf_level: float

    @property
    def n_outputs(self) -> int:
        """Number of outputs."""
        return self.S1.shape[0]

    @property
    def n_inputs(self) -> int:
        """D, number of inputs (or groups)."""
        return self.S1.shape[1]


def _bootstrap_weights(n: int, num_resamples: int, rng: np.random.Generator
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Row weights (1 + R, N): all ones, then how often resample b drew each row.

    The resamples are ``rng.integers(N, size=(N, R))``: SALib's with
    ``seed=s`` when ``rng = np.random.default_rng(s)``.
    """
    draws = rng.integers(n, size=(n, num_resamples))
    counts = np.bincount((draws + n * np.arange(num_resamples)).ravel(),
                         minlength=n * num_resamples).reshape(num_resamples, n)
    weights = np.empty((num_resamples + 1, n))
    weights[0] = 1.0
    weights[1:] = counts
    return weights, counts.any(axis=0)


def _ratio(numerator: np.ndarray, variance: np.ndarray) -> np.ndarray:
    """numerator / variance per resample row, 0 where the variance vanishes (as SALib)."""
    ok = variance > _EPS
    safe = np.where(ok, variance, 1.0)
    return np.where(ok[:, None], numerator / safe[:, None], 0.0)


def _one_output(y: np.ndarray, d: int, n: int, second_order: bool, weights: np.ndarray,
                used: np.ndarray, z: float) -> dict[str, np.ndarray]:
    """Point estimates and bootstrap half-widths of one (non-constant) output."""
    step = _steps(d, second_order)
    y = (y - y.mean()) / y.std()  # SALib's normalisation, to the bit
    rows = y.reshape(n, step)
    a, b = rows[:, 0], rows[:, -1]
    ab = rows[:, 1:d + 1]
    # Means over N rows for the point estimate (weights row 0) and every resample.
    base = np.column_stack([a, b, a * a, b * b, b[:, None] * (ab - a[:, None]),
                            0.5 * (a[:, None] - ab) ** 2])
    m = weights @ base / n
    mean = 0.5 * (m[:, 0] + m[:, 1])
    variance = 0.5 * (m[:, 2] + m[:, 3]) - mean * mean
    s1 = _ratio(m[:, 4:4 + d], variance)
    st = _ratio(m[:, 4 + d:4 + 2 * d], variance)
    both = np.concatenate([a, b])
    if np.ptp(both) <= _EPS:  # SALib: no spread in A and B, every index 0
        s1[0], st[0] = 0.0, 0.0
    spread = np.ptp(np.concatenate([a[used], b[used]]))
    boot_ok = spread > _EPS

    def conf(boot: np.ndarray) -> np.ndarray:
        return z * boot.std(axis=0, ddof=1) if boot_ok else np.zeros(boot.shape[1:])

    out = {"S1": s1[0], "S1_conf": conf(s1[1:]), "ST": st[0], "ST_conf": conf(st[1:]),
           "S1_sum": s1[0].sum(), "S1_sum_conf": conf(s1[1:].sum(axis=1, keepdims=True))[0],
           "ST_sum": st[0].sum(), "ST_sum_conf": conf(st[1:].sum(axis=1, keepdims=True))[0]}
    if second_order:
        ba = rows[:, d + 1:2 * d + 1]
        s2 = np.full((d, d), np.nan)
        s2_conf = np.full((d, d), np.nan)
        j_all, k_all = np.triu_indices(d, k=1)
        ab_prod = a * b
        for start in range(0, len(j_all), _PAIR_BLOCK):
            j, k = j_all[start:start + _PAIR_BLOCK], k_all[start:start + _PAIR_BLOCK]
            v = _ratio(weights @ (ba[:, j] * ab[:, k] - ab_prod[:, None]) / n, variance)
            pair = v - s1[:, j] - s1[:, k]
            if np.ptp(both) <= _EPS:
                pair[0] = 0.0
            s2[j, k] = pair[0]
            s2_conf[j, k] = conf(pair[1:])
        out["S2"], out["S2_conf"] = s2, s2_conf
    return out


def sobol_indices(y: np.ndarray, d: int, n: int, *, second_order: bool = False,
                  num_resamples: int = 100, conf_level: float = 0.95,
                  rng: np.random.Generator | int | np.random.SeedSequence | None = None
                  ) -> SobolIndices:
    """Sobol' indices with bootstrap intervals, for many outputs of one design at once.

    The estimators and intervals are those of :func:`SALib.analyze.sobol.analyze`
    (each output normalised to mean 0 and standard deviation 1 first): S1 after
    Saltelli et al. (2010), ST after Jansen (1999), S2 after Saltelli (2002);
    the interval half-width is ``norm.ppf(0.5 + conf_level / 2)`` times the
    standard deviation (ddof 1) of the index over `num_resamples` bootstrap
    resamples of the N base points.  The resamples are
    ``rng.integers(N, size=(N, num_resamples))``, shared by all outputs: with
    ``rng = np.random.default_rng(s)`` they are the ones SALib draws with
    ``seed=s``, and the results agree with SALib's to rounding (1e-12).

    Parameters
    ----------
    y : ndarray, shape (n_evals,) or (n_evals, n_outputs)
        Model outputs at the rows of :func:`sobol_design`, in its order;
        n_evals = N (2D + 2) with second order, N (D + 2) without.
    d : int
        D, the number of inputs (the number of groups when grouped).
    n : int
        N, base points of the design.
    second_order : bool
        Whether the design has the BA blocks; then S2 is estimated.
    num_resamples : int
        Bootstrap resamples (≥ 2).
    conf_level : float
        Confidence level of the intervals, in (0, 1).
    rng : Generator, int or SeedSequence, optional
        Source of the bootstrap resamples.

    Returns
    -------
    SobolIndices
    """
    y = np.asarray(y, dtype=float)
    if y.ndim == 1:
        y = y[:, None]
    step = _steps(d, second_order)
    if y.ndim != 2 or y.shape[0] != n * step:
        raise ValueError(f"y has shape {y.shape}; a design of N = {n} for D = {d} inputs "
                         f"{'with' if second_order else 'without'} second order has "
                         f"N * {step} = {n * step} rows")
    if not np.isfinite(y).all():
        raise ValueError("y holds values that are not finite; Sobol' indices need a number "
                         "at every design point")
    if not 0 < conf_level < 1:
        raise ValueError(f"conf_level must lie in (0, 1), got {conf_level!r}")
    if isinstance(num_resamples, bool) or not isinstance(num_resamples, (int, np.integer)) \
            or num_resamples < 2:
        raise ValueError(f"num_resamples must be a whole number ≥ 2, got {num_resamples!r}")
    weights, used = _bootstrap_weights(n, int(num_resamples), np.random.default_rng(rng))
    z = float(norm.ppf(0.5 + conf_level / 2))
    n_out = y.shape[1]
    keys = ["S1", "S1_conf", "ST", "ST_conf"]
    fields = {k: np.zeros((n_out, d)) for k in keys}
    fields.update({k: np.zeros(n_out) for k in ("S1_sum", "S1_sum_conf", "ST_sum",
                                                   "ST_sum_conf")})
    if second_order:
        zero_pairs = np.full((d, d), np.nan)
        zero_pairs[np.triu_indices(d, k=1)] = 0.0
        fields["S2"] = np.repeat(zero_pairs[None], n_out, axis=0)
        fields["S2_conf"] = fields["S2"].copy()
    constant = np.zeros(n_out, dtype=bool)
    for o in range(n_out):
        column = np.ascontiguousarray(y[:, o])
        if np.ptp(column) == 0.0:
            constant[o] = True
            continue
        for key, value in _one_output(column, d, n, second_order, weights, used, z).items():
            fields[key][o] = value
    return SobolIndices(S2=fields.pop("S2", None), S2_conf=fields.pop("S2_conf", None),
                        constant=constant, n=int(n), num_resamples=int(num_resamples),
                        conf_level=float(conf_level), **fields)


def _from_b_mask(group_index: np.ndarray, n_groups: int, second_order: bool) -> np.ndarray:
    """Which input columns each row of a base point takes from B, shape (step, D)."""
    moved = group_index[None, :] == np.arange(n_groups)[:, None]  # (G, D)
    blocks = [np.zeros((1, len(group_index)), bool), moved]
    if second_order:
        blocks.append(~moved)
    blocks.append(np.ones((1, len(group_index)), bool))
    return np.vstack(blocks)


def _design_points(model: Model, unit: np.ndarray, inputs: Sequence[str], n: int,
                   from_b: np.ndarray) -> dict[str, np.ndarray]:
    """Parameter values at every row of a Saltelli design.

    Each row's column j is column j of A or of B of its base point, so when every
    input is a parameter mapped through its own inverse CDF only the 2N values of
    A and B are mapped (2N instead of N (2D + 2) inverse CDFs per input) and
    copied into place; the result equals mapping the whole design.  Otherwise
    (a regime input changes other parameters' distributions) the whole design
    is mapped.
    """
    if not all(name in model.parameters for name in inputs):
        return from_unit_cube(model, unit, inputs)
    step = from_b.shape[0]
    at_a = from_unit_cube(model, unit[0::step], inputs)
    at_b = from_unit_cube(model, unit[step - 1::step], inputs)
    points = {}
    for name, values in at_a.items():
        if name not in inputs:
            points[name] = np.full(n * step, values[0])  # at base case, like every row
            continue
        column = np.empty((n, step))
        take_b = from_b[:, inputs.index(name)]
        column[:, take_b] = at_b[name][:, None]
        column[:, ~take_b] = values[:, None]
        points[name] = column.ravel()
    return points


# -- Sobol' results --------------------------------------------------------------------------


_LATEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
                  "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
                  "^": r"\textasciicircum{}"}


def _latex_escape(text: str) -> str:
    """Text with LaTeX's special characters escaped."""
    return "".join(_LATEX_SPECIAL.get(char, char) for char in str(text))


@dataclass(frozen=True, eq=False)
class SobolResult:
    """Sobol' indices of a model's outputs, with what it takes to reproduce them.

    Attributes
    ----------
    model : Model
    outputs : tuple of str
        Output columns analysed (``npv_<actor>``, ``npv_society``, ``roi``, ...).
    inputs : tuple of str
        What the indices are of: the design's inputs, or the groups.
    groups : dict of str to tuple of str
        Each entry of `inputs` → the parameters it moves (itself when ungrouped).
    indices : SobolIndices
        Arrays of shape (len(outputs), len(inputs)).
    seed : int
        ``SeedSequence(seed).spawn(2)`` gives the design's scrambling and the
        bootstrap's streams.
    n : int
        N, base points.
    second_order : bool
    n_evaluations : int
        N (2G + 2) with second order, N (G + 2) without.
    warnings : tuple of str
        Diagnostics worth reading before using the indices.
    convergence : DataFrame or None
        Indices at N/8, N/4, N/2 and N (nested prefixes of the one design).
    timings : dict of str to float
        Seconds: design, inverse CDFs, evaluation, analysis, total.
    environment : dict
        Workers and backend of the evaluation.
    """

    model: Model
    outputs: tuple[str, ...]
    inputs: tuple[str, ...]
    groups: dict[str, tuple[str, ...]]
    indices: SobolIndices
    seed: int
    n: int
    second_order: bool
    n_evaluations: int
    warnings: tuple[str, ...] = ()
    convergence: pd.DataFrame | None = None
    timings: dict[str, float] = field(default_factory=dict)
    environment: dict[str, Any] = field(default_factory=dict)

    @property
    def table(self) -> pd.DataFrame:
        """Tidy S1 and ST: ``output, parameter, S1, S1_conf, ST, ST_conf``."""
        n_in = len(self.inputs)
        ix = self.indices
        return pd.DataFrame({
            "output": np.repeat(self.outputs, n_in),
            "parameter": np.tile(self.inputs, len(self.outputs)),
            "S1": ix.S1.ravel(), "S1_conf": ix.S1_conf.ravel(),
            "ST": ix.ST.ravel(), "ST_conf": ix.ST_conf.ravel(),
        })

    @property
    def second_order_table(self) -> pd.DataFrame:
        """Tidy S2: ``output, parameter_1, parameter_2, S2, S2_conf`` (empty without it)."""
        columns = ["output", "parameter_1", "parameter_2", "S2", "S2_conf"]
        if self.indices.S2 is None:
            return pd.DataFrame(columns=columns)
        j, k = np.triu_indices(len(self.inputs), k=1)
        names = np.asarray(self.inputs, dtype=object)
        return pd.DataFrame({
            "output": np.repeat(self.outputs, len(j)),
            "parameter_1": np.tile(names[j], len(self.outputs)),
            "parameter_2": np.tile(names[k], len(self.outputs)),
            "S2": self.indices.S2[:, j, k].ravel(),
            "S2_conf": self.indices.S2_conf[:, j, k].ravel(),
        }, columns=columns)

    def matrix(self, index: str = "ST") -> pd.DataFrame:
        """One index as a table: rows the inputs, columns the outputs.

        Parameters
        ----------
        index : {"S1", "ST", "S1_conf", "ST_conf"}
        """
        valid = ("S1", "ST", "S1_conf", "ST_conf")
        if index not in valid:
            raise ValueError(f"unknown index {index!r}; expected one of {valid}")
        return pd.DataFrame(getattr(self.indices, index).T, index=list(self.inputs),
                            columns=list(self.outputs))

    def to_latex(self, *, outputs: Sequence[str] | None = None, digits: int = 3,
                 labels: Mapping[str, str] | None = None, caption: str | None = None,
                 label: str = "tab:sobol") -> str:
        """A LaTeX table of S1 and ST with interval half-widths (needs ``booktabs``).

        Parameters
        ----------
        outputs : sequence of str, optional
            Which outputs, default all.
        digits : int
            Decimals shown.
        labels : mapping of str to str, optional
            Display names of outputs and parameters (e.g. Swedish).
        caption, label : str
        """
        names = dict(labels or {})
        shown = list(self.outputs if outputs is None else outputs)
        level = round(100 * self.indices.conf_level)
        caption = caption or (f"Sobol' indices of {_latex_escape(self.model.name)}: "
                              "first order $S_1$ and "
                              f"total $S_T$ with {level}\\,\\% bootstrap intervals "
                              f"($N = {self.n}$, {self.n_evaluations} model evaluations).")
        lines = [r"% riskcalc sobol; needs \usepackage{booktabs}", r"\begin{table}[htbp]",
                 r"\centering", rf"\caption{{{caption}}}", rf"\label{{{label}}}",
                 r"\begin{tabular}{llrrrr}", r"\toprule",
                 r"Output & Parameter & $S_1$ & $\pm$ & $S_T$ & $\pm$ \\", r"\midrule"]
        table = self.table
        for i, output in enumerate(shown):
            rows = table[table["output"] == output]
            if i:
                lines.append(r"\midrule")
            for r, row in enumerate(rows.itertuples(index=False)):
                head = _latex_escape(names.get(output, output)) if r == 0 else ""
                lines.append(f"{head} & {_latex_escape(names.get(row.parameter, row.parameter))}"
                             f" & {row.S1:.{digits}f} & {row.S1_conf:.{digits}f}"
                             f" & {row.ST:.{digits}f} & {row.ST_conf:.{digits}f} \\\\")
        lines += [r"\bottomrule", r"\end{tabular}", r"\end{table}", ""]
        return "\n".join(lines)

    def manifest(self) -> dict[str, Any]:
        """What a reader needs to reproduce the indices."""
        return {
            "method": "sobol",
            "model": {"name": self.model.name, "source": self.model.source,
                      "sha256": self.model.sha256},
            "n": self.n,
            "seed": self.seed,
            "seed_streams": "SeedSequence(seed).spawn(2): [0] scrambles SALib's Sobol' "
                            "sampler, [1] draws the bootstrap resamples",
            "second_order": self.second_order,
            "n_evaluations": self.n_evaluations,
            "num_resamples": self.indices.num_resamples,
            "conf_level": self.indices.conf_level,
            "estimators": {"S1": "Saltelli et al. 2010", "ST": "Jansen 1999",
                           "S2": "Saltelli 2002", "conf": "bootstrap, Z * std (SALib)"},
            "sampler": "SALib.sample.sobol.sample(scramble=True)",
            "inputs": list(self.inputs),
            "groups": {g: list(m) for g, m in self.groups.items()},
            "outputs": list(self.outputs),
            "constant_outputs": [o for o, c in zip(self.outputs, self.indices.constant,
                                                   strict=True) if c],
            "warnings": list(self.warnings),
            "environment": self.environment,
            "versions": package_versions(),
            "timings": self.timings,
            "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        }

    def write(self, out_dir: str | Path) -> Path:
        """Write ``sobol.csv``, ``sobol_s2.csv``, ``sobol.tex``,
        ``sobol_convergence.csv`` (when computed) and, last, ``sobol.json``."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        (out / "sobol.json").unlink(missing_ok=True)
        frames = {"sobol.csv": self.table}
        if self.second_order:
            frames["sobol_s2.csv"] = self.second_order_table
        if self.convergence is not None:
            frames["sobol_convergence.csv"] = self.convergence
        for name, frame in frames.items():
            atomic_write(out / name, lambda p, f=frame: f.to_csv(p, index=False))
        latex = self.to_latex()
        atomic_write(out / "sobol.tex", lambda p: p.write_text(latex, encoding="utf-8"))
        write_json(out / "sobol.json", self.manifest())
        return out


def _sobol_warnings(ix: SobolIndices, outputs: Sequence[str], inputs: Sequence[str],
                    wide: float, tol: float = 0.01) -> list[str]:
    """Index sums or indices outside [0, 1] beyond their intervals; intervals too wide."""
    notes = []
    for o, output in enumerate(outputs):
        if ix.constant[o]:
            notes.append(f"{output}: does not vary over the design; its indices are 0")
            continue
        for name, values, conf in (("S1", ix.S1, ix.S1_conf), ("ST", ix.ST, ix.ST_conf)):
            negative = [f"{inputs[j]} ({values[o, j]:.3f} ± {conf[o, j]:.3f})"
                        for j in range(len(inputs))
                        if values[o, j] + conf[o, j] < 0 and values[o, j] < -tol]
            if negative:
                notes.append(f"{output}: {name} is negative beyond its interval for "
                             f"{', '.join(negative)}; estimation error, increase N")
        total, conf = ix.S1_sum[o], ix.S1_sum_conf[o]
        if total - conf > 1 + tol:
            notes.append(f"{output}: the S1 indices sum to {total:.3f} ± {conf:.3f}, more "
                         "than 1 beyond the interval; estimation error, increase N")
        if total + conf < -tol:
            notes.append(f"{output}: the S1 indices sum to {total:.3f} ± {conf:.3f}, "
                         "negative beyond the interval; estimation error, increase N")
        widest = float(max(ix.S1_conf[o].max(), ix.ST_conf[o].max()))
        if widest > wide:
            needed = ix.n * (widest / wide) ** 2
            suggest = 1 << max(int(math.ceil(math.log2(needed))), ix.n.bit_length())
            notes.append(f"{output}: intervals up to ± {widest:.3f} are too wide to tell "
                         f"inputs of {wide:.0%} of the variance from negligible ones; "
                         f"try N = {suggest}")
    return notes


def _convergence(y: np.ndarray, d: int, n: int, second_order: bool, ix: SobolIndices,
                 boot_seed: np.random.SeedSequence, outputs: Sequence[str],
                 inputs: Sequence[str]) -> pd.DataFrame:
    step = _steps(d, second_order)
    frames = []
    for level in (n // 8, n // 4, n // 2, n):
        part = ix if level == n else sobol_indices(
            y[:level * step], d, level, second_order=second_order,
            num_resamples=ix.num_resamples, conf_level=ix.conf_level,
            rng=np.random.default_rng(boot_seed))
        frames.append(pd.DataFrame({
            "N": level, "output": np.repeat(outputs, d), "parameter": np.tile(inputs, len(outputs)),
            "S1": part.S1.ravel(), "S1_conf": part.S1_conf.ravel(),
            "ST": part.ST.ravel(), "ST_conf": part.ST_conf.ravel()}))
    return pd.concat(frames, ignore_index=True)


def sobol_analysis(model: Model, n: int = 4096, *, second_order: bool = False,
                   seed: int | None = None, outputs: Sequence[str] | None = None,
                   groups: Mapping[str, Sequence[str]] | None = None,
                   num_resamples: int = 100, conf_level: float = 0.95,
                   convergence: bool = False, wide_interval: float = 0.1, n_jobs: int = 1,
                   backend: str = "loky", scheduler: str | None = None,
                   chunk_size: int = DEFAULT_CHUNK_SIZE, progress: bool = False
                   ) -> SobolResult:
    """Sobol' indices of a model's outputs: design, inverse CDFs, evaluation, analysis.

    Parameters
    ----------
    model : Model
    n : int
        N, base points of the Sobol' design; a power of two.
    second_order : bool
        Also estimate S2 (costs N D more evaluations).
    seed : int, optional
        Seed of the design's scrambling and of the bootstrap; drawn (and
        recorded) when omitted.
    outputs : sequence of str, optional
        Output columns (see :func:`riskcalc.engine.output_columns`); an actor's
        key or ``society`` stands for its NPV.  Default :func:`default_outputs`.
    groups : mapping of str to sequence of str, optional
        Inputs that move together (see :func:`check_groups`, :func:`read_groups`).
    num_resamples : int
        Bootstrap resamples of the intervals.
    conf_level : float
        Level of the intervals.
    convergence : bool
        Also estimate the indices at N/8, N/4 and N/2 (prefixes of the same
        design, no new evaluations); needs N ≥ 16.
    wide_interval : float
        Warn when an interval's half-width exceeds this.
    n_jobs, backend, scheduler, chunk_size, progress
        As for :func:`riskcalc.simulate`.

    Returns
    -------
    SobolResult
    """
    started = time.perf_counter()
    _check_power_of_two(n)
    _check_bootstrap(num_resamples, conf_level)
    if convergence and n < 16:
        raise ModelError(f"convergence needs N ≥ 16 (so that N/8 ≥ 2), got N = {n}")
    seed = _check_seed(seed)
    outputs = _resolve_outputs(model, outputs)
    inputs = _inputs(model)
    membership = check_groups(groups or {}, inputs)
    group_names = list(membership)
    group_of = {p: g for g, members in membership.items() for p in members}
    group_index = np.array([group_names.index(group_of[p]) for p in inputs])
    n_groups = len(group_names)
    design_seed, boot_seed = np.random.SeedSequence(seed).spawn(2)
    timings = {}

    t = time.perf_counter()
    unit = sobol_design(len(inputs), n, second_order=second_order,
                        groups=[group_of[p] for p in inputs] if groups else None,
                        seed=design_seed)
    timings["design_s"] = time.perf_counter() - t
    t = time.perf_counter()
    points = _design_points(model, unit, inputs, n,
                            _from_b_mask(group_index, n_groups, second_order))
    del unit
    timings["inverse_cdf_s"] = time.perf_counter() - t
    t = time.perf_counter()
    engine = {"n_jobs": n_jobs, "backend": backend, "scheduler": scheduler,
              "chunk_size": chunk_size, "progress": progress}
    y = _evaluate(model, points, outputs, engine)
    del points
    timings["evaluate_s"] = time.perf_counter() - t
    t = time.perf_counter()
    ix = sobol_indices(y, n_groups, n, second_order=second_order, num_resamples=num_resamples,
                       conf_level=conf_level, rng=np.random.default_rng(boot_seed))
    timings["analyse_s"] = time.perf_counter() - t
    table = None
    if convergence:
        t = time.perf_counter()
        table = _convergence(y, n_groups, n, second_order, ix, boot_seed, outputs, group_names)
        timings["convergence_s"] = time.perf_counter() - t
    notes = (_correlation_warning(model, "Sobol' analysis")
             + _sobol_warnings(ix, outputs, group_names, wide_interval))
    timings["total_s"] = time.perf_counter() - started
    return SobolResult(
        model=model, outputs=tuple(outputs), inputs=tuple(group_names), groups=membership,
        indices=ix, seed=seed, n=int(n), second_order=bool(second_order),
        n_evaluations=int(y.shape[0]), warnings=tuple(notes), convergence=table,
        timings=timings, environment={"n_jobs": n_jobs, "backend": backend, "scheduler": scheduler})


# -- Morris ----------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class MorrisResult:
    """Morris elementary effects of a model's outputs.

    Attributes
    ----------
    model : Model
    outputs, inputs : tuple of str
    groups : dict of str to tuple of str
    table : DataFrame
        ``output, parameter, mu, mu_star, sigma, mu_star_conf``: mean, mean
        absolute and standard deviation of the elementary effects (output units
        per unit of the design's level scale), and the bootstrap half-width of mu*.
    trajectories, num_levels, seed, n_evaluations : int
    warnings : tuple of str
    timings, environment : dict
    """

    model: Model
    outputs: tuple[str, ...]
    inputs: tuple[str, ...]
    groups: dict[str, tuple[str, ...]]
    table: pd.DataFrame
    trajectories: int
    num_levels: int
    seed: int
    n_evaluations: int
    warnings: tuple[str, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)
    environment: dict[str, Any] = field(default_factory=dict)

    def manifest(self) -> dict[str, Any]:
        """What a reader needs to reproduce the screening."""
        return {
            "method": "morris",
            "model": {"name": self.model.name, "source": self.model.source,
                      "sha256": self.model.sha256},
            "trajectories": self.trajectories, "num_levels": self.num_levels,
            "levels": "midpoints of num_levels equal-probability bins, (i + 0.5) / num_levels",
            "seed": self.seed,
            "seed_streams": "SeedSequence(seed).spawn(2): [0] SALib's Morris sampler, "
                            "[1] the bootstrap of mu_star_conf",
            "n_evaluations": self.n_evaluations, "inputs": list(self.inputs),
            "groups": {g: list(m) for g, m in self.groups.items()},
            "outputs": list(self.outputs), "warnings": list(self.warnings),
            "environment": self.environment, "versions": package_versions(),
            "timings": self.timings,
            "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        }

    def write(self, out_dir: str | Path) -> Path:
        """Write ``morris.csv`` and, last, ``morris.json``."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        (out / "morris.json").unlink(missing_ok=True)
        atomic_write(out / "morris.csv", lambda p: self.table.to_csv(p, index=False))
        write_json(out / "morris.json", self.manifest())
        return out


def morris_analysis(model: Model, trajectories: int = 100, *, num_levels: int = 4,
                    seed: int | None = None, outputs: Sequence[str] | None = None,
                    groups: Mapping[str, Sequence[str]] | None = None,
                    num_resamples: int = 1000, conf_level: float = 0.95, n_jobs: int = 1,
                    backend: str = "loky", scheduler: str | None = None,
                    chunk_size: int = DEFAULT_CHUNK_SIZE, progress: bool = False
                    ) -> MorrisResult:
    """Morris screening (Morris 1991; mu* after Campolongo et al. 2007) with SALib.

    SALib's trajectories move on the grid ``i / (num_levels - 1)``; each level
    is mapped to the midpoint of its equal-probability bin,
    ``(i + 0.5) / num_levels``, before the inverse CDFs, so that unbounded
    distributions stay finite.  Elementary effects are SALib's: output change
    divided by the step on the grid.

    Parameters
    ----------
    model : Model
    trajectories : int
        r, number of trajectories; evaluations r (G + 1).
    num_levels : int
        p, an even number of grid levels.
    seed : int, optional
        Seed of the trajectories and the bootstrap; drawn when omitted.
    outputs, groups, n_jobs, backend, scheduler, chunk_size, progress
        As for :func:`sobol_analysis`.
    num_resamples, conf_level : int, float
        Bootstrap of the interval of mu*.

    Returns
    -------
    MorrisResult
    """
    from SALib.analyze import morris as salib_morris_analyze
    from SALib.sample import morris as salib_morris

    started = time.perf_counter()
    if isinstance(trajectories, bool) or not isinstance(trajectories, (int, np.integer)) \
            or trajectories < 2:
        raise ModelError(f"the number of trajectories must be a whole number ≥ 2, "
                         f"got {trajectories!r}")
    if isinstance(num_levels, bool) or not isinstance(num_levels, (int, np.integer)) \
            or num_levels < 2 or num_levels % 2:
        raise ModelError(f"num_levels must be an even whole number ≥ 2, got {num_levels!r}")
    _check_bootstrap(num_resamples, conf_level)
    seed = _check_seed(seed)
    outputs = _resolve_outputs(model, outputs)
    inputs = _inputs(model)
    membership = check_groups(groups or {}, inputs)
    group_of = {p: g for g, members in membership.items() for p in members}
    problem = {"num_vars": len(inputs), "names": list(inputs),
               "bounds": [[0.0, 1.0]] * len(inputs)}
    if groups:
        problem["groups"] = [group_of[p] for p in inputs]
    design_seed, boot_seed = np.random.SeedSequence(seed).spawn(2)
    timings = {}
    t = time.perf_counter()
    grid = salib_morris.sample(problem, int(trajectories), num_levels=int(num_levels),
                               seed=np.random.default_rng(design_seed))
    unit = (grid * (num_levels - 1) + 0.5) / num_levels
    points = from_unit_cube(model, unit, inputs)
    timings["design_s"] = time.perf_counter() - t
    t = time.perf_counter()
    y = _evaluate(model, points, outputs, {"n_jobs": n_jobs, "backend": backend,
                                           "scheduler": scheduler, "chunk_size": chunk_size,
                                           "progress": progress})
    timings["evaluate_s"] = time.perf_counter() - t
    t = time.perf_counter()
    rng = np.random.default_rng(boot_seed)
    frames = []
    for o, output in enumerate(outputs):
        si = salib_morris_analyze.analyze(problem, grid, np.ascontiguousarray(y[:, o]),
                                          num_resamples=num_resamples, conf_level=conf_level,
                                          num_levels=int(num_levels), seed=rng)
        frames.append(pd.DataFrame({
            "output": output, "parameter": [str(p) for p in si["names"]],
            "mu": np.asarray(si["mu"], float), "mu_star": np.asarray(si["mu_star"], float),
            "sigma": np.asarray(si["sigma"], float),
            "mu_star_conf": np.asarray(si["mu_star_conf"], float)}))
    timings["analyse_s"] = time.perf_counter() - t
    timings["total_s"] = time.perf_counter() - started
    return MorrisResult(
        model=model, outputs=tuple(outputs), inputs=tuple(membership), groups=membership,
        table=pd.concat(frames, ignore_index=True), trajectories=int(trajectories),
        num_levels=int(num_levels), seed=seed, n_evaluations=int(y.shape[0]),
        warnings=tuple(_correlation_warning(model, "the Morris method")), timings=timings,
        environment={"n_jobs": n_jobs, "backend": backend, "scheduler": scheduler})


# -- tornado ---------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class TornadoResult:
    """One-at-a-time swings of each input from its low to its high quantile.

    Attributes
    ----------
    model : Model
    outputs, inputs : tuple of str
    table : DataFrame
        ``output, parameter, low_value, high_value, output_at_low, output_at_high,
        swing, base_output``; swing = |output_at_high - output_at_low|, rows
        sorted by swing (largest first) within each output.
    base : dict of str to float
        Each output at the base case.
    low, high : float
        The quantiles swung between (default P10 and P90).
    n_evaluations : int
        2 D + 1.
    warnings : tuple of str
    timings : dict
    """

    model: Model
    outputs: tuple[str, ...]
    inputs: tuple[str, ...]
    table: pd.DataFrame
    base: dict[str, float]
    low: float
    high: float
    n_evaluations: int
    warnings: tuple[str, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)

    def for_output(self, output: str) -> pd.DataFrame:
        """The rows of one output (an actor key or ``society`` stands for its NPV)."""
        column = _resolve_outputs(self.model, [output])[0]
        if column not in self.outputs:
            raise ValueError(f"output {output!r} was not analysed; the result holds "
                             f"{list(self.outputs)}")
        return self.table[self.table["output"] == column].reset_index(drop=True)

    @property
    def worst_actor(self) -> str | None:
        """The actor with the most negative base-case NPV among the outputs (or None)."""
        npv = {a: self.base[f"npv_{a}"] for a in self.model.actor_keys
               if f"npv_{a}" in self.base}
        return min(npv, key=npv.get) if npv else None

    def manifest(self) -> dict[str, Any]:
        """What a reader needs to reproduce the swings."""
        return {
            "method": "tornado",
            "model": {"name": self.model.name, "source": self.model.source,
                      "sha256": self.model.sha256},
            "low_quantile": self.low, "high_quantile": self.high,
            "others_at": "base case", "n_evaluations": self.n_evaluations,
            "inputs": list(self.inputs), "outputs": list(self.outputs), "base": self.base,
            "warnings": list(self.warnings), "versions": package_versions(),
            "timings": self.timings,
            "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        }

    def write(self, out_dir: str | Path) -> Path:
        """Write ``tornado.csv`` and, last, ``tornado.json``."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        (out / "tornado.json").unlink(missing_ok=True)
        atomic_write(out / "tornado.csv", lambda p: self.table.to_csv(p, index=False))
        write_json(out / "tornado.json", self.manifest())
        return out


def tornado_analysis(model: Model, *, outputs: Sequence[str] | None = None, low: float = 0.1,
                     high: float = 0.9, n_jobs: int = 1, backend: str = "loky",
                     scheduler: str | None = None, chunk_size: int = DEFAULT_CHUNK_SIZE,
                     progress: bool = False) -> TornadoResult:
    """Swing each input from its `low` to its `high` quantile, the others at base case.

    Parameters
    ----------
    model : Model
    outputs : sequence of str, optional
        As for :func:`sobol_analysis`; default every actor's NPV, society's and ROI.
    low, high : float
        Quantiles, 0 < low < high < 1 (default P10 and P90).
    n_jobs, backend, scheduler, chunk_size, progress
        As for :func:`riskcalc.simulate`.

    Returns
    -------
    TornadoResult
    """
    started = time.perf_counter()
    if not 0 < low < high < 1:
        raise ModelError(f"the quantiles must satisfy 0 < low < high < 1, got low = {low!r}, "
                         f"high = {high!r}")
    outputs = _resolve_outputs(model, outputs)
    inputs = _inputs(model)
    swings = [from_unit_cube(model, np.array([[low], [high]]), [name]) for name in inputs]
    base = from_unit_cube(model, np.empty((1, 0)), [])
    points = {key: np.concatenate([base[key], *(s[key] for s in swings)]) for key in base}
    y = _evaluate(model, points, outputs, {"n_jobs": n_jobs, "backend": backend,
                                           "scheduler": scheduler, "chunk_size": chunk_size,
                                           "progress": progress})
    at_low, at_high = y[1::2], y[2::2]  # (D, n_outputs)
    frames = []
    for o, output in enumerate(outputs):
        frame = pd.DataFrame({
            "output": output, "parameter": inputs,
            "low_value": [s[p][0] if p in s else np.nan for p, s in zip(inputs, swings,
                                                                          strict=True)],
            "high_value": [s[p][1] if p in s else np.nan for p, s in zip(inputs, swings,
                                                                           strict=True)],
            "output_at_low": at_low[:, o], "output_at_high": at_high[:, o],
            "swing": np.abs(at_high[:, o] - at_low[:, o]), "base_output": y[0, o]})
        frames.append(frame.sort_values("swing", ascending=False, kind="stable"))
    return TornadoResult(
        model=model, outputs=tuple(outputs), inputs=tuple(inputs),
        table=pd.concat(frames, ignore_index=True),
        base={o: float(y[0, i]) for i, o in enumerate(outputs)}, low=float(low),
        high=float(high), n_evaluations=int(y.shape[0]),
        warnings=tuple(_correlation_warning(model, "a one-at-a-time tornado")),
        timings={"total_s": time.perf_counter() - started})
