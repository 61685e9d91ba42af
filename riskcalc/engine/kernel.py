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
agree to the last bit; tests hold them to it.  The kernel releases the GIL, so
threads run it in parallel.

Importing this module compiles nothing.  :func:`load` compiles the kernel, or
loads it from numba's on-disk cache when :func:`is_cached` says it is there;
:mod:`riskcalc.engine.kernel_cache` decides when (the numpy path runs meanwhile).
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Sequence

import numba
import numpy as np
from numba import types
from numba.extending import intrinsic

__all__ = ["finish_block", "load", "loaded", "is_cached", "in_cache", "jit", "cache_directory",
           "row_addresses", "NO_CUMULATIVE", "NO_BANDS", "TILE"]


def _answer_numba_blas_probe() -> None:
    """Import ``numba.np.arraymath`` without the ``scipy.linalg`` import of its BLAS probe.

    numba's first compile or cache load imports its array implementations, and that
    module asks, by importing ``scipy.linalg.cython_blas``, whether scipy's BLAS is
    there (to choose how ``np.cov`` and the like take inner products).  That import
    costs 0.2 s of CPU while a run's first chunks wait for the kernel (scipy 1.17's
    array-API layer imports ``numpy.f2py`` and ``numpy.testing``; scipy's BLAS starts
    its threads), and nothing else in a run imports ``scipy.linalg``.  scipy is a
    dependency of riskcalc, so the answer is yes: the probe is answered without the
    import, and numba's linear algebra still imports scipy.linalg (and checks its
    integer width) whenever some code compiles with it.
    """
    if "numba.np.arraymath" in sys.modules:
        return
    try:
        from numba.np import linalg
    except ImportError:  # another numba: leave its imports as they are
        return
    probe = getattr(linalg, "ensure_blas", None)
    if probe is None:
        return
    linalg.ensure_blas = lambda: None
    try:
        import numba.np.arraymath as arraymath
    finally:
        linalg.ensure_blas = probe
    if getattr(arraymath, "ensure_blas", None) is not None:
        arraymath.ensure_blas = probe


_answer_numba_blas_probe()

#: Scenarios processed together inside the kernel: the per-year series of a
#: tile (series × TILE) stay in the L2 cache.
TILE = 1024

_ROWS = types.Array(types.float64, 2, "C", readonly=True)
_ADDRESSES = types.Array(types.intp, 2, "C", readonly=True)
_SIGNATURE = types.void(
    _ADDRESSES, types.Array(types.int64, 2, "C", readonly=True), _ADDRESSES, _ROWS,
    types.Array(types.float64, 1, "C", readonly=True), types.int64, types.int64,
    types.Array(types.int64, 1, "C", readonly=True), types.int64,
    types.Array(types.float64, 2, "A"), types.Array(types.float64, 3, "A"),
    types.Array(types.float64, 1, "C", readonly=True),
    types.Array(types.float64, 1, "C", readonly=True), types.int64,
    types.Array(types.uint16, 2, "C"), types.Array(types.float64, 2, "C"))
#: Held while :func:`load` runs; `_loaded` is True once it has finished.
_loading = threading.Lock()
_loaded = False

#: Passed as `cumulative` when the series are not kept.
NO_CUMULATIVE = np.empty((0, 0, 0))
#: Passed as the histogram arguments when nothing is counted.
NO_BANDS = (np.empty(0), np.empty(0), 0, np.empty((0, 0), dtype=np.uint16), np.empty((0, 2)))


def row_addresses(arrays: Sequence[np.ndarray | None], year_row: np.ndarray,
                  keep: list[np.ndarray]) -> np.ndarray:
    """Where in memory the kernel finds each entry's amounts in each year.

    The kernel reads the rows of the entries' arrays through their addresses, so
    that they are passed without being copied into one array and without a numba
    typed list (whose methods numba compiles again in every process, about 0.25 s).

    Parameters
    ----------
    arrays : sequence of ndarray, shape (rows_e, n), or None
        One per entry (None: the entry has none); n at least the scenarios used.
    year_row : ndarray of int64, shape (E, Y)
        Row of ``arrays[e]`` holding year y + 1, or -1 where entry e is inactive.
    keep : list
        The arrays actually addressed (float64 with contiguous rows: copies of any
        other) are appended; the caller holds it until the kernel has returned.

    Returns
    -------
    ndarray of intp, shape (E, Y)
        Address of the first value of that row, or 0 where there is none.
    """
    base = np.zeros(len(year_row), dtype=np.intp)
    stride = np.zeros(len(year_row), dtype=np.intp)
    for e, array in enumerate(arrays):
        if array is None:
            continue
        if array.dtype != np.float64 or array.strides[-1] != array.itemsize:
            array = np.ascontiguousarray(array, dtype=np.float64)
        keep.append(array)
        base[e] = array.ctypes.data
        stride[e] = array.strides[0]
    addresses = base[:, None] + year_row * stride[:, None]
    addresses[(year_row < 0) | (base == 0)[:, None]] = 0
    return addresses


