"""Relevance scores: one ranking core for the CLI, the app and the simulation.

`rank_scores()` is the pure core: features + labels (+ fusion credits) in,
one relevance score per record out; `review.ranking.ranker.Ranker` wraps it
for screening one decision at a time. Components are fused by their
percentile ranks (`fuse`), weighted as the preset's fusion says. `standing`
is the progressive-validation record behind the weights: where each component
ranked a record among the unscreened ones before its label was known.

Before a label of each class exists the ranking is zero-shot: cosine
similarity to the protocol's question and criteria (and to the relevant
records found so far, if any), rank-averaged over TF-IDF and embeddings.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from review.ranking.classifiers import fit_relevance
from review.ranking.features import FeatureSet, cosine_to_query
from review.ranking.presets import Preset
from review.stats import ONE_SIDED_95_Z, wilson_lower_bound


def rankdata(values: np.ndarray, method: str = "average") -> np.ndarray:
    """scipy's `rankdata`, imported on first use: `review next` on a fresh stored ranking never ranks anything."""
    from scipy.stats import rankdata as scipy_rankdata

    return scipy_rankdata(values, method=method)


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
        if matrix is not None and component.classifier == "knn":
            columns.append(features.neighbour_index(component.features, **component.params).scores(labelled_idx, y))
            continue
        columns.append(
            None
            if matrix is None
            else fit_relevance(
                component.classifier,
                component.params,
                matrix[labelled_idx],
                y,
                matrix,
                preset.balance_ratio,
                features.query(component.features),
            )
        )
    return columns


Standing = tuple[float, ...]  # per component: the record's mid-rank percentile among the unscreened at the last fit


def earned_weights(n_components: int, credits: Sequence[Sequence[float]]) -> np.ndarray:
    """Weights of the `earned` fusion: each non-base component gets the lower confidence bound of its
    win rate over the base on the relevant records credited so far; the base keeps the rest."""
    if not len(credits):
        earned = np.zeros(n_components - 1)
    else:
        earned = wilson_lower_bound(np.asarray(credits, dtype=np.float64).sum(axis=0), len(credits))
    return np.concatenate([[1.0 - earned.mean() if len(earned) else 1.0], earned])


def wins_over_base(standings: np.ndarray) -> np.ndarray:
    """Per relevant record and non-base component: 1 if it ranked the record above the base, 0.5 on a tie, else 0."""
    return (np.sign(standings[:, 1:] - standings[:, :1]) + 1) / 2


def validated_weights(
    n_components: int, standings: np.ndarray, labels: np.ndarray, against_base: bool = False, wilson: bool = False
) -> np.ndarray:
    """Weights of the `validated` fusion from progressive validation on every label.

    Each non-base component is judged by its AUC over the labelled records, each
    scored before its label was known: the chance that it put a relevant record
    above an irrelevant one. The records judged are the ones the fused ranking
    chose, so the question answered is the one that matters for fusing: among
    the candidates the ranking already likes, does this component tell the
    relevant from the irrelevant? Its weight is the lower one-sided 95 % bound of
    that AUC above chance, scaled to [0, 1] (Hanley & McNeil's standard error);
    a component no better than chance on this review gets 0, the base keeps the rest.
    """
    positives, negatives = standings[labels == 1], standings[labels == 0]
    earned = np.zeros(n_components - 1)
    if len(positives) and len(negatives):
        auc = np.array([_auc(positives[:, c], negatives[:, c]) for c in range(n_components)])
        lower = _auc_lower_bound(auc[1:], len(positives), len(negatives), wilson)
        reference = max(0.5, float(auc[0])) if against_base else 0.5
        earned = np.clip((lower - reference) / (1 - reference), 0.0, 1.0)
    return np.concatenate([[1.0 - earned.mean() if len(earned) else 1.0], earned])


def _auc(positive: np.ndarray, negative: np.ndarray) -> float:
    ranks = rankdata(np.concatenate([positive, negative]))
    return float(
        (ranks[: len(positive)].sum() - len(positive) * (len(positive) + 1) / 2) / (len(positive) * len(negative))
    )


def _auc_lower_bound(auc: np.ndarray, n_pos: int, n_neg: int, wilson: bool) -> np.ndarray:
    """Lower one-sided 95 % bound of an AUC: Hanley & McNeil's normal bound, or (`wilson`) the Wilson bound of a
    rate observed on min(n_pos, n_neg) records, since a handful of relevant records is a handful of evidence
    however many irrelevant ones they are compared with (Hanley & McNeil is far too sure with two or three)."""
    if wilson:
        n = min(n_pos, n_neg)
        return wilson_lower_bound(auc * n, n)
    return auc - ONE_SIDED_95_Z * _auc_standard_error(auc, n_pos, n_neg)


