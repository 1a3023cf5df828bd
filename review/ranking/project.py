"""One ranker per stage: the ranking `review rank`, `review next` and the app all use.

`StageRanker` ranks a stage's candidates with the protocol's preset. The
embedding component takes part as soon as every candidate's vector is cached
(`embeddings="cached"`, what screening uses; `"compute"` fills the cache
first, as `review rank` does); until then the preset's TF-IDF part ranks, so
nothing waits. It learns from the stage's final labels in the order they
became final (`Review.label_changes`), which is the same stream whichever
front end made the decisions, and it reuses the fusion credits stored in the
project (`fusion_credits`), so the same log gives the same ranking.

The score and rank recorded with a decision (`score_rank`) mean the same
from every front end: the model's latest score, and the record's position
among the stage's records still without a final decision (1 = the top).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import scipy.sparse as sp
import sqlite_utils

from review.ranking.embeddings import cached_embeddings, count_cached, encode
from review.ranking.features import FeatureSet, RecordFields, build_features, record_text
from review.ranking.presets import DEFAULT_PRESET, Preset, get_preset
from review.ranking.ranker import Ranker
from review.ranking.results import latest_run, latest_scores, save_ranking
from review.screening.state import LabelChange
from review.store import transaction
from review.types import Label, Stage

if TYPE_CHECKING:
    from review.core import Review

EmbeddingMode = Literal["compute", "cached", "off"]
TRAINING_VALUE = {Label.INCLUDE: 1, Label.EXCLUDE: 0}  # 'maybe' is screened but not a training label


@dataclass(frozen=True)
class RankingChoice:
    """Which preset and embedding model rank a stage."""

    preset: Preset
    model: str
    backend: str = "torch"


def choose(
    review: Review, preset: str | None = None, model: str | None = None, backend: str = "torch"
) -> RankingChoice:
    protocol = review.protocol
    if preset:
        chosen = get_preset(preset)
    else:
        chosen = get_preset(DEFAULT_PRESET if protocol.ranking.use_embeddings else "tfidf-svm")
    return RankingChoice(chosen, model or protocol.ranking.model, backend)


def stage_texts(db: sqlite_utils.Database, stage: Stage | str, record_ids: list[int]) -> list[str]:
    """Title + abstract per record; at the full-text stage the extracted full text where there is one."""
    texts: dict[int, str] = {}
    for start in range(0, len(record_ids), 900):
        chunk = record_ids[start : start + 900]
        marks = ", ".join("?" for _ in chunk)
        rows = db.execute(
            f"SELECT r.record_id, r.title, r.abstract, f.text FROM records r "
            f"LEFT JOIN fulltexts f ON f.record_id = r.record_id WHERE r.record_id IN ({marks})",
            chunk,
        )
        for record_id, title, abstract, fulltext in rows:
            texts[record_id] = record_text(title, abstract, fulltext if Stage(stage) is Stage.FT else None)
    return [texts[record_id] for record_id in record_ids]


def stage_fields(db: sqlite_utils.Database, record_ids: list[int]) -> RecordFields:
    """Keywords, authors and journal per record, the metadata views of the ranking (see `build_features`)."""
    rows: dict[int, dict] = {}
    for start in range(0, len(record_ids), 900):
        chunk = record_ids[start : start + 900]
        marks = ", ".join("?" for _ in chunk)
        for record_id, keywords, authors, journal in db.execute(
            f"SELECT record_id, keywords, authors, journal FROM records WHERE record_id IN ({marks})", chunk
        ):
            rows[record_id] = {"keywords": keywords, "authors": authors, "journal": journal}
    return RecordFields.from_records([rows.get(record_id, {}) for record_id in record_ids])


def stored_credits(db: sqlite_utils.Database, stage: Stage, preset: str) -> dict[int, list[float]]:
    rows = db.execute(
        "SELECT record_id, credits FROM fusion_credits WHERE stage = ? AND preset = ?", [stage.value, preset]
    )
    return {record_id: json.loads(credits) for record_id, credits in rows}


def save_credits(db: sqlite_utils.Database, stage: Stage, preset: str, credits: dict[int, tuple[float, ...]]) -> None:
    """Keep credits not stored yet (the first credit given to a record stands)."""
    with transaction(db):
        db.conn.executemany(
            "INSERT OR IGNORE INTO fusion_credits (stage, preset, record_id, credits) VALUES (?, ?, ?, ?)",
            [(stage.value, preset, record_id, json.dumps(list(value))) for record_id, value in credits.items()],
        )


class StageRanker:
    """The ranking of one stage's candidates (see the module notes); `sync` it with the review after decisions."""

    def __init__(
        self, review: Review, stage: Stage | str, choice: RankingChoice | None = None,
        embeddings: EmbeddingMode = "cached", background: bool = False,
        on_progress: Callable[[int, int], None] | None = None,
    ):  # fmt: skip
        self.stage = Stage(stage)
        self.choice = choice or choose(review)
        state = review.state(self.stage)
        self.ids = list(state.candidates)
        texts = stage_texts(review.db, self.stage, self.ids)
        features, self.model = self._features(review, texts, embeddings, on_progress)
        self.preset = self.choice.preset if features.embedding is not None else _tfidf_part(self.choice.preset)
        credits = stored_credits(review.db, self.stage, self.preset.name)
        self.ranker = Ranker(features, self.ids, self.preset, credits=credits)
        self.version = 0
        self._sync_lock = threading.Lock()
        self._saved_credits = set(credits)
        self._replay(review.label_changes(self.stage, 0))
        self.ranker.refit()  # the first fit is waited for, so the first record shown is the model's choice
        self.ranker.background = background
        self.version = state.version
        self._store_new_credits(review)

    def _features(self, review: Review, texts: list[str], mode: EmbeddingMode,
                  on_progress: Callable[[int, int], None] | None) -> tuple[FeatureSet, str | None]:  # fmt: skip
        query = review.protocol.zero_shot_query()
        vectors = title_vectors = query_vector = None
        choice = self.choice
        if choice.preset.uses_embeddings() and texts and mode != "off":
            inputs = choice.preset.embedding_inputs(texts)
            ready = mode == "compute" or count_cached(review.db, inputs, choice.model, backend=choice.backend) == len(
                set(inputs)
            )
            if ready:
                done = [0]

                def advance(n: int) -> None:
                    done[0] += n
                    if on_progress:
                        on_progress(done[0], len(inputs))

                embedded = cached_embeddings(review.db, inputs, choice.model, on_batch=advance, backend=choice.backend)
                vectors, title_vectors = choice.preset.embedding_outputs(embedded, len(texts))
                query_vector = encode([query], choice.model, backend=choice.backend)[0]
        if not any(text.strip() for text in texts):  # no words at all (an empty stage): nothing to learn from
            return FeatureSet(sp.csr_matrix((len(texts), 1), dtype=np.float32)), None
        preset = choice.preset if vectors is not None else _tfidf_part(choice.preset)
        features = build_features(
            texts, embedding=vectors, query=query, embedding_query=query_vector,
            fields=stage_fields(review.db, self.ids), views=preset.views(), title_embedding=title_vectors,
        ).rows(len(texts))  # fmt: skip
        return features, choice.model if vectors is not None else None

    def _replay(self, changes: list[LabelChange]) -> None:
        """Feed final-label changes in order; a decision without a stored standing is credited as it would have
        been while screening: the components are refitted before it whenever the retraining schedule calls for it."""
        rows = self.ranker
        for change in changes:
            if change.record_id not in rows.index:
                continue
            if (
                self.preset.earns_weights()
                and rows.n_labelled
                and not rows.has_credit(change.record_id)
                and (rows.refit_due())
            ):
                rows.refit()
            self._apply(change, refit=False)

    def _apply(self, change: LabelChange, refit: bool) -> None:
        if change.label is None:
            self.ranker.update(change.record_id, None, refit=refit)
        elif change.label is Label.MAYBE:
            self.ranker.update(change.record_id, None, refit=refit)
            self.ranker.skip(change.record_id)
        else:
            self.ranker.update(change.record_id, TRAINING_VALUE[change.label], refit=refit)

    def sync(self, review: Review) -> bool:
        """Learn the final labels decided since the last sync (from any front end); True when there were any.

        Refits after them (in the background when the ranker was built so) and
        stores credits the new relevant records earned.
        """
        version = review.state(self.stage).version
        if version == self.version:
            return False
        changes = [
            change for change in review.label_changes(self.stage, self.version) if change.record_id in self.ranker.index
        ]
        self.version = version
        for change in changes:
            self._apply(change, refit=False)
        if changes:
            self.ranker.refit()
        self._store_new_credits(review)
        return bool(changes)

    def _store_new_credits(self, review: Review) -> None:
        if not self.preset.earns_weights():
            return
        new = {
            record_id: value
            for record_id, value in self.ranker.credits().items()
            if record_id not in self._saved_credits
        }
        if new:
            save_credits(review.db, self.stage, self.preset.name, new)
            self._saved_credits |= set(new)

    def order(self) -> list[int]:
        """Records without a final decision, most likely relevant first (the latest finished fit)."""
        return [record_id for record_id, _, _ in self.ranker.ranking()]

    def score_rank(self, record_id: int) -> tuple[float | None, int | None]:
        """The model's score of a record and its rank among the records still without a final decision."""
        return self.ranker.score_rank(record_id)

    def save(self, review: Review, seconds: float) -> int:
        """Store the current ranking as a model run (what `review next` and `review decide` read back)."""
        ranking = self.ranker.ranking()
        labels = self.ranker.labels()
        config = {"preset": self.preset.to_dict(), "model": self.model, "last_event_id": self.version,
                  "weights": self.ranker.fusion_weights()}  # fmt: skip
        return save_ranking(review.db, self.stage, ranking, config, len(labels), sum(labels.values()), seconds)


