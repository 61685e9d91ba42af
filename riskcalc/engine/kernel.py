"""The engine's fused kernel: cash flows → discounted cumulative series → outputs, in one pass.

:meth:`riskcalc.engine.CompiledModel.evaluate` computes each flow's amounts with
numpy (the model's expressions) and hands them to :func:`finish_block`, which
does everything else for a block of scenarios while the data are in the CPU's
cache: adding the flows up per actor and cost kind, society, discounting, the
running sums over the years, and the per-scenario outputs (NPVs, ROI, payback
year, investment humps, NPVs before realisation).  The numpy path makes about
fifty passes over (series × years × block) arrays for the same work.

Every value is computed with the same operations, in the same order, as the
straightforward numpy path (``CompiledModel(model, fused=False)``), so the two
agree to the last bit; tests hold them to it.  Compiled by numba on first use
and cached on disk; the kernel releases the GIL, so threads run it in parallel.
"""

from __future__ import annotations

from collections.abc import Sequence

import numba
import numpy as np
from numba import types
from numba.typed import List

__all__ = ["finish_block", "count_bins", "array_list", "NO_CUMULATIVE", "NO_BANDS", "TILE"]

#: Scenarios processed together inside the kernel: the per-year series of a
#: tile (series × TILE) stay in the L2 cache.
TILE = 1024

_ROWS = types.Array(types.float64, 2, "C", readonly=True)
_SIGNATURE = types.void(
    types.ListType(_ROWS), types.Array(types.int64, 2, "C", readonly=True),
    types.Array(types.int64, 2, "C", readonly=True), types.ListType(_ROWS), _ROWS,
    types.Array(types.float64, 1, "C", readonly=True), types.int64, types.int64,
    types.Array(types.int64, 1, "C", readonly=True), types.int64,
    types.Array(types.float64, 2, "A"), types.Array(types.float64, 3, "A"),
    types.Array(types.float64, 1, "C", readonly=True),
    types.Array(types.float64, 1, "C", readonly=True), types.int64,
    types.Array(types.uint16, 2, "C"), types.Array(types.float64, 2, "C"))

#: Passed as `cumulative` when the series are not kept.
NO_CUMULATIVE = np.empty((0, 0, 0))
#: Passed as the histogram arguments when nothing is counted.
NO_BANDS = (np.empty(0), np.empty(0), 0, np.empty((0, 0), dtype=np.uint16), np.empty((0, 2)))


def array_list(arrays: Sequence[np.ndarray]) -> List:
    """The kernel's typed list of C-contiguous (rows × n) float64 arrays."""
    typed = List.empty_list(_ROWS)
    for array in arrays:
        typed.append(np.ascontiguousarray(array, dtype=float))
    return typed


@numba.njit(nogil=True, cache=True)
def count_bins(values, low, width, bins, counts, extremes):  # pragma: no cover
    """Add values of shape (R, n) to histograms of `bins` bins per row.

    Parameters
    ----------
    values : ndarray, shape (R, n)
    low, width : ndarray, shape (R,)
        Left edge of bin 0 and bin width of each row.
    bins : int
    counts : ndarray of unsigned or signed int, shape (R, bins + 2)
        Incremented; column 0 counts values below the grid, column ``bins + 1``
        those above.  NaN is not counted.
    extremes : ndarray, shape (R, 2)
        Smallest and largest value of each row so far (NaN: none yet); updated.
    """
    for r in range(values.shape[0]):
        _count_row(values[r], low[r], width[r], bins, counts[r], extremes[r])


@numba.njit(nogil=True, cache=True)
def _count_row(values, low, width, bins, counts, extremes):  # pragma: no cover
    lo = extremes[0]
    hi = extremes[1]
    for v in values:
        if v != v:
            continue
        if not v >= lo:
            lo = v
        if not v <= hi:
            hi = v
        index = np.floor((v - low) / width)
        if index != index:  # a grid without a span (its pilot was all NaN)
            continue
        column = 0 if index < 0.0 else bins + 1 if index >= bins else int(index) + 1
        counts[column] += 1
    extremes[0] = lo
    extremes[1] = hi


