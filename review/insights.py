"""Insight views derived from the decision log: the recall curve and screening speed per reviewer.

Stage progress is `StageState.progress`; agreement between reviewers is
`review.screening.agreement`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from statistics import median

import sqlite_utils

BREAK_SECONDS = 600  # a longer gap between two decisions is a pause, not screening time
BULK_SECONDS = 1  # a shorter gap is a bulk import of decisions, not screening


def recall_curve(labels: list[int]) -> list[tuple[int, int]]:
    """(records screened, relevant records found) after each decision, starting at (0, 0)."""
    points, found = [(0, 0)], 0
    for screened, label in enumerate(labels, 1):
        found += label
        points.append((screened, found))
    return points


@dataclass
class ReviewerSpeed:
    reviewer: str
    decisions: int
    median_seconds: float | None  # median time between consecutive decisions, pauses and bulk imports left out
    per_hour: float | None  # decisions per hour of screening time


def screening_speed(db: sqlite_utils.Database, stage: str) -> list[ReviewerSpeed]:
    """How fast each reviewer screens at a stage, from the timestamps of their decisions."""
    times: dict[str, list[datetime]] = {}
    rows = db.execute(
        "SELECT reviewer, created_at FROM decisions WHERE stage = ? AND kind = 'screen' ORDER BY reviewer, created_at",
        [stage],
    )
    for reviewer, created_at in rows:
        times.setdefault(reviewer, []).append(datetime.fromisoformat(created_at))
    speeds = []
    for reviewer, stamps in sorted(times.items()):
        gaps = [(later - earlier).total_seconds() for earlier, later in zip(stamps, stamps[1:])]
        working = [gap for gap in gaps if BULK_SECONDS <= gap <= BREAK_SECONDS]
        per_hour = round(3600 * len(working) / sum(working), 1) if working else None
        speeds.append(ReviewerSpeed(reviewer, len(stamps), round(median(working), 1) if working else None, per_hour))
    return speeds
