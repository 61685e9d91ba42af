"""Correlated inputs: valid correlation matrices and the Gaussian copula.

A declared rank correlation between parameters is induced by a Gaussian
copula: independent standard normal draws are mixed by the Cholesky factor of
the normal-score correlation (see
:attr:`riskcalc.model.Correlations.normal_matrix`), turned into uniforms with the
normal CDF, and mapped through each parameter's own inverse CDF.  Every marginal
distribution stays exactly as declared; only the pairing of values changes.
The transform works scenario by scenario, so results stay independent of chunk
sizes and worker counts.
"""

from __future__ import annotations

import numpy as np

__all__ = ["nearest_correlation", "copula_uniforms"]


def nearest_correlation(matrix: np.ndarray, *, tol: float = 1e-12,
                        max_iterations: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """The nearest positive-definite correlation matrix (Higham 2002).

    Alternating projections with Dykstra's correction onto the positive
    semidefinite cone and the unit-diagonal matrices, then a small shift of
    the eigenvalues so that the result is strictly positive definite (a
    Cholesky factor exists).

    Parameters
    ----------
    matrix : ndarray, shape (k, k)
        Symmetric, unit diagonal, entries in [-1, 1].

    Returns
    -------
    nearest : ndarray, shape (k, k)
        `matrix` itself when it is already positive definite.
    moved : ndarray, shape (k, k)
        How far each coefficient moved, ``abs(nearest - matrix)``.
    """
    matrix = np.asarray(matrix, dtype=float)
    if np.linalg.eigvalsh(matrix).min() > 1e-10:
        return matrix.copy(), np.zeros_like(matrix)
    y = matrix.copy()
    correction = np.zeros_like(matrix)
    for _ in range(max_iterations):
        r = y - correction
        values, vectors = np.linalg.eigh(r)
        x = (vectors * np.maximum(values, 0.0)) @ vectors.T
        correction = x - r
        previous, y = y, x.copy()
        np.fill_diagonal(y, 1.0)
        if np.linalg.norm(y - previous, "fro") < tol * np.linalg.norm(y, "fro"):
            break
    # Nudge the smallest eigenvalues up so the matrix is strictly positive definite.
    values, vectors = np.linalg.eigh((y + y.T) / 2)
    y = (vectors * np.maximum(values, 1e-8)) @ vectors.T
    scale = np.sqrt(np.diag(y))
    y = y / np.outer(scale, scale)
    np.fill_diagonal(y, 1.0)
    return y, np.abs(y - matrix)


def copula_uniforms(normals: np.ndarray, normal_matrix: np.ndarray) -> np.ndarray:
    """Uniforms with the copula's dependence from independent standard normals.

    Parameters
    ----------
    normals : ndarray, shape (k, n)
        Independent standard normal draws, one row per correlated parameter.
    normal_matrix : ndarray, shape (k, k)
        Correlation of the normal scores (positive definite).

    Returns
    -------
    ndarray, shape (k, n)
        Uniforms in (0, 1); row i feeds parameter i's inverse CDF.
    """
    factor = np.linalg.cholesky(normal_matrix)
    # An explicit sum in a fixed order rather than a matrix product: BLAS may
    # round a column differently depending on the number of columns, and a
    # scenario's value must not depend on the size of its chunk.
    mixed = np.zeros_like(normals)
    for row in range(factor.shape[0]):
        for col in range(row + 1):
            mixed[row] += factor[row, col] * normals[col]
    from scipy.special import ndtr  # here: loading a model does not need scipy

    return ndtr(mixed)
