"""Figures of riskcalc results: matplotlib only, each function takes ``ax=`` and returns it.

Plotting functions only read results (DataFrames and arrays from a run); they compute
nothing the API does not, import matplotlib inside the function, never call ``show()``
and, when no ``ax`` is given, draw on a standalone :class:`matplotlib.figure.Figure`
that pyplot does not track.

Modules
-------
common
    What every figure shares: a standalone Axes, money on an axis, saving PNG and SVG.
results
    Figures of a Monte Carlo run: society's NPV, actors' net positions, fan charts and
    acceptability curves.
sensitivity
    Figures of :mod:`riskcalc.sensitivity` results: S1/ST bars with intervals, the
    per-actor heat map of ST, tornado, and the Morris mu*-sigma plane; the CLI and the
    report both draw with these.
"""

__all__: list[str] = []
