"""A column's sorted values where the tables look at them, without sorting the column.

The run's tables read each output's sorted values in a few places only: the
quantiles of the summary and risk rows (ranks near 5, 25, 50, 75 and 95 %), its
lowest tenth (expected shortfall, the convergence threshold) and counts of values
below a few numbers (0, a compensating transfer).  Sorting 10 M values takes
85 ms; :func:`sorted_values` answers the same questions from a histogram of the
values in 2¹⁴ equal bins of [min, max] and the sorted values of the bins looked
at: two passes over the column and a sort of its lowest tenth, under half the
time, to the bit (an order statistic is a value; the lowest tenth is sorted as a
whole), but for the sign of a zero tied with zeros of the other sign (which
``np.sort`` and ``np.partition`` order differently too).

A value's bin, ``min(int((v - min) * scale), bins - 1)``, never decreases as v
grows (each step rounds monotonically), so every value of a lower bin is smaller
than every value of a higher one: the bins laid end to end, each sorted, are the
sorted column, and the count of values below v is the count of the bins below
v's bin plus a count within it.
"""

from __future__ import annotations

import math
from types import ModuleType

import numpy as np

from riskcalc.engine.kernel_cache import table_kernels

__all__ = ["OrderStatistics", "sorted_values", "LEVELS"]

#: Equal-width bins of [min, max]: their counts (128 KiB) stay in the L2 cache.
BINS = 1 << 14
#: Quantile levels whose neighbouring ranks are gathered up front (the summary's).
LEVELS = (0.05, 0.25, 0.50, 0.75, 0.95)
#: Fewer values than this are sorted: the passes cost more than they save.
MIN_SIZE = 1 << 18


def sorted_values(values: np.ndarray, *, head: float = 0.0,
                  around: tuple[float, ...] = (0.0,)) -> np.ndarray | OrderStatistics:
    """`values` sorted, or an :class:`OrderStatistics` that reads like them.

    Parameters
    ----------
    values : ndarray of float64, shape (n,)
        The column (not changed, and referred to by the answer).
    head : float
        Share of the lowest values that will be read in order (slices from 0).
    around : tuple of float
        Values whose counts below will be asked for.

    Returns
    -------
    ndarray or OrderStatistics
        ``np.sort(values)`` where the compiled reductions are not loaded, the
        column is small, not finite, constant, or so concentrated that the bins
        looked at would hold most of it; else the stand-in.
    """
    kernels = table_kernels(values) if values.size >= MIN_SIZE else None
    if kernels is not None:
        lo, hi = float(values.min()), float(values.max())
        if math.isfinite(lo) and math.isfinite(hi) and hi > lo:
            stand_in = OrderStatistics(values, kernels, lo, hi, head=head, around=around)
            if stand_in.usable:
                return stand_in
    return np.sort(values)


