"""Scores from similarity to the labelled records, without training a model.

A classifier needs a few examples of each class before its decision boundary
means much; similarity to what has been found says something from the first
relevant record on. Both scorers take L2-normalised rows (TF-IDF or embeddings),
so a dot product is a cosine.

- `neighbourhood_scores`: how close a record is to its nearest relevant records
  against its nearest irrelevant ones (mean cosine to the `k` most similar of
  each class). Strongest early, when the relevant records are few and varied,
  because one close match counts however far the rest are.
- `feedback_scores`: Rocchio relevance feedback: cosine to the protocol's
  question and criteria (when given) plus the centroid of the relevant records
  minus a fraction of the irrelevant centroid. The query keeps a say beside the
  labels instead of being dropped after the first label.
"""

from __future__ import annotations

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


def neighbourhood_scores(X, y: np.ndarray, X_all, k: int = 3, max_negatives: int = 400) -> np.ndarray:
    """Mean cosine to the `k` nearest relevant minus the `k` nearest irrelevant labelled records.

    A labelled record's nearest neighbour is itself, which would make every
    labelled row look certain; that does not matter for ranking the unlabelled.
    Only the latest `max_negatives` irrelevant rows are compared (rows of `X` are in
    labelling order), which bounds the cost on long reviews; those are the
    near misses the ranking has lately put on top, the informative ones.
    """
    positives = np.flatnonzero(y == 1)
    negatives = np.flatnonzero(y == 0)[-max_negatives:]
    scores = _top_k_mean(_dense(X_all @ X[positives].T), k)
    if len(negatives):
        scores = scores - _top_k_mean(_dense(X_all @ X[negatives].T), k)
    return np.asarray(scores, dtype=np.float64).reshape(-1)


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