@numba.njit(_SIGNATURE, nogil=True, cache=True, error_model="numpy")
def finish_block(amounts, year_row, entries, unrealised, rates, investment, n_actors, n_kinds,
                 realised_actor, used, out, cumulative, band_low, band_width, bins,
                 band_counts, band_extremes):  # pragma: no cover
    """Add up, discount and reduce one block's cash flows.

    Parameters
    ----------
    amounts : numba typed List of ndarray, shape (rows_e, n)
        Each entry's positive amount (SEK) in the years it is active.
    year_row : ndarray of int64, shape (E, Y)
        Row of ``amounts[e]`` holding year y + 1, or -1 where entry e is inactive.
    entries : ndarray of int64, shape (E, 5)
        Per entry: actor index, cost kind index (-1 for a transfer), sign
        (+1 revenue, -1 cost), slot in `unrealised` (-1 for none) and the series
        of unrealised savings it adds to (its index in `realised_actor`).
    unrealised : numba typed List of ndarray, shape (rows_e, n)
        Savings on paper that do not become budget, for the entries that have some.
    rates : ndarray, shape (1 or Y, 1 or n)
        Discount rate in force in each year (one row: the same in every year), per
        scenario or the same in all (year 1 is not discounted).
    investment : ndarray, shape (n,)
        The investment (SEK), the denominator of ROI.
    n_actors, n_kinds : int
    realised_actor : ndarray of int64, shape (U,)
        Actor index of each series of unrealised savings.
    used : int
        Scenarios of the block to evaluate (the first `used` columns).
    out : ndarray, shape (outputs, >= used)
        Filled with the outputs, in :func:`riskcalc.engine.output_columns` order.
    cumulative : ndarray, shape (actors + 1 + kinds, Y, >= used)
        Filled with the cumulative discounted net of each series when it has rows
        (:data:`NO_CUMULATIVE`: not kept).
    band_low, band_width, bins, band_counts, band_extremes
        When `band_counts` has rows: the cumulative discounted net of series s in
        year y is counted into row ``s * Y + y`` as by :func:`count_bins`.
    """
    n_years = year_row.shape[1]
    n_entries = year_row.shape[0]
    n_unrealised = realised_actor.shape[0]
    society = n_actors
    first_kind = n_actors + 1
    first_unrealised = first_kind + n_kinds
    n_series = first_unrealised + n_unrealised
    flow = np.empty((n_series, TILE))
    cum = np.empty((n_series, TILE))
    lowest = np.empty((n_actors + 1, TILE))
    factor = np.empty(TILE)
    payback = np.empty(TILE)
    for t0 in range(0, used, TILE):
        m = min(TILE, used - t0)
        cum[:, :] = 0.0
        lowest[:, :] = np.inf
        factor[:] = 1.0
        payback[:] = np.nan
        for y in range(n_years):
            flow[:, :] = 0.0
            for e in range(n_entries):
                r = year_row[e, y]
                if r < 0:
                    continue
                source = amounts[e][r, t0:t0 + m]
                targets = (entries[e, 0], first_kind + entries[e, 1] if entries[e, 1] >= 0 else -1)
                for target in targets:
                    if target < 0:
                        continue
                    row = flow[target]
                    if entries[e, 2] > 0:
                        for t in range(m):
                            row[t] += source[t]
                    else:
                        for t in range(m):
                            row[t] -= source[t]
                if entries[e, 3] >= 0:
                    paper = unrealised[entries[e, 3]][r, t0:t0 + m]
                    row = flow[first_unrealised + entries[e, 4]]
                    for t in range(m):
                        row[t] += paper[t]
            # Society is the sum over cost kinds, where transfers never entered.
            total = flow[society]
            total[:] = flow[first_kind]
            for k in range(1, n_kinds):
                kind_row = flow[first_kind + k]
                for t in range(m):
                    total[t] += kind_row[t]
            rate_row = y if rates.shape[0] > 1 else 0
            if y > 0 and rates.shape[1] == 1:
                for t in range(m):
                    factor[t] = factor[t] / (1.0 + rates[rate_row, 0])
            elif y > 0:
                rate = rates[rate_row, t0:t0 + m]
                for t in range(m):
                    factor[t] = factor[t] / (1.0 + rate[t])
            for s in range(n_series):
                flow_row = flow[s]
                cum_row = cum[s]
                for t in range(m):
                    cum_row[t] += flow_row[t] * factor[t]
            # NaN is left out of the minimum here: a NaN year leaves the running sum,
            # and so the NPV, NaN, and the hump is then set to NaN below.
            for s in range(n_actors + 1):
                cum_row = cum[s]
                low_row = lowest[s]
                for t in range(m):
                    c = cum_row[t]
                    low_row[t] = c if c < low_row[t] else low_row[t]
            net = cum[society]
            for t in range(m):
                if payback[t] != payback[t] and net[t] >= 0.0:
                    payback[t] = y + 1.0
            if cumulative.shape[0]:
                for s in range(first_unrealised):
                    for t in range(m):
                        cumulative[s, y, t0 + t] = cum[s, t]
            if band_counts.shape[0]:
                for s in range(first_unrealised):
                    row = s * n_years + y
                    _count_row(cum[s, :m], band_low[row], band_width[row], bins,
                               band_counts[row], band_extremes[row])
        # Outputs, in output_columns order: NPVs of actors, society and cost kinds,
        # ROI, investment, payback year, humps of actors and society, NPVs on paper.
        row = 0
        for s in range(first_unrealised):
            for t in range(m):
                out[row, t0 + t] = cum[s, t]
            row += 1
        for t in range(m):
            out[row, t0 + t] = cum[society, t] / investment[t0 + t]
            out[row + 1, t0 + t] = investment[t0 + t]
            out[row + 2, t0 + t] = payback[t]
        row += 3
        for s in range(n_actors + 1):
            for t in range(m):
                low = lowest[s, t] if cum[s, t] == cum[s, t] else np.nan
                # Adding 0.0 turns the -0.0 of a flat line into 0.0.
                out[row, t0 + t] = (low if low != low else max(0.0, -low)) + 0.0
            row += 1
        if n_unrealised:
            for u in range(n_unrealised):
                for t in range(m):
                    out[row, t0 + t] = cum[realised_actor[u], t] + cum[first_unrealised + u, t]
                row += 1
            for t in range(m):
                paper_total = cum[first_unrealised, t]
                for u in range(1, n_unrealised):
                    paper_total += cum[first_unrealised + u, t]
                out[row, t0 + t] = cum[society, t] + paper_total
