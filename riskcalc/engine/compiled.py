"""The vectorised engine: sampled parameters → cash flows → per-scenario outputs.

One chunk of n scenarios is evaluated at once.  Parameters are arrays of shape
(1, n) and ``year`` has shape (Y, 1), so an expression broadcasts to (Y, n)
where it depends on both and stays (1, n) or (Y, 1) where it does not.  Cash
flows are accumulated per actor (A × Y × n) and per cost kind (K × Y × n);
society's cash flow is the sum over cost kinds, so transfers between actors
cancel for society exactly, by construction, not by rounding.

Sampling lives in :mod:`riskcalc.engine.sampling`, chunks and workers in
:mod:`riskcalc.engine.simulation`; this module only evaluates.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np

from riskcalc.engine.bands import BINS, BandGrid
from riskcalc.engine.metrics import investment_hump, payback_year
from riskcalc.model.expressions import Expression
from riskcalc.model.objects import COST_KINDS, Model
from riskcalc.programmes.cohorts import programme_environment, superpose

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "CompiledModel",
    "ChunkOutput",
    "output_columns",
]

#: Scenarios per chunk: the unit of randomness and of parallel work.  Fixed, so that
#: results never depend on how many workers share the chunks.
DEFAULT_CHUNK_SIZE = 65_536
#: Scenarios evaluated at once inside a chunk; does not change any result.  The Python
#: work of a block (the expressions, numpy's calls) costs the same at any size and holds
#: the GIL, so larger blocks let more threads run: 8192 halves that share of a chunk
#: against 4096 (11-14 % to 6 %, experiments/gil_share.py), and a block's arrays
#: still stay in a core's L2 cache.
BLOCK_SIZE = 8192
#: Scenarios of each chunk counted into the band histograms, and of the pilot sample
#: that fixes their bins: the first ones of the chunk, a block of their own.
BAND_SAMPLE = 4096


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
    per_cohort: bool = False  # a programme's cohort-scope entry: summed over cohorts


@dataclass
class Contribution:
    """One entry's cash amounts in one block, over its active years.

    Attributes
    ----------
    entry : _Entry
    rows : ndarray or None
        Year indices (0-based) the entry is active in; None: every year.
    amount : ndarray, shape (len(rows) or Y, n), or (1, n)
        What the actor's budget sees (positive; `entry.sign` gives the side),
        optimism bias included, realisation applied.  One row when it is the
        same in every active year.
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

    def row(self, year_index: int) -> int | None:
        """Row of the arrays that holds year ``year_index + 1``; None when inactive then."""
        if self.rows is not None and year_index not in self.rows:
            return None
        if len(self.amount) == 1:
            return 0
        return year_index if self.rows is None else list(self.rows).index(year_index)


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
    nonfinite : ndarray of int, shape (k,)
        Positions in the chunk of the scenarios with an output that is not finite
        (``payback_year`` left out: NaN there means no payback), found while each
        block is still in the CPU's cache so that nobody reads every column again.
    """

    outputs: dict[str, np.ndarray]
    cumulative: np.ndarray | None = None
    band_counts: np.ndarray | None = None
    lowest: np.ndarray | None = None
    highest: np.ndarray | None = None
    nonfinite: np.ndarray | None = None


class CompiledModel:
    """A model prepared for fast repeated evaluation on chunks of scenarios.

    Parameters
    ----------
    model : Model
    fused : bool, optional
        Add up, discount and reduce the cash flows in the compiled kernel
        (:mod:`riskcalc.engine.kernel`); False runs the straightforward numpy
        evaluation, which gives the same bits, slower.  Default: the kernel when
        numba's cache holds it, else numpy (see
        :mod:`riskcalc.engine.kernel_cache`, and ``RISKCALC_KERNEL``).
    """

    def __init__(self, model: Model, *, fused: bool | None = None):
        self.model = model
        self.n_years = model.years
        self.year = np.arange(1, model.years + 1, dtype=float).reshape(-1, 1)
        actor_index = {key: i for i, key in enumerate(model.actor_keys)}
        kind_index = {kind: i for i, kind in enumerate(COST_KINDS)}
        realisation = {a.key: a.realisation for a in model.actors}
        unrealised_row = {key: i for i, key in enumerate(model.realised_actors)}
        entries = []
        programme = model.programme is not None
        for flow in model.flows:
            revenue = flow.sign > 0
            per_cohort = programme and flow.scope == "cohort"
            entries.append(_Entry(
                actor_index[flow.actor], kind_index[flow.kind], flow.sign, flow.amount,
                flow.when, None if per_cohort else self._active_years(flow.when),
                optimism_bias=None if revenue else (flow.optimism_bias or model.optimism_bias),
                realisation=realisation[flow.actor] if revenue else None,
                whole_units=flow.whole_units,
                unrealised_row=unrealised_row.get(flow.actor) if revenue else None,
                per_cohort=per_cohort))
        for t in model.transfers:
            per_cohort = programme and t.scope == "cohort"
            active = None if per_cohort else self._active_years(t.when)
            for actor, sign in ((t.payer, -1), (t.payee, +1)):
                entries.append(_Entry(actor_index[actor], None, sign, t.amount, t.when, active,
                                      per_cohort=per_cohort))
        self.entries = tuple(entries)
        self._alike = model.programme is not None and _cohorts_alike(model, entries)
        self.columns = output_columns(model)
        self._chosen = fused is None  # by riskcalc.engine.kernel_cache, which counts blocks
        if fused is None:
            from riskcalc.engine.kernel_cache import use_kernel

            fused = use_kernel()
        elif fused:
            from riskcalc.engine import kernel

            kernel.load()
        self.fused = fused
        # The kernel's view of the entries (see riskcalc.engine.kernel.finish_block).
        self._year_row = np.full((len(entries), self.n_years), -1, dtype=np.int64)
        self._entry_table = np.full((len(entries), 5), -1, dtype=np.int64)
        for e, entry in enumerate(entries):
            rows = np.arange(self.n_years) if entry.active_years is None else entry.active_years
            self._year_row[e, rows] = np.arange(len(rows))
            self._entry_table[e, :3] = (entry.actor, -1 if entry.kind is None else entry.kind,
                                        entry.sign)
            if entry.unrealised_row is not None:
                self._entry_table[e, 3:] = (0, entry.unrealised_row)
        self._year_row_single = np.where(self._year_row >= 0, 0, -1)
        self._realised_actor = np.array([actor_index[a] for a in model.realised_actors],
                                        dtype=np.int64)
        # Rates are computed once when every rate is the same in every scenario.
        self._constant_rates = None
        if all(rate.is_constant for _, rate in model.discount_schedule):
            self._constant_rates = self.discount_rates({})

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

    def discount_rates(self, env: Mapping[str, object]) -> np.ndarray:
        """The discount rate in force in each year.

        Returns
        -------
        ndarray, shape (1 or Y, 1 or n)
            One row when the same rate holds in every year, one column when it
            is the same in every scenario.  Year 1 is not discounted; year t is
            discounted by the product of ``1 / (1 + r)`` over years 2..t, r being
            the rate in force in that year.
        """
        if self._constant_rates is not None:
            return self._constant_rates
        schedule = self.model.discount_schedule
        rates = [np.reshape(np.asarray(expr.evaluate(env), dtype=float), (1, -1))
                 for _, expr in schedule]
        if len(rates) == 1:
            return rates[0]
        starts = [year for year, _ in schedule]
        in_force = np.searchsorted(starts, np.arange(1, self.n_years + 1), side="right") - 1
        width = max(r.shape[1] for r in rates)
        return np.concatenate([np.broadcast_to(rates[i], (1, width)) for i in in_force])

    def environment(self, params: Mapping[str, np.ndarray | float]) -> dict[str, object]:
        """Parameters (shape (1, n)), ``year`` (Y, 1) and every derived value and outcome."""
        env: dict[str, object] = {"year": self.year}
        for name, values in params.items():
            if isinstance(values, np.ndarray) and values.ndim:
                env[name] = values.reshape(1, -1)  # the method: np.reshape's wrapper costs more
            else:
                env[name] = np.reshape(values, (1, -1)) if np.ndim(values) else float(values)
        if self.model.programme is not None:
            # Calendar years, with each cohort's environment inside (riskcalc.programmes).
            return programme_environment(self.model.programme, env, self._derive,
                                         alike=self._alike)
        self._derive(env)
        return env

    def _derive(self, env: dict[str, object]) -> None:
        """Add every derived value and outcome to `env`, in evaluation order."""
        with np.errstate(all="ignore"):
            for name, definition in self.model.derived.items():
                env[name] = definition.evaluate(env)

    def contributions(self, env: Mapping[str, object], n: int) -> Iterator[Contribution]:
        """Each entry's amounts in this block, over the years it is active."""
        with np.errstate(all="ignore"):
            for entry in self.entries:
                rows = entry.active_years
                parts = [None if e is None
                         else np.asarray(e.evaluate_ignoring_errors(env), dtype=float)
                         for e in (None if entry.per_cohort else entry.amount,
                                   entry.optimism_bias, entry.realisation, entry.whole_units)]
                when = None
                if entry.per_cohort:
                    # Summed over cohorts first: bias, realisation and whole units
                    # apply to the programme's total in each calendar year.
                    parts[0] = superpose(entry.amount, entry.when, env.cohorts,
                                         (self.n_years, n))
                elif rows is None and entry.when is not None:
                    when = np.asarray(entry.when.evaluate_ignoring_errors(env), dtype=bool)
                # Amounts the same in every year keep one row: they are not copied per year.
                varies = any(p is not None and p.ndim == 2 and p.shape[0] > 1
                             for p in (*parts, when))
                if varies and rows is not None:
                    parts = [p if p is None or p.ndim < 2 or p.shape[0] == 1 else p[rows]
                             for p in parts]
                amount, bias, realisation, unit = parts
                height = 1 if not varies else self.n_years if rows is None else len(rows)
                if amount.shape != (height, n):  # a view, only where it is needed
                    amount = np.broadcast_to(amount, (height, n))
                if when is not None:
                    amount = np.where(when, amount, 0.0)
                uplift = unrealised = None
                if bias is not None:
                    uplift = amount * bias
                    amount = amount + uplift
                if realisation is not None or unit is not None:
                    realised = amount
                    if realisation is not None:
                        realised = realised * realisation
                    if unit is not None:
                        realised = np.floor(realised / unit) * unit
                    unrealised = amount - realised
                    amount = realised
                yield Contribution(entry, rows, amount, uplift, unrealised)

    def evaluate(self, params: Mapping[str, np.ndarray], *, keep_cumulative: bool = False,
                 grid: BandGrid | None = None, out: np.ndarray | None = None) -> ChunkOutput:
        """Evaluate one chunk of scenarios.

        Parameters
        ----------
        params : dict of str to ndarray, shape (n,)
            One value per scenario for every parameter.
        keep_cumulative : bool
            Return the cumulative discounted net (R × Y × n) for exact bands.
        grid : BandGrid, optional
            Count the cumulative net of the chunk's first :data:`BAND_SAMPLE`
            scenarios into these histograms.
        out : ndarray, shape (len(output_columns), n), optional
            Where to write the outputs (a slice of a run's table, say); the
            returned outputs are its rows.

        Returns
        -------
        ChunkOutput
        """
        n = len(next(iter(params.values())))
        n_series = len(self.series)
        table = np.empty((len(self.columns), n)) if out is None else out
        cumulative = np.empty((n_series, self.n_years, n)) if keep_cumulative else None
        result = ChunkOutput(dict(zip(self.columns, table, strict=True)), cumulative)
        if grid is not None:
            result.band_counts, extremes = grid.empty_counts()
        # Blocks small enough for a block's arrays to stay in the CPU's cache run
        # several times faster than one pass over the chunk.  With a grid, only the
        # chunk's first BAND_SAMPLE scenarios, a block of their own, are counted into
        # the band histograms: counting every scenario would cost more than
        # evaluating it.
        payback = self.columns.index("payback_year")
        nonfinite = []
        starts = list(range(0, n, BLOCK_SIZE))
        if grid is not None and n > BAND_SAMPLE:
            starts = [0, *range(BAND_SAMPLE, n, BLOCK_SIZE)]
        for b, i in enumerate(starts):
            used = (starts[b + 1] if b + 1 < len(starts) else n) - i
            bands = (grid, result.band_counts, extremes) if grid is not None and i == 0 else None
            self._evaluate_block({k: v[i:i + used] for k, v in params.items()},
                                 table[:, i:i + used],
                                 None if cumulative is None else cumulative[..., i:i + used],
                                 bands)
            finite = np.isfinite(table[:, i:i + used])  # no copy of the block's rows
            finite[payback] = True  # NaN there means no payback
            bad = ~finite.all(axis=0)
            if bad.any():
                nonfinite.append(i + np.flatnonzero(bad))
        if self._chosen and not self.fused:
            from riskcalc.engine.kernel_cache import count_numpy_blocks

            count_numpy_blocks(len(starts))
        result.nonfinite = (np.concatenate(nonfinite) if nonfinite
                            else np.empty(0, dtype=np.intp))
        if grid is not None:
            result.lowest, result.highest = extremes.T
        return result

    def _evaluate_block(self, params: Mapping[str, np.ndarray], out: np.ndarray,
                        cumulative: np.ndarray | None,
                        bands: tuple[BandGrid, np.ndarray, np.ndarray] | None) -> None:
        """Fill `out` (outputs × used), `cumulative` (series × Y × used) if given, and
        count the cumulative series into `bands` (grid, counts, extremes) if given."""
        used = len(next(iter(params.values())))
        if used < BLOCK_SIZE:
            # numpy may round an element's result differently (by one unit in the
            # last place) depending on the shape of the whole array, e.g. in `**`
            # with broadcasting.  Every block is evaluated at the same shape, so a
            # scenario's result never depends on the size of its chunk or run.
            params = {k: np.pad(v, (0, BLOCK_SIZE - used), mode="edge")
                      for k, v in params.items()}
        env = self.environment(params)
        contributions = list(self.contributions(env, BLOCK_SIZE))
        with np.errstate(all="ignore"):
            rates = self.discount_rates(env)
            investment = np.broadcast_to(
                np.asarray(self.model.investment.evaluate(env), dtype=float), (1, BLOCK_SIZE))[0]
        finish = self._finish_fused if self.fused else self._finish_numpy
        finish(contributions, rates, investment, used, out, cumulative, bands)

    def _finish_fused(self, contributions: list[Contribution], rates: np.ndarray,
                      investment: np.ndarray, used: int, out: np.ndarray,
                      cumulative: np.ndarray | None,
                      bands: tuple[BandGrid, np.ndarray, np.ndarray] | None) -> None:
        from riskcalc.engine import kernel

        single = np.array([len(c.amount) == 1 for c in contributions])
        year_row = np.where(single[:, None], self._year_row_single, self._year_row)
        histogram = kernel.NO_BANDS
        if bands is not None:
            grid, counts, extremes = bands
            histogram = (grid.low, grid.width, BINS, counts, extremes)
        held: list[np.ndarray] = []  # the addressed arrays, alive until the kernel returns
        kernel.finish_block(
            kernel.row_addresses([c.amount for c in contributions], year_row, held),
            self._entry_table,
            kernel.row_addresses([c.unrealised for c in contributions], year_row, held),
            rates, np.ascontiguousarray(investment), len(self.model.actors), len(COST_KINDS),
            self._realised_actor, used, out,
            kernel.NO_CUMULATIVE if cumulative is None else cumulative, *histogram)

    def _finish_numpy(self, contributions: list[Contribution], rates: np.ndarray,
                      investment: np.ndarray, used: int, out: np.ndarray,
                      cumulative: np.ndarray | None,
                      bands: tuple[BandGrid, np.ndarray, np.ndarray] | None) -> None:
        """The straightforward numpy evaluation: the reference for the fused kernel."""
        n = BLOCK_SIZE
        n_actors = len(self.model.actors)
        society_row = n_actors
        unrealised_row = society_row + 1 + len(COST_KINDS)
        # One array for every series: actors, society, the cost kinds, then the
        # unrealised savings of the actors that have some.
        series = np.zeros((unrealised_row + len(self.model.realised_actors), self.n_years, n))
        for c in contributions:
            entry = c.entry
            targets = [(series[entry.actor], entry.sign, c.amount)]
            if entry.kind is not None:
                targets.append((series[society_row + 1 + entry.kind], entry.sign, c.amount))
            if c.unrealised is not None:
                targets.append((series[unrealised_row + entry.unrealised_row], 1,
                                c.unrealised))
            for target, sign, values in targets:
                op = np.add if sign > 0 else np.subtract
                if c.rows is None:
                    op(target, values, out=target)
                else:
                    target[c.rows] = op(target[c.rows], values)
        with np.errstate(all="ignore"):
            # Society is the sum over cost kinds, where transfers never entered.
            np.sum(series[society_row + 1:unrealised_row], axis=0, out=series[society_row])
            series *= self._discount_factors(rates)
            _accumulate_years(series)
            outputs = self._reduce(series[:n_actors], series[society_row],
                                   series[society_row + 1:unrealised_row],
                                   series[unrealised_row:], investment)
        for row, name in enumerate(self.columns):
            out[row] = outputs[name][:used]
        if cumulative is not None:
            cumulative[...] = series[:unrealised_row, :, :used]
        if bands is not None:
            grid, counts, extremes = bands
            rows = series[:unrealised_row, :, :used].reshape(-1, used)
            counted, extremes[...] = grid.count(rows)
            counts += counted

    def _discount_factors(self, rates: np.ndarray) -> np.ndarray:
        rates = np.broadcast_to(rates, (self.n_years, rates.shape[1]))
        factors = np.empty(rates.shape)
        factors[0] = 1.0
        for y in range(1, self.n_years):
            factors[y] = factors[y - 1] / (1.0 + rates[y])
        return factors

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


def _cohorts_alike(model: Model, entries: tuple[_Entry, ...]) -> bool:
    """True when a programme's cohorts differ only in their entry year.

    That is: one intake expression for all, no parameter drawn per cohort, and no
    cohort-scope amount or condition reading ``cohort`` (directly or through a
    derived value or outcome).
    """
    programme = model.programme
    if programme.varying or len({e.source for e in programme.intake}) > 1:
        return False
    names: set[str] = set()
    pending = [name for e in entries if e.per_cohort
               for expr in (e.amount, e.when) if expr is not None for name in expr.names]
    while pending:
        name = pending.pop()
        if name not in names:
            names.add(name)
            if name in model.derived:
                pending.extend(model.derived[name].names)
    return "cohort" not in names


def _accumulate_years(flows: np.ndarray) -> None:
    """Running sum over the year axis of an (S, Y, n) array, in place.

    A loop over the years adds contiguous (S, n) slices; ``np.cumsum(axis=1)``
    on this layout is several times slower.
    """
    for y in range(1, flows.shape[1]):
        np.add(flows[:, y], flows[:, y - 1], out=flows[:, y])
