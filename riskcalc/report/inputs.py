"""The report's table of the uncertain inputs: each distribution as stated, and its range."""

from __future__ import annotations

from riskcalc.model.distributions import Distribution, Mixture, Truncated
from riskcalc.model.objects import Model
from riskcalc.report.labels import Labels
from riskcalc.report.render import Section, Table

__all__ = ["inputs_section", "family"]


def family(dist: Distribution) -> str:
    """The family as a model file names it: ``pert``, ``mixture (normal, uniform)``,
    ``normal, truncated``."""
    if isinstance(dist, Truncated):
        return f"{family(dist.inner)}, {dist.family}"
    if isinstance(dist, Mixture):
        return f"{dist.family} ({', '.join(family(c) for c in dist.components)})"
    return dist.family


def inputs_section(model: Model | None, words: Labels) -> Section | None:
    """Each uncertain parameter: family, P5, base case, mean, P95; None without a model."""
    if model is None or not model.uncertain_parameters:
        return None
    rows = []
    for name in model.uncertain_parameters:
        dist = model.parameters[name].distribution
        p05, p95 = (float(v) for v in dist.ppf([0.05, 0.95]))
        rows.append([name, family(dist), *(words.number(v, digits=4)
                                           for v in (p05, dist.base, dist.mean, p95))])
    return Section(words["i_heading"], tables=[Table(
        words["i_heading"], [words["parameter"], words["i_family"], "P5", words["i_base"],
                             words["mean"], "P95"], rows, caption=words["i_caption"],
        key="inputs", align="llrrrr")])
