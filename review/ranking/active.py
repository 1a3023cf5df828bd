"""Active learning: one ranking path for the CLI, the app and the simulation.

`rank_scores()` is the pure core: features + labels in, one relevance score
per record out. `Ranker` wraps it for screening one decision at a time: it
keeps the last ranking serving while the next is fitted (in a background
thread when asked), so asking for the next record never waits for training.

Before a label of each class exists the ranking is zero-shot: cosine
similarity to the protocol's question and criteria (and to the relevant
records found so far, if any), rank-averaged over TF-IDF and embeddings.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import numpy as np
from scipy.stats import rankdata

from review.ranking.classifiers import fit_relevance
from review.ranking.features import FeatureSet, cosine_to_query
from review.ranking.presets import Preset


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


def rank_scores(features: FeatureSet, preset: Preset, labelled: Sequence[int], labels: Sequence[int]) -> np.ndarray:
    """Relevance scores in (0, 1] for every record; higher = screen sooner.

    `labelled` are row indices, `labels` their 0/1 labels. With both classes
    present each preset component is fitted on the labelled rows and the
    components' scores are rank-averaged; otherwise the zero-shot ranking.
    """
    labelled_idx = np.asarray(labelled, dtype=np.int64)
    y = np.asarray(labels, dtype=np.int64)
    if len(np.unique(y)) < 2:
        return zero_shot_scores(features, labelled_idx[y == 1] if len(y) else None)
    columns = []
    for component in preset.components:
        matrix = features.matrix(component.features)
        if matrix is None:
            continue
        columns.append(fit_relevance(component.classifier, component.params, matrix[labelled_idx], y, matrix,
                                     preset.balance_ratio))
    if not columns:
        return zero_shot_scores(features, labelled_idx[y == 1])
    return _rank_average(columns)


def due_for_retraining(preset: Preset, n_labelled: int, n_since_fit: int, new_relevant: bool) -> bool:
    """The retraining schedule: every decision early, then on new relevant records or in growing steps."""
    if n_since_fit == 0:
        return False
    if n_labelled <= preset.retrain_every_until or new_relevant:
        return True
    return n_since_fit >= max(1, int(preset.retrain_growth * n_labelled))


class Ranker:
    """Incremental ranking over a fixed set of records identified by `ids`.

    `update(id, label)` records a 0/1 label (or None to un-label, e.g. 'maybe')
    and refits when the schedule says so; with `background=True` the refit
    runs in a thread while the previous scores keep serving `next_ids()`.
    """

    def __init__(self, features: FeatureSet, ids: Sequence[int], preset: Preset, background: bool = False):
        self.features = features
        self.ids = list(ids)
        self.preset = preset
        self.background = background
        self._row = {record_id: row for row, record_id in enumerate(self.ids)}
        self._labels: dict[int, int] = {}
        self._screened = np.zeros(len(self.ids), dtype=bool)
        self._since_fit = 0
        self._new_relevant = False
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.fit_seconds = 0.0
        self.n_fits = 0
        self.scores = zero_shot_scores(features)
        self._order = np.argsort(-self.scores, kind="stable")
        self._cursor = 0

    @property
    def n_labelled(self) -> int:
        return len(self._labels)

    def labels(self) -> dict[int, int]:
        return {self.ids[row]: label for row, label in self._labels.items()}

    def update(self, record_id: int, label: int | None, refit: bool = True) -> None:
        row = self._row[record_id]
        with self._lock:
            if label is None:
                self._labels.pop(row, None)
                self._screened[row] = False
                self._cursor = 0
            else:
                self._labels[row] = int(label)
                self._screened[row] = True
                self._new_relevant |= bool(label)
            self._since_fit += 1
        if refit and due_for_retraining(self.preset, len(self._labels), self._since_fit, self._new_relevant):
            self.refit()

    def skip(self, record_id: int) -> None:
        """Leave a record out of `next_ids()` and `ranking()` without training on it (e.g. 'maybe')."""
        with self._lock:
            self._screened[self._row[record_id]] = True

    def refit(self) -> None:
        """Fit on the labels so far (in a thread if `background`; a refit already running is left to finish)."""
        if self.background:
            if self._thread is not None and self._thread.is_alive():
                return
            self._thread = threading.Thread(target=self._fit, daemon=True)
            self._thread.start()
        else:
            self._fit()

    def wait(self) -> None:
        """Block until a background refit has finished (tests and benchmarks)."""
        if self._thread is not None:
            self._thread.join()

    def _fit(self) -> None:
        with self._lock:
            rows = list(self._labels)
            labels = [self._labels[row] for row in rows]
            self._since_fit = 0
            self._new_relevant = False
        start = time.perf_counter()
        scores = rank_scores(self.features, self.preset, rows, labels)
        order = np.argsort(-scores, kind="stable")
        with self._lock:
            self.scores, self._order, self._cursor = scores, order, 0
            self.n_fits += 1
        self.fit_seconds = time.perf_counter() - start

    def next_ids(self, n: int = 1) -> list[int]:
        """The `n` unscreened records with the highest current score."""
        with self._lock:
            order, screened = self._order, self._screened
            picked: list[int] = []
            cursor = self._cursor
            while cursor < len(order) and screened[order[cursor]]:
                cursor += 1
            self._cursor = cursor
            for row in order[cursor:]:
                if not screened[row]:
                    picked.append(self.ids[row])
                    if len(picked) == n:
                        break
        return picked

    def ranking(self) -> list[tuple[int, float, int]]:
        """(record id, score, rank) for every unscreened record, best first; rank 1 = screen next."""
        with self._lock:
            order, scores, screened = self._order, self.scores, self._screened.copy()
        rows = [row for row in order if not screened[row]]
        return [(self.ids[row], float(scores[row]), rank) for rank, row in enumerate(rows, 1)]
