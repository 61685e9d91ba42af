"""Package APIs imported on first use (PEP 562).

Importing a subpackage (as every submodule import does) then costs nothing until a
name of its API is used: ``riskcalc --help`` imports neither pandas nor numba.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping

__all__ = ["lazy_api"]


def lazy_api(package: str, api: Mapping[str, str]
             ) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for `package` that import each name on first use.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    api : mapping of str to str
        Each public name → the module that defines it.
    """
    namespace = sys.modules[package].__dict__

    def __getattr__(name: str) -> object:
        if name not in api:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(api[name]), name)
        namespace[name] = value  # later look-ups do not come here again
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *api})

    return __getattr__, __dir__
