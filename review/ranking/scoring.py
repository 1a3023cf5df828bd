"""Relevance scores: one ranking core for the CLI, the app and the simulation.

`rank_scores()` is the pure core: features + labels (+ fusion credits) in,
one relevance score per record out; `review.ranking.ranker.Ranker` wraps it
for screening one decision at a time. Components are fused by their
percentile ranks (`fuse`), weighted as the preset's fusion says; `credit`
judges a component against the base on a newly found relevant record.

Before a label of each class exists the ranking is zero-shot: cosine
similarity to the protocol's question and criteria (and to the relevant
records found so far, if any), rank-averaged over TF-IDF and embeddings.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.stats import rankdata

from review.ranking.classifiers import fit_relevance
from review.ranking.features import FeatureSet, cosine_to_query
from review.ranking.presets import Preset
from review.stats import wilson_lower_bound


def _percentiles(values: np.ndarray) -> np.ndarray:
    return (rankdata(values, method="average") / len(values)).astype(np.float64)


def _rank_average(columns: list[np.ndarray]) -> np.ndarray:
    return np.mean([_percentiles(column) for column in columns], axis=0)


def zero_shot_scores(features: FeatureSet, positives: np.ndarray | None = None) -> np.ndarray:
    """Similarity to the query (plus the mean of known relevant records), rank-averaged over spaces."""
    columns = []
    for kind, query in (("tfidf", features.tfidf_query), ("embedding", features.embedding_query)):
        matrix = features.matrix(kind)
        if matrix is None:
            continue
        if query is not None:
            columns.append(cosine_to_query(matrix, query))
        if positives is not None and len(positives):
            centroid = np.asarray(matrix[positives].mean(axis=0)).reshape(-1)
            columns.append(cosine_to_query(matrix, centroid))
    if not columns:
        return np.full(features.n, 0.5)
    return _rank_average(columns)


def component_scores(
    features: FeatureSet, preset: Preset, labelled: Sequence[int], labels: Sequence[int]
) -> list[np.ndarray | None]:
    """Each preset component fitted on the labelled rows and scoring every row (None where its features are missing)."""
    labelled_idx = np.asarray(labelled, dtype=np.int64)
    y = np.asarray(labels, dtype=np.int64)
    columns: list[np.ndarray | None] = []
    for component in preset.components:
        matrix = features.matrix(component.features)
        columns.append(
            None
            if matrix is None
            else fit_relevance(
                component.classifier, component.params, matrix[labelled_idx], y, matrix, preset.balance_ratio
            )
        )
    return columns


def earned_weights(n_components: int, credits: Sequence[Sequence[float]]) -> np.ndarray:
    """Weights of the `earned` fusion: each non-base component gets the lower confidence bound of its
    win rate over the base on the relevant records credited so far; the base keeps the rest."""
    if not len(credits):
        earned = np.zeros(n_components - 1)
    else:
        earned = wilson_lower_bound(np.asarray(credits, dtype=np.float64).sum(axis=0), len(credits))
    return np.concatenate([[1.0 - earned.mean() if len(earned) else 1.0], earned])


def component_weights(preset: Preset, credits: Sequence[Sequence[float]] = ()) -> np.ndarray:
    """One (unnormalised) weight per preset component: equal unless the preset's fusion is `earned`."""
    n = len(preset.components)
    return earned_weights(n, credits) if preset.fusion == "earned" else np.ones(n)


def fuse(preset: Preset, columns: list[np.ndarray | None], credits: Sequence[Sequence[float]] = ()) -> np.ndarray:
    """Weighted mean of the components' percentile ranks (see `component_weights`)."""
    weights = component_weights(preset, credits)
    kept = [(weight, column) for weight, column in zip(weights, columns) if column is not None]
    total = sum(weight for weight, _ in kept)
    if total <= 0:
        return _rank_average([column for _, column in kept])
    return np.sum([weight * _percentiles(column) for weight, column in kept], axis=0) / total


def rank_scores(
    features: FeatureSet,
    preset: Preset,
    labelled: Sequence[int],
    labels: Sequence[int],
    credits: Sequence[Sequence[float]] = (),
) -> np.ndarray:
    """Relevance scores in (0, 1] for every record; higher = screen sooner.

    `labelled` are row indices, `labels` their 0/1 labels. With both classes
    present each preset component is fitted on the labelled rows and the
    components are fused (`fuse`, with the `earned` fusion's `credits`);
    otherwise the zero-shot ranking.
    """
    return fitted_scores(features, preset, labelled, labels, credits)[0]


def fitted_scores(
    features: FeatureSet,
    preset: Preset,
    labelled: Sequence[int],
    labels: Sequence[int],
    credits: Sequence[Sequence[float]],
) -> tuple[np.ndarray, list[np.ndarray | None] | None]:
    """`rank_scores` and the component scores behind it (None for the zero-shot ranking)."""
    labelled_idx = np.asarray(labelled, dtype=np.int64)
    y = np.asarray(labels, dtype=np.int64)
    positives = labelled_idx[y == 1] if len(y) else None
    if len(np.unique(y)) < 2:
        return zero_shot_scores(features, positives), None
    columns = component_scores(features, preset, labelled_idx, y)
    if all(column is None for column in columns):
        return zero_shot_scores(features, positives), None
    return fuse(preset, columns, credits), columns


def credit(columns: list[np.ndarray | None], unscreened: np.ndarray, row: int) -> tuple[float, ...]:
    """Per non-base component: 1 if it ranked `row` above the base among `unscreened` records, 0.5 on a tie, else 0."""

    def percentile(column: np.ndarray) -> float:  # mid-rank, so ties favour neither component
        others = column[unscreened]
        return float(np.mean(others < column[row]) + 0.5 * np.mean(others == column[row]))

    base = percentile(columns[0])
    return tuple(0.0 if column is None else float(np.sign(percentile(column) - base) + 1) / 2 for column in columns[1:])


def due_for_retraining(preset: Preset, n_labelled: int, n_since_fit: int, new_relevant: bool) -> bool:
    """The retraining schedule: every decision early, then on new relevant records or in growing steps."""
    if n_since_fit == 0:
        return False
    if n_labelled <= preset.retrain_every_until or new_relevant:
        return True
    return n_since_fit >= max(1, int(preset.retrain_growth * n_labelled))
