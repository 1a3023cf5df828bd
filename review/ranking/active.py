"""Active learning: one ranking path for the CLI, the app and the simulation.

`rank_scores()` is the pure core: features + labels (+ fusion credits) in,
one relevance score per record out. `Ranker` wraps it for screening one
decision at a time: it keeps the last ranking serving while the next is
fitted (in a background thread when asked), so asking for the next record
never waits for training, and it credits each relevant record found to the
components that ranked it above the base (the `earned` fusion, see
`review.ranking.presets.Preset`).

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


EARNED_CONFIDENCE_Z = 1.645  # one-sided 95 %, the confidence the stopping rule uses too


def wilson_lower_bound(successes: np.ndarray, n: int, z: float = EARNED_CONFIDENCE_Z) -> np.ndarray:
    """Lower Wilson score bound of a success rate (successes may be fractional: ties count half,
    which is why scipy's integer-only `binomtest(...).proportion_ci` is not used)."""
    rate = successes / n
    centre = rate + z * z / (2 * n)
    spread = z * np.sqrt(rate * (1 - rate) / n + z * z / (4 * n * n))
    return np.maximum(0.0, (centre - spread) / (1 + z * z / n))


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
    return _fitted_scores(features, preset, labelled, labels, credits)[0]


def _fitted_scores(
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


class Ranker:
    """Incremental ranking over a fixed set of records identified by `ids`.

    `update(id, label)` records a 0/1 label (or None to un-label, e.g. 'maybe')
    and refits when the schedule says so; with `background=True` the refit
    runs in a thread while the previous scores keep serving `next_ids()`.
    Under the `earned` fusion each relevant label is credited against the
    component scores of the last fit (see `credit`); `credits` seeds the
    credits of earlier sessions, by record id.
    """

    def __init__(
        self,
        features: FeatureSet,
        ids: Sequence[int],
        preset: Preset,
        background: bool = False,
        credits: dict[int, Sequence[float]] | None = None,
    ):
        self.features = features
        self.ids = list(ids)
        self.preset = preset
        self.background = background
        self._row = {record_id: row for row, record_id in enumerate(self.ids)}
        self._labels: dict[int, int] = {}
        self._screened = np.zeros(len(self.ids), dtype=bool)
        self._since_fit = 0
        self._new_relevant = False
        self._credits = {
            self._row[record_id]: tuple(value) for record_id, value in (credits or {}).items() if record_id in self._row
        }
        self._columns: list[np.ndarray | None] | None = None  # component scores of the last fit
        self._unscreened_at_fit = np.ones(len(self.ids), dtype=bool)
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

    def credits(self) -> dict[int, tuple[float, ...]]:
        """Record id -> credits of the non-base components held so far (seeded or earned here)."""
        with self._lock:
            return {self.ids[row]: value for row, value in self._credits.items()}

    def fusion_weights(self) -> dict[str, float]:
        """Each component's weight in the ranking ("features/classifier" -> share), from the credits so far."""
        with self._lock:
            weights = component_weights(self.preset, list(self._relevant_credits().values()))
        return {
            f"{c.features}/{c.classifier}": round(float(w / weights.sum()), 3)
            for c, w in zip(self.preset.components, weights)
        }

    def _relevant_credits(self) -> dict[int, tuple[float, ...]]:
        """Row -> credits of the rows labelled relevant now (seeded credits may belong to others); hold the lock."""
        return {row: value for row, value in self._credits.items() if self._labels.get(row)}

    def has_credit(self, record_id: int) -> bool:
        return self._row[record_id] in self._credits

    def update(self, record_id: int, label: int | None, refit: bool = True) -> None:
        row = self._row[record_id]
        with self._lock:
            if label is None:
                self._labels.pop(row, None)
                self._credits.pop(row, None)
                self._screened[row] = False
                self._cursor = 0
            else:
                if not label:
                    self._credits.pop(row, None)
                elif self._columns is not None and row not in self._credits:
                    self._credits[row] = credit(self._columns, self._unscreened_at_fit, row)
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
            credits = list(self._relevant_credits().values())
            unscreened = ~self._screened
            self._since_fit = 0
            self._new_relevant = False
        start = time.perf_counter()
        scores, columns = _fitted_scores(self.features, self.preset, rows, labels, credits)
        order = np.argsort(-scores, kind="stable")
        with self._lock:
            self.scores, self._order, self._cursor = scores, order, 0
            self._columns = columns if self.preset.earns_weights() else None
            self._unscreened_at_fit = unscreened
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
