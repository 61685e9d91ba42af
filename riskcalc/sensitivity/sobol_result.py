"""The result of a Sobol' analysis: tidy tables, a LaTeX table, and its files.

:class:`SobolResult` holds the :class:`~riskcalc.sensitivity.sobol_estimators.SobolIndices`
of a model's outputs with what it takes to reproduce them; it computes nothing
more than views of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from riskcalc.files import to_csv
from riskcalc.model.objects import Model
from riskcalc.sensitivity.manifest import build_manifest, write_with_manifest
from riskcalc.sensitivity.sobol_estimators import SobolIndices

__all__ = ["SobolResult"]

_LATEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
                  "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
                  "^": r"\textasciicircum{}"}


def _latex_escape(text: str) -> str:
    """Text with LaTeX's special characters escaped."""
    return "".join(_LATEX_SPECIAL.get(char, char) for char in str(text))


@dataclass(frozen=True, eq=False)
class SobolResult:
    """Sobol' indices of a model's outputs, with what it takes to reproduce them.

    Attributes
    ----------
    model : Model
    outputs : tuple of str
        Output columns analysed (``npv_<actor>``, ``npv_society``, ``roi``, ...).
    inputs : tuple of str
        What the indices are of: the design's inputs, or the groups.
    groups : dict of str to tuple of str
        Each entry of `inputs` → the parameters it moves (itself when ungrouped).
    indices : SobolIndices
        Arrays of shape (len(outputs), len(inputs)).
    seed : int
        ``SeedSequence(seed).spawn(2)`` gives the design's scrambling and the
        bootstrap's streams.
    n : int
        N, base points.
    second_order : bool
    n_evaluations : int
        N (2G + 2) with second order, N (G + 2) without.
    warnings : tuple of str
        Diagnostics worth reading before using the indices.
    convergence : DataFrame or None
        Indices at N/8, N/4, N/2 and N (nested prefixes of the one design).
    timings : dict of str to float
        Seconds: design, inverse CDFs, evaluation, analysis, total.
    environment : dict
        Workers and backend of the evaluation.
    """

    model: Model
    outputs: tuple[str, ...]
    inputs: tuple[str, ...]
    groups: dict[str, tuple[str, ...]]
    indices: SobolIndices
    seed: int
    n: int
    second_order: bool
    n_evaluations: int
    warnings: tuple[str, ...] = ()
    convergence: pd.DataFrame | None = None
    timings: dict[str, float] = field(default_factory=dict)
    environment: dict[str, Any] = field(default_factory=dict)

    @property
    def table(self) -> pd.DataFrame:
        """Tidy S1 and ST: ``output, parameter, S1, S1_conf, ST, ST_conf``."""
        n_in = len(self.inputs)
        ix = self.indices
        return pd.DataFrame({
            "output": np.repeat(self.outputs, n_in),
            "parameter": np.tile(self.inputs, len(self.outputs)),
            "S1": ix.S1.ravel(), "S1_conf": ix.S1_conf.ravel(),
            "ST": ix.ST.ravel(), "ST_conf": ix.ST_conf.ravel(),
        })

    @property
    def second_order_table(self) -> pd.DataFrame:
        """Tidy S2: ``output, parameter_1, parameter_2, S2, S2_conf`` (empty without it)."""
        columns = ["output", "parameter_1", "parameter_2", "S2", "S2_conf"]
        if self.indices.S2 is None:
            return pd.DataFrame(columns=columns)
        j, k = np.triu_indices(len(self.inputs), k=1)
        names = np.asarray(self.inputs, dtype=object)
        return pd.DataFrame({
            "output": np.repeat(self.outputs, len(j)),
            "parameter_1": np.tile(names[j], len(self.outputs)),
            "parameter_2": np.tile(names[k], len(self.outputs)),
            "S2": self.indices.S2[:, j, k].ravel(),
            "S2_conf": self.indices.S2_conf[:, j, k].ravel(),
        }, columns=columns)

    def matrix(self, index: str = "ST") -> pd.DataFrame:
        """One index as a table: rows the inputs, columns the outputs.

        Parameters
        ----------
        index : {"S1", "ST", "S1_conf", "ST_conf"}
        """
        valid = ("S1", "ST", "S1_conf", "ST_conf")
        if index not in valid:
            raise ValueError(f"unknown index {index!r}; expected one of {valid}")
        return pd.DataFrame(getattr(self.indices, index).T, index=list(self.inputs),
                            columns=list(self.outputs))

    def to_latex(self, *, outputs: Sequence[str] | None = None, digits: int = 3,
                 labels: Mapping[str, str] | None = None, caption: str | None = None,
                 label: str = "tab:sobol") -> str:
        """A LaTeX table of S1 and ST with interval half-widths (needs ``booktabs``).

        Parameters
        ----------
        outputs : sequence of str, optional
            Which outputs, default all.
        digits : int
            Decimals shown.
        labels : mapping of str to str, optional
            Display names of outputs and parameters (e.g. Swedish).
        caption, label : str
        """
        names = dict(labels or {})
        shown = list(self.outputs if outputs is None else outputs)
        level = round(100 * self.indices.conf_level)
        caption = caption or (f"Sobol' indices of {_latex_escape(self.model.name)}: "
                              "first order $S_1$ and "
                              f"total $S_T$ with {level}\\,\\% bootstrap intervals "
                              f"($N = {self.n}$, {self.n_evaluations} model evaluations).")
        lines = [r"% riskcalc sobol; needs \usepackage{booktabs}", r"\begin{table}[htbp]",
                 r"\centering", rf"\caption{{{caption}}}", rf"\label{{{label}}}",
                 r"\begin{tabular}{llrrrr}", r"\toprule",
                 r"Output & Parameter & $S_1$ & $\pm$ & $S_T$ & $\pm$ \\", r"\midrule"]
        table = self.table
        for i, output in enumerate(shown):
            rows = table[table["output"] == output]
            if i:
                lines.append(r"\midrule")
            for r, row in enumerate(rows.itertuples(index=False)):
                head = _latex_escape(names.get(output, output)) if r == 0 else ""
                lines.append(f"{head} & {_latex_escape(names.get(row.parameter, row.parameter))}"
                             f" & {row.S1:.{digits}f} & {row.S1_conf:.{digits}f}"
                             f" & {row.ST:.{digits}f} & {row.ST_conf:.{digits}f} \\\\")
        lines += [r"\bottomrule", r"\end{tabular}", r"\end{table}", ""]
        return "\n".join(lines)

    def manifest(self) -> dict[str, Any]:
        """What a reader needs to reproduce the indices."""
        return build_manifest("sobol", self.model, {
            "n": self.n,
            "seed": self.seed,
            "seed_streams": "SeedSequence(seed).spawn(2): [0] scrambles SALib's Sobol' "
                            "sampler, [1] draws the bootstrap resamples",
            "second_order": self.second_order,
            "n_evaluations": self.n_evaluations,
            "num_resamples": self.indices.num_resamples,
            "conf_level": self.indices.conf_level,
            "estimators": {"S1": "Saltelli et al. 2010", "ST": "Jansen 1999",
                           "S2": "Saltelli 2002", "conf": "bootstrap, Z * std (SALib)"},
            "sampler": "SALib.sample.sobol.sample(scramble=True)",
            "inputs": list(self.inputs),
            "groups": {g: list(m) for g, m in self.groups.items()},
            "outputs": list(self.outputs),
            "constant_outputs": [o for o, c in zip(self.outputs, self.indices.constant,
                                                   strict=True) if c],
            "warnings": list(self.warnings),
            "environment": self.environment,
        }, self.timings)

    def write(self, out_dir: str | Path) -> Path:
        """Write ``sobol.csv``, ``sobol_s2.csv``, ``sobol.tex``,
        ``sobol_convergence.csv`` (when computed) and, last, ``sobol.json``."""
        frames = {"sobol.csv": self.table}
        if self.second_order:
            frames["sobol_s2.csv"] = self.second_order_table
        if self.convergence is not None:
            frames["sobol_convergence.csv"] = self.convergence
        files = {name: lambda p, f=frame: to_csv(f, p)
                 for name, frame in frames.items()}
        latex = self.to_latex()
        files["sobol.tex"] = lambda p: p.write_text(latex, encoding="utf-8")
        return write_with_manifest(out_dir, files, "sobol.json", self.manifest)
