"""Patient Rule Induction Method (PRIM): boxes in the input space where a condition is dense.

Friedman and Fisher (1999), "Bump hunting in high-dimensional data", Statistics
and Computing 9:123-143, as used in scenario discovery (Bryant and Lempert 2010;
the EMA Workbench).  Written here because no light, maintained implementation
exists (see docs/discovery.md): the EMA Workbench's is the reference but pulls in
a large dependency tree.

* **Peeling**: from the box holding every scenario, repeatedly cut off the
  ``alpha`` share of the box's scenarios at the low or the high end of one input,
  choosing the cut that leaves the highest density (share of scenarios in the box
  that meet the condition), until the box holds less than ``min_mass`` of the
  scenarios.  A discrete input (a regime, an event) loses its lowest or highest
  value at once.  Each step is recorded: the **peeling trajectory**.
* **The chosen box**: the step with the largest ``coverage * density`` (coverage:
  share of all the condition's scenarios inside the box), or, with
  ``min_density``, the step of largest coverage among those at least that dense.
* **Quasi-p-value** of each restriction: the binomial probability of at least the
  box's hits among its scenarios, at the density of the box with that one
  restriction removed (as in the EMA Workbench); restrictions with a quasi-p-value
  above ``max_p`` are dropped, one at a time (the weakest first), as they do not
  concentrate the condition.
* **Next box**: the scenarios of the chosen box are set aside and peeling starts
  again on the rest.

No pasting step (it rarely moves a box and the trajectory is what analysts read).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = ["Box", "PeelStep", "peel", "choose_step", "prim_boxes", "quasi_p_values"]


@dataclass(frozen=True)
class PeelStep:
    """One box of a peeling trajectory.

    Attributes
    ----------
    lower, upper : ndarray, shape (d,)
        The box's limits per input (the data's range where unrestricted).
    coverage : float
        Share of the condition's scenarios (of those peeling started from) inside the box.
    density : float
        Share of the box's scenarios that meet the condition.
    mass : float
        Share of the scenarios peeling started from that lie in the box.
    n : int
        Scenarios in the box.
    """

    lower: np.ndarray
    upper: np.ndarray
    coverage: float
    density: float
    mass: float
    n: int


@dataclass(frozen=True)
class Box:
    """A chosen PRIM box.

    Attributes
    ----------
    index : int
        1 for the first box, 2 for the next one found on what remained, ...
    names : list of str
        The inputs, in column order.
    lower, upper : ndarray, shape (d,)
        Limits; ``-inf`` / ``inf`` where the box does not restrict that side.
    restricted : list of str
        Inputs the box restricts, in column order.
    quasi_p : dict of str to float
        Quasi-p-value of each restriction.
    coverage : float
        Share of all the run's condition scenarios that lie in this box and in no
        earlier one.
    density : float
        Share of the box's scenarios (not in an earlier box) that meet the condition.
    mass : float
        Share of all scenarios in the box (and in no earlier one).
    n, hits : int
        Scenarios in the box, and those among them that meet the condition.
    trajectory : list of PeelStep
        The peeling trajectory the box was chosen from (coverage, density and
        mass relative to the scenarios that remained).
    chosen_step : int
        Index of the chosen box in `trajectory`.
    """

    index: int
    names: list[str]
    lower: np.ndarray
    upper: np.ndarray
    restricted: list[str]
    quasi_p: dict[str, float]
    coverage: float
    density: float
    mass: float
    n: int
    hits: int
    trajectory: list[PeelStep]
    chosen_step: int


def _inside(x: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    return np.all((x >= lower) & (x <= upper), axis=1)


def peel(x: np.ndarray, y: np.ndarray, *, alpha: float = 0.05,
         min_mass: float = 0.05) -> list[PeelStep]:
    """The peeling trajectory of ``y`` over inputs ``x``.

    Parameters
    ----------
    x : ndarray, shape (n, d)
        Inputs per scenario.
    y : ndarray of bool, shape (n,)
        Whether each scenario meets the condition.
    alpha : float
        Share of the box's scenarios cut off per step (0 < alpha < 0.5).
    min_mass : float
        Peeling stops before the box would hold fewer than this share of the scenarios.

    Returns
    -------
    list of PeelStep
        From the whole data's box to the last (smallest) one.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=bool)
    n, d = x.shape
    hits_total = max(int(y.sum()), 1)
    lower, upper = x.min(axis=0), x.max(axis=0)
    idx = np.arange(n)

    def step(idx: np.ndarray) -> PeelStep:
        hits = int(y[idx].sum())
        return PeelStep(lower.copy(), upper.copy(), hits / hits_total,
                        hits / idx.size if idx.size else 0.0, idx.size / n, idx.size)

    trajectory = [step(idx)]
    while True:
        xb, yb = x[idx], y[idx]
        best: tuple[float, int, int, int, float] | None = None  # density, kept, j, side, cut
        for j in range(d):
            col = xb[:, j]
            lo_cut, hi_cut = np.quantile(col, [alpha, 1 - alpha])
            for side, cut in ((0, lo_cut), (1, hi_cut)):
                keep = col >= cut if side == 0 else col <= cut
                if keep.all():  # a discrete input: cut off its whole lowest (highest) value
                    values = np.unique(col)
                    if values.size < 2:
                        continue
                    cut = values[1] if side == 0 else values[-2]
                    keep = col >= cut if side == 0 else col <= cut
                kept = int(keep.sum())
                if kept < min_mass * n or kept == 0:
                    continue
                density = float(yb[keep].mean())
                if best is None or (density, kept) > (best[0], best[1]):
                    best = (density, kept, j, side, float(cut))
        if best is None:
            return trajectory
        _, _, j, side, cut = best
        if side == 0:
            lower[j] = cut
        else:
            upper[j] = cut
        idx = idx[(x[idx, j] >= lower[j]) & (x[idx, j] <= upper[j])]
        trajectory.append(step(idx))


