"""Scenario discovery for a run: where in the inputs a condition on the outputs lives.

:func:`discover` takes a run (its directory or a :class:`SimulationResult`) and a
condition — an expression over the run's columns evaluated with the model
files' safe expression rules (``"npv_society < 0"``), or one of the run's outcome
classes (``very_bad``) — and finds PRIM boxes (:mod:`riskcalc.discovery.prim`) and
a classification tree (:mod:`riskcalc.discovery.tree`).  :meth:`Discovery.write`
puts ``discovery.csv`` and ``discovery.json`` into the run directory.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from riskcalc.decision.classes import CLASS_NAMES, ClassSpec
from riskcalc.discovery.prim import Box, prim_boxes
from riskcalc.discovery.tree import classification_tree, tree_leaves
from riskcalc.errors import ModelError, did_you_mean
from riskcalc.files import read_text, write_csv, write_json
from riskcalc.model.expressions import parse_expression

if TYPE_CHECKING:
    from riskcalc.results.result import SimulationResult

__all__ = ["Discovery", "discover", "input_columns", "DISCOVERY_COLUMNS"]

#: Columns of discovery.csv: one row per restricted input of each box.
DISCOVERY_COLUMNS = ("box", "parameter", "lower", "upper", "coverage", "density", "quasi_p")
#: Most scenarios discovery reads (the run's first ones: a random sample, as
#: scenarios are independent draws); PRIM's boxes are stable long before this.
MAX_SCENARIOS = 200_000
_OUTPUT_NAMES = {"roi", "payback_year", "investment", "class", "scenario_class"}
_OUTPUT_PREFIXES = ("npv_", "hump_", "theoretical_")


def input_columns(columns: list[str]) -> list[str]:
    """The input columns of a scenario table: all but riskcalc's outputs (reserved names)."""
    return [c for c in columns if c not in _OUTPUT_NAMES and not c.startswith(_OUTPUT_PREFIXES)]


@dataclass
class Discovery:
    """The boxes and tree of one condition over a run's scenarios.

    Attributes
    ----------
    condition : str
        The condition as given (an expression, or ``class very_bad``).
    n, hits : int
        Scenarios analysed, and those that meet the condition.
    inputs : list of str
        The inputs boxes may restrict (uncertain ones: constant columns are left out).
    ranges : dict of str to (float, float)
        Each input's smallest and largest value in the scenarios.
    boxes : list of Box
    tree : dict
        See :func:`riskcalc.discovery.tree.classification_tree`.
    settings : dict
        The PRIM and tree settings used.
    """

    condition: str
    n: int
    hits: int
    inputs: list[str]
    ranges: dict[str, tuple[float, float]]
    boxes: list[Box]
    tree: dict[str, Any]
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def share(self) -> float:
        """Share of the scenarios that meet the condition."""
        return self.hits / self.n if self.n else math.nan

    def table(self) -> pd.DataFrame:
        """discovery.csv: ``box, parameter, lower, upper, coverage, density, quasi_p``.

        One row per restricted input of each box; ``lower`` or ``upper`` is empty
        where the box leaves that side open.  ``coverage`` and ``density`` are the
        box's (repeated on each of its rows).
        """
        rows = []
        for b in self.boxes:
            for name in b.restricted:
                j = b.names.index(name)
                rows.append((b.index, name, _finite(b.lower[j]), _finite(b.upper[j]),
                             b.coverage, b.density, b.quasi_p[name]))
        return pd.DataFrame(rows, columns=list(DISCOVERY_COLUMNS))

    def to_dict(self) -> dict[str, Any]:
        """discovery.json: the condition, each box with its trajectory, and the tree."""
        def box(b: Box) -> dict[str, Any]:
            return {
                "box": b.index, "coverage": b.coverage, "density": b.density, "mass": b.mass,
                "n": b.n, "hits": b.hits,
                "limits": {name: {"lower": _finite(b.lower[b.names.index(name)]),
                                  "upper": _finite(b.upper[b.names.index(name)]),
                                  "quasi_p": b.quasi_p[name]} for name in b.restricted},
                "chosen_step": b.chosen_step,
                "trajectory": [{"coverage": s.coverage, "density": s.density, "mass": s.mass,
                                "n": s.n, "restricted": int(np.sum(
                                    (s.lower > np.array([self.ranges[i][0] for i in b.names]))
                                    | (s.upper < np.array([self.ranges[i][1]
                                                           for i in b.names]))))}
                               for s in b.trajectory],
            }

        return {"condition": self.condition, "n": self.n, "hits": self.hits,
                "share": self.share, "inputs": self.inputs,
                "ranges": {k: list(v) for k, v in self.ranges.items()},
                "boxes": [box(b) for b in self.boxes], "tree": self.tree,
                "leaves": tree_leaves(self.tree) if self.tree else [],
                "settings": self.settings}

    def write(self, run_dir: str | Path) -> list[Path]:
        """Write discovery.csv and discovery.json into `run_dir`; returns their paths."""
        out = Path(run_dir)
        return [write_csv(out / "discovery.csv", self.table()),
                write_json(out / "discovery.json", self.to_dict())]


def _finite(v: float) -> float | None:
    return float(v) if math.isfinite(v) else None


def _read_run(run_dir: Path, max_scenarios: int) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    import pyarrow.dataset as ds

    path = run_dir / "scenarios.parquet"
    if not path.exists():
        raise ModelError(f"{run_dir}: no scenarios.parquet; give a run directory written by "
                         "riskcalc run")
    try:
        frame = ds.dataset(path, format="parquet").head(max_scenarios).to_pandas()
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path}: not readable ({exc})") from None
    classes = None
    if (run_dir / "classes.csv").is_file():
        from io import StringIO
        classes = pd.read_csv(StringIO(read_text(run_dir / "classes.csv", "classes.csv")))
    return frame, classes


