"""Figures of riskcalc results: matplotlib only, each function takes ``ax=`` and returns it.

Plotting functions only read results (DataFrames and arrays from a run); they compute
nothing the API does not, import matplotlib inside the function, never call ``show()``
and, when no ``ax`` is given, draw on a standalone :class:`matplotlib.figure.Figure`
that pyplot does not track.

Modules
-------
results
    Figures of a Monte Carlo run: society's NPV, actors' net positions, fan charts,
    Sobol indices, tornado and acceptability curves.
sensitivity
    Figures of :mod:`riskcalc.sensitivity` results: S1/ST bars with intervals, the
    per-actor heat map of ST, tornado, and the Morris mu*-sigma plane.
"""

__all__: list[str] = []