def choose_step(trajectory: Sequence[PeelStep], min_density: float | None = None) -> int:
    """Index of the chosen box: largest coverage x density, or largest coverage at min_density."""
    if min_density is not None:
        dense = [i for i, s in enumerate(trajectory) if s.density >= min_density]
        if dense:
            return max(dense, key=lambda i: (trajectory[i].coverage, trajectory[i].density))
    return max(range(len(trajectory)),
               key=lambda i: (trajectory[i].coverage * trajectory[i].density, -i))


def quasi_p_values(x: np.ndarray, y: np.ndarray, lower: np.ndarray, upper: np.ndarray,
                   restricted: Sequence[int]) -> dict[int, float]:
    """Quasi-p-value of each restricted input (column index) of the box ``[lower, upper]``.

    ``P(Binomial(n_box, p_j) >= hits_box)`` where ``p_j`` is the density of the
    box with input j's restriction removed.
    """
    inside = _inside(x, lower, upper)
    n_box, hits = int(inside.sum()), int(y[inside].sum())
    result = {}
    for j in restricted:
        lo, hi = lower.copy(), upper.copy()
        lo[j], hi[j] = -np.inf, np.inf
        relaxed = _inside(x, lo, hi)
        p = float(y[relaxed].mean()) if relaxed.any() else 0.0
        result[j] = float(stats.binom.sf(hits - 1, n_box, p)) if n_box else 1.0
    return result


def prim_boxes(x: np.ndarray, y: np.ndarray, names: Sequence[str], *, n_boxes: int = 2,
               alpha: float = 0.05, min_mass: float = 0.05, min_density: float | None = None,
               max_p: float = 0.05, min_hits: int = 10) -> list[Box]:
    """Find up to `n_boxes` PRIM boxes, each on the scenarios the earlier ones left.

    Parameters
    ----------
    x : ndarray, shape (n, d)
    y : ndarray of bool, shape (n,)
    names : sequence of str, length d
    n_boxes : int
        Most boxes to find.  Fewer are returned when what remains holds fewer
        than `min_hits` scenarios that meet the condition, or when the best box is
        no denser than what remains as a whole.
    alpha, min_mass : float
        See :func:`peel`.
    min_density : float, optional
        See :func:`choose_step`.
    max_p : float
        Restrictions whose quasi-p-value exceeds this are dropped.
    min_hits : int

    Returns
    -------
    list of Box
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=bool)
    n, d = x.shape
    if len(names) != d:
        raise ValueError(f"{len(names)} names for {d} input columns")
    if not 0 < alpha < 0.5 or not 0 < min_mass < 1:
        raise ValueError(f"need 0 < alpha < 0.5 and 0 < min_mass < 1, got {alpha}, {min_mass}")
    hits_total = int(y.sum())
    remaining = np.ones(n, dtype=bool)
    boxes: list[Box] = []
    for index in range(1, n_boxes + 1):
        xr, yr = x[remaining], y[remaining]
        if int(yr.sum()) < min_hits:
            break
        trajectory = peel(xr, yr, alpha=alpha, min_mass=min_mass * n / remaining.sum())
        chosen = choose_step(trajectory, min_density)
        step = trajectory[chosen]
        data_lo, data_hi = xr.min(axis=0), xr.max(axis=0)
        lower = np.where(step.lower > data_lo, step.lower, -np.inf)
        upper = np.where(step.upper < data_hi, step.upper, np.inf)
        restricted = [j for j in range(d) if np.isfinite(lower[j]) or np.isfinite(upper[j])]
        quasi = quasi_p_values(xr, yr, lower, upper, restricted)
        while quasi and max(quasi.values()) > max_p:
            weakest = max(quasi, key=lambda j: quasi[j])
            lower[weakest], upper[weakest] = -np.inf, np.inf
            restricted.remove(weakest)
            quasi = quasi_p_values(xr, yr, lower, upper, restricted)
        inside = _inside(xr, lower, upper)
        box_hits = int(yr[inside].sum())
        density = box_hits / max(int(inside.sum()), 1)
        if not restricted or density <= yr.mean():
            break
        boxes.append(Box(index, list(names), lower, upper, [names[j] for j in restricted],
                         {names[j]: quasi[j] for j in restricted}, box_hits / max(hits_total, 1),
                         density, int(inside.sum()) / n, int(inside.sum()), box_hits,
                         trajectory, chosen))
        where = np.flatnonzero(remaining)
        remaining[where[inside]] = False
    return boxes
