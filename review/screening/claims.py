"""Serving records to concurrent screening sessions without double-serving.

A session asks for its next record with `claim_next`; the record is claimed
for a while (a row in `claims`, not part of the decision log). Claims belong
to the reviewer: a reviewer's claim holds however many browser tabs or
reloads they use, and a reload finds its own claimed record again. While a
claim lives:

- with one reviewer per record, no other reviewer gets that record;
- with two, other reviewers still get it as long as the record needs more
  reviewers than have decided it or hold a claim on it.

Recording a decision releases the reviewer's claim on that record. Claiming
happens inside one write transaction, so two processes never take the same
record at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from review.roles import Action
from review.screening.log import check_reviewer, check_stage
from review.screening.state import RecordState, StageState
from review.store import now, transaction

if TYPE_CHECKING:
    from review.core import Review

DEFAULT_TTL_SECONDS = 600


def _live_claims(review: Review, stage: str) -> dict[int, set[str]]:
    """record id -> reviewers holding a live claim on it."""
    held: dict[int, set[str]] = {}
    rows = review.db.execute(
        "SELECT record_id, reviewer FROM claims WHERE stage = ? AND expires_at > ?", [stage, now()]
    )
    for record_id, who in rows:
        held.setdefault(record_id, set()).add(who)
    return held


def _available(claimed_by: set[str], reviewer: str, state: RecordState | None, required: int) -> bool:
    others = claimed_by - {reviewer}
    decided = len(state.labels) if state is not None else 0
    return decided + len(others) < required


def servable(
    review: Review, state: StageState, reviewer: str, ordered_ids: Iterable[int], limit: int = 1,
    first: int | None = None,
) -> list[int]:  # fmt: skip
    """Up to `limit` records of `ordered_ids` this reviewer would be served, in order.

    A record qualifies when it is pending for the reviewer and not held by
    others beyond what the stage allows. `first` (a record shown again after an
    undo) comes first when it qualifies, then the reviewer's own claimed record
    (a reload finds it again). `ordered_ids` is read lazily.
    """
    held = _live_claims(review, state.stage.value)
    own = [
        record_id for record_id, who in held.items() if reviewer in who and state.is_pending_for(record_id, reviewer)
    ]
    chosen = [] if first is None else [first]
    chosen = [r for r in chosen if state.is_pending_for(r, reviewer)] or own[:1]
    for record_id in ordered_ids:
        if len(chosen) >= limit:
            break
        claimed = held.get(record_id, set())
        if (
            record_id not in chosen
            and reviewer not in claimed
            and state.is_pending_for(record_id, reviewer)
            and _available(claimed, reviewer, state.records.get(record_id), state.reviewers_required)
        ):
            chosen.append(record_id)
    return chosen[:limit]


def claim_next(
    review: Review, stage: str, reviewer: str, ordered_ids: Iterable[int], first: int | None = None,
    ttl_seconds: int = DEFAULT_TTL_SECONDS,
) -> int | None:  # fmt: skip
    """The next record (in `ordered_ids` order) for this reviewer, claimed for them; None when nothing is left.

    `first`, when still pending for the reviewer, is served before anything else
    (a record shown again after an undo).
    """
    stage, reviewer = check_stage(stage), check_reviewer(reviewer)
    review.authorize(Action.SCREEN, reviewer)
    expires = (datetime.now(UTC) + timedelta(seconds=ttl_seconds)).isoformat(timespec="milliseconds")
    with transaction(review.db):
        review.db.execute("DELETE FROM claims WHERE expires_at <= ?", [now()])
        state = review.state(stage)
        chosen = next(iter(servable(review, state, reviewer, ordered_ids, first=first)), None)
        review.db.execute("DELETE FROM claims WHERE stage = ? AND reviewer = ?", [stage.value, reviewer])
        if chosen is not None:
            review.db.execute(
                "INSERT INTO claims (stage, record_id, reviewer, holder, expires_at) VALUES (?, ?, ?, ?, ?)",
                [stage.value, chosen, reviewer, reviewer, expires],
            )
        return chosen


def release_claims(review: Review, stage: str, reviewer: str) -> None:
    """Give back a reviewer's claims at a stage (they skipped a record or stopped)."""
    with transaction(review.db):
        review.db.execute("DELETE FROM claims WHERE stage = ? AND reviewer = ?", [check_stage(stage).value, reviewer])
