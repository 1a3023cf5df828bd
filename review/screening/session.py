"""One reviewer's screening session over the stage's shared ranker, and the background work behind it.

The app's Screening page and `bench/app_latency.py` both go through
`ScreeningSession`, so the latency measured is the page's. The order comes
from the stage's `StageRanker` (the same ranking `review next` uses), shared
by every session of the process (`shared_ranker`): it refits in the
background, so a decision never waits for training, and it is rebuilt in the
background when the candidates change or the stage's embeddings become
available, the previous ranking serving meanwhile. On a stage of
`BACKGROUND_BUILD_FROM` candidates or more even the first one is built in the
background (minutes at a million records), and until it is ready the stage's
stored ranking serves (`StoredRanking`: the last `review rank` or app
ranking, records it does not know last). Which record a session
gets is decided by `claim_next`, so two reviewers are never served the same
record when a single reviewer per record is required.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from review.ranking.embeddings import cached_embeddings, count_cached
from review.ranking.presets import Preset
from review.ranking.project import StageRanker, choose, stage_texts
from review.ranking.results import latest_scores, rank_among_unscreened
from review.screening.claims import claim_next
from review.screening.log import UndoRefused, record_decision, undo_last
from review.stopping.hypergeometric import sample_queue
from review.types import Stage

if TYPE_CHECKING:
    from review.core import Review


@dataclass
class EmbeddingJob:
    """Computing one stage's missing vectors in a thread, with its own connection; progress as done/total."""

    folder: Path
    stage: Stage
    model: str
    preset: Preset  # what the vectors are for: it says whether the titles are embedded too
    done: int = 0
    total: int = 0
    finished: bool = False
    error: str | None = None
    thread: threading.Thread | None = None

    def start(self) -> None:
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        from review.core import Review

        try:
            with Review.open(self.folder) as review:
                candidates = list(review.state(self.stage).candidates)
                texts = self.preset.embedding_inputs(stage_texts(review.db, self.stage, candidates))
                self.total = len(texts)
                cached_embeddings(review.db, texts, self.model, on_batch=self._advance)
        except Exception as error:  # the page shows it; ranking goes on by TF-IDF
            self.error = str(error)
        self.finished = True

    def _advance(self, n: int) -> None:
        self.done = min(self.total, self.done + n)


BACKGROUND_BUILD_FROM = 50_000  # candidates; below, the first build takes a few seconds and is waited for


class _StoredOrder:
    """The order part of a `Ranker` for `StoredRanking`: the stored ranks, then the records they lack."""

    def __init__(self, order: list[int], finals: Mapping[int, object]):
        self.order, self.finals = order, finals

    def unscreened_ids(self) -> Iterator[int]:
        return (record_id for record_id in self.order if record_id not in self.finals)

    def wait(self) -> None:
        """Nothing is fitted here (the real ranker is being built elsewhere)."""


class StoredRanking:
    """What serves a large stage while its first `StageRanker` is built: the latest stored ranking run."""

    model = None

    def __init__(self, review: Review, stage: Stage):
        self.stage = stage
        self.ids = list(review.state(stage).candidates)
        self.scores = latest_scores(review.db, stage.value)
        ranked = sorted(self.scores, key=lambda record_id: self.scores[record_id][1])
        known = set(ranked)
        order = ranked + [record_id for record_id in self.ids if record_id not in known]
        self.ranker = _StoredOrder(order, review.state(stage).finals)
        self._review = review

    def sync(self, review: Review) -> bool:
        self.ranker.finals = review.state(self.stage).finals
        self._review = review
        return False

    def score_rank(self, record_id: int) -> tuple[float | None, int | None]:
        return rank_among_unscreened(self._review, self.stage.value, self.scores, record_id)


