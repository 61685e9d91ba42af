"""Per-year percentile bands that stay bounded in memory at any number of scenarios.

A run with one chunk keeps its cumulative net per year and computes exact
percentiles.  A run with many chunks cannot keep N × series × years numbers, so
the first block of each chunk (4,096 scenarios of 65,536: a fixed subsample that
does not depend on the number of workers) adds its values to a fixed histogram
per series and year; the histograms of all chunks add up exactly, and a
percentile is read off by linear interpolation inside its bin.  Counting every
scenario would cost more than evaluating the model; the subsample's sampling
error is far below the bin width once a run has more than one chunk.

Accuracy: the bins span three times the range seen in a pilot sample (its
range, widened by one range on each side), split into :data:`BINS` bins, so a
percentile inside that span is off by at most ``3 * range / BINS`` (0.07 % of the
pilot's range).  Values beyond the span are counted in an under/overflow bin; a
percentile that lands there is reported as the most extreme value seen.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["BINS", "BandGrid", "exact_percentiles"]

#: Number of histogram bins per series and year.
BINS = 4096


def exact_percentiles(values: np.ndarray, percents: np.ndarray) -> np.ndarray:
    """Percentiles over the last axis (scenarios): ``(..., n) -> (..., len(percents))``."""
    return np.moveaxis(np.percentile(values, percents, axis=-1), 0, -1)


@dataclass(frozen=True)
class BandGrid:
    """Histogram bins for R rows (series × years), fixed before any chunk runs.

    Attributes
    ----------
    low, width : ndarray, shape (R,)
        Left edge of bin 0 and bin width of each row (currency).
    """

    low: np.ndarray
    width: np.ndarray

    @classmethod
    def from_pilot(cls, pilot: np.ndarray) -> BandGrid:
        """Bins spanning three times the range of a pilot sample of shape (R, m)."""
        pilot = np.where(np.isfinite(pilot), pilot, np.nan)
        seen = ~np.isnan(pilot).all(axis=1)
        # A row with no finite value in the pilot gets bins around 0; its values
        # fall into the outer bins and the extremes still place them.
        lo = np.zeros(len(pilot))
        hi = np.zeros(len(pilot))
        lo[seen] = np.nanmin(pilot[seen], axis=1)
        hi[seen] = np.nanmax(pilot[seen], axis=1)
        span = hi - lo
        # A row with no spread in the pilot still needs bins of positive width.
        span = np.where(span > 0, span, np.maximum(np.abs(lo), 1.0) * 1e-6)
        return cls(low=lo - span, width=3.0 * span / BINS)

    def count(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Histogram of values of shape (R, n), and the extremes of each row.

        Returns
        -------
        counts : ndarray of uint16, shape (R, BINS + 2)
            Column 0 counts values below the grid and column ``BINS + 1`` those
            above.  NaN (a non-finite scenario) is left out of the bands, not put
            in a bin.  At most 65,535 values per row (a block's worth).
        extremes : ndarray, shape (R, 2)
            Smallest and largest value of each row, NaN ignored.
        """
        if values.shape[1] > np.iinfo(np.uint16).max:
            raise ValueError(f"at most 65,535 values per row, got {values.shape[1]}")
        # The same arithmetic as the fused kernel's counting, so both give the same
        # counts (a test holds them to it); plain numpy, so the numpy path needs no
        # compiled code at all.  A NaN value (or a grid without a span) gives a NaN
        # cell, which is not counted.
        rows = len(values)
        with np.errstate(all="ignore"):
            cell = values - self.low[:, None]
            cell /= self.width[:, None]
            np.floor(cell, out=cell)
            np.clip(cell, -1.0, BINS, out=cell)  # below the grid: column 0; above: BINS + 1
            cell += (np.arange(rows) * (BINS + 2) + 1.0)[:, None]
        cell = cell.ravel()
        counts = np.bincount(cell[cell == cell].astype(np.intp), minlength=rows * (BINS + 2))
        extremes = np.stack([np.fmin.reduce(values, axis=1), np.fmax.reduce(values, axis=1)],
                            axis=1)  # fmin/fmax pass over NaN; NaN where a row is all NaN
        return counts.astype(np.uint16).reshape(rows, BINS + 2), extremes

    def empty_counts(self) -> tuple[np.ndarray, np.ndarray]:
        """Zero counts (R, BINS + 2) of uint16 and extremes (R, 2) not yet seen (NaN)."""
        rows = len(self.low)
        return np.zeros((rows, BINS + 2), dtype=np.uint16), np.full((rows, 2), np.nan)

    def percentiles(self, counts: np.ndarray, lowest: np.ndarray, highest: np.ndarray,
                    percents: np.ndarray) -> np.ndarray:
        """Percentiles of shape (R, len(percents)) from summed counts (R, BINS + 2)."""
        counts = counts[:, : BINS + 2]
        total = counts.sum(axis=1, keepdims=True).astype(float)
        cum = np.cumsum(counts, axis=1)
        out = np.empty((counts.shape[0], len(percents)))
        for j, pct in enumerate(percents):
            target = pct / 100.0 * total[:, 0]
            col = np.array([np.searchsorted(c, t, side="left")
                            for c, t in zip(cum, target, strict=True)])
            col = np.minimum(col, BINS + 1)
            before = np.where(col > 0, cum[np.arange(len(col)), col - 1], 0)
            in_bin = counts[np.arange(len(col)), col]
            frac = np.where(in_bin > 0, (target - before) / np.maximum(in_bin, 1), 0.0)
            bin_left = self.low + (col - 1) * self.width
            value = bin_left + np.clip(frac, 0.0, 1.0) * self.width
            value = np.where(col == 0, lowest, value)
            out[:, j] = np.where(col == BINS + 1, highest, value)
        return out
