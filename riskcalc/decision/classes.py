"""Scenarios grouped by a label: the four outcome classes, and the declared regimes.

The classes very_bad / bad / half_good / good are cut by three increasing
thresholds on one output (default ROI: -0.5, 0, 1); a value equal to a
threshold belongs to the class above it.  :func:`group_by_label` is the table
behind both: each label's probability and the mean of every value within it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from riskcalc.decision.measures import prob_se

if TYPE_CHECKING:
    from riskcalc.results.result import SimulationResult

__all__ = [
    "CLASS_NAMES",
    "DEFAULT_CLASS_OUTPUT",
    "DEFAULT_CLASS_THRESHOLDS",
    "ClassSpec",
    "group_by_label",
    "class_table",
    "regime_table",
]

#: The seed's four scenarios, worst first.
CLASS_NAMES: tuple[str, ...] = ("very_bad", "bad", "half_good", "good")
#: Default class output and cut points (see :class:`ClassSpec`).
DEFAULT_CLASS_OUTPUT = "roi"
DEFAULT_CLASS_THRESHOLDS: tuple[float, float, float] = (-0.5, 0.0, 1.0)


@dataclass(frozen=True)
class ClassSpec:
    """How scenarios are sorted into the classes very_bad / bad / half_good / good.

    Attributes
    ----------
    output : str
        The output the thresholds apply to: ``"roi"`` or an ``npv_*`` output.
    thresholds : tuple of 3 floats, strictly increasing
        ``value < t0`` → very_bad, ``t0 ≤ value < t1`` → bad,
        ``t1 ≤ value < t2`` → half_good, ``value ≥ t2`` → good.
        Default on ROI (society NPV / investment): -0.5 (loses more than half the
        investment), 0 (a net loss), 1 (gains at least the investment once more).
    """

    output: str = DEFAULT_CLASS_OUTPUT
    thresholds: tuple[float, float, float] = DEFAULT_CLASS_THRESHOLDS

    def __post_init__(self) -> None:
        if self.output != "roi" and not self.output.startswith("npv_"):
            raise ValueError(f"classes apply to 'roi' or an 'npv_*' output, got "
                             f"{self.output!r}")
        t = tuple(float(x) for x in self.thresholds)
        if len(t) != 3 or not all(math.isfinite(x) for x in t) or not t[0] < t[1] < t[2]:
            raise ValueError(f"class thresholds must be three increasing finite numbers "
                             f"[very_bad|bad, bad|half_good, half_good|good], got "
                             f"{list(self.thresholds)!r}")
        object.__setattr__(self, "thresholds", t)

    def classify(self, values: np.ndarray) -> np.ndarray:
        """Class name of each value; shape (n,), dtype str.  Values must be finite."""
        index = np.searchsorted(np.asarray(self.thresholds), values, side="right")
        return np.asarray(CLASS_NAMES)[index]

    def bounds(self) -> list[tuple[float, float]]:
        """(lower, upper) of each class, in :data:`CLASS_NAMES` order."""
        edges = (-math.inf, *self.thresholds, math.inf)
        return list(zip(edges[:-1], edges[1:], strict=True))


def group_by_label(labels: np.ndarray, values: Mapping[str, np.ndarray], *,
                   order: Sequence[str] | None = None, name: str = "label") -> pd.DataFrame:
    """Probability of each label and the mean of every value within it.

    Generic: labels may be outcome classes, declared regimes, anything.

    Parameters
    ----------
    labels : ndarray, shape (n,)
        One label per scenario.
    values : mapping of str to ndarray, shape (n,)
        Per-scenario values (e.g. each actor's NPV, currency).
    order : sequence, optional
        Labels to report, in this order (labels with no scenario get probability 0
        and NaN means); default: the sorted distinct labels.
    name : str
        Name of the label column.

    Returns
    -------
    DataFrame
        Columns ``<name>, n, probability, se_probability, mean_<value>...``.
    """
    labels = np.asarray(labels)
    n = labels.size
    order = list(np.unique(labels)) if order is None else list(order)
    rows = []
    for label in order:
        mask = labels == label
        count = int(mask.sum())
        p = count / n if n else math.nan
        row = {name: label, "n": count, "probability": p, "se_probability": prob_se(p, n)}
        for key, array in values.items():
            row[f"mean_{key}"] = float(np.asarray(array)[mask].mean()) if count else math.nan
        rows.append(row)
    return pd.DataFrame(rows)


def _averaged_outputs(result: SimulationResult) -> dict[str, np.ndarray]:
    """What the tables average per label: each actor's and society's NPV, and ROI.

    Over the finite scenarios, so that it lines up with labels of ``result.finite``.
    """
    keep = result.finite
    keys = [f"npv_{k}" for k in (*result.model.actor_keys, "society")] + ["roi"]
    return {k: result.outputs[k][keep] for k in keys}


def class_table(result: SimulationResult, spec: ClassSpec | None = None, *,
                extra: Mapping[str, np.ndarray] | None = None) -> pd.DataFrame:
    """The four outcome classes: bounds, probability and each actor's mean NPV in each.

    Parameters
    ----------
    result : SimulationResult
    spec : ClassSpec, optional
        Output and thresholds; default ``ClassSpec()`` (ROI at -0.5, 0, 1).
    extra : mapping of str to ndarray, shape (n_finite,), optional
        More per-scenario values (over the finite scenarios) to average per class,
        e.g. ``{"npv_owner": ...}``; they become ``mean_<key>`` columns.

    Returns
    -------
    DataFrame
        Columns ``class, output, lower, upper, n, probability, se_probability,
        mean_npv_<actor>…, mean_npv_society, mean_roi``; one row per class, worst
        first.  The probabilities sum to 1 (the classes partition the scenarios).
    """
    spec = spec or ClassSpec()
    if spec.output not in result.outputs:
        raise ValueError(f"unknown class output {spec.output!r}; expected 'roi' or one of "
                         f"{[k for k in result.outputs if k.startswith('npv_')]}")
    keep = result.finite
    labels = spec.classify(result.outputs[spec.output][keep])
    values = _averaged_outputs(result) | dict(extra or {})
    frame = group_by_label(labels, values, order=CLASS_NAMES, name="class")
    bounds = spec.bounds()
    frame.insert(1, "output", spec.output)
    frame.insert(2, "lower", [b[0] for b in bounds])
    frame.insert(3, "upper", [b[1] for b in bounds])
    return frame


def regime_table(result: SimulationResult) -> pd.DataFrame:
    """Results per declared regime: weight, share of scenarios, each actor's mean NPV.

    Parameters
    ----------
    result : SimulationResult
        Of a model that declares regimes.

    Returns
    -------
    DataFrame
        Columns ``regime, weight, n, probability, se_probability,
        mean_npv_<actor>…, mean_npv_society, mean_roi``; one row per regime in
        declaration order.
    """
    regimes = result.model.regimes
    if not regimes:
        raise ValueError(f"{result.model.source} declares no regimes")
    keep = result.finite
    names = np.array([r.name for r in regimes])
    labels = names[result.parameters["regime"][keep].astype(int)]
    frame = group_by_label(labels, _averaged_outputs(result), order=list(names),
                           name="regime")
    frame.insert(1, "weight", [r.weight for r in regimes])
    return frame
