"""Screening decisions: an append-only event log and the state derived from it.

Every decision is one row in `decisions`; nothing is ever updated or deleted.
Three kinds of event exist:

- `screen`: a reviewer's label for a record at a stage (changing one's mind
  appends another `screen` event),
- `resolve`: a named reviewer's reconciliation of a conflict (final),
- `undo`: cancels that reviewer's latest still-active event on that record
  and stage; their previous event, if any, counts again.

The current state is derived by replaying a stage's events in `event_id` order
once (`record_states`). With one reviewer per record the latest active label
of any reviewer is final. With two, a record is final when two different
reviewers agree, or when it has an active resolution; reviewers who disagree
make a conflict; a single label waits for the second reviewer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import sqlite_utils

from review.errors import ReviewError
from review.project import current_protocol
from review.protocol import STAGES, Protocol, StageSettings
from review.store import now, transaction

LABELS = ("include", "exclude", "maybe")
KINDS = ("screen", "resolve", "undo")


class Event(NamedTuple):
    event_id: int
    kind: str
    label: str | None
    reason: str | None


@dataclass
class RecordState:
    """Where one record stands at one stage."""

    record_id: int
    status: str  # 'final', 'conflict' or 'waiting' (for another reviewer)
    label: str | None = None  # the final label when status is 'final'
    reason: str | None = None  # the final decision's reason key
    labels: dict[str, str] = field(default_factory=dict)  # reviewer -> current screening label
    resolved_by: str | None = None


def check_stage(stage: str) -> None:
    if stage not in STAGES:
        raise ReviewError(f"unknown stage '{stage}' (use one of: {', '.join(STAGES)})")


def check_label(label: str) -> None:
    if label not in LABELS:
        raise ReviewError(f"unknown label '{label}' (use one of: {', '.join(LABELS)})")


def reason_key(settings: StageSettings, stage: str, label: str, reason: str | None) -> str | None:
    """Validate a decision's reason against the stage's list; returns the reason key.

    A reason may be given as its key or its label text (any language). Only
    exclusions carry a reason; where the protocol requires one it must be given.
    """
    reason = (reason or "").strip() or None
    if label != "exclude":
        if reason:
            raise ReviewError(f"a reason is only recorded with an exclusion (got '{reason}' with {label})")
        return None
    if reason is None:
        if settings.reason_required:
            raise ReviewError(f"an exclusion at stage '{stage}' needs a reason: {', '.join(settings.reason_keys())}")
        return None
    if not settings.exclusion_reasons:
        return reason
    for item in settings.exclusion_reasons:
        texts = {item.key.lower(), item.label.en.lower(), (item.label.da or "").lower()}
        if reason.lower() in texts:
            return item.key
    raise ReviewError(
        f"unknown exclusion reason '{reason}' at stage '{stage}' (use one of: {', '.join(settings.reason_keys())})"
    )


def replay(
    db: sqlite_utils.Database, stage: str, record_ids: list[int] | None = None, reviewer: str | None = None
) -> dict[int, dict[str, list[Event]]]:
    """Active events per record and reviewer after replaying the log in order."""
    sql = "SELECT record_id, reviewer, event_id, kind, label, reason FROM decisions WHERE stage = ?"
    params: list = [stage]
    if record_ids is not None:
        sql += f" AND record_id IN ({', '.join('?' for _ in record_ids)})"
        params += list(record_ids)
    if reviewer is not None:
        sql += " AND reviewer = ?"
        params.append(reviewer)
    stacks: dict[int, dict[str, list[Event]]] = {}
    for record_id, who, event_id, kind, label, reason in db.execute(sql + " ORDER BY event_id", params):
        by_reviewer = stacks.get(record_id)
        if by_reviewer is None:  # (not setdefault: this loop runs once per event on 100k-record logs)
            by_reviewer = stacks[record_id] = {}
        active = by_reviewer.get(who)
        if active is None:
            active = by_reviewer[who] = []
        if kind == "undo":
            if active:
                active.pop()
        else:
            active.append(Event(event_id, kind, label, reason))
    return stacks


def _state(record_id: int, by_reviewer: dict[str, list[Event]], required: int) -> RecordState | None:
    screens: dict[str, Event] = {}
    latest: tuple[Event, str] | None = None
    resolution: tuple[Event, str] | None = None
    for who, active in by_reviewer.items():
        for event in active:
            if event.kind == "screen":
                screens[who] = event
            elif resolution is None or event.event_id > resolution[0].event_id:
                resolution = (event, who)
        if active and (latest is None or active[-1].event_id > latest[0].event_id):
            latest = (active[-1], who)
    if latest is None:
        return None
    labels = {who: event.label for who, event in screens.items()}
    if required == 1 or resolution is not None:
        event, who = resolution if required > 1 else latest
        resolved_by = who if event.kind == "resolve" else None
        return RecordState(record_id, "final", event.label, event.reason, labels, resolved_by)
    if len(set(labels.values())) > 1:
        return RecordState(record_id, "conflict", labels=labels)
    if len(labels) < required:
        return RecordState(record_id, "waiting", labels=labels)
    newest = max(screens.values())
    return RecordState(record_id, "final", newest.label, newest.reason, labels)


def record_states(
    db: sqlite_utils.Database, stage: str, protocol: Protocol | None = None, record_ids: list[int] | None = None
) -> dict[int, RecordState]:
    """The derived state of every record with an active decision at a stage."""
    check_stage(stage)
    required = (protocol or current_protocol(db)).stage(stage).reviewers
    states = {}
    for record_id, by_reviewer in replay(db, stage, record_ids).items():
        state = _state(record_id, by_reviewer, required)
        if state is not None:
            states[record_id] = state
    return states


def screening_candidates(db: sqlite_utils.Database, stage: str, protocol: Protocol | None = None) -> list[int]:
    """Records to screen at a stage: unique records (ta), or those included at ta (ft)."""
    check_stage(stage)
    unique = [
        row[0] for row in db.execute("SELECT record_id FROM records WHERE duplicate_of IS NULL ORDER BY record_id")
    ]
    if stage == "ta":
        return unique
    included = final_labels(db, "ta", protocol)
    return [record_id for record_id in unique if included.get(record_id) == "include"]


def _final_states(db: sqlite_utils.Database, stage: str, protocol: Protocol | None) -> list[RecordState]:
    candidates = set(screening_candidates(db, stage, protocol))
    return [
        state
        for record_id, state in record_states(db, stage, protocol).items()
        if state.status == "final" and record_id in candidates
    ]


def final_labels(db: sqlite_utils.Database, stage: str, protocol: Protocol | None = None) -> dict[int, str]:
    """record_id -> reconciled label, for candidates with a final decision at the stage."""
    return {state.record_id: state.label for state in _final_states(db, stage, protocol)}


def final_reasons(db: sqlite_utils.Database, stage: str, protocol: Protocol | None = None) -> dict[int, str | None]:
    """record_id -> reason key of the final decision (None where no reason was given)."""
    return {state.record_id: state.reason for state in _final_states(db, stage, protocol)}


def _check_candidate(db: sqlite_utils.Database, record_id: int, stage: str, protocol: Protocol) -> None:
    row = db.execute("SELECT duplicate_of FROM records WHERE record_id = ?", [record_id]).fetchone()
    if row is None:
        raise ReviewError(f"no record with id {record_id}")
    if row[0] is not None:
        raise ReviewError(f"record {record_id} is a duplicate of record {row[0]}; screen that one instead")
    if stage == "ft":
        state = record_states(db, "ta", protocol, [record_id]).get(record_id)
        if state is None or state.label != "include":
            raise ReviewError(f"record {record_id} is not a full-text candidate (not included at title/abstract)")


def append_event(
    db: sqlite_utils.Database,
    record_id: int,
    stage: str,
    reviewer: str,
    kind: str,
    label: str | None,
    reason: str | None = None,
    note: str | None = None,
    score: float | None = None,
    rank: int | None = None,
    created_at: str | None = None,
) -> int:
    """Insert one event (callers validate and hold the transaction); returns its event id."""
    cursor = db.execute(
        "INSERT INTO decisions (record_id, stage, reviewer, kind, label, reason, note, score, rank, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [record_id, stage, reviewer, kind, label, reason, note, score, rank, created_at or now()],
    )
    db.execute("DELETE FROM claims WHERE stage = ? AND record_id = ? AND reviewer = ?", [stage, record_id, reviewer])
    return cursor.lastrowid


def check_reviewer(reviewer: str) -> str:
    reviewer = (reviewer or "").strip()
    if not reviewer:
        raise ReviewError("a decision needs a reviewer name")
    return reviewer


def check_decision(
    db: sqlite_utils.Database, stage: str, reviewer: str, label: str, reason: str | None, protocol: Protocol | None
) -> tuple[str, str | None, Protocol]:
    """Validate a decision's stage, reviewer, label and reason; returns (reviewer, reason key, protocol)."""
    check_stage(stage)
    check_label(label)
    reviewer = check_reviewer(reviewer)
    protocol = protocol or current_protocol(db)
    return reviewer, reason_key(protocol.stage(stage), stage, label, reason), protocol