@dataclass
class _RankerSlot:
    """The shared ranker of one stage, and what it was built from."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    ranker: StageRanker | StoredRanking | None = None
    candidates: tuple[int, ...] | None = None
    rebuilding: bool = False
    job: EmbeddingJob | None = None


def shared_ranker(review: Review, stage: Stage | str, embed: bool = True) -> StageRanker | StoredRanking:
    """The stage's ranker shared by every session of this process, synced with the review's latest decisions.

    Built at once the first time (its first fit runs in the background). When
    the candidates change, or the stage's vectors have all been computed, a new
    one is built in the background while this one keeps serving. With `embed`,
    missing vectors are computed in the background (see `embedding_progress`).
    """
    stage = Stage(stage)
    slot: _RankerSlot = review.shared(f"ranker:{stage}", _RankerSlot)
    candidates = review.state(stage).candidates
    with slot.lock:
        if slot.ranker is None and len(candidates) >= BACKGROUND_BUILD_FROM:
            slot.ranker, slot.candidates, slot.rebuilding = StoredRanking(review, stage), candidates, True
            threading.Thread(target=_rebuild, args=(review.folder, stage, slot), daemon=True).start()
        elif slot.ranker is None:
            slot.ranker, slot.candidates = StageRanker(review, stage, background=True), candidates
        elif not slot.rebuilding and (slot.candidates != candidates or _embeddings_arrived(slot)):
            slot.rebuilding = True
            threading.Thread(target=_rebuild, args=(review.folder, stage, slot), daemon=True).start()
        if embed:
            _ensure_embeddings(review, stage, slot)
        ranker = slot.ranker
    ranker.sync(review)
    return ranker


def _embeddings_arrived(slot: _RankerSlot) -> bool:
    job = slot.job
    return job is not None and job.finished and job.error is None and slot.ranker.model is None


def _rebuild(folder: Path, stage: Stage, slot: _RankerSlot) -> None:
    from review.core import Review

    try:
        with Review.open(folder) as review:
            ranker = StageRanker(review, stage, background=True)
            with slot.lock:
                slot.ranker, slot.candidates = ranker, review.state(stage).candidates
    finally:
        slot.rebuilding = False


def _ensure_embeddings(review: Review, stage: Stage, slot: _RankerSlot) -> None:
    choice = choose(review)
    if not choice.preset.uses_embeddings() or slot.ranker.model is not None or slot.job is not None:
        return
    texts = choice.preset.embedding_inputs(stage_texts(review.db, stage, list(slot.ranker.ids)))
    if texts and count_cached(review.db, texts, choice.model) < len(set(texts)):
        slot.job = EmbeddingJob(review.folder, stage, choice.model, choice.preset)
        slot.job.start()


def embedding_progress(review: Review, stage: Stage | str) -> EmbeddingJob | None:
    """The background embedding job of a stage, if one was started in this process."""
    slot: _RankerSlot = review.shared(f"ranker:{Stage(stage)}", _RankerSlot)
    return slot.job


class ScreeningSession:
    """A reviewer screening one stage (one browser tab), over the stage's shared ranker."""

    def __init__(self, review: Review, stage: Stage | str, reviewer: str, ranker: StageRanker | StoredRanking,
                 decided: list[int] | None = None):  # fmt: skip
        self.review, self.stage, self.reviewer, self.ranker = review, Stage(stage), reviewer, ranker
        # event ids of this session's decisions, newest last: what its undo may cancel (kept by the caller across runs)
        self.decided = decided if decided is not None else []

    def order(self) -> Iterator[int]:
        """What to serve, lazily: the stopping rule's random sample while one is open, then the ranking."""
        yield from sample_queue(self.review, self.stage)
        yield from self.ranker.ranker.unscreened_ids()

    def current(self, first: int | None = None) -> int | None:
        """The record this reviewer is shown now (claimed for them); `first` is served first if still pending."""
        return claim_next(self.review, self.stage, self.reviewer, self.order(), first=first)

    def score_rank(self, record_id: int) -> tuple[float | None, int | None]:
        """The model's score of a record and its rank among the records still without a final decision."""
        return self.ranker.score_rank(record_id)

    def decide(self, record_id: int, label: str, reason: str | None = None, note: str | None = None) -> int:
        """Record the decision at once (with the model's score and rank) and let the ranker learn from it."""
        score, rank = self.score_rank(record_id)
        event_id = record_decision(self.review, record_id, self.stage, self.reviewer, label, reason, note, score, rank)
        self.decided.append(event_id)
        self.ranker.sync(self.review)
        return event_id

    def undo(self) -> int | None:
        """Cancel this session's latest still-active decision; returns the record to show again.

        A refused undo (`UndoRefused`: the record was resolved or went on to
        full text) leaves that record's decisions out of what this session may
        undo, so the next undo reaches the decision before it.
        """
        try:
            record_id = undo_last(self.review, self.stage, self.reviewer, among=set(self.decided))
        except UndoRefused as refused:
            self._forget(refused.record_id)
            raise
        if record_id is not None:
            self.ranker.sync(self.review)
        return record_id

    def _forget(self, record_id: int) -> None:
        rows = self.review.db.execute(
            "SELECT event_id FROM decisions WHERE record_id = ? AND stage = ?", [record_id, self.stage.value]
        )
        forgotten = {row[0] for row in rows}
        self.decided[:] = [event_id for event_id in self.decided if event_id not in forgotten]
