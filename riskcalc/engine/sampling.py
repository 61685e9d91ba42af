"""From a model's declared distributions to parameter values per scenario.

Two routes, one per use:

* :func:`sample_parameters` draws a chunk of Monte Carlo scenarios.  Chunk *k*
  draws parameter *p* from ``SeedSequence(seed, spawn_key=(k, crc32(p)))``: the
  streams belong to chunk indices and parameter names, so the same seed gives
  bit-identical results for any number of workers, a run of 2N scenarios starts
  with the N of a run of N, and adding a parameter to a model leaves the others'
  draws unchanged.  The global numpy random state is never used.
* :func:`from_unit_cube` maps a design in the unit cube (Sobol, Morris, a
  Latin hypercube) through each parameter's inverse CDF.

A model with declared regimes first draws each scenario's regime (column
``regime``: 0, 1, ... in declaration order); parameters a regime overrides are
drawn from that regime's distribution.  Declared correlations are induced by a
Gaussian copula (:mod:`riskcalc.model.correlation`) in Monte Carlo sampling; designs
for sensitivity analysis stay independent, as their estimators assume.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from riskcalc.model.correlation import copula_uniforms
from riskcalc.model.objects import Model

__all__ = ["PILOT_KEY", "REGIME", "parameter_seed", "sample_parameters", "sampled_columns",
           "design_inputs", "from_unit_cube"]

#: Chunk index of the pilot sample that fixes the band histograms' bins; no run
#: has that many chunks.
PILOT_KEY = 2**63 - 1
#: Name of the column (and design input) holding each scenario's regime index.
REGIME = "regime"


def parameter_seed(seed: int, chunk: int, stream: str) -> np.random.SeedSequence:
    """The seed sequence of one named stream (a parameter) in one chunk of a run."""
    return np.random.SeedSequence(seed, spawn_key=(chunk, zlib.crc32(stream.encode())))


def sampled_columns(model: Model) -> list[str]:
    """Per-scenario input columns: every parameter, then ``regime`` if declared."""
    return [*model.parameters, *([REGIME] if model.regimes else [])]


def _regime_index(model: Model, unit: np.ndarray) -> np.ndarray:
    cumulative = np.cumsum([r.weight for r in model.regimes])
    index = np.searchsorted(cumulative, unit, side="right")
    return np.minimum(index, len(model.regimes) - 1)


def _ppf(model: Model, name: str, unit: np.ndarray, regime: np.ndarray | None) -> np.ndarray:
    """Inverse CDF of parameter `name`, per scenario's regime where one overrides it."""
    values = model.parameters[name].distribution.ppf(unit)
    if regime is not None:
        for index, r in enumerate(model.regimes):
            if name in r.overrides:
                hit = regime == index
                values[hit] = r.overrides[name].ppf(unit[hit])
    return values


def sample_parameters(model: Model, seed: int, chunk: int, n: int, *, own: str = "",
                      shared: frozenset[str] = frozenset()) -> dict[str, np.ndarray]:
    """Draw every parameter for the n scenarios of one chunk.

    Parameters
    ----------
    model : Model
    seed : int
        The run's seed.
    chunk : int
        Chunk index; chunk k holds scenarios ``k * chunk_size`` onwards.
    n : int
        Number of scenarios in this chunk.
    own : str, optional
        Draw from streams of this model's own (``own/<name>``), except for the
        parameters in `shared`: several models sampled with one seed (a fund's
        interventions) then share exactly the parameters named there.
    shared : frozenset of str
        With `own`: parameters (and ``regime``) drawn from the run's common streams.

    Returns
    -------
    dict of str to ndarray, shape (n,)
        Every column of :func:`sampled_columns`; fixed parameters as constant arrays.
    """

    def rng(stream: str) -> np.random.Generator:
        name = stream.split("@")[0].split("~")[0]
        if own and name not in shared:
            stream = f"{own}/{stream}"
        return np.random.default_rng(parameter_seed(seed, chunk, stream))

    correlated = set(model.correlations.names) if model.correlations else set()
    draws = {}
    for name, parameter in model.parameters.items():
        dist = parameter.distribution
        if dist.is_fixed:
            draws[name] = np.full(n, dist.base)
        elif name not in correlated:
            draws[name] = dist.sample(rng(name), n)
    regime = None
    if model.regimes:
        regime = _regime_index(model, rng(REGIME).random(n))
        draws[REGIME] = regime.astype(float)
        for index, r in enumerate(model.regimes):
            for name, dist in r.overrides.items():
                if name not in correlated:
                    hit = regime == index
                    draws[name] = np.where(hit, dist.sample(rng(f"{name}@{r.name}"), n),
                                           draws[name])
    if model.correlations:
        names = model.correlations.names
        normals = np.stack([rng(f"{name}~copula").standard_normal(n) for name in names])
        unit = copula_uniforms(normals, model.correlations.normal_matrix)
        for row, name in enumerate(names):
            draws[name] = _ppf(model, name, unit[row], regime)
    return draws


def design_inputs(model: Model) -> list[str]:
    """The independent inputs a sensitivity design varies.

    The uncertain parameters, and ``regime`` when the model declares regimes
    (so the regime's share of the variance is reported).
    """
    return [*model.uncertain_parameters, *([REGIME] if model.regimes else [])]


def from_unit_cube(model: Model, unit: np.ndarray, names: Sequence[str] | None = None, *,
                   threads: int = 1) -> dict[str, np.ndarray]:
    """Parameter values for points of a design in the unit cube.

    Parameters
    ----------
    model : Model
    unit : ndarray, shape (n, D)
        Design points in [0, 1]^D, one column per name in `names`.
    names : sequence of str, optional
        The inputs the columns stand for; default: :func:`design_inputs`.
        Parameters not named take their base case; without a ``regime`` column,
        regime overrides are not applied.
    threads : int
        Columns mapped side by side (inverse CDFs such as the beta's release the
        GIL); each column is mapped by the same code, so the values do not depend
        on it.

    Returns
    -------
    dict of str to ndarray, shape (n,)
        A value for every column of :func:`sampled_columns`.
    """
    names = design_inputs(model) if names is None else list(names)
    unit = np.asarray(unit, dtype=float)
    if unit.ndim != 2 or unit.shape[1] != len(names):
        raise ValueError(f"the design has shape {unit.shape}; expected (n, {len(names)}) for "
                         f"the inputs {names}")
    valid = set(model.parameters) | ({REGIME} if model.regimes else set())
    unknown = [name for name in names if name not in valid]
    if unknown:
        raise ValueError(f"unknown inputs {unknown}; the model's are {sorted(valid)}")
    n = unit.shape[0]
    values = {name: np.full(n, p.distribution.base) for name, p in model.parameters.items()}
    regime = None
    if model.regimes:
        # The base case belongs to no regime (-1): overrides apply only when the
        # regime is an input of the design.
        regime = (_regime_index(model, unit[:, names.index(REGIME)]) if REGIME in names
                  else None)
        values[REGIME] = (regime if regime is not None else np.full(n, -1)).astype(float)
    mapped = [name for name in names if name != REGIME]

    def column(name: str) -> np.ndarray:
        return _ppf(model, name, unit[:, names.index(name)], regime)

    if threads > 1 and len(mapped) > 1:
        with ThreadPoolExecutor(min(threads, len(mapped))) as pool:
            values.update(zip(mapped, pool.map(column, mapped), strict=True))
    else:
        values.update((name, column(name)) for name in mapped)
    return values