def record_decision(
    db: sqlite_utils.Database,
    record_id: int,
    stage: str,
    reviewer: str,
    label: str,
    reason: str | None = None,
    note: str | None = None,
    score: float | None = None,
    rank: int | None = None,
    protocol: Protocol | None = None,
) -> int:
    """Append a reviewer's screening decision; returns the new event id.

    The record must be a candidate at the stage, and an exclusion's reason must
    come from the protocol's list for that stage (required where the protocol
    says so). Checked and written in one transaction.
    """
    reviewer, key, protocol = check_decision(db, stage, reviewer, label, reason, protocol)
    with transaction(db):
        _check_candidate(db, record_id, stage, protocol)
        return append_event(db, record_id, stage, reviewer, "screen", label, key, note, score, rank)


def undo_last(db: sqlite_utils.Database, reviewer: str, stage: str) -> int | None:
    """Cancel the reviewer's latest still-active decision at a stage; returns its record id."""
    check_stage(stage)
    with transaction(db):
        latest: tuple[int, int] | None = None
        for record_id, by_reviewer in replay(db, stage, reviewer=reviewer).items():
            active = by_reviewer.get(reviewer)
            if active and (latest is None or active[-1].event_id > latest[0]):
                latest = (active[-1].event_id, record_id)
        if latest is None:
            return None
        append_event(db, latest[1], stage, reviewer, "undo", None)
        return latest[1]


