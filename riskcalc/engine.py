"""The vectorised engine: sampled parameters → cash flows → per-scenario outputs.

One chunk of n scenarios is evaluated at once.  Parameters are arrays of shape
(1, n) and ``year`` has shape (Y, 1), so an expression broadcasts to (Y, n)
where it depends on both and stays (1, n) or (Y, 1) where it does not.  Cash
flows are accumulated per actor (A × Y × n) and per cost kind (K × Y × n);
society's cash flow is the sum over cost kinds, so transfers between actors
cancel for society exactly, by construction, not by rounding.

Sampling lives in :mod:`riskcalc.sampling`, chunks and workers in
:mod:`riskcalc.simulation`; this module only evaluates.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np

from riskcalc.bands import BandGrid
from riskcalc.expressions import Expression
from riskcalc.metrics import investment_hump, payback_year
from riskcalc.model import COST_KINDS, Model

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "CompiledModel",
    "ChunkOutput",
    "output_columns",
]

#: Scenarios per chunk: the unit of randomness and of parallel work.  Fixed, so that
#: results never depend on how many workers share the chunks.
DEFAULT_CHUNK_SIZE = 65_536
#: Scenarios evaluated at once inside a chunk; does not change any result.
BLOCK_SIZE = 4096


def output_columns(model: Model) -> list[str]:
    """Names of the per-scenario output columns, in the order they are written."""
    actors = list(model.actor_keys)
    return ([f"npv_{a}" for a in actors] + ["npv_society"]
            + [f"npv_{k}" for k in COST_KINDS] + ["roi", "payback_year"]
            + [f"hump_{a}" for a in actors] + ["hump_society"])


@dataclass(frozen=True)
class _Entry:
    """One signed contribution to an actor's (and maybe a cost kind's) cash flow."""

    actor: int
    kind: int | None  # None for transfers: they cancel within their cost kind
    sign: int
    amount: Expression
    when: Expression | None
    active_years: np.ndarray | None  # row indices when `when` depends on year alone


@dataclass
class ChunkOutput:
    """What one chunk returns to the caller.

    Attributes
    ----------
    outputs : dict of str to ndarray, shape (n,)
        Per-scenario outputs (see :func:`output_columns`).
    cumulative : ndarray, shape (R, Y, n)
        Cumulative discounted net per series (actors, society, cost kinds) and
        year; None when band counts were asked for instead.
    band_counts : ndarray, shape (R * Y, BINS + 2) or None
    lowest, highest : ndarray, shape (R * Y,) or None
        Extremes seen, for percentiles that fall outside the histogram.
    """

    outputs: dict[str, np.ndarray]
    cumulative: np.ndarray | None = None
    band_counts: np.ndarray | None = None
    lowest: np.ndarray | None = None
    highest: np.ndarray | None = None


class CompiledModel:
    """A model prepared for fast repeated evaluation on chunks of scenarios.

    Parameters
    ----------
    model : Model
    """

    def __init__(self, model: Model):
        self.model = model
        self.n_years = model.years
        self.year = np.arange(1, model.years + 1, dtype=float).reshape(-1, 1)
        actor_index = {key: i for i, key in enumerate(model.actor_keys)}
        kind_index = {kind: i for i, kind in enumerate(COST_KINDS)}
        entries = []
        for flow in model.flows:
            entries.append(_Entry(actor_index[flow.actor], kind_index[flow.kind], flow.sign,
                                  flow.amount, flow.when, self._active_years(flow.when)))
        for t in model.transfers:
            active = self._active_years(t.when)
            entries.append(_Entry(actor_index[t.payer], None, -1, t.amount, t.when, active))
            entries.append(_Entry(actor_index[t.payee], None, +1, t.amount, t.when, active))
        self.entries = tuple(entries)
        # Discount factors are computed once when the rate is the same in every scenario.
        self.constant_discount = None
        if model.discount_rate.is_constant:
            self.constant_discount = self._discount(model.discount_rate.evaluate({}))

    @property
    def series(self) -> list[str]:
        """Names of the band series: every actor, society, then each cost kind."""
        return [*self.model.actor_keys, "society", *COST_KINDS]

    def _active_years(self, when: Expression | None) -> np.ndarray | None:
        if when is None or not when.names <= {"year"}:
            return None
        mask = np.broadcast_to(np.asarray(when.evaluate({"year": self.year}), dtype=bool),
                               self.year.shape)
        return np.flatnonzero(mask[:, 0])

    def _discount(self, rate: np.ndarray | float) -> np.ndarray:
        # Year 1 is the intervention year and is not discounted.
        return np.power(1.0 + np.asarray(rate, dtype=float), -(self.year - 1.0))

    def environment(self, params: Mapping[str, np.ndarray | float]) -> dict[str, object]:
        """Parameters (shape (1, n)), ``year`` (Y, 1) and every derived value."""
        env: dict[str, object] = {"year": self.year}
        for name, values in params.items():
            env[name] = np.reshape(values, (1, -1)) if np.ndim(values) else float(values)
        with np.errstate(all="ignore"):
            for name, expr in self.model.derived.items():
                env[name] = expr.evaluate(env)
        return env

    def contributions(self, env: Mapping[str, object], n: int
                      ) -> Iterator[tuple[_Entry, np.ndarray | None, np.ndarray]]:
        """Each entry's amount, shaped (Y, n) or (len(rows), n) with its year rows.

        Yields ``(entry, rows, values)``: `rows` is None when values covers every
        year, else the year indices (0-based) that `values` fills.
        """
        with np.errstate(all="ignore"):
            for entry in self.entries:
                amount = entry.amount.evaluate(env)
                if entry.active_years is not None:
                    rows = entry.active_years
                    full = np.broadcast_to(amount, (self.n_years, n))
                    yield entry, rows, full[rows]
                    continue
                values = np.broadcast_to(amount, (self.n_years, n))
                if entry.when is not None:
                    values = np.where(entry.when.evaluate(env), values, 0.0)
                yield entry, None, values

    def evaluate(self, params: Mapping[str, np.ndarray], *, keep_cumulative: bool = False,
                 grid: BandGrid | None = None) -> ChunkOutput:
        """Evaluate one chunk of scenarios.

        Parameters
        ----------
        params : dict of str to ndarray, shape (n,)
            One value per scenario for every parameter.
        keep_cumulative : bool
            Return the cumulative discounted net (R × Y × n) for exact bands.
        grid : BandGrid, optional
            Count the cumulative net of the chunk's first :data:`BLOCK_SIZE`
            scenarios into these histograms.

        Returns
        -------
        ChunkOutput
        """
        n = len(next(iter(params.values())))
        # Blocks small enough for the (series × years × block) arrays to stay in
        # the CPU's cache run several times faster than one pass over the chunk.
        # With a grid, only the first block of the chunk is counted into the band
        # histograms: counting every scenario would cost more than evaluating it.
        blocks = [self._evaluate_block({k: v[i:i + BLOCK_SIZE] for k, v in params.items()},
                                       keep_cumulative, grid if i == 0 else None)
                  for i in range(0, n, BLOCK_SIZE)]
        if len(blocks) == 1:
            return blocks[0]
        out = ChunkOutput({k: np.concatenate([b.outputs[k] for b in blocks])
                           for k in blocks[0].outputs})
        if keep_cumulative:
            out.cumulative = np.concatenate([b.cumulative for b in blocks], axis=-1)
        if grid is not None:
            first = blocks[0]
            out.band_counts = first.band_counts
            out.lowest, out.highest = first.lowest, first.highest
        return out

    def _evaluate_block(self, params: Mapping[str, np.ndarray], keep_cumulative: bool,
                        grid: BandGrid | None) -> ChunkOutput:
        model = self.model
        used = len(next(iter(params.values())))
        if used < BLOCK_SIZE:
            # numpy may round an element's result differently (by one unit in the
            # last place) depending on the shape of the whole array, e.g. in `**`
            # with broadcasting.  Every block is evaluated at the same shape, so a
            # scenario's result never depends on the size of its chunk or run.
            params = {k: np.pad(v, (0, BLOCK_SIZE - used), mode="edge")
                      for k, v in params.items()}
        n = BLOCK_SIZE
        n_actors = len(model.actors)
        society_row = n_actors
        # One array for every series: actors, then society, then the cost kinds.
        cumulative = np.zeros((n_actors + 1 + len(COST_KINDS), self.n_years, n))
        env = self.environment(params)
        for entry, rows, values in self.contributions(env, n):
            targets = [cumulative[entry.actor]]
            if entry.kind is not None:
                targets.append(cumulative[society_row + 1 + entry.kind])
            op = np.add if entry.sign > 0 else np.subtract
            for target in targets:
                if rows is None:
                    op(target, values, out=target)
                elif len(rows) == 1:
                    row = target[rows[0]]
                    op(row, values[0], out=row)
                else:
                    target[rows] = op(target[rows], values)

        with np.errstate(all="ignore"):
            discount = self.constant_discount
            if discount is None:
                discount = self._discount(model.discount_rate.evaluate(env))
            investment = np.broadcast_to(model.investment.evaluate(env), (1, n))[0]
            # Society is the sum over cost kinds, where transfers never entered.
            np.sum(cumulative[society_row + 1:], axis=0, out=cumulative[society_row])
            cumulative *= discount
            _accumulate_years(cumulative)
            outputs = self._reduce(cumulative[:n_actors], cumulative[society_row],
                                   cumulative[society_row + 1:], investment)

        out = ChunkOutput({k: v[:used] for k, v in outputs.items()})
        cumulative = cumulative[..., :used]
        if keep_cumulative:
            out.cumulative = cumulative
        if grid is not None:
            rows = cumulative.reshape(-1, used)
            out.band_counts = grid.count(rows)
            out.lowest, out.highest = np.nanmin(rows, axis=1), np.nanmax(rows, axis=1)
        return out

    def _reduce(self, actor_cum: np.ndarray, society_cum: np.ndarray, kind_cum: np.ndarray,
                investment: np.ndarray) -> dict[str, np.ndarray]:
        actors = self.model.actor_keys
        outputs: dict[str, np.ndarray] = {}
        for i, key in enumerate(actors):
            outputs[f"npv_{key}"] = actor_cum[i, -1]
        outputs["npv_society"] = society_cum[-1]
        for i, kind in enumerate(COST_KINDS):
            outputs[f"npv_{kind}"] = kind_cum[i, -1]
        outputs["roi"] = society_cum[-1] / investment
        outputs["payback_year"] = payback_year(society_cum)
        humps = investment_hump(actor_cum)
        for i, key in enumerate(actors):
            outputs[f"hump_{key}"] = humps[i]
        outputs["hump_society"] = investment_hump(society_cum)
        return outputs


def base_case_parameters(model: Model) -> dict[str, np.ndarray]:
    """Every parameter at its base-case value, as arrays of one scenario."""
    return {name: np.array([value]) for name, value in model.base_case().items()}


def _accumulate_years(flows: np.ndarray) -> None:
    """Running sum over the year axis of an (S, Y, n) array, in place.

    A loop over the years adds contiguous (S, n) slices; ``np.cumsum(axis=1)``
    on this layout is several times slower.
    """
    for y in range(1, flows.shape[1]):
        np.add(flows[:, y], flows[:, y - 1], out=flows[:, y])