class OrderStatistics:
    """The sorted values of a column, read where asked, as ``np.sort(values)`` reads.

    Supports ``size``, ``x[i]`` and ``x[ranks]`` (an integer array), ``x[:m]`` (an
    array) and ``x.searchsorted(v, side)``; the bins a read needs and has not
    gathered are gathered then (one more pass over the column), except that a
    count below one number outside them is counted in the column.

    Parameters
    ----------
    values : ndarray of float64, shape (n,)
        Finite values, min `lo` < max `hi`.
    kernels : module
        :mod:`riskcalc.engine.reductions`, loaded.
    lo, hi : float
        ``values.min()``, ``values.max()``.
    head, around
        As :func:`sorted_values`.
    """

    def __init__(self, values: np.ndarray, kernels: ModuleType, lo: float, hi: float, *,
                 head: float, around: tuple[float, ...]):
        self._values, self._kernels = values, kernels
        self.size = n = values.size
        self._lo, self._hi, self._scale = lo, hi, BINS / (hi - lo)
        counts = np.zeros(BINS, dtype=np.int64)
        kernels.bin_counts(values, lo, self._scale, counts)
        self._starts = np.zeros(BINS + 1, dtype=np.int64)
        np.cumsum(counts, out=self._starts[1:])
        # The head: every bin up to the one holding its last rank, sorted as a whole.
        last = int(self._bin_of_rank(min(math.ceil(n * head) + 1, n - 1))) if head > 0 else -1
        self._head_bins = last + 1
        ranks = np.floor((n - 1) * np.asarray(LEVELS)).astype(np.int64)
        wanted = {*self._bin_of_rank(np.concatenate([ranks, np.minimum(ranks + 1, n - 1)])),
                  *(self._bin_of_value(v) for v in around if lo <= v <= hi)}
        wanted = sorted(b for b in map(int, wanted) if b > last and counts[b])
        self._bins: dict[int, np.ndarray] = {}
        #: False where the bins to gather hold more than half the column (sorting it
        #: then costs less); nothing is gathered.
        self.usable = bool(self._starts[last + 1] + counts[wanted].sum() <= n // 2)
        if not self.usable:
            return
        self._head, out = self._gather(wanted, head=last + 1)
        self._head.sort()
        self._keep(wanted, out, 0)

    def _gather(self, bins: list[int], head: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """In one pass: the values of bins ``0 … head - 1``, in the column's order, and
        those of `bins` (ascending, past the head) bin after bin."""
        slots = np.full(BINS, -1, dtype=np.int64)
        slots[bins] = np.arange(len(bins))
        sizes = self._starts[np.add(bins, 1)] - self._starts[bins]
        cursor = (np.cumsum(sizes) - sizes).astype(np.int64)
        lowest, out = np.empty(int(self._starts[head]) + 1), np.empty(int(sizes.sum()))
        self._kernels.gather_bins(self._values, self._lo, self._scale, head, lowest, slots,
                                  cursor, out)
        return lowest[:-1], out

    def _keep(self, bins: list[int], out: np.ndarray, start: int) -> None:
        """Keep each of `bins` (ascending), found in `out` from `start` on, sorted."""
        for b in bins:
            stop = start + int(self._starts[b + 1] - self._starts[b])
            self._bins[b] = out[start:stop]
            self._bins[b].sort()
            start = stop

    def _ensure(self, bins) -> None:
        """Gather (in one pass) those of `bins` past the head not gathered yet."""
        missing = sorted({int(b) for b in bins if b >= self._head_bins and b not in self._bins})
        empty = [b for b in missing if self._starts[b + 1] == self._starts[b]]
        self._bins.update((b, np.empty(0)) for b in empty)
        missing = [b for b in missing if b not in self._bins]
        if missing:
            self._keep(missing, self._gather(missing)[1], 0)

    def _bin_of_rank(self, rank):
        return np.searchsorted(self._starts, rank, side="right") - 1

    def _bin_of_value(self, value: float) -> int:
        # reductions._value_bin's arithmetic, in Python floats (IEEE doubles as well).
        return min(int((value - self._lo) * self._scale), BINS - 1)

    def _sorted_bin(self, b: int) -> tuple[np.ndarray, int]:
        """Bin b's values sorted (gathered first if need be), in an array whose first
        value has the rank returned."""
        if b < self._head_bins:
            return self._head, 0
        self._ensure([b])
        return self._bins[b], int(self._starts[b])

    def __getitem__(self, key):
        n = self.size
        if isinstance(key, slice):
            start, stop, step = key.indices(n)
            if start != 0 or step != 1:
                raise IndexError("only slices of the lowest values, x[:m], are supported")
            if stop <= self._head.size:
                return self._head[:stop]
            later = range(self._head_bins, int(self._bin_of_rank(stop - 1)) + 1)
            self._ensure(later)
            return np.concatenate([self._head, *(self._bins[b] for b in later)])[:stop]
        if isinstance(key, (int, np.integer)):
            rank = int(key) + n if key < 0 else int(key)
            if not 0 <= rank < n:
                raise IndexError(f"index {key} is out of bounds for size {n}")
            values, first = self._sorted_bin(int(self._bin_of_rank(rank)))
            return values[rank - first]
        ranks = np.asarray(key)
        if ranks.dtype.kind not in "iu":
            raise IndexError("only integers, integer arrays and x[:m] are supported")
        ranks = np.where(ranks < 0, ranks + n, ranks)
        if ranks.size and not (0 <= ranks.min() and ranks.max() < n):
            raise IndexError(f"an index is out of bounds for size {n}")
        self._ensure(np.unique(self._bin_of_rank(ranks)))
        return np.array([self[int(r)] for r in ranks.ravel()],
                        dtype=np.float64).reshape(ranks.shape)

    def searchsorted(self, value, side: str = "left"):
        """How many values are below `value` (``"left"``) or at most it (``"right"``),
        as ``np.searchsorted`` of the sorted column; scalar or array (whose bins
        are gathered in one pass)."""
        if np.ndim(value):
            points = np.asarray(value, dtype=float)
            inside = points[(points >= self._lo) & (points <= self._hi)]
            self._ensure({self._bin_of_value(float(v)) for v in inside})
            return np.array([self.searchsorted(v, side) for v in points.ravel()],
                            dtype=np.intp).reshape(points.shape)
        v = float(value)
        if math.isnan(v) or v > self._hi:
            return self.size  # (NaN sorts after every number)
        if v < self._lo:
            return 0
        b = self._bin_of_value(v)
        if b >= self._head_bins and b not in self._bins:
            # One number: counting is a cheaper pass than gathering its bin.
            below = self._values < v if side == "left" else self._values <= v
            return int(np.count_nonzero(below))
        values, first = self._sorted_bin(b)
        return first + int(np.searchsorted(values, v, side=side))
