"""Compiled reductions behind the run's tables: numpy's numbers to the last bit, in fewer passes.

The tables after the engine (summary rows, convergence checkpoints, value of
information) reduce every output column several times with numpy, and each
numpy reduction makes full-size temporaries: ``x.std(ddof=1)`` computes
``x - mean``, squares it and sums it (four passes over memory and a new column),
``x[x <= t]`` makes a mask and a copy, EVPPI makes six columns per parameter.
These kernels compute the same numbers in one or two passes, with no temporary
larger than a few hundred values.

The same numbers, not nearly the same: numpy sums a contiguous float64 array by
pairwise summation (``pairwise_sum`` in its ``loops_utils``) added to 0.0: below
8 values a plain loop; up to 128 eight running sums, combined as
``((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))``, then the rest; above that
the two halves, split at a multiple of 8.  :func:`_pairwise` does exactly that,
so ``x.mean()`` is the pairwise sum over n; ``x.std(ddof=1)`` is the square root of
the pairwise sum of ``(x - mean) * (x - mean)``, each square made as it is
added, over ``n - 1``.  Counts (of losses) are exact integers in any order, and
``np.bincount`` adds weights one scenario after the other.  Tests hold every
kernel to the numpy expression it replaces, with ``==``.

Importing this module imports numba and compiles nothing; :func:`load` compiles
the kernels (or loads them from numba's cache) for their one signature each.
:func:`riskcalc.engine.kernel_cache.table_kernels` decides when (numpy meanwhile).
"""

from __future__ import annotations

import math
import threading

import numpy as np
from numba import types

from riskcalc.engine.kernel import in_cache, jit

__all__ = ["mean_std", "prefix_statistics", "bin_totals", "term_mean_std", "bin_counts",
           "gather_bins", "load", "loaded", "is_cached"]

#: numpy's pairwise blocks: below 8 values a plain loop, up to 128 eight running sums.
_UNROLL, _BLOCK = 8, 128

_COLUMN = types.Array(types.float64, 1, "C", readonly=True)
_OUT = types.Array(types.float64, 1, "C")
_SIZES = types.Array(types.int64, 1, "C", readonly=True)
_INDEX = types.Array(types.intp, 1, "C", readonly=True)
#: Each scenario's bin (at most 2,001 bins along a parameter).
_BINS = types.Array(types.int32, 1, "C", readonly=True)


@jit(nogil=True)
def _block_sum(a, lo, n):  # pragma: no cover (compiled)
    """``np.add.reduce(a[lo:lo + n])`` for n ≤ 128: numpy's leaf of the pairwise sum."""
    if n < _UNROLL:
        total = -0.0
        for i in range(lo, lo + n):
            total += a[i]
        return total
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i = 8
    while i < n - n % 8:
        j = lo + i
        r0 += a[j]
        r1 += a[j + 1]
        r2 += a[j + 2]
        r3 += a[j + 3]
        r4 += a[j + 4]
        r5 += a[j + 5]
        r6 += a[j + 6]
        r7 += a[j + 7]
        i += 8
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        total += a[lo + i]
        i += 1
    return total


@jit(nogil=True)
def _block_squares(a, lo, n, mean):  # pragma: no cover (compiled)
    """:func:`_block_sum` of ``(a - mean) * (a - mean)``, each square made as it is added."""
    if n < _UNROLL:
        total = -0.0
        for i in range(lo, lo + n):
            d = a[i] - mean
            total += d * d
        return total
    d0, d1, d2, d3 = a[lo] - mean, a[lo + 1] - mean, a[lo + 2] - mean, a[lo + 3] - mean
    d4, d5, d6, d7 = a[lo + 4] - mean, a[lo + 5] - mean, a[lo + 6] - mean, a[lo + 7] - mean
    r0, r1, r2, r3 = d0 * d0, d1 * d1, d2 * d2, d3 * d3
    r4, r5, r6, r7 = d4 * d4, d5 * d5, d6 * d6, d7 * d7
    i = 8
    while i < n - n % 8:
        j = lo + i
        d0, d1, d2, d3 = a[j] - mean, a[j + 1] - mean, a[j + 2] - mean, a[j + 3] - mean
        d4, d5, d6, d7 = a[j + 4] - mean, a[j + 5] - mean, a[j + 6] - mean, a[j + 7] - mean
        r0 += d0 * d0
        r1 += d1 * d1
        r2 += d2 * d2
        r3 += d3 * d3
        r4 += d4 * d4
        r5 += d5 * d5
        r6 += d6 * d6
        r7 += d7 * d7
        i += 8
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        d = a[lo + i] - mean
        total += d * d
        i += 1
    return total


