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

from riskcalc.model.loader import load_model, model_from_dict
from riskcalc.model.objects import (
    ACTOR_KINDS,
    ADJUSTMENTS,
    COST_KINDS,
    Actor,
    Correlations,
    Flow,
    Model,
    Outcome,
    Parameter,
    Regime,
    Transfer,
)

__all__ = [
    "ACTOR_KINDS", "ADJUSTMENTS", "COST_KINDS", "Actor", "Correlations", "Flow", "Model",
    "Outcome", "Parameter", "Regime", "Transfer", "load_model", "model_from_dict",
]
