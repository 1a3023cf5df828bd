"""One reviewer's screening session: which record comes next, deciding and undoing, over a shared ranker.

The web app's Screening page and `bench/app_latency.py` both go through
`ScreeningSession`, so the latency measured is the page's. The order comes
from a shared `Ranker` (refitting in the background, so a decision never waits
for training); which record a session gets is decided by `claim_next`, so two
sessions screening one project at once are never served the same record when
a single reviewer per record is required.
"""

from __future__ import annotations

import numpy as np
import sqlite_utils

from review.protocol import Protocol
from review.ranking.features import build_features
from review.ranking.project import LABEL_VALUE, choose_preset, stage_texts, training_labels
from review.ranking.ranker import Ranker
from review.screening.claims import claim_next, release_claims
from review.screening.log import record_decision, record_states, screening_candidates, undo_last
from review.stopping.hypergeometric import StoppingStatus, sample_queue, stopping_status
from review.store import open_project


class ScreeningSession:
    """A reviewer screening one stage in one browser tab (`holder`), over a shared ranker."""

    def __init__(
        self, db: sqlite_utils.Database, stage: str, reviewer: str, holder: str, ranker: Ranker, protocol: Protocol
    ):
        self.db, self.stage, self.reviewer, self.holder = db, stage, reviewer, holder
        self.ranker, self.protocol = ranker, protocol
        self._rows = {record_id: row for row, record_id in enumerate(ranker.ids)}

    def order(self) -> list[int]:
        """Every record of the stage, most likely relevant first (the ranker's current scores)."""
        scores = self.ranker.scores
        return [self.ranker.ids[row] for row in np.argsort(-scores, kind="stable")]

    def current(self, first: int | None = None) -> int | None:
        """The record this session shows now (claimed for it); `first` is served first if still pending.

        Records of the stopping rule's random sample, once one is drawn, come before the ranked ones.
        """
        order = [*sample_queue(self.db, self.stage, self.protocol), *self.order()]
        if first is not None:
            release_claims(self.db, self.stage, self.holder)
            order = [first, *order]
        return claim_next(self.db, self.stage, self.reviewer, order, session=self.holder, protocol=self.protocol)

    def score_rank(self, record_id: int) -> tuple[float | None, int | None]:
        """The model's relevance score and rank (1 = most likely relevant) of a record."""
        if record_id not in self._rows:
            return None, None
        scores = self.ranker.scores
        score = float(scores[self._rows[record_id]])
        return score, int((scores > score).sum()) + 1

    def decide(self, record_id: int, label: str, reason: str | None = None, note: str | None = None) -> int:
        """Record the decision at once (with the model's score and rank) and feed the ranker."""
        score, rank = self.score_rank(record_id)
        event_id = record_decision(
            self.db,
            record_id,
            self.stage,
            self.reviewer,
            label,
            reason,
            (note or "").strip() or None,
            score,
            rank,
            self.protocol,
        )
        self._sync(record_id)
        return event_id

    def undo(self) -> int | None:
        """Cancel this reviewer's latest decision at the stage; returns the record to show again."""
        record_id = undo_last(self.db, self.reviewer, self.stage)
        if record_id is not None:
            self._sync(record_id)
        return record_id

    def _sync(self, record_id: int) -> None:
        state = record_states(self.db, self.stage, self.protocol, [record_id]).get(record_id)
        label = state.label if state is not None and state.status == "final" else None
        if record_id in self._rows:
            self.ranker.update(record_id, LABEL_VALUE.get(label))


def build_ranker(db: sqlite_utils.Database, stage: str, protocol: Protocol, background: bool = True) -> Ranker:
    """A ranker over the stage's candidates, seeded with the final decisions so far.

    It ranks by TF-IDF (the protocol's preset without its embedding part), which
    is ready within seconds even at 20k records, so opening the page never
    waits for embeddings; `review rank` uses them once they are cached. The
    first fit runs in the background while the zero-shot order serves.
    """
    ids = screening_candidates(db, stage, protocol)
    features = build_features(stage_texts(db, stage, ids) or [""], query=protocol.zero_shot_query())
    features.tfidf = features.tfidf[: len(ids)]
    preset = choose_preset(protocol)
    ranker = Ranker(
        features, ids, preset.without_embeddings() if preset.uses_embeddings() else preset, background=background
    )
    for record_id, label in training_labels(db, stage, protocol).items():
        ranker.update(record_id, label, refit=False)
    ranker.refit()
    return ranker


def project_stopping_status(project_dir: str, stage: str) -> StoppingStatus:
    """The stopping rule's read-only status for a project folder (for a worker process: takes a path)."""
    db = open_project(project_dir)
    try:
        return stopping_status(db, stage, start_sample=False)
    finally:
        db.close()