# numpy's pairwise sum recurses: sum(first half) + sum(second half), halves split
# at a multiple of 8, down to blocks of at most 128.  numba cannot load a recursive
# function from its cache, so the tree is walked with explicit stacks instead: the
# blocks in order (_next_block), each block's sum added to its left neighbour
# whenever both halves of a node are known (_add_block).  Each reduction below is
# that loop around its own block sum.  The stack heights travel as plain integers,
# not in an array, so that they stay in registers (about 1.5x faster).


@jit(nogil=True, inline="always")
def _tree(n):  # pragma: no cover (compiled)
    """The stacks of a walk over numpy's pairwise tree of n values: (todo, sums, depths).

    `todo` holds the pending right halves (start, size, depth), the whole first;
    `sums` and `depths` the finished left halves.  Heights: 1 pending, 0 finished.
    """
    todo = np.empty((64, 3), dtype=np.int64)
    todo[0, 0] = 0
    todo[0, 1] = n
    todo[0, 2] = 0
    return todo, np.empty(64), np.empty(64, dtype=np.int64)


@jit(nogil=True, inline="always")
def _next_block(todo, pending):  # pragma: no cover (compiled)
    """The walk's next block, left to right: (start, size, depth, pending); size -1
    once the walk is done."""
    if pending == 0:
        return 0, -1, 0, 0
    pending -= 1
    start, size, depth = todo[pending, 0], todo[pending, 1], todo[pending, 2]
    while size > _BLOCK:
        half = size // 2
        half -= half % 8
        todo[pending, 0] = start + half
        todo[pending, 1] = size - half
        todo[pending, 2] = depth + 1
        pending += 1
        size = half
        depth += 1
    return start, size, depth, pending


@jit(nogil=True, inline="always")
def _add_block(value, depth, sums, depths, finished):  # pragma: no cover (compiled)
    """Take a block's sum at `depth`: ``left + right`` for every node it completes.
    Returns the new count of finished sums."""
    # The finished sums are the left halves along the current path, at increasing
    # depths; one at this depth is this node's left half.
    while finished and depths[finished - 1] == depth:
        value = sums[finished - 1] + value
        finished -= 1
        depth -= 1
    sums[finished] = value
    depths[finished] = depth
    return finished + 1


@jit(nogil=True)
def _pairwise(a, n, mean, squares):  # pragma: no cover (compiled)
    """``np.add.reduce(a[:n])``, or with `squares` ``np.add.reduce((a[:n] - mean) *
    (a[:n] - mean))``: numpy adds the pairwise sum to its identity, 0.0 (which turns a
    sum of -0.0 into 0.0)."""
    if n <= _BLOCK:
        return 0.0 + (_block_squares(a, 0, n, mean) if squares else _block_sum(a, 0, n))
    todo, sums, depths = _tree(n)
    pending, finished = 1, 0
    while True:
        start, size, depth, pending = _next_block(todo, pending)
        if size < 0:
            return 0.0 + sums[0]
        value = _block_squares(a, start, size, mean) if squares else _block_sum(a, start, size)
        finished = _add_block(value, depth, sums, depths, finished)


@jit(nogil=True)
def _mean_std(a, n):  # pragma: no cover (compiled)
    mean = _pairwise(a, n, 0.0, False) / n
    std = math.sqrt(_pairwise(a, n, mean, True) / (n - 1)) if n > 1 else np.nan
    return mean, std


@jit(nogil=True)
def mean_std(x):  # pragma: no cover (compiled)
    """``(x.mean(), x.std(ddof=1))`` of a column (NaN std for one value), in two passes.

    Parameters
    ----------
    x : ndarray of float64, shape (n,), C-contiguous, n ≥ 1

    Returns
    -------
    (float, float)
    """
    return _mean_std(x, x.size)


