"""Screening decisions: writing to the append-only event log, and reading a record's history.

Every decision is one row in `decisions`; nothing is ever updated or deleted
(the database refuses it). The three kinds of event and the state derived
from them are described in `review.screening.state`. Every check-then-write
here happens inside one `BEGIN IMMEDIATE` transaction, so two processes
screening one project never decide on a state that changed under them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection
from typing import TYPE_CHECKING

import sqlite_utils

from review.errors import ReviewError
from review.protocol import StageSettings
from review.roles import Action
from review.screening.blind import Viewer, require_viewer
from review.store import now, transaction
from review.types import STAGE_NAMES, EventKind, Label, Stage

if TYPE_CHECKING:
    from review.core import Review

MAX_NAME_LENGTH = 64
HISTORY_FIELDS = ("event_id", "stage", "reviewer", "kind", "label", "reason", "note", "score", "rank", "created_at")


def check_stage(stage: str) -> Stage:
    try:
        return Stage(stage)
    except ValueError:
        raise ReviewError(f"unknown stage '{stage}' (use one of: {', '.join(s.value for s in Stage)})") from None


def check_label(label: str) -> Label:
    try:
        return Label(label)
    except ValueError:
        raise ReviewError(f"unknown label '{label}' (use one of: {', '.join(x.value for x in Label)})") from None


def check_reviewer(reviewer: str | None) -> str:
    """A reviewer name as stored: trimmed, 1-64 printable characters."""
    name = (reviewer or "").strip()
    if not name:
        raise ReviewError("a decision needs a reviewer name")
    if len(name) > MAX_NAME_LENGTH:
        raise ReviewError(f"a reviewer name has at most {MAX_NAME_LENGTH} characters")
    if any(unicodedata.category(char).startswith("C") for char in name):
        raise ReviewError("a reviewer name cannot contain control characters")
    return name


def reason_key(settings: StageSettings, stage: Stage, label: Label, reason: str | None) -> str | None:
    """Validate a decision's reason against the stage's list; returns the reason key.

    A reason may be given as its key or its label text (any language). Only
    exclusions carry a reason; where the protocol requires one it must be given.
    """
    reason = (reason or "").strip() or None
    if label is not Label.EXCLUDE:
        if reason:
            raise ReviewError(f"a reason is only recorded with an exclusion (got '{reason}' with {label})")
        return None
    if reason is None:
        if settings.reason_required:
            raise ReviewError(f"an exclusion at the {STAGE_NAMES[stage]} stage needs a reason")
        return None
    if not settings.exclusion_reasons:
        return reason
    for item in settings.exclusion_reasons:
        if reason.lower() in {item.key.lower(), *(text.lower() for text in item.label.texts())}:
            return item.key
    raise ReviewError(
        f"unknown exclusion reason '{reason}' at the {STAGE_NAMES[stage]} stage "
        f"(known: {', '.join(settings.reason_keys())})"
    )


def append_event(
    db: sqlite_utils.Database,
    record_id: int,
    stage: Stage,
    reviewer: str,
    kind: EventKind,
    label: Label | None,
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
        [record_id, stage.value, reviewer, kind.value, label.value if label else None, reason, note, score, rank,
         created_at or now()],
    )  # fmt: skip
    db.execute(
        "DELETE FROM claims WHERE stage = ? AND record_id = ? AND reviewer = ?", [stage.value, record_id, reviewer]
    )
    return cursor.lastrowid


def _check_candidate(review: Review, record_id: int, stage: Stage) -> None:
    row = review.db.execute("SELECT duplicate_of FROM records WHERE record_id = ?", [record_id]).fetchone()
    if row is None:
        raise ReviewError(f"no record with id {record_id}")
    if row[0] is not None:
        raise ReviewError(f"record {record_id} is a duplicate of record {row[0]}; screen that one instead")
    if record_id not in review.state(stage).candidate_set:
        raise ReviewError(f"record {record_id} is not a full-text candidate (not included at title/abstract)")


def _note(note: str | None) -> str | None:
    return (note or "").strip() or None


def record_decision(
    review: Review, record_id: int, stage: str, reviewer: str, label: str, reason: str | None = None,
    note: str | None = None, score: float | None = None, rank: int | None = None,
) -> int:  # fmt: skip
    """Append a reviewer's screening decision; returns the new event id.

    The record must be a candidate at the stage, and an exclusion's reason must
    come from the protocol's list for that stage (required where the protocol
    says so). Checked and written in one transaction.
    """
    stage, label, reviewer = check_stage(stage), check_label(label), check_reviewer(reviewer)
    review.authorize(Action.SCREEN, reviewer)
    key = reason_key(review.protocol.stage(stage), stage, label, reason)
    with transaction(review.db):
        _check_candidate(review, record_id, stage)
        return append_event(
            review.db, record_id, stage, reviewer, EventKind.SCREEN, label, key, _note(note), score, rank
        )


def resolve_conflict(
    review: Review, record_id: int, stage: str, reviewer: str, label: str, reason: str | None = None,
    note: str | None = None,
) -> int:  # fmt: skip
    """Record a named reviewer's reconciliation of a conflict ('resolve' event); returns its event id.

    The record must be in conflict, or already resolved (a later resolution
    replaces the earlier one; both stay in the log).
    """
    stage, label, reviewer = check_stage(stage), check_label(label), check_reviewer(reviewer)
    review.authorize(Action.RESOLVE, reviewer)
    key = reason_key(review.protocol.stage(stage), stage, label, reason)
    with transaction(review.db):
        state = review.state(stage).records.get(record_id)
        if state is None or not (state.status == "conflict" or state.resolved_by):
            raise ReviewError(f"record {record_id} has no conflict to resolve at the {STAGE_NAMES[stage]} stage")
        return append_event(review.db, record_id, stage, reviewer, EventKind.RESOLVE, label, key, _note(note))


def _latest_active(
    review: Review, stage: Stage, reviewer: str, among: Collection[int] | None
) -> tuple[int, int] | None:
    """(event id, record id) of the reviewer's newest still-active event at the stage (within `among` events)."""
    rows = review.db.execute(
        "SELECT event_id, record_id, kind FROM decisions WHERE stage = ? AND reviewer = ? ORDER BY event_id",
        [stage.value, reviewer],
    )
    stacks: dict[int, list[int]] = {}
    for event_id, record_id, kind in rows:
        stack = stacks.setdefault(record_id, [])
        if kind == EventKind.UNDO:
            if stack:
                stack.pop()
        else:
            stack.append(event_id)
    candidates = [(stack[-1], record_id) for record_id, stack in stacks.items() if stack]
    if among is not None:
        candidates = [item for item in candidates if item[0] in among]
    return max(candidates) if candidates else None


