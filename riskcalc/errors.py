"""Errors riskcalc raises for bad input.

Every message is one line that says where (file, key), what was wrong and what
would be right, so the CLI can print it as it is and exit with code 2.
"""

from __future__ import annotations

__all__ = ["ModelError", "ExpressionError", "DistributionError"]


class ModelError(ValueError):
    """A model or policy file (or the object built from it) is invalid."""


class DistributionError(ModelError):
    """A distribution was declared with arguments it cannot take."""


class ExpressionError(ModelError):
    """An expression in a model file is not valid or not allowed."""
