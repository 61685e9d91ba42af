"""The report's scenario-discovery section, from discovery.json of a run directory.

Plain-words sentences for each PRIM box ("61 % of the very bad scenarios, and only
4 % of the others, have relapse above 0.21 ..."), the trade-off and box-limits
figures, the box table and the classification tree's leaves.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from riskcalc.errors import ModelError
from riskcalc.files import read_json
from riskcalc.report.labels import Labels, class_label
from riskcalc.report.render import EmbeddedFigure, Section, Table

__all__ = ["read_discovery", "box_sentences", "discovery_figures", "discovery_section"]


def read_discovery(run_dir: str | Path) -> dict[str, Any] | None:
    """discovery.json of a run directory, or None where absent or unreadable."""
    path = Path(run_dir) / "discovery.json"
    if not path.is_file():
        return None
    try:
        data = read_json(path, "discovery.json")
    except ModelError:
        return None
    return data if isinstance(data, dict) and "boxes" in data else None


def _join(items: list[str], words: Labels) -> str:
    """"a", "a and b", "a, b and c"."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {words['d_and']} {items[-1]}"


def condition_words(discovery: Mapping[str, Any], words: Labels) -> str:
    """The condition as a reader says it: "the outcome is very bad" or the expression."""
    condition = str(discovery["condition"])
    if condition.startswith("class "):
        return words["d_class_condition"].format(cls=class_label(condition[6:], words).lower())
    return condition


def _limit(value: float | None, words: Labels) -> str:
    return "" if value is None else words.number(value, digits=3)


def limit_words(name: str, limits: Mapping[str, Any], words: Labels) -> str:
    """"relapse above 0.21", "rate below 0.03" or "rate between 0.01 and 0.03"."""
    lo, hi = limits.get("lower"), limits.get("upper")
    if lo is not None and hi is not None:
        return words["d_between"].format(name=name, lower=_limit(lo, words),
                                         upper=_limit(hi, words))
    if lo is not None:
        return words["d_above"].format(name=name, lower=_limit(lo, words))
    return words["d_below"].format(name=name, upper=_limit(hi, words))


def box_sentences(discovery: Mapping[str, Any], words: Labels) -> list[str]:
    """One plain-words sentence per box, then the tree's densest leaf."""
    n, hits = int(discovery["n"]), int(discovery["hits"])
    condition = condition_words(discovery, words)
    sentences = [words["d_share"].format(share=words.percent(hits / n), condition=condition,
                                         n=words.integer(n))]
    for box in discovery["boxes"]:
        others = (box["n"] - box["hits"]) / max(n - hits, 1)
        limits = _join([limit_words(k, v, words) for k, v in box["limits"].items()], words)
        key = "d_sentence_first" if box["box"] == 1 else "d_sentence_next"
        sentences.append(words[key].format(coverage=words.percent(box["coverage"], digits=0),
                                           condition=condition,
                                           others=words.percent(others, digits=0), limits=limits,
                                           density=words.percent(box["density"], digits=0)))
    if not discovery["boxes"]:
        sentences.append(words["d_no_box"])
    leaves = discovery.get("leaves") or []
    if leaves:
        sentences.append(words["d_tree_leaf"].format(
            rule=rule_words(leaves[0]["rule"], words), n=words.integer(leaves[0]["n"]),
            share=words.percent(leaves[0]["share"], digits=0)))
    return sentences


def rule_words(rule: list[list[Any]], words: Labels) -> str:
    """A tree leaf's rule: "relapse > 0.205 and deadweight ≤ 0.155"."""
    return f" {words['d_and']} ".join(
        f"{name} {'≤' if op == '<=' else '>'} {_limit(float(t), words)}" for name, op, t in rule)


def discovery_figures(discovery: Mapping[str, Any], words: Labels,
                      out: Path) -> list[EmbeddedFigure]:
    """Draw and save (PNG and SVG under `out`) the trade-off and box-limits figures."""
    from riskcalc.report.plots.common import draw_and_save
    from riskcalc.report.plots.discovery import plot_box_limits, plot_tradeoff

    made = []
    for name, title, caption, plot in (
            ("discovery_tradeoff", words["d_tradeoff"], words["d_cap_tradeoff"], plot_tradeoff),
            ("discovery_boxes", words["d_box_limits"], words["d_cap_boxes"], plot_box_limits)):
        if name == "discovery_boxes" and not discovery["boxes"]:
            continue
        paths = draw_and_save(lambda plot=plot: plot(discovery, labels=words), out, name)
        made.append(EmbeddedFigure(name, title, caption, paths["png"]))
    return made


def discovery_section(run_dir: Path, words: Labels) -> Section | None:
    """The report section, or None when the run directory has no discovery.json."""
    discovery = read_discovery(run_dir)
    if discovery is None:
        return None
    rows = [[str(box["box"]), name, _limit(lim["lower"], words), _limit(lim["upper"], words),
             words.percent(box["coverage"]), words.percent(box["density"]),
             words.number(lim["quasi_p"], digits=2)]
            for box in discovery["boxes"] for name, lim in box["limits"].items()]
    boxes = Table(words["d_boxes_table"], [words["d_box"], words["parameter"],
                                           words["d_lower"], words["d_upper"],
                                           words["d_coverage"], words["d_density"],
                                           words["d_quasi_p"]], rows, key="discovery",
                  align="llrrrrr")
    leaves = Table(words["d_tree"], [words["d_rule"], words["scenarios"], words["d_density"]],
                   [[rule_words(leaf["rule"], words), words.integer(leaf["n"]),
                     words.percent(leaf["share"])]
                    for leaf in discovery.get("leaves", [])], key="discovery_tree")
    return Section(words["d_heading"], discovery_figures(discovery, words,
                                                         Path(run_dir) / "figures"),
                   [t for t in (boxes, leaves) if t.rows],
                   paragraphs=box_sentences(discovery, words))