def _tfidf_part(preset: Preset) -> Preset:
    return preset.without_embeddings() if preset.uses_embeddings() else preset


@dataclass
class ProjectRanking:
    stage: str
    run_id: int
    preset: str
    model: str | None
    ranking: list[tuple[int, float, int]]  # (record_id, score, rank) of unscreened records, best first
    n_candidates: int
    n_labelled: int
    n_relevant: int
    seconds: float
    weights: dict[str, float]  # each component's share of the ranking ("features/classifier" -> weight)


def rank_stage(
    review: Review, stage: Stage | str, preset: str | None = None, model: str | None = None,
    embeddings: EmbeddingMode = "compute", on_progress: Callable[[int, int], None] | None = None,
    backend: str = "torch",
) -> ProjectRanking:  # fmt: skip
    """Rank the stage's unscreened candidates by the decisions so far, store and return the ranking."""
    start = time.perf_counter()
    ranker = StageRanker(review, stage, choose(review, preset, model, backend), embeddings, on_progress=on_progress)
    seconds = time.perf_counter() - start
    run_id = ranker.save(review, seconds)
    labels = ranker.ranker.labels()
    return ProjectRanking(
        ranker.stage.value, run_id, ranker.preset.name, ranker.model, ranker.ranker.ranking(), len(ranker.ids),
        len(labels), sum(labels.values()), seconds, ranker.ranker.fusion_weights(),
    )  # fmt: skip