class UndoRefused(ReviewError):
    """An undo that would silently change what a reconciliation or a later stage built on."""

    def __init__(self, record_id: int, why: str):
        super().__init__(f"record {record_id} cannot be undone: {why}")
        self.record_id = record_id


def _active_kinds(review: Review, record_id: int, stage: Stage) -> list[EventKind]:
    """The kinds of every event on the record at the stage that an undo has not cancelled."""
    stacks: dict[str, list[EventKind]] = {}
    rows = review.db.execute(
        "SELECT reviewer, kind FROM decisions WHERE record_id = ? AND stage = ? ORDER BY event_id",
        [record_id, stage.value],
    )
    for reviewer, kind in rows:
        stack = stacks.setdefault(reviewer, [])
        if kind == EventKind.UNDO:
            if stack:
                stack.pop()
        else:
            stack.append(EventKind(kind))
    return [kind for stack in stacks.values() for kind in stack]


def _check_undo(review: Review, stage: Stage, record_id: int, event_id: int) -> None:
    """Refuse an undo that would silently change what a reconciliation or a later stage built on.

    A resolver may take back their own resolution; a screening decision under
    a resolution stays, so undoing it never changes a reconciled label.
    """
    kind = review.db.execute("SELECT kind FROM decisions WHERE event_id = ?", [event_id]).fetchone()[0]
    if kind == EventKind.SCREEN and EventKind.RESOLVE in _active_kinds(review, record_id, stage):
        raise UndoRefused(record_id, "its conflict has been resolved; a new resolution on Conflicts changes it")
    if stage is Stage.TA and _active_kinds(review, record_id, Stage.FT):
        raise UndoRefused(record_id, "it has full-text decisions; undo those first")


def undo_last(review: Review, stage: str, reviewer: str, among: Collection[int] | None = None) -> int | None:
    """Cancel the reviewer's latest still-active decision at a stage; returns its record id (None: nothing to undo).

    `among` limits the undo to those event ids (the app's Screening page undoes
    only what that session decided). Refused with `UndoRefused`, naming the
    reason, when it would undo a screening decision of a resolved record or a
    record with a decision at a later stage.
    """
    stage, reviewer = check_stage(stage), check_reviewer(reviewer)
    review.authorize(Action.SCREEN, reviewer)
    with transaction(review.db):
        latest = _latest_active(review, stage, reviewer, among)
        if latest is None:
            return None
        _check_undo(review, stage, latest[1], latest[0])
        append_event(review.db, latest[1], stage, reviewer, EventKind.UNDO, None)
        return latest[1]


def history(review: Review, record_id: int, viewer: Viewer) -> list[dict]:
    """A record's events at both stages, oldest first, as far as `viewer` may see them (see `blind`)."""
    if not review.has_record(record_id):
        raise ReviewError(f"no record with id {record_id}")
    require_viewer(review, viewer)
    cursor = review.db.execute(
        f"SELECT {', '.join(HISTORY_FIELDS)} FROM decisions WHERE record_id = ? ORDER BY event_id", [record_id]
    )
    sees = viewer.label_filter(review)
    events = (dict(zip(HISTORY_FIELDS, row)) for row in cursor)
    return [event for event in events if sees(event["stage"], event["reviewer"])]
