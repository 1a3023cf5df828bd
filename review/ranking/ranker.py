"""`Ranker`: ranking one decision at a time over a fixed set of records.

It keeps the last ranking serving while the next is fitted (in a background
thread when asked), so asking for the next record never waits for training,
and it keeps, for each label, where every component had ranked that record
before the label was known (its `standing`), the evidence the fusion weights
components by (see `review.ranking.presets.Preset`).
The scores themselves come from `review.ranking.scoring`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping, Sequence

import numpy as np

from review.ranking.features import FeatureSet
from review.ranking.presets import Preset
from review.ranking.scoring import component_weights, due_for_retraining, fitted_scores, standing, zero_shot_scores


class Ranker:
    """Incremental ranking over a fixed set of records identified by `ids`.

    `update(id, label)` records a 0/1 label (or None to un-label, e.g. 'maybe')
    and refits when the schedule says so; with `background=True` the refit
    runs in a thread while the previous scores keep serving `next_ids()`.
    When the preset's components earn their weights, each label is credited
    with the standing of its record under the last fit (see `standing`);
    `credits` seeds the standings of earlier sessions, by record id.
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
        self._refit_wanted = False
        self.fit_seconds = 0.0
        self.n_fits = 0
        self.scores = zero_shot_scores(features)
        self._order = np.argsort(-self.scores, kind="stable")
        self._cursor = 0

    @property
    def index(self) -> Mapping[int, int]:
        """Record id -> row, for every record this ranker orders."""
        return self._row

    @property
    def n_labelled(self) -> int:
        return len(self._labels)

    def labels(self) -> dict[int, int]:
        return {self.ids[row]: label for row, label in self._labels.items()}

    def credits(self) -> dict[int, tuple[float, ...]]:
        """Record id -> standing of every component held so far (seeded or earned here)."""
        with self._lock:
            return {self.ids[row]: value for row, value in self._credits.items()}

    def fusion_weights(self) -> dict[str, float]:
        """Each component's weight in the ranking ("features/classifier" -> share), from the credits so far."""
        with self._lock:
            weights = component_weights(self.preset, self._evidence())
        return {
            f"{c.features}/{c.classifier}": round(float(w / weights.sum()), 3)
            for c, w in zip(self.preset.components, weights)
        }

    def _evidence(self) -> list[tuple[int, tuple[float, ...]]]:
        """(label, standing) of the rows labelled now (seeded credits may belong to others); hold the lock."""
        return [(self._labels[row], value) for row, value in self._credits.items() if row in self._labels]

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
                if self._columns is not None and row not in self._credits:
                    self._credits[row] = standing(self._columns, self._unscreened_at_fit, row)
                self._labels[row] = int(label)
                self._screened[row] = True
                self._new_relevant |= bool(label)
            self._since_fit += 1
        if refit and self.refit_due():
            self.refit()

    def refit_due(self) -> bool:
        """Whether the retraining schedule calls for a refit now (see `due_for_retraining`)."""
        with self._lock:
            return due_for_retraining(self.preset, len(self._labels), self._since_fit, self._new_relevant)

    def skip(self, record_id: int) -> None:
        """Leave a record out of `next_ids()` and `ranking()` without training on it (e.g. 'maybe')."""
        with self._lock:
            self._screened[self._row[record_id]] = True

    def refit(self) -> None:
        """Fit on the labels so far; with `background`, in a thread while the last scores keep serving.

        A refit asked for while one runs is not dropped: the running thread fits
        again afterwards on the labels as they are then, so the scores always
        catch up with the latest labels.
        """
        if not self.background:
            self._fit()
            return
        with self._lock:
            self._refit_wanted = True
            if self._thread is not None and self._thread.is_alive():
                return
            self._thread = threading.Thread(target=self._fit_until_current, daemon=True)
            self._thread.start()

    def _fit_until_current(self) -> None:
        while True:
            with self._lock:
                if not self._refit_wanted:
                    return
                self._refit_wanted = False
            self._fit()

    def wait(self) -> None:
        """Block until background refits have caught up with the labels (tests and benchmarks)."""
        while self._thread is not None and self._thread.is_alive():
            self._thread.join()

    def _fit(self) -> None:
        with self._lock:
            rows = list(self._labels)
            labels = [self._labels[row] for row in rows]
            evidence = self._evidence()
            unscreened = ~self._screened
            self._since_fit = 0
            self._new_relevant = False
        start = time.perf_counter()
        scores, columns = fitted_scores(self.features, self.preset, rows, labels, evidence)
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

    def unscreened_ids(self) -> Iterator[int]:
        """Unscreened record ids, best first, read lazily from the latest finished fit."""
        with self._lock:
            order, screened = self._order, self._screened.copy()
        for row in order:
            if not screened[row]:
                yield self.ids[row]

    def score_rank(self, record_id: int) -> tuple[float | None, int | None]:
        """The current score of a record and its rank among the unscreened records (1 = screen next)."""
        row = self._row.get(record_id)
        if row is None:
            return None, None
        with self._lock:
            scores, screened = self.scores, self._screened
            score = float(scores[row])
            higher = int(np.count_nonzero((scores > score) & ~screened))
        return score, higher + 1

    def ranking(self) -> list[tuple[int, float, int]]:
        """(record id, score, rank) for every unscreened record, best first; rank 1 = screen next."""
        with self._lock:
            order, scores, screened = self._order, self.scores, self._screened.copy()
        rows = [row for row in order if not screened[row]]
        return [(self.ids[row], float(scores[row]), rank) for rank, row in enumerate(rows, 1)]
