"""Sensitivity analysis: Sobol' indices, Morris screening and one-at-a-time tornado.

Which assumptions drive society's return, and each actor's net position?

* :func:`sobol_analysis` — variance-based indices S1, ST (and S2) with bootstrap
  intervals, for every actor's NPV, society's NPV and ROI at once.  The design is
  SALib's Saltelli extension of a scrambled Sobol' sequence in the unit cube,
  mapped through each input's inverse CDF (:func:`riskcalc.engine.sampling.from_unit_cube`)
  and evaluated by the same chunked, parallel engine as a Monte Carlo run.
* :func:`sobol_indices` — the estimators alone, for any outputs ``Y`` of a
  :func:`sobol_design`: Saltelli et al. (2010) for S1, Jansen (1999) for ST,
  Saltelli (2002) for S2, exactly as :func:`SALib.analyze.sobol.analyze`
  computes them, but for all outputs at once.
* :func:`morris_analysis` — elementary effects (mu, mu*, sigma) on SALib's
  Morris trajectories, for screening many inputs cheaply.
* :func:`tornado_analysis` — each input swung from its P10 to its P90 with the
  others at their base case.

Results are frozen dataclasses with DataFrame views and a ``write`` method
(files written atomically, the JSON manifest last).  Nothing here prints or
plots; figures are in :mod:`riskcalc.report.plots.sensitivity`.

The inputs of a design are :func:`riskcalc.engine.sampling.design_inputs`: the
uncertain parameters and, in a model with declared regimes, the regime itself.

Modules
-------
problem
    What every method analyses: outputs, inputs, shared argument checks, evaluation.
groups
    Groups of inputs that move together (``check_groups``, ``read_groups``).
sobol_estimators
    The Saltelli design and the S1 / ST / S2 estimators with their bootstrap.
sobol
    ``sobol_analysis``: design → inverse CDFs → evaluation → indices → diagnostics.
sobol_result
    ``SobolResult``: tidy tables, the LaTeX table, its files.
morris
    ``morris_analysis`` and ``MorrisResult``.
tornado
    ``tornado_analysis`` and ``TornadoResult``.
manifest
    The manifest every result writes, and the order of its files.
"""

from riskcalc.lazy import lazy_api

#: Name → defining module, imported on first use (PEP 562): importing this package
#: (as every submodule import does) costs nothing until its API is used.
_API = {
    "check_groups": "riskcalc.sensitivity.groups",
    "read_groups": "riskcalc.sensitivity.groups",
    "MorrisResult": "riskcalc.sensitivity.morris",
    "morris_analysis": "riskcalc.sensitivity.morris",
    "default_outputs": "riskcalc.sensitivity.problem",
    "sobol_analysis": "riskcalc.sensitivity.sobol",
    "SobolIndices": "riskcalc.sensitivity.sobol_estimators",
    "sobol_design": "riskcalc.sensitivity.sobol_estimators",
    "sobol_indices": "riskcalc.sensitivity.sobol_estimators",
    "SobolResult": "riskcalc.sensitivity.sobol_result",
    "TornadoResult": "riskcalc.sensitivity.tornado",
    "tornado_analysis": "riskcalc.sensitivity.tornado",
}

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


__getattr__, __dir__ = lazy_api(__name__, _API)
