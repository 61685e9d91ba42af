"""From a model file to a validated, frozen :class:`Model`.

A model is declared in a TOML file (``docs/model-files.md``); nothing in it can run
code.  This package reads it, checks every key, and builds typed objects that the
rest of riskcalc reads instead of the raw file.

Modules
-------
objects
    The frozen dataclasses: ``Model``, ``Actor``, ``Parameter``, ``Outcome``,
    ``Flow``, ``Transfer``, ``Regime``, ``Correlations``.
loader
    Reading and validating a file or a dict (``load_model``, ``model_from_dict``).
distributions
    The distribution families, their parameterisations and inverse CDFs.
expressions
    The safe expression language of derived values, flows and conditions.
correlation
    Nearest positive-definite correlation matrix for the Gaussian copula.
"""

from riskcalc.lazy import lazy_api

#: Name → defining module, imported on first use (PEP 562): importing this package
#: (as every submodule import does) costs nothing until its API is used.
_API = {
    "load_model": "riskcalc.model.loader",
    "model_from_dict": "riskcalc.model.loader",
    "ACTOR_KINDS": "riskcalc.model.objects",
    "ADJUSTMENTS": "riskcalc.model.objects",
    "COST_KINDS": "riskcalc.model.objects",
    "Actor": "riskcalc.model.objects",
    "Correlations": "riskcalc.model.objects",
    "Flow": "riskcalc.model.objects",
    "Model": "riskcalc.model.objects",
    "Outcome": "riskcalc.model.objects",
    "Parameter": "riskcalc.model.objects",
    "Regime": "riskcalc.model.objects",
    "Transfer": "riskcalc.model.objects",
}

__all__ = [
    "ACTOR_KINDS", "ADJUSTMENTS", "COST_KINDS", "Actor", "Correlations", "Flow", "Model",
    "Outcome", "Parameter", "Regime", "Transfer", "load_model", "model_from_dict",
]


__getattr__, __dir__ = lazy_api(__name__, _API)
