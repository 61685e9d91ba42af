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
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np

from riskcalc.model import Model

__all__ = ["PILOT_KEY", "parameter_seed", "sample_parameters", "from_unit_cube"]

#: Chunk index of the pilot sample that fixes the band histograms' bins; no run
#: has that many chunks.
PILOT_KEY = 2**63 - 1


def parameter_seed(seed: int, chunk: int, name: str) -> np.random.SeedSequence:
    """The seed sequence of parameter `name` in chunk `chunk` of a run seeded `seed`."""
    return np.random.SeedSequence(seed, spawn_key=(chunk, zlib.crc32(name.encode())))


def sample_parameters(model: Model, seed: int, chunk: int, n: int) -> dict[str, np.ndarray]:
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

    Returns
    -------
    dict of str to ndarray, shape (n,)
        Fixed parameters too (as constant arrays), so the result is complete.
    """
    draws = {}
    for name, parameter in model.parameters.items():
        dist = parameter.distribution
        if dist.is_fixed:
            draws[name] = np.full(n, dist.base)
        else:
            rng = np.random.default_rng(parameter_seed(seed, chunk, name))
            draws[name] = dist.sample(rng, n)
    return draws


def from_unit_cube(model: Model, unit: np.ndarray,
                   names: Sequence[str] | None = None) -> dict[str, np.ndarray]:
    """Parameter values for points of a design in the unit cube.

    Parameters
    ----------
    model : Model
    unit : ndarray, shape (n, D)
        Design points in [0, 1]^D, one column per name in `names`.
    names : sequence of str, optional
        The parameters the columns stand for; default: the model's uncertain
        parameters in declaration order.  Parameters not named take their base case.

    Returns
    -------
    dict of str to ndarray, shape (n,)
        A value for every parameter of the model.
    """
    names = list(model.uncertain_parameters if names is None else names)
    unit = np.asarray(unit, dtype=float)
    if unit.ndim != 2 or unit.shape[1] != len(names):
        raise ValueError(f"the design has shape {unit.shape}; expected (n, {len(names)}) for "
                         f"the parameters {names}")
    unknown = [name for name in names if name not in model.parameters]
    if unknown:
        raise ValueError(f"unknown parameters {unknown}; the model declares "
                         f"{list(model.parameters)}")
    n = unit.shape[0]
    values = {name: np.full(n, p.distribution.base) for name, p in model.parameters.items()}
    for j, name in enumerate(names):
        values[name] = model.parameters[name].distribution.ppf(unit[:, j])
    return values
