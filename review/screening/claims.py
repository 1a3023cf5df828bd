"""Serving records to concurrent screening sessions without double-serving.

A session asks for its next record with `claim_next`; the record is claimed
for a short time (a row in `claims`, which is not part of the decision log).
While the claim lives:

- with one reviewer per record, no other session gets that record;
- with two, other sessions of the same reviewer do not get it, other
  reviewers still do, as long as the record needs more reviewers than have
  decided it or hold a claim on it.

Recording a decision releases the reviewer's claims on that record. Claiming
happens inside one write transaction, so two processes never take the same
record at once.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlite_utils

from review.project import current_protocol
from review.protocol import Protocol
from review.screening.log import RecordState, check_reviewer, check_stage, pending_for, record_states
from review.store import now, transaction

DEFAULT_TTL_SECONDS = 600


def claim_next(
    db: sqlite_utils.Database,
    stage: str,
    reviewer: str,
    ordered_ids: list[int],
    ttl_seconds: int = DEFAULT_TTL_SECONDS,
    session: str | None = None,
    protocol: Protocol | None = None,
) -> int | None:
    """The next record (in `ordered_ids` order) this session should screen, claimed for it.

    `session` identifies one browser tab or process (default: the reviewer
    name, i.e. one session per reviewer). A session that still holds a live
    claim on a pending record gets that record again. Returns None when
    nothing is left for this reviewer.
    """
    check_stage(stage)
    reviewer = check_reviewer(reviewer)
    holder = session or reviewer
    protocol = protocol or current_protocol(db)
    required = protocol.stage(stage).reviewers
    expires = (datetime.now(UTC) + timedelta(seconds=ttl_seconds)).isoformat(timespec="milliseconds")
    with transaction(db):
        db.execute("DELETE FROM claims WHERE expires_at <= ?", [now()])
        pending = pending_for(db, stage, reviewer, ordered_ids, protocol)
        held: dict[int, list[tuple[str, str]]] = {}
        for record_id, who, by in db.execute("SELECT record_id, reviewer, holder FROM claims WHERE stage = ?", [stage]):
            held.setdefault(record_id, []).append((who, by))
        own = next((record_id for record_id in pending if any(by == holder for _, by in held.get(record_id, []))), None)
        if own is None:
            states = record_states(db, stage, protocol, [record_id for record_id in pending if record_id in held])
            own = next(
                (
                    record_id
                    for record_id in pending
                    if _available(held.get(record_id, []), reviewer, states.get(record_id), required)
                ),
                None,
            )
        db.execute("DELETE FROM claims WHERE stage = ? AND holder = ?", [stage, holder])
        if own is not None:
            db.execute(
                "INSERT INTO claims (stage, record_id, reviewer, holder, expires_at) VALUES (?, ?, ?, ?, ?)",
                [stage, own, reviewer, holder, expires],
            )
        return own


def _available(claims: list[tuple[str, str]], reviewer: str, state: RecordState | None, required: int) -> bool:
    if any(who == reviewer for who, _ in claims):
        return False
    decided = len(state.labels) if state is not None else 0
    others = {who for who, _ in claims}
    return decided + len(others) < required


def release_claims(db: sqlite_utils.Database, stage: str, holder: str) -> None:
    """Give back a session's claims (it skipped a record or closed)."""
    with transaction(db):
        db.execute("DELETE FROM claims WHERE stage = ? AND holder = ?", [stage, holder])