@jit(nogil=True)
def prefix_statistics(x, sizes, threshold, means, stds, negatives, lows,
                      low):  # pragma: no cover (compiled)
    """The convergence statistics of the prefixes ``x[:sizes[k]]`` of a column.

    Parameters
    ----------
    x : ndarray of float64, shape (n,), C-contiguous
    sizes : ndarray of int64, shape (K,)
        Prefix lengths, ascending, each at least 1 and at most n.
    threshold : float
        Values at most this are copied to `low`.
    means, stds : ndarray of float64, shape (K,)
        Filled with ``x[:m].mean()`` and ``x[:m].std(ddof=1)`` (NaN for m = 1).
    negatives, lows : ndarray of int64, shape (K,)
        Filled with the count of values < 0 and of values ≤ `threshold` in each prefix.
    low : ndarray of float64, shape (at least lows[-1] + 1,)
        Filled with the values ≤ `threshold` of ``x[:sizes[-1]]`` in their order:
        ``low[:lows[k]]`` is ``x[:sizes[k]][x[:sizes[k]] <= threshold]``.
    """
    for k in range(sizes.size):
        mean, std = _mean_std(x, sizes[k])
        means[k] = mean
        stds[k] = std
    below = 0
    kept = 0
    start = 0
    for k in range(sizes.size):  # one pass for every prefix: they are nested
        for i in range(start, sizes[k]):
            value = x[i]
            below += value < 0
            # Without a branch (1.7x faster): every value is written, and kept by
            # moving on past it; hence the one spare place at the end of `low`.
            low[kept] = value
            kept += value <= threshold
        negatives[k] = below
        lows[k] = kept
        start = sizes[k]


@jit(nogil=True)
def _bin(x, index, lo, factor, lookup, i):  # pragma: no cover (compiled)
    """Scenario i's bin: ``index[i]``, or (no index) the bin of its cell of the range
    from `lo` (``riskcalc.decision.voi._bins``: the same float operations)."""
    if index.size:
        return index[i]
    scaled = (x[i] - lo) * factor
    top = lookup.size - 1.0
    if scaled < 0.0:  # np.clip(scaled, 0, cells - 1), then truncation to an integer
        scaled = 0.0
    elif scaled > top:
        scaled = top
    return lookup[int(scaled)]


@jit(nogil=True)
def bin_totals(x, y, index, lo, factor, lookup, sums, counts,
               found):  # pragma: no cover (compiled)
    """``np.bincount(bin, weights=y)`` and ``np.bincount(bin)`` of every scenario's bin.

    Parameters
    ----------
    x : ndarray of float64, shape (n,)
        The parameter (not read when `index` is given).
    y : ndarray of float64, shape (n,)
        The weights (net benefit).
    index : ndarray of int32, shape (n,) or (0,)
        Each scenario's bin; empty: the bins come from `x`, `lo`, `factor`, `lookup`.
    lo, factor : float
        A scenario's cell is ``clip((x - lo) * factor, 0, cells - 1)``, truncated.
    lookup : ndarray of intp, shape (cells,)
        Each cell's bin.
    sums : ndarray of float64, shape (bins,), zeros
        Gets each bin's sum of `y`, added in scenario order (as numpy's bincount).
    counts : ndarray of int64, shape (bins,), zeros
        Gets each bin's count.
    found : ndarray of int32, shape (n,) or (0,)
        Gets each scenario's bin, unless empty: the `index` of the passes after,
        which then read a bin instead of finding it again.
    """
    keep = found.size > 0
    for i in range(y.size):
        b = _bin(x, index, lo, factor, lookup, i)
        if keep:
            found[i] = b
        sums[b] += y[i]
        counts[b] += 1


@jit(nogil=True)
def _pairwise_terms(x, y, index, lo, factor, lookup, weights, mean,
                    squares):  # pragma: no cover (compiled)
    """``np.add.reduce(terms)`` (or, with `squares`, of ``(terms - mean) ** 2`` as
    :func:`_block_squares` makes them) of ``terms = y * weights[bin]``, each block of
    terms made in a buffer of 128."""
    buffer = np.empty(_BLOCK)
    todo, sums, depths = _tree(y.size)
    pending, finished = 1, 0
    while True:
        start, size, depth, pending = _next_block(todo, pending)
        if size < 0:
            return 0.0 + sums[0]
        for i in range(size):
            buffer[i] = y[start + i] * weights[_bin(x, index, lo, factor, lookup, start + i)]
        value = _block_squares(buffer, 0, size, mean) if squares else _block_sum(buffer, 0, size)
        finished = _add_block(value, depth, sums, depths, finished)


