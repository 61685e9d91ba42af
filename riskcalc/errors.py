"""Errors riskcalc raises for bad input.

Every message is one line that says where (file, key), what was wrong and what
would be right, so the CLI can print it as it is and exit with code 2.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["ModelError", "ExpressionError", "DistributionError", "ResourceError",
           "did_you_mean"]


class ModelError(ValueError):
    """A model or policy file (or the object built from it) is invalid."""


class DistributionError(ModelError):
    """A distribution was declared with arguments it cannot take."""


class ExpressionError(ModelError):
    """An expression in a model file is not valid or not allowed."""


class ResourceError(ModelError):
    """What was asked cannot run here: too little memory or disk, a missing optional
    package, a run directory in use by another run.  One line, like a bad file."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """The end of an error message about an unknown name: the closest choice, or all.

    Parameters
    ----------
    word : str
        The name that was not found.
    choices : iterable of str
        The names that would have been right.

    Returns
    -------
    str
        ``"did you mean 'x'?"`` when one choice is close to `word`, else
        ``"expected one of: a, b, c"`` (``"none are declared"`` without choices).
    """
    choices = list(choices)
    close = difflib.get_close_matches(word, choices, n=1)
    if close:
        return f"did you mean {close[0]!r}?"
    return "expected one of: " + ", ".join(choices) if choices else "none are declared"
