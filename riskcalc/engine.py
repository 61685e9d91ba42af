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
    """Names of the per-scenario output columns, in the order they are written.

    ``theoretical_*`` columns (NPV before realisation and indivisibilities) appear
    only when the model declares either.
    """
    actors = list(model.actor_keys)
    theoretical = []
    if model.realised_actors:
        theoretical = [f"theoretical_{a}" for a in model.realised_actors]
        theoretical.append("theoretical_society")
    return ([f"npv_{a}" for a in actors] + ["npv_society"]
            + [f"npv_kind_{k}" for k in COST_KINDS] + ["roi", "investment", "payback_year"]
            + [f"hump_{a}" for a in actors] + ["hump_society"] + theoretical)


@dataclass(frozen=True)
class _Entry:
    """One signed contribution to an actor's (and maybe a cost kind's) cash flow."""

    actor: int
    kind: int | None  # None for transfers: they cancel within their cost kind
    sign: int
    amount: Expression
    when: Expression | None
    active_years: np.ndarray | None  # row indices when `when` depends on year alone
    optimism_bias: Expression | None = None
    realisation: Expression | None = None
    whole_units: Expression | None = None
    unrealised_row: int | None = None  # index among the realised actors


@dataclass
class Contribution:
    """One entry's cash amounts in one block, over its active years.

    Attributes
    ----------
    entry : _Entry
    rows : ndarray or None
        Year indices (0-based) that the arrays fill; None: every year.
    amount : ndarray, shape (len(rows) or Y, n)
        What the actor's budget sees (positive; `entry.sign` gives the side),
        optimism bias included, realisation applied.
    uplift : ndarray or None
        The part of `amount` that is optimism bias.
    unrealised : ndarray or None
        Savings on paper that do not become budget (theoretical − realised).
    """

    entry: _Entry
    rows: np.ndarray | None
    amount: np.ndarray
    uplift: np.ndarray | None = None
    unrealised: np.ndarray | None = None


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
        realisation = {a.key: a.realisation for a in model.actors}
        unrealised_row = {key: i for i, key in enumerate(model.realised_actors)}
        entries = []
        for flow in model.flows:
            revenue = flow.sign > 0
            entries.append(_Entry(
                actor_index[flow.actor], kind_index[flow.kind], flow.sign, flow.amount,
                flow.when, self._active_years(flow.when),
                optimism_bias=None if revenue else (flow.optimism_bias or model.optimism_bias),
                realisation=realisation[flow.actor] if revenue else None,
                whole_units=flow.whole_units,
                unrealised_row=unrealised_row.get(flow.actor) if revenue else None))
        for t in model.transfers:
            active = self._active_years(t.when)
            entries.append(_Entry(actor_index[t.payer], None, -1, t.amount, t.when, active))
            entries.append(_Entry(actor_index[t.payee], None, +1, t.amount, t.when, active))
        self.entries = tuple(entries)
        self._buffer: np.ndarray | None = None
        # Discount factors are computed once when every rate is the same in every scenario.
        self.constant_discount = None
        if all(rate.is_constant for _, rate in model.discount_schedule):
            self.constant_discount = self.discount_factors({})

    @property
    def series(self) -> list[str]:
        """Names of the band series: every actor, ``society``, then ``kind_<cost kind>``."""
        return [*self.model.actor_keys, "society", *(f"kind_{k}" for k in COST_KINDS)]

    def _active_years(self, when: Expression | None) -> np.ndarray | None:
        if when is None or not when.names <= {"year"}:
            return None
        mask = np.broadcast_to(np.asarray(when.evaluate({"year": self.year}), dtype=bool),
                               self.year.shape)
        return np.flatnonzero(mask[:, 0])

    def discount_factors(self, env: Mapping[str, object]) -> np.ndarray:
        """Discount factor of every year: shape (Y, 1), or (Y, n) for uncertain rates.

        Year 1 is not discounted; year t is discounted by the product of
        ``1 / (1 + r)`` over years 2..t, r being the rate in force in that year.
        """
        schedule = self.model.discount_schedule
        with np.errstate(all="ignore"):
            if len(schedule) == 1:
                rate = np.asarray(schedule[0][1].evaluate(env), dtype=float)
                return np.power(1.0 + rate, -(self.year - 1.0))
            rates = [np.asarray(expr.evaluate(env), dtype=float) for _, expr in schedule]
            starts = [year for year, _ in schedule]
            # (1, 1) when every rate is a number, (1, n) when one varies by scenario
            factor = np.ones(np.broadcast_shapes((1, 1), *(r.shape for r in rates)))
            factors = [factor]
            for year in range(2, self.n_years + 1):
                factor = factor / (1.0 + rates[np.searchsorted(starts, year, side="right") - 1])
                factors.append(factor)
            return np.concatenate(factors)

    def environment(self, params: Mapping[str, np.ndarray | float]) -> dict[str, object]:
        """Parameters (shape (1, n)), ``year`` (Y, 1) and every derived value and outcome."""
        env: dict[str, object] = {"year": self.year}
        for name, values in params.items():
            env[name] = np.reshape(values, (1, -1)) if np.ndim(values) else float(values)
        with np.errstate(all="ignore"):
            for name, definition in self.model.derived.items():
                env[name] = definition.evaluate(env)
        return env

    def contributions(self, env: Mapping[str, object], n: int) -> Iterator[Contribution]:
        """Each entry's amounts in this block, over the years it is active."""
        with np.errstate(all="ignore"):
            for entry in self.entries:
                amount = np.broadcast_to(entry.amount.evaluate(env), (self.n_years, n))
                rows = entry.active_years
                if rows is not None:
                    amount = amount[rows]
                elif entry.when is not None:
                    amount = np.where(entry.when.evaluate(env), amount, 0.0)
                uplift = unrealised = None
                if entry.optimism_bias is not None:
                    uplift = amount * entry.optimism_bias.evaluate(env)
                    amount = amount + uplift
                if entry.realisation is not None or entry.whole_units is not None:
                    realised = amount
                    if entry.realisation is not None:
                        realised = realised * entry.realisation.evaluate(env)
                    if entry.whole_units is not None:
                        unit = entry.whole_units.evaluate(env)
                        realised = np.floor(realised / unit) * unit
                    unrealised = amount - realised
                    amount = realised
                yield Contribution(entry, rows, amount, uplift, unrealised)

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
        unrealised_row = society_row + 1 + len(COST_KINDS)
        # One array for every series: actors, society, the cost kinds, then the
        # unrealised savings of the actors that have some.
        shape = (unrealised_row + len(model.realised_actors), self.n_years, n)
        # Reused from block to block: a fresh array of this size costs page faults.
        if self._buffer is None or self._buffer.shape != shape or keep_cumulative:
            self._buffer = np.zeros(shape)
        else:
            self._buffer.fill(0.0)
        cumulative = self._buffer
        env = self.environment(params)
        for c in self.contributions(env, n):
            entry = c.entry
            targets = [(cumulative[entry.actor], entry.sign, c.amount)]
            if entry.kind is not None:
                targets.append((cumulative[society_row + 1 + entry.kind], entry.sign, c.amount))
            if c.unrealised is not None:
                targets.append((cumulative[unrealised_row + entry.unrealised_row], 1,
                                c.unrealised))
            for target, sign, values in targets:
                op = np.add if sign > 0 else np.subtract
                if c.rows is None:
                    op(target, values, out=target)
                elif len(c.rows) == 1:
                    row = target[c.rows[0]]
                    op(row, values[0], out=row)
                else:
                    target[c.rows] = op(target[c.rows], values)

        with np.errstate(all="ignore"):
            discount = self.constant_discount
            if discount is None:
                discount = self.discount_factors(env)
            investment = np.broadcast_to(model.investment.evaluate(env), (1, n))[0]
            # Society is the sum over cost kinds, where transfers never entered.
            np.sum(cumulative[society_row + 1:unrealised_row], axis=0,
                   out=cumulative[society_row])
            cumulative *= discount
            _accumulate_years(cumulative)
            outputs = self._reduce(cumulative[:n_actors], cumulative[society_row],
                                   cumulative[society_row + 1:unrealised_row],
                                   cumulative[unrealised_row:], investment)

        out = ChunkOutput({k: np.array(v[:used]) for k, v in outputs.items()})
        cumulative = cumulative[:unrealised_row, :, :used]
        if keep_cumulative:
            out.cumulative = cumulative
        if grid is not None:
            rows = cumulative.reshape(-1, used)
            out.band_counts = grid.count(rows)
            out.lowest, out.highest = np.nanmin(rows, axis=1), np.nanmax(rows, axis=1)
        return out

    def _reduce(self, actor_cum: np.ndarray, society_cum: np.ndarray, kind_cum: np.ndarray,
                unrealised_cum: np.ndarray, investment: np.ndarray) -> dict[str, np.ndarray]:
        actors = self.model.actor_keys
        outputs: dict[str, np.ndarray] = {}
        for i, key in enumerate(actors):
            outputs[f"npv_{key}"] = actor_cum[i, -1]
        outputs["npv_society"] = society_cum[-1]
        for i, kind in enumerate(COST_KINDS):
            outputs[f"npv_kind_{kind}"] = kind_cum[i, -1]
        outputs["roi"] = society_cum[-1] / investment
        outputs["investment"] = investment
        outputs["payback_year"] = payback_year(society_cum)
        humps = investment_hump(actor_cum)
        for i, key in enumerate(actors):
            outputs[f"hump_{key}"] = humps[i]
        outputs["hump_society"] = investment_hump(society_cum)
        if self.model.realised_actors:
            for i, key in enumerate(self.model.realised_actors):
                outputs[f"theoretical_{key}"] = outputs[f"npv_{key}"] + unrealised_cum[i, -1]
            outputs["theoretical_society"] = society_cum[-1] + unrealised_cum[:, -1].sum(axis=0)
        return outputs


def _accumulate_years(flows: np.ndarray) -> None:
    """Running sum over the year axis of an (S, Y, n) array, in place.

    A loop over the years adds contiguous (S, n) slices; ``np.cumsum(axis=1)``
    on this layout is several times slower.
    """
    for y in range(1, flows.shape[1]):
        np.add(flows[:, y], flows[:, y - 1], out=flows[:, y])