def _class_condition(frame: pd.DataFrame, classes: pd.DataFrame | None,
                     name: str) -> np.ndarray:
    if "class" in frame:
        known = sorted(set(frame["class"].astype(str)))
        if name not in known:
            raise ModelError(f"--class: unknown class {name!r}; {did_you_mean(name, known)}")
        return (frame["class"].astype(str) == name).to_numpy()
    if classes is not None and {"class", "output", "lower", "upper"} <= set(classes.columns):
        known = list(classes["class"].astype(str))
        if name not in known:
            raise ModelError(f"--class: unknown class {name!r}; {did_you_mean(name, known)}")
        row = classes[classes["class"].astype(str) == name].iloc[0]
        output, lower, upper = str(row["output"]), float(row["lower"]), float(row["upper"])
    else:
        if name not in CLASS_NAMES:
            raise ModelError(f"--class: unknown class {name!r}; {did_you_mean(name, CLASS_NAMES)}")
        spec = ClassSpec()
        output = spec.output
        lower, upper = spec.bounds()[CLASS_NAMES.index(name)]
    if output not in frame:
        raise ModelError(f"--class: the classes are cut on {output!r}, which the run lacks")
    values = frame[output].to_numpy(dtype=float)
    return (values >= lower) & (values < upper)


def _expression_condition(frame: pd.DataFrame, where: str) -> np.ndarray:
    expr = parse_expression(where, where="--where")
    missing = sorted(expr.names - set(frame.columns))
    if missing:
        raise ModelError(f"--where: unknown name {missing[0]!r} in {where!r}; "
                         f"{did_you_mean(missing[0], list(frame.columns))}")
    value = np.broadcast_to(np.asarray(expr.evaluate(
        {k: frame[k].to_numpy(dtype=float) for k in expr.names}), dtype=float), (len(frame),))
    if not np.all((value == 0) | (value == 1)):
        raise ModelError(f"--where: {where!r} is not a condition; compare outputs, e.g. "
                         "'npv_society < 0' or 'roi < -0.5 and npv_municipality < 0'")
    return value == 1


def discover(run: str | Path | SimulationResult, *, where: str | None = None,
             cls: str | None = None, n_boxes: int = 2, alpha: float = 0.05,
             min_mass: float = 0.05, min_density: float | None = None, max_p: float = 0.05,
             tree_depth: int = 3, max_scenarios: int = MAX_SCENARIOS) -> Discovery:
    """PRIM boxes and a CART tree of a condition over a run's scenarios.

    Parameters
    ----------
    run : str, Path or SimulationResult
        A run directory (``scenarios.parquet``, and ``classes.csv`` for `cls`)
        or a result in memory.
    where : str, optional
        A condition over the run's columns (outputs and inputs), in the model
        files' expression language: ``"npv_society < 0"``,
        ``"npv_municipality < -5e6 and roi < 0"``.
    cls : str, optional
        An outcome class instead (``very_bad``, ``bad``, ``half_good``, ``good``),
        cut as the run's classes.csv says (default thresholds otherwise).
    n_boxes : int
        Most boxes, each found on the scenarios earlier ones left.
    alpha, min_mass, min_density, max_p
        PRIM settings, see :func:`riskcalc.discovery.prim.prim_boxes`.
    tree_depth : int
        Depth of the classification tree.
    max_scenarios : int
        Scenarios read (the run's first ones).

    Returns
    -------
    Discovery

    Raises
    ------
    ModelError
        A bad condition, an unknown class or name, a run without scenarios, or a
        condition no scenario (or every scenario) meets; one line.
    """
    if (where is None) == (cls is None):
        raise ModelError("give exactly one of --where EXPR and --class NAME")
    if isinstance(run, (str, Path)):
        frame, classes = _read_run(Path(run), max_scenarios)
    else:
        frame = run.scenarios.head(max_scenarios)
        classes = run.tables.get("classes")
    outputs = [c for c in frame.columns if c not in input_columns(list(frame.columns))
               and c not in ("class", "scenario_class", "payback_year")]
    finite = np.all(np.isfinite(frame[outputs].to_numpy(dtype=float)), axis=1)
    frame = frame[finite].reset_index(drop=True)
    y = (_expression_condition(frame, where) if where is not None
         else _class_condition(frame, classes, cls))  # type: ignore[arg-type]
    condition = where if where is not None else f"class {cls}"
    hits = int(y.sum())
    if hits == 0 or hits == len(y):
        what = "no scenario" if hits == 0 else "every scenario"
        raise ModelError(f"{condition!r}: {what} of the {len(y):,} meets it; nothing to "
                         "discover — choose a condition some scenarios meet")
    inputs = [c for c in input_columns(list(frame.columns))
              if frame[c].nunique(dropna=False) > 1]
    x = frame[inputs].to_numpy(dtype=float)
    boxes = prim_boxes(x, y, inputs, n_boxes=n_boxes, alpha=alpha, min_mass=min_mass,
                       min_density=min_density, max_p=max_p)
    tree = classification_tree(x, y, inputs, max_depth=tree_depth)
    ranges = {name: (float(x[:, j].min()), float(x[:, j].max())) for j, name in
              enumerate(inputs)}
    settings = {"n_boxes": n_boxes, "alpha": alpha, "min_mass": min_mass,
                "min_density": min_density, "max_p": max_p, "tree_depth": tree_depth,
                "max_scenarios": max_scenarios,
                "method": "PRIM (Friedman and Fisher 1999) peeling, no pasting; "
                          "CART (scikit-learn DecisionTreeClassifier, Gini)"}
    return Discovery(condition, len(y), hits, inputs, ranges, boxes, tree, settings)