def history(
    db: sqlite_utils.Database, record_id: int, viewer: str | None = None, protocol: Protocol | None = None
) -> list[dict]:
    """A record's events at both stages, oldest first.

    With a `viewer` in a blind stage, other reviewers' events are left out
    until the record is reconciled there (has a final decision).
    """
    if db.execute("SELECT 1 FROM records WHERE record_id = ?", [record_id]).fetchone() is None:
        raise ReviewError(f"no record with id {record_id}")
    protocol = protocol or current_protocol(db)
    hidden = set()
    if viewer is not None:
        for stage in STAGES:
            state = record_states(db, stage, protocol, [record_id]).get(record_id)
            if protocol.stage(stage).blind and (state is None or state.status != "final"):
                hidden.add(stage)
    cursor = db.execute(
        "SELECT event_id, stage, reviewer, kind, label, reason, note, score, rank, created_at "
        "FROM decisions WHERE record_id = ? ORDER BY event_id",
        [record_id],
    )
    names = [column[0] for column in cursor.description]
    events = (dict(zip(names, row)) for row in cursor)
    return [event for event in events if event["stage"] not in hidden or event["reviewer"] == viewer]


def pending_for(
    db: sqlite_utils.Database, stage: str, reviewer: str, ordered_ids: list[int], protocol: Protocol | None = None
) -> list[int]:
    """Records in `ordered_ids` this reviewer still has to screen, in that order.

    A record is pending when it is a candidate, has no final decision or
    conflict, still needs a reviewer, and this reviewer has not decided it.
    """
    protocol = protocol or current_protocol(db)
    states = record_states(db, stage, protocol)
    candidates = set(screening_candidates(db, stage, protocol))
    pending = []
    for record_id in ordered_ids:
        state = states.get(record_id)
        if record_id in candidates and (state is None or (state.status == "waiting" and reviewer not in state.labels)):
            pending.append(record_id)
    return pending


def screening_counts(db: sqlite_utils.Database, stage: str, protocol: Protocol | None = None) -> dict[str, int]:
    """Candidates at a stage and how many are decided, included, excluded, maybe, undecided or in conflict."""
    protocol = protocol or current_protocol(db)
    candidates = set(screening_candidates(db, stage, protocol))
    states = [state for record_id, state in record_states(db, stage, protocol).items() if record_id in candidates]
    finals = [state.label for state in states if state.status == "final"]
    n_conflicts = sum(state.status == "conflict" for state in states)
    return {
        "candidates": len(candidates),
        "decided": len(finals),
        "included": finals.count("include"),
        "excluded": finals.count("exclude"),
        "maybe": finals.count("maybe"),
        "conflicts": n_conflicts,
        "undecided": len(candidates) - len(finals) - n_conflicts,
    }
