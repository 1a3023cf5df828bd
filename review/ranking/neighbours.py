"""Scores from similarity to the labelled records, without training a model.

A classifier needs a few examples of each class before its decision boundary
means much; similarity to what has been found says something from the first
relevant record on. Both scorers take L2-normalised rows (TF-IDF or embeddings),
so a dot product is a cosine.

- `neighbourhood_scores` (and `NeighbourIndex`, the same kept up to date): how
  close a record is to its nearest relevant records against its nearest
  irrelevant ones (mean cosine to the `k` most similar of each class).
  Strongest early, when the relevant records are few and varied, because one
  close match counts however far the rest are.
- `feedback_scores`: Rocchio relevance feedback: cosine to the protocol's
  question and criteria (when given) plus the centroid of the relevant records
  minus a fraction of the irrelevant centroid. The query keeps a say beside the
  labels instead of being dropped after the first label.
"""

from __future__ import annotations

import threading

import numpy as np
import scipy.sparse as sp


def _dense(values) -> np.ndarray:
    return np.asarray(values.toarray() if sp.issparse(values) else values)


def _top_k_mean(similarity: np.ndarray, k: int) -> np.ndarray:
    """Row-wise mean of the `k` largest values (all of them if fewer)."""
    k = min(k, similarity.shape[1])
    if k == similarity.shape[1]:
        return similarity.mean(axis=1)
    return np.partition(similarity, -k, axis=1)[:, -k:].mean(axis=1)


def neighbourhood_scores(X, y: np.ndarray, X_all, k: int = 3) -> np.ndarray:
    """Mean cosine to the `k` nearest relevant minus the `k` nearest irrelevant labelled records (rows of `X`).

    A labelled record's nearest neighbour is itself, which makes every labelled
    row look certain; that does not matter for ranking the unlabelled.
    `NeighbourIndex` gives the same scores incrementally.
    """
    scores = _top_k_mean(_dense(X_all @ X[y == 1].T), k)
    if (y == 0).any():
        scores = scores - _top_k_mean(_dense(X_all @ X[y == 0].T), k)
    return np.asarray(scores, dtype=np.float64).reshape(-1)


class NeighbourIndex:
    """Every record's `k` largest similarities to the labelled records of each class, kept up to date.

    A refit after one more decision then costs one similarity column (a
    matrix-vector product) instead of one per labelled record, which is what
    keeps the neighbourhood scores within a re-rank's budget on large sets. A
    label taken back or changed rebuilds the class it left.
    """

    def __init__(self, matrix, k: int = 3):
        self.matrix, self.k = matrix, k
        self._rows: dict[int, set[int]] = {0: set(), 1: set()}
        self._top: dict[int, np.ndarray] = {}
        self._lock = threading.Lock()

    def scores(self, labelled: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Same as `neighbourhood_scores(matrix[labelled], y, matrix, k)`."""
        with self._lock:
            for label in (0, 1):
                self._update(label, labelled[y == label])
            scores = self._top[1].mean(axis=1)
            if 0 in self._top:
                scores = scores - self._top[0].mean(axis=1)
        return np.asarray(scores, dtype=np.float64)

    def _update(self, label: int, rows: np.ndarray) -> None:
        wanted = set(rows.tolist())
        if not self._rows[label] <= wanted:
            self._rows[label], self._top[label] = set(), None
        new = [row for row in rows.tolist() if row not in self._rows[label]]
        if not new:
            return
        columns = _dense(self.matrix @ self.matrix[new].T).astype(np.float32)
        top = self._top.get(label)
        merged = columns if top is None else np.hstack([top, columns])
        if merged.shape[1] > self.k:
            merged = np.partition(merged, -self.k, axis=1)[:, -self.k :]
        self._top[label] = merged
        self._rows[label] |= set(new)


def feedback_scores(X, y: np.ndarray, X_all, query=None, negative_share: float = 0.25) -> np.ndarray:
    """Cosine to Rocchio's vector: query + relevant centroid - `negative_share` x irrelevant centroid."""
    parts = [_unit(np.asarray(X[y == 1].mean(axis=0)).reshape(-1))]
    if (y == 0).any():
        parts.append(-negative_share * _unit(np.asarray(X[y == 0].mean(axis=0)).reshape(-1)))
    if query is not None:
        parts.append(_unit(_dense(query).reshape(-1)))
    vector = np.sum(parts, axis=0).astype(np.float32)
    return np.asarray(X_all @ vector, dtype=np.float64).reshape(-1)


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(vector)
    return vector / norm if norm else vector
