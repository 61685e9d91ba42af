"""Scenario discovery: PRIM boxes and a classification tree of a condition over a run.

See :mod:`riskcalc.discovery.discover` (the API), :mod:`~.prim` and :mod:`~.tree`.
"""

from riskcalc.discovery.discover import Discovery, discover
from riskcalc.discovery.prim import Box, PeelStep, prim_boxes

__all__ = ["Discovery", "discover", "Box", "PeelStep", "prim_boxes"]
