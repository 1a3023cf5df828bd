"""Progress and insight views derived from the decision log alone.

Stage progress (who screened what), the recall curve and screening speed per
reviewer; agreement between reviewers is `review.screening.conflicts.agreement`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from statistics import median

import sqlite_utils

from review.protocol import Protocol
from review.screening.log import record_states, screening_candidates

BREAK_SECONDS = 600  # a longer gap between two decisions is a pause, not screening time
BULK_SECONDS = 1  # a shorter gap is a bulk import of decisions, not screening


@dataclass
class StageProgress:
    """Where a stage stands: candidates, final decisions, what is left, and who screened what."""

    candidates: int
    final: int
    included: int
    excluded: int
    maybe: int
    conflicts: int
    waiting: int
    by_reviewer: dict[str, int] = field(default_factory=dict)

    @property
    def remaining(self) -> int:
        return self.candidates - self.final


def stage_progress(db: sqlite_utils.Database, stage: str, protocol: Protocol) -> StageProgress:
    candidates = set(screening_candidates(db, stage, protocol))
    states = [state for record_id, state in record_states(db, stage, protocol).items() if record_id in candidates]
    finals = Counter(state.label for state in states if state.status == "final")
    statuses = Counter(state.status for state in states)
    reviewers = Counter(who for state in states for who in state.labels)
    return StageProgress(
        len(candidates),
        statuses["final"],
        finals["include"],
        finals["exclude"],
        finals["maybe"],
        statuses["conflict"],
        statuses["waiting"],
        dict(sorted(reviewers.items())),
    )


def blind_stages_open(db: sqlite_utils.Database, protocol: Protocol) -> list[str]:
    """Blind stages where some record is decided by one reviewer but not yet final (labels must stay hidden)."""
    open_stages = []
    for stage in ("ta", "ft"):
        if protocol.stage(stage).blind:
            progress = stage_progress(db, stage, protocol)
            if progress.waiting or progress.conflicts:
                open_stages.append(stage)
    return open_stages


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
