"""The report's table of each actor's NPV by cost kind, from actor_kinds.csv (``run --by-kind``)."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from riskcalc.errors import ModelError
from riskcalc.files import read_text
from riskcalc.model.objects import COST_KINDS
from riskcalc.report.labels import Labels
from riskcalc.report.render import Section, Table

__all__ = ["actor_kinds_section"]


def actor_kinds_section(run_dir: Path, words: Labels, *, currency: str = "SEK",
                        names: dict[str, str] | None = None) -> Section | None:
    """Mean NPV per actor (rows) and cost kind (columns), with the total; None without the file."""
    path = Path(run_dir) / "actor_kinds.csv"
    if not path.is_file():
        return None
    try:
        table = pd.read_csv(io.StringIO(read_text(path, "actor_kinds.csv")))
    except (ModelError, ValueError):
        return None
    if not {"actor", "kind", "mean", "p05", "p95"} <= set(table.columns):
        return None
    names = names or {}
    rows = []
    for actor, part in table.groupby("actor", sort=False):
        by_kind = part.set_index("kind")
        means = [float(by_kind.at[k, "mean"]) if k in by_kind.index else 0.0
                 for k in COST_KINDS]
        cells = [f"{words.money(m, currency)}\n{words.money(by_kind.at[k, 'p05'], currency)} – "
                 f"{words.money(by_kind.at[k, 'p95'], currency)}"
                 if k in by_kind.index and (by_kind.at[k, "p05"] or by_kind.at[k, "p95"])
                 else words.money(m, currency) for k, m in zip(COST_KINDS, means, strict=True)]
        rows.append([names.get(f"npv_{actor}", str(actor)), *cells,
                     words.money(sum(means), currency)])
    return Section(words["k_heading"], tables=[Table(
        words["k_heading"], [words["actor"], *(words[k] for k in COST_KINDS),
                             words["total"]], rows, caption=words["k_caption"],
        key="actor_kinds")])