def _auc_standard_error(auc: np.ndarray, n_pos: int, n_neg: int) -> np.ndarray:
    """Hanley & McNeil (1982), with the AUC kept off 0 and 1 so a perfect start is not taken as certain."""
    auc = np.clip(auc, 0.05, 0.95)
    q1, q2 = auc / (2 - auc), 2 * auc * auc / (1 + auc)
    return np.sqrt(
        (auc * (1 - auc) + (n_pos - 1) * (q1 - auc * auc) + (n_neg - 1) * (q2 - auc * auc)) / (n_pos * n_neg)
    )


def component_weights(preset: Preset, evidence: Sequence[tuple[int, Standing]] = ()) -> np.ndarray:
    """One (unnormalised) weight per preset component from the (label, standing) pairs so far:
    the preset's `early_weights` for its first `early_until` labels, then its fixed ones (or equal) under
    `rank-average`, earned on relevant finds under `earned`, validated on every label under `validated`."""
    n = len(preset.components)
    if preset.early_weights and len(evidence) < preset.early_until:
        return np.asarray(preset.early_weights, dtype=np.float64)
    if preset.fusion == "rank-average" or n == 1:
        return np.asarray(preset.weights, dtype=np.float64) if preset.weights else np.ones(n)
    pairs = [(label, standing) for label, standing in evidence if len(standing) == n]
    labels = np.array([label for label, _ in pairs], dtype=np.int64)
    standings = np.array([standing for _, standing in pairs], dtype=np.float64).reshape(len(pairs), n)
    if preset.fusion == "earned":
        return earned_weights(n, wins_over_base(standings[labels == 1]))
    return validated_weights(
        n, standings, labels, against_base=preset.fusion == "validated-base", wilson=preset.fusion == "validated-wilson"
    )


def fuse(preset: Preset, columns: list[np.ndarray | None], evidence: Sequence[tuple[int, Standing]] = ()) -> np.ndarray:
    """Weighted mean of the components' percentile ranks (see `component_weights`)."""
    weights = component_weights(preset, evidence)
    kept = [(weight, column) for weight, column in zip(weights, columns) if column is not None]
    total = sum(weight for weight, _ in kept)
    if total <= 0:
        return _rank_average([column for _, column in kept])
    return np.sum([weight * _percentiles(column) for weight, column in kept if weight > 0], axis=0) / total


def rank_scores(
    features: FeatureSet,
    preset: Preset,
    labelled: Sequence[int],
    labels: Sequence[int],
    evidence: Sequence[tuple[int, Standing]] = (),
) -> np.ndarray:
    """Relevance scores in (0, 1] for every record; higher = screen sooner.

    `labelled` are row indices, `labels` their 0/1 labels. With both classes
    present each preset component is fitted on the labelled rows and the
    components are fused (`fuse`, weighted by the (label, standing) `evidence`);
    otherwise the zero-shot ranking.
    """
    return fitted_scores(features, preset, labelled, labels, evidence)[0]


def fitted_scores(
    features: FeatureSet,
    preset: Preset,
    labelled: Sequence[int],
    labels: Sequence[int],
    evidence: Sequence[tuple[int, Standing]],
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
    return fuse(preset, columns, evidence), columns


def standing(columns: list[np.ndarray | None], unscreened: np.ndarray, row: int) -> Standing:
    """Per component: mid-rank percentile of `row` among the `unscreened` records (ties favour no component;
    0 for a component without scores, which so never wins)."""

    def percentile(column: np.ndarray | None) -> float:
        if column is None:
            return 0.0
        others = column[unscreened]
        return float(np.mean(others < column[row]) + 0.5 * np.mean(others == column[row]))

    return tuple(round(percentile(column), 6) for column in columns)


def due_for_retraining(preset: Preset, n_labelled: int, n_since_fit: int, new_relevant: bool) -> bool:
    """The retraining schedule: every decision early, then on new relevant records or in growing steps."""
    if n_since_fit == 0:
        return False
    if n_labelled <= preset.retrain_every_until or new_relevant:
        return True
    return n_since_fit >= max(1, int(preset.retrain_growth * n_labelled))
