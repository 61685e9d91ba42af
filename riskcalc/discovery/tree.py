"""A classification tree (CART) of a condition over the inputs: the second view beside PRIM.

scikit-learn's :class:`~sklearn.tree.DecisionTreeClassifier` (Breiman et al.
1984, Gini impurity), kept shallow so that every leaf reads as a rule.
scikit-learn is an optional dependency (``pip install 'riskcalc[discovery]'``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from riskcalc.errors import ModelError

__all__ = ["classification_tree", "tree_leaves"]


def _sklearn_tree() -> Any:
    try:
        from sklearn.tree import DecisionTreeClassifier
    except ImportError:
        raise ModelError("scenario discovery needs scikit-learn for its classification tree; "
                         "install it with pip install 'riskcalc[discovery]'") from None
    return DecisionTreeClassifier


def classification_tree(x: np.ndarray, y: np.ndarray, names: Sequence[str], *,
                        max_depth: int = 3, min_leaf: float = 0.01) -> dict[str, Any]:
    """Fit a CART tree of ``y`` on ``x`` and return it as nested dicts.

    Parameters
    ----------
    x : ndarray, shape (n, d)
    y : ndarray of bool, shape (n,)
    names : sequence of str, length d
    max_depth : int
        Deepest split (3 gives at most 8 leaves, each a rule of at most 3 conditions).
    min_leaf : float
        Smallest leaf as a share of the scenarios.

    Returns
    -------
    dict
        A node: ``n`` (scenarios), ``share`` (share meeting the condition); a split
        node adds ``input``, ``threshold`` and ``below`` (input <= threshold) and
        ``above`` (the child nodes).  Deterministic (``random_state=0``).
    """
    y = np.asarray(y, dtype=bool)
    cls = _sklearn_tree()
    fit = cls(max_depth=max_depth, min_samples_leaf=max(int(min_leaf * len(y)), 1),
              random_state=0).fit(np.asarray(x, dtype=float), y)
    t = fit.tree_
    true_col = list(fit.classes_).index(True) if True in fit.classes_ else None

    def node(i: int) -> dict[str, Any]:
        n = int(t.n_node_samples[i])
        # tree_.value holds class fractions (weighted) per node in recent scikit-learn.
        value = t.value[i][0]
        share = float(value[true_col] / value.sum()) if true_col is not None else 0.0
        out: dict[str, Any] = {"n": n, "share": share}
        if t.children_left[i] != -1:
            out.update(input=names[int(t.feature[i])], threshold=float(t.threshold[i]),
                       below=node(int(t.children_left[i])),
                       above=node(int(t.children_right[i])))
        return out

    return node(0)


def tree_leaves(tree: dict[str, Any]) -> list[dict[str, Any]]:
    """The leaves of a tree from :func:`classification_tree`, densest first.

    Each: ``rule`` (list of ``(input, "<=" or ">", threshold)``), ``n``, ``share``.
    """
    leaves = []

    def walk(nd: dict[str, Any], rule: list[tuple[str, str, float]]) -> None:
        if "input" not in nd:
            leaves.append({"rule": rule, "n": nd["n"], "share": nd["share"]})
            return
        walk(nd["below"], [*rule, (nd["input"], "<=", nd["threshold"])])
        walk(nd["above"], [*rule, (nd["input"], ">", nd["threshold"])])

    walk(tree, [])
    return sorted(leaves, key=lambda leaf: (-leaf["share"], -leaf["n"]))
