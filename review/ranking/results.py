"""Ranking runs in the project database: log a run, store its scores, read the latest back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING

import sqlite_utils

from review.store import now, transaction

if TYPE_CHECKING:
    from review.core import Review


def save_ranking(
    db: sqlite_utils.Database,
    stage: str,
    ranking: list[tuple[int, float, int]],
    config: dict,
    n_labelled: int,
    n_relevant: int,
    seconds: float,
) -> int:
    """Log a model run and its (record id, score, rank) rows in one transaction; returns the run id."""
    with transaction(db):
        cursor = db.execute(
            "INSERT INTO model_runs (stage, created_at, config, n_labelled, n_relevant, seconds) VALUES (?, ?, ?, ?, ?, ?)",
            [stage, now(), json.dumps(config), n_labelled, n_relevant, round(seconds, 4)],
        )
        run_id = cursor.lastrowid
        db.conn.executemany(
            "INSERT INTO rankings (run_id, stage, record_id, score, rank) VALUES (?, ?, ?, ?, ?)",
            [(run_id, stage, record_id, score, rank) for record_id, score, rank in ranking],
        )
    return run_id


def latest_run(db: sqlite_utils.Database, stage: str) -> dict | None:
    row = db.execute(
        "SELECT run_id, created_at, config, n_labelled, n_relevant, seconds FROM model_runs "
        "WHERE stage = ? AND EXISTS (SELECT 1 FROM rankings WHERE rankings.run_id = model_runs.run_id) "
        "ORDER BY run_id DESC LIMIT 1",  # EXISTS: one index probe per run, not a pass over every ranking row
        [stage],
    ).fetchone()
    if row is None:
        return None
    keys = ("run_id", "created_at", "config", "n_labelled", "n_relevant", "seconds")
    run = dict(zip(keys, row))
    run["config"] = json.loads(run["config"] or "{}")
    return run


def latest_scores(db: sqlite_utils.Database, stage: str) -> dict[int, tuple[float, int]]:
    """record_id -> (score, rank) from the stage's latest ranking run; empty before any run."""
    run = latest_run(db, stage)
    if run is None:
        return {}
    rows = db.execute("SELECT record_id, score, rank FROM rankings WHERE run_id = ?", [run["run_id"]])
    return {record_id: (score, rank) for record_id, score, rank in rows}


def rank_among_unscreened(review: Review, stage: str, scores: dict[int, tuple[float, int]],
                          record_id: int) -> tuple[float | None, int | None]:  # fmt: skip
    """A stored score and the record's rank among the stage's records still without a final decision."""
    if record_id not in scores:
        return None, None
    score = scores[record_id][0]
    finals = review.state(stage).finals
    higher = sum(1 for other, (value, _) in scores.items() if value > score and other not in finals)
    return score, higher + 1


def latest_order(db: sqlite_utils.Database, stage: str) -> Iterator[int]:
    """Record ids of the stage's latest ranking run, best first, read lazily (nothing before any run).

    Serving the next record reads only the first few rows instead of a million scores.
    """
    run = latest_run(db, stage)
    if run is None:
        return iter(())
    rows = db.execute("SELECT record_id FROM rankings WHERE run_id = ? ORDER BY rank", [run["run_id"]])
    return (record_id for (record_id,) in rows)


def stored_score_rank(review: Review, stage: str, record_id: int) -> tuple[float | None, int | None]:
    """`rank_among_unscreened` on the latest run's scores, counted by SQLite instead of read into Python."""
    run = latest_run(review.db, stage)
    found = (
        run
        and review.db.execute(
            "SELECT score FROM rankings WHERE run_id = ? AND record_id = ?", [run["run_id"], record_id]
        ).fetchone()
    )
    if not found:
        return None, None
    score = found[0]
    finals = json.dumps(list(review.state(stage).finals))
    higher = review.db.execute(
        "SELECT COUNT(*) FROM rankings WHERE run_id = ? AND score > ? "
        "AND record_id NOT IN (SELECT value FROM json_each(?))",
        [run["run_id"], score, finals],
    ).fetchone()[0]
    return score, higher + 1
