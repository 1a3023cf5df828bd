"""Ranking a project's records: features from the database, labels from screening.

`rank_project()` is what `review rank` and `review next` call; it goes
through the same `Ranker` the app and the simulation use, stores the
result (`model_runs` + `rankings`) and returns it.

Ranking is usable at once: TF-IDF is computed on the fly, and embeddings are
used only once every candidate's vector is cached (`embeddings="cached"`);
`embeddings="compute"` fills the cache first (with progress).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import sqlite_utils

from review.protocol import Protocol
from review.ranking.embeddings import cached_embeddings, count_cached, encode
from review.ranking.features import FeatureSet, RecordFields, build_features, record_text
from review.ranking.presets import DEFAULT_PRESET, Preset, get_preset
from review.ranking.ranker import Ranker
from review.ranking.results import latest_run, latest_scores, save_ranking, stored_credits
from review.screening.log import final_labels, screening_candidates
from review.stopping.hypergeometric import sample_queue

LABEL_VALUE = {"include": 1, "exclude": 0}
EmbeddingMode = Literal["compute", "cached", "off"]


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


def stage_texts(db: sqlite_utils.Database, stage: str, record_ids: list[int]) -> list[str]:
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
            texts[record_id] = record_text(title, abstract, fulltext if stage == "ft" else None)
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


def training_labels(db: sqlite_utils.Database, stage: str, protocol: Protocol | None = None) -> dict[int, int]:
    """Final include/exclude decisions as 1/0; 'maybe' counts as unlabelled."""
    return {
        record_id: LABEL_VALUE[label]
        for record_id, label in final_labels(db, stage, protocol).items()
        if label in LABEL_VALUE
    }


def choose_preset(protocol: Protocol, preset: str | None = None) -> Preset:
    if preset:
        return get_preset(preset)
    return get_preset(DEFAULT_PRESET if protocol.ranking.use_embeddings else "tfidf-svm")


def rank_project(
    db: sqlite_utils.Database,
    protocol: Protocol,
    stage: str,
    preset: str | None = None,
    model: str | None = None,
    embeddings: EmbeddingMode = "compute",
    on_progress: Callable[[int, int], None] | None = None,
    backend: str = "torch",
) -> ProjectRanking:
    """Rank the stage's unscreened candidates by the decisions so far, store and return the ranking."""
    start = time.perf_counter()
    chosen = choose_preset(protocol, preset)
    model = model or protocol.ranking.model
    ids = screening_candidates(db, stage, protocol)
    texts = stage_texts(db, stage, ids)
    vectors = query_vector = None
    if chosen.uses_embeddings() and ids and embeddings != "off":
        ready = embeddings == "compute" or count_cached(db, texts, model, backend=backend) == len(set(texts))
        if ready:
            done = [0]

            def advance(n: int) -> None:
                done[0] += n
                if on_progress:
                    on_progress(done[0], len(texts))

            vectors = cached_embeddings(db, texts, model, on_batch=advance, backend=backend)
            query_vector = encode([protocol.zero_shot_query()], model, backend=backend)[0]
    if vectors is None:
        chosen = chosen.without_embeddings() if chosen.uses_embeddings() else chosen
    features = build_features(
        texts or [""],
        embedding=vectors,
        query=protocol.zero_shot_query(),
        embedding_query=query_vector,
        fields=stage_fields(db, ids) if ids else None,
        views=chosen.views(),
    ).rows(len(ids))
    labels = training_labels(db, stage, protocol)
    ranker = replay_decisions(db, stage, features, ids, chosen, labels)
    screened = set(final_labels(db, stage, protocol))
    for record_id in screened - set(labels):
        ranker.skip(record_id)
    ranker.refit()
    ranking = ranker.ranking()
    n_relevant = int(np.sum(list(labels.values()))) if labels else 0
    seconds = time.perf_counter() - start
    config = {
        "preset": chosen.to_dict(),
        "model": model if vectors is not None else None,
        "last_event_id": last_event_id(db, stage),
        "credits": ranker.credits(),
        "weights": ranker.fusion_weights(),
    }
    run_id = save_ranking(db, stage, ranking, config, len(labels), n_relevant, seconds)
    return ProjectRanking(
        stage,
        run_id,
        chosen.name,
        config["model"],
        ranking,
        len(ids),
        len(labels),
        n_relevant,
        seconds,
        config["weights"],
    )


def replay_decisions(
    db: sqlite_utils.Database, stage: str, features: FeatureSet, ids: list[int], preset: Preset, labels: dict[int, int]
) -> Ranker:
    """A `Ranker` holding `labels`, fed in decision order.

    When components earn their weights, a decision without a standing saved by
    an earlier run is credited as it would have been while screening: the
    components are refitted on the decisions before it whenever the retraining
    schedule calls for it, as in a simulation (later runs reuse the saved standings).
    """
    ranker = Ranker(features, ids, preset, credits=stored_credits(db, stage, preset.name))
    for record_id in decision_order(db, stage, labels):
        if preset.earns_weights() and ranker.n_labelled and not ranker.has_credit(record_id) and ranker.refit_due():
            ranker.refit()
        ranker.update(record_id, labels[record_id], refit=False)
    return ranker


def decision_order(db: sqlite_utils.Database, stage: str, record_ids: Iterable[int]) -> list[int]:
    """`record_ids` ordered by their latest decision event at the stage."""
    latest = dict(
        db.execute(
            "SELECT record_id, MAX(event_id) FROM decisions WHERE stage = ? GROUP BY record_id", [stage]
        ).fetchall()
    )
    return sorted(record_ids, key=lambda record_id: latest.get(record_id, 0))


def last_event_id(db: sqlite_utils.Database, stage: str) -> int:
    row = db.execute("SELECT MAX(event_id) FROM decisions WHERE stage = ?", [stage]).fetchone()
    return row[0] or 0


@dataclass
class NextRecord:
    record_id: int
    score: float | None
    rank: int | None
    phase: str  # 'ranked', or 'random-sample' while the stopping check's sample is being screened


def next_records(
    db: sqlite_utils.Database,
    protocol: Protocol,
    stage: str,
    n: int = 1,
    preset: str | None = None,
    model: str | None = None,
) -> list[NextRecord]:
    """The next records to screen: the stopping sample while one is open, else the best-ranked.

    The stored ranking is reused while no decision has been made since it was
    computed; embeddings are used only when already cached (see `rank_project`).
    """
    queue = sample_queue(db, stage, protocol)
    scores = latest_scores(db, stage)
    if queue:
        return [NextRecord(record_id, *scores.get(record_id, (None, None)), "random-sample") for record_id in queue[:n]]
    run = latest_run(db, stage)
    fresh = (
        run is not None
        and run["config"].get("last_event_id") == last_event_id(db, stage)
        and preset is None
        and model is None
    )
    if fresh:
        screened = set(final_labels(db, stage, protocol))
        ranking = sorted(((r, s, k) for r, (s, k) in scores.items() if r not in screened), key=lambda row: row[2])
    else:
        ranking = rank_project(db, protocol, stage, preset, model, embeddings="cached").ranking
    return [NextRecord(record_id, score, rank, "ranked") for record_id, score, rank in ranking[:n]]