@jit(nogil=True)
def term_mean_std(x, y, index, lo, factor, lookup, weights):  # pragma: no cover (compiled)
    """``terms.mean()`` and ``terms.std(ddof=1)`` (NaN for one scenario) of
    ``terms = y * weights[bin]``, without making `terms`.

    Parameters
    ----------
    x, y, index, lo, factor, lookup
        As :func:`bin_totals`.
    weights : ndarray of float64, shape (bins,)
        Each bin's factor.

    Returns
    -------
    (float, float)
    """
    n = y.size
    mean = _pairwise_terms(x, y, index, lo, factor, lookup, weights, 0.0, False) / n
    if n < 2:
        return mean, np.nan
    squares = _pairwise_terms(x, y, index, lo, factor, lookup, weights, mean, True)
    return mean, math.sqrt(squares / (n - 1))


@jit(nogil=True, inline="always")
def _value_bin(v, lo, scale, last):  # pragma: no cover (compiled)
    """The bin of value v among ``last + 1`` equal bins from `lo`: the arithmetic
    :class:`riskcalc.engine.order_statistics.OrderStatistics` repeats in Python."""
    return min(int((v - lo) * scale), last)


@jit(nogil=True)
def bin_counts(x, lo, scale, counts):  # pragma: no cover (compiled)
    """Count each value in its bin ``min(int((x - lo) * scale), bins - 1)``.

    Parameters
    ----------
    x : ndarray of float64, shape (n,)
        Finite values, none below `lo`.
    lo, scale : float
        The bins' origin and bins per unit of x.
    counts : ndarray of int64, shape (bins,)
        Added to in place.
    """
    last = counts.size - 1
    for i in range(x.size):
        counts[_value_bin(x[i], lo, scale, last)] += 1


@jit(nogil=True)
def gather_bins(x, lo, scale, head, lowest, slots, cursor, out):  # pragma: no cover
    """Copy the values of some bins (as :func:`bin_counts` bins them).

    The values of bins ``0 … head - 1`` to `lowest`, in the column's order
    (`lowest` has one place to spare); a value of a later bin with a slot
    (``slots[bin]`` ≥ 0; -1: not gathered) to ``out[cursor[slot]]``, and that
    cursor moves on: cursors set to where each slot's values start put each
    slot's values together, in the column's order.
    """
    last = slots.size - 1
    taken = 0
    for i in range(x.size):
        b = _value_bin(x[i], lo, scale, last)
        # Written whether or not the value is the head's (overwritten next if not):
        # no branch to mispredict on one value in ten.
        lowest[taken] = x[i]
        taken += b < head
        slot = slots[b]
        if slot >= 0:
            at = cursor[slot]
            out[at] = x[i]
            cursor[slot] = at + 1


#: Each kernel's one signature (arrays of other flags are converted to it).
_SIGNATURES = {
    mean_std: types.UniTuple(types.float64, 2)(_COLUMN),
    prefix_statistics: types.void(_COLUMN, _SIZES, types.float64, _OUT, _OUT,
                                  types.Array(types.int64, 1, "C"),
                                  types.Array(types.int64, 1, "C"), _OUT),
    bin_totals: types.void(_COLUMN, _COLUMN, _BINS, types.float64, types.float64, _INDEX,
                           _OUT, types.Array(types.int64, 1, "C"),
                           types.Array(types.int32, 1, "C")),
    term_mean_std: types.UniTuple(types.float64, 2)(_COLUMN, _COLUMN, _BINS, types.float64,
                                                    types.float64, _INDEX, _COLUMN),
    bin_counts: types.void(_COLUMN, types.float64, types.float64,
                           types.Array(types.int64, 1, "C")),
    gather_bins: types.void(_COLUMN, types.float64, types.float64, types.int64, _OUT,
                            types.Array(types.int64, 1, "C", readonly=True),
                            types.Array(types.int64, 1, "C"), _OUT),
}
_loading = threading.Lock()
_loaded = False


def is_cached() -> bool:
    """True when numba's on-disk cache holds every kernel here for its signature
    (see :func:`riskcalc.engine.kernel.in_cache`)."""
    return all(in_cache(kernel, signature) for kernel, signature in _SIGNATURES.items())


def load() -> None:
    """Compile every kernel for its signature (from numba's cache when it is there),
    once per process; thread-safe."""
    global _loaded
    with _loading:
        if _loaded:
            return
        for kernel, signature in _SIGNATURES.items():
            kernel.compile(signature)
            kernel.disable_compile()  # convert other arrays, never compile again
        _loaded = True


def loaded() -> bool:
    """True once :func:`load` has finished in this process."""
    return _loaded