def jit(**options):
    """numba.njit, cached on disk where numba finds a writable place (the package's
    ``__pycache__``, else NUMBA_CACHE_DIR or the user's cache); compiled in every
    process where it finds none."""
    def decorate(function):
        try:
            return numba.njit(cache=True, **options)(function)
        except RuntimeError:  # "cannot cache function ...: no locator available"
            return numba.njit(**options)(function)
    return decorate


@intrinsic
def _row_at(typingctx, address):  # pragma: no cover
    """The float64 values starting at an address (an intp): a pointer for numba.carray."""
    pointer = types.CPointer(types.float64)

    def codegen(context, builder, signature, args):
        return builder.inttoptr(args[0], context.get_value_type(pointer))

    return pointer(types.intp), codegen


@jit(nogil=True)
def _count_row(values, low, width, bins, counts, extremes):  # pragma: no cover
    """Add the values of one row to its histogram, as :meth:`BandGrid.count` does.

    `counts` (bins + 2,) is incremented: column 0 below the grid, ``bins + 1``
    above, NaN not counted; `extremes` (2,) holds the smallest and largest value
    so far (NaN: none yet) and is updated.
    """
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


@jit(nogil=True, error_model="numpy")
def finish_block(amounts, entries, unrealised, rates, investment, n_actors, n_kinds,
                 realised_actor, used, out, cumulative, band_low, band_width, bins,
                 band_counts, band_extremes):  # pragma: no cover
    """Add up, discount and reduce one block's cash flows.

    Parameters
    ----------
    amounts : ndarray of intp, shape (E, Y)
        Address (see :func:`row_addresses`) of entry e's positive amounts (SEK) in
        year y + 1, one per scenario, or 0 where the entry is inactive.
    entries : ndarray of int64, shape (E, 5)
        Per entry: actor index, cost kind index (-1 for a transfer), sign
        (+1 revenue, -1 cost), whether it has unrealised savings (>= 0) or not
        (-1), and the series of unrealised savings it adds to (its index in
        `realised_actor`).
    unrealised : ndarray of intp, shape (E, Y)
        Addresses, as `amounts`, of the savings on paper that do not become
        budget, for the entries that have some.
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
        year y is counted into row ``s * Y + y`` as by
        :meth:`riskcalc.engine.bands.BandGrid.count`.
    """
    n_years = amounts.shape[1]
    n_entries = amounts.shape[0]
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
                address = amounts[e, y]
                if address == 0:
                    continue
                source = numba.carray(_row_at(address + 8 * t0), m)
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
                    paper = numba.carray(_row_at(unrealised[e, y] + 8 * t0), m)
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


def cache_directory() -> str | None:
    """Where numba keeps the compiled kernel; None when it has nowhere to keep it."""
    cache = getattr(finish_block, "_cache", None)
    return getattr(cache, "cache_path", None)


def is_cached() -> bool:
    """True when numba's on-disk cache holds the kernel for this source file, this
    numba, this Python and this CPU, so that :func:`load` loads it instead of
    compiling it (0.3–0.5 s against 4–10 s)."""
    return in_cache(finish_block, _SIGNATURE)


def in_cache(function, signature) -> bool:
    """True when numba's on-disk cache holds `function` (a :func:`jit` dispatcher)
    compiled for `signature`.

    Reads numba's cache index as numba itself would (its `_index_key` and
    `_load_index`); should a numba release change those, this answers False and
    runs keep to the numpy path, which gives the same numbers.
    """
    try:
        cache = function._cache
        key = cache._index_key(signature, function.targetctx.codegen())
        files = cache._cache_file
        name = files._load_index().get(key)
        # numba writes the index before the data file: both must be there.
        return name is not None and os.path.exists(files._data_path(name))
    except Exception:  # a numba without these internals, or no cache at all
        return False


def load() -> None:
    """Compile the kernel for its one signature (from numba's cache when it is
    there, else from source, saving it there), once per process; thread-safe."""
    global _loaded
    with _loading:
        if _loaded:
            return
        finish_block.compile(_SIGNATURE)
        # Arrays of other layouts or flags are converted to the signature's types
        # instead of compiling another specialisation (as an eager signature would).
        finish_block.disable_compile()
        _loaded = True


def loaded() -> bool:
    """True once :func:`load` has finished in this process."""
    return _loaded
