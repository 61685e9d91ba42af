"""Each actor's NPV split by cost kind (real, financial, production), per scenario and per year.

The engine adds flows up per actor and, separately, per cost kind (society's
split).  For the split per actor *and* kind, the model is rewritten so that
every actor becomes one actor per cost kind (``municipality`` becomes
``municipality__real``, ``municipality__financial``, ``municipality__production``),
each flow going to its actor's kind and each transfer between its two actors'
accounts of the transfer's kind; that model is run with the same seed.  The
parameters are drawn from streams named by parameter and chunk, so every
scenario is the same scenario as in the run: the kinds of an actor add up to its
NPV scenario by scenario, and each kind summed over the actors is society's
NPV of that kind.  It costs one more simulation, so it is asked for
(``riskcalc run --by-kind``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from riskcalc.engine.metrics import summary_table
from riskcalc.files import atomic_write, write_csv
from riskcalc.model.objects import COST_KINDS, Model

__all__ = ["ActorKinds", "kind_split_model", "actor_kind_split", "SEPARATOR"]

#: Between an actor's key and a cost kind in the split model's actor keys.
SEPARATOR = "__"


def kind_split_model(model: Model) -> Model:
    """The model with every actor split into one actor per cost kind (same parameters)."""
    actors = tuple(dataclasses.replace(a, key=f"{a.key}{SEPARATOR}{k}",
                                       label=f"{a.label} ({k})")
                   for a in model.actors for k in COST_KINDS)
    flows = tuple(dataclasses.replace(f, actor=f"{f.actor}{SEPARATOR}{f.kind}")
                  for f in model.flows)
    transfers = tuple(dataclasses.replace(t, payer=f"{t.payer}{SEPARATOR}{t.kind}",
                                          payee=f"{t.payee}{SEPARATOR}{t.kind}")
                      for t in model.transfers)
    return dataclasses.replace(model, actors=actors, flows=flows, transfers=transfers)


@dataclass
class ActorKinds:
    """The NPV of every actor by cost kind.

    Attributes
    ----------
    npv : DataFrame
        One row per scenario (the run's order), columns ``<actor>__<kind>`` (currency).
    summary : DataFrame
        ``actor, kind, mean, std, se_mean, p05, p50, p95, prob_negative`` (currency).
    yearly : DataFrame
        ``actor, kind, year, p05, p50, p95``: bands of the cumulative discounted
        net of each actor's kind, as ``yearly.csv`` has them per actor.
    """

    npv: pd.DataFrame
    summary: pd.DataFrame
    yearly: pd.DataFrame

    def write(self, out_dir: str | Path) -> list[Path]:
        """Write ``actor_kinds.csv`` (summary), ``actor_kinds_yearly.csv`` and
        ``actor_kinds.parquet`` (per scenario) into `out_dir`."""
        out = Path(out_dir)
        parquet = atomic_write(out / "actor_kinds.parquet",
                               lambda p: self.npv.to_parquet(p, index=False))
        return [write_csv(out / "actor_kinds.csv", self.summary),
                write_csv(out / "actor_kinds_yearly.csv", self.yearly), parquet]


def _split(key: str) -> tuple[str, str]:
    actor, _, kind = key.rpartition(SEPARATOR)
    return actor, kind


def actor_kind_split(model: Model, n: int, *, seed: int, **simulate_kwargs: Any) -> ActorKinds:
    """Simulate the kind-split model with the run's `n` and `seed`.

    Parameters
    ----------
    model : Model
    n, seed : int
        Those of the run being split (the same scenarios).
    **simulate_kwargs
        Passed to :func:`riskcalc.simulate` (n_jobs, backend, chunk_size ...;
        the chunk size must be the run's).

    Returns
    -------
    ActorKinds
    """
    from riskcalc.engine.simulation import simulate

    split = simulate(kind_split_model(model), n, seed=seed, **simulate_kwargs)
    keys = [f"{a}{SEPARATOR}{k}" for a in model.actor_keys for k in COST_KINDS]
    npv = pd.DataFrame({key: np.asarray(split.outputs[f"npv_{key}"]) for key in keys})
    table = summary_table({key: npv[key].to_numpy() for key in keys}, keep=split.finite)
    table = table.rename(columns={"output": "series"})
    parts = [_split(s) for s in table["series"]]
    table.insert(0, "actor", [a for a, _ in parts])
    table.insert(1, "kind", [k for _, k in parts])
    yearly = split.yearly
    yearly = yearly[yearly["series"].isin(keys)].copy()
    parts = [_split(s) for s in yearly["series"]]
    yearly.insert(0, "actor", [a for a, _ in parts])
    yearly.insert(1, "kind", [k for _, k in parts])
    return ActorKinds(npv, table.drop(columns="series"),
                      yearly.drop(columns="series").reset_index(drop=True))
