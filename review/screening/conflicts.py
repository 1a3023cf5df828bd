"""Two-reviewer screening: conflicts, their resolution, and inter-rater agreement.

A conflict is a record whose reviewers' current labels differ at a stage with
no resolution yet. It exists only once at least two reviewers have decided,
so listing conflicts never shows a reviewer's label to someone who has still
to screen that record: it is where reconciliation starts.

Agreement compares, for every pair of reviewers, their current screening
labels (resolutions are not screening labels) on the records both decided.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

import sqlite_utils

from review.errors import ReviewError
from review.project import current_protocol
from review.protocol import STAGES, Protocol
from review.screening.log import (
    LABELS,
    append_event,
    check_decision,
    record_states,
    screening_candidates,
)
from review.stats import cohen_kappa
from review.store import transaction


def conflicts(db: sqlite_utils.Database, stage: str, protocol: Protocol | None = None) -> list[dict]:
    """Candidates whose reviewers disagree at a stage: record id, title and each reviewer's label."""
    candidates = set(screening_candidates(db, stage, protocol))
    states = [
        state
        for state in record_states(db, stage, protocol).values()
        if state.status == "conflict" and state.record_id in candidates
    ]
    titles = dict(
        db.execute(
            "SELECT record_id, title FROM records WHERE record_id IN "
            "(SELECT DISTINCT record_id FROM decisions WHERE stage = ?)",
            [stage],
        ).fetchall()
    )
    return [
        {
            "record_id": state.record_id,
            "title": titles.get(state.record_id),
            "labels": dict(sorted(state.labels.items())),
        }
        for state in sorted(states, key=lambda state: state.record_id)
    ]


def resolve_conflict(
    db: sqlite_utils.Database,
    record_id: int,
    stage: str,
    reviewer: str,
    label: str,
    reason: str | None = None,
    note: str | None = None,
    protocol: Protocol | None = None,
) -> int:
    """Record a named reviewer's resolution (a 'resolve' event); returns its event id.

    The record must be in conflict, or already resolved (a later resolution
    replaces the earlier one; both stay in the log).
    """
    reviewer, key, protocol = check_decision(db, stage, reviewer, label, reason, protocol)
    with transaction(db):
        state = record_states(db, stage, protocol, [record_id]).get(record_id)
        if state is None or not (state.status == "conflict" or state.resolved_by):
            raise ReviewError(f"record {record_id} has no conflict to resolve at stage '{stage}'")
        return append_event(db, record_id, stage, reviewer, "resolve", label, key, note)


@dataclass
class PairAgreement:
    """Agreement between two reviewers on the records both screened at a stage."""

    stage: str
    reviewer_a: str
    reviewer_b: str
    n: int
    agreement: float | None  # proportion of records with the same label
    kappa: float | None  # Cohen's kappa; None when undefined (no records, or chance agreement is 1)
    table: dict[str, dict[str, int]] = field(default_factory=dict)  # a's label -> b's label -> count


def agreement(db: sqlite_utils.Database, protocol: Protocol | None = None) -> list[PairAgreement]:
    """Per stage and reviewer pair: n, percentage agreement, Cohen's kappa and the counts table."""
    protocol = protocol or current_protocol(db)
    pairs = []
    for stage in STAGES:
        candidates = set(screening_candidates(db, stage, protocol))
        labelled = [
            state.labels
            for state in record_states(db, stage, protocol).values()
            if state.record_id in candidates and len(state.labels) > 1
        ]
        reviewers = sorted({who for labels in labelled for who in labels})
        for a, b in combinations(reviewers, 2):
            table = {row: {column: 0 for column in LABELS} for row in LABELS}
            for labels in labelled:
                if a in labels and b in labels:
                    table[labels[a]][labels[b]] += 1
            n, observed, kappa = cohen_kappa(table)
            if n:
                pairs.append(PairAgreement(stage, a, b, n, observed, kappa, table))
    return pairs