def is_fresh(review: Review, stage: Stage | str) -> bool:
    """Whether the stored ranking reflects every decision at the stage with the protocol's preset."""
    stage = Stage(stage)
    run = latest_run(review.db, stage)
    if run is None or run["config"].get("last_event_id") != review.state(stage).version:
        return False
    wanted = _tfidf_part(choose(review).preset).name, choose(review).preset.name
    return run["config"].get("preset", {}).get("name") in wanted


def ensure_fresh(review: Review, stage: Stage | str) -> None:
    """Rank the stage now (and store it) unless the stored ranking is fresh."""
    if not is_fresh(review, stage):
        rank_stage(review, stage, embeddings="cached")


def fresh_scores(review: Review, stage: Stage | str) -> dict[int, tuple[float, int]] | None:
    """The stored ranking's scores when it reflects every decision at the stage with the protocol's preset."""
    return latest_scores(review.db, Stage(stage)) if is_fresh(review, stage) else None


def current_scores(review: Review, stage: Stage | str) -> dict[int, tuple[float, int]]:
    """Scores of the stage's ranking for the current log: the stored run if fresh, else ranked (and stored) now."""
    scores = fresh_scores(review, stage)
    if scores is None:
        rank_stage(review, stage, embeddings="cached")
        scores = latest_scores(review.db, Stage(stage))
    return scores
