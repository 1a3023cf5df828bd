"""Conflicts: records whose reviewers disagree at a stage, listed for the person who reconciles them.

A conflict exists only once two reviewers have decided, so it is where
reconciliation starts. It shows every reviewer's label, so in an open blind
stage it is listed only for an unblinded viewer (audited); resolving is
`review.screening.log.resolve_conflict`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from review.errors import BlindStageError
from review.screening.blind import Viewer, require_viewer
from review.types import STAGE_NAMES, RecordStatus, Stage

if TYPE_CHECKING:
    from review.core import Review


@dataclass(frozen=True)
class Conflict:
    record_id: int
    title: str | None
    labels: dict[str, str]  # reviewer -> current label
    reasons: dict[str, str | None]  # reviewer -> exclusion reason key
    notes: dict[str, str | None]  # reviewer -> note with their current label


def conflicts(review: Review, stage: str, viewer: Viewer) -> list[Conflict]:
    """Candidates whose reviewers disagree at a stage, with each reviewer's label, reason and note."""
    stage = Stage(stage)
    require_viewer(review, viewer)
    if stage in viewer.hidden_stages(review):
        raise BlindStageError([STAGE_NAMES[stage]], "conflicts show every reviewer's label")
    states = review.state(stage).with_status(RecordStatus.CONFLICT)
    return [_conflict(review, stage, state.record_id, dict(sorted(state.labels.items()))) for state in states]


def _conflict(review: Review, stage: Stage, record_id: int, labels: dict[str, str]) -> Conflict:
    rows = review.db.execute(
        "SELECT reviewer, reason, note FROM decisions WHERE record_id = ? AND stage = ? AND kind = 'screen' "
        "ORDER BY event_id",
        [record_id, stage.value],
    ).fetchall()
    latest = {reviewer: (reason, note) for reviewer, reason, note in rows}
    title = review.db.execute("SELECT title FROM records WHERE record_id = ?", [record_id]).fetchone()[0]
    return Conflict(
        record_id, title, labels,
        {who: latest.get(who, (None, None))[0] for who in labels},
        {who: latest.get(who, (None, None))[1] for who in labels},
    )  # fmt: skip
