"""The records view: every imported record with where it stands at each stage, searched and filtered.

    rows = find_records(review, RecordFilter(text="collaboration", stage=Stage.TA, decision="include"))

A record's place at a stage is its reconciled label (visible to everyone, like
progress and PRISMA), or `conflict`, `waiting` (for another reviewer) or
`undecided`; empty when it is not a candidate there. Which reviewers hold a
label on a record is shown without their labels, so filtering by reviewer
reveals nothing blind mode hides.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from review.screening.state import StageState
from review.types import STAGES, Stage

if TYPE_CHECKING:
    from review.core import Review

Place = Literal["include", "exclude", "maybe", "conflict", "waiting", "undecided", ""]
PLACES: tuple[str, ...] = ("include", "exclude", "maybe", "conflict", "waiting", "undecided")
SEARCHED = ("title", "authors", "keywords", "source_id", "doi", "abstract")


@dataclass(frozen=True)
class RecordFilter:
    """What the records view asks for; every field left at its default matches everything."""

    text: str = ""  # words in the title, authors, keywords, abstract, DOI or source id; or a record id
    stage: Stage | None = None  # only candidates of this stage (decision and reviewer then apply to it alone)
    decision: str | None = None  # a `PLACES` value
    reviewer: str | None = None  # records this reviewer holds a current label on
    year_from: int | None = None
    year_to: int | None = None
    source: str | None = None
    duplicates: Literal["unique", "duplicate"] | None = None


@dataclass(frozen=True)
class RecordRow:
    record_id: int
    title: str | None
    authors: tuple[str, ...]
    year: int | None
    source: str
    duplicate_of: int | None
    places: dict[Stage, str]  # stage -> Place
    reviewers: tuple[str, ...]  # who holds a current label on it, at any stage


def place(state: StageState, record_id: int) -> str:
    """Where a record stands at a stage (see the module docstring)."""
    if record_id not in state.candidate_set:
        return ""
    record = state.records.get(record_id)
    if record is None:
        return "undecided"
    return str(record.label) if record.is_final else str(record.status)


def _sql(filters: RecordFilter) -> tuple[str, list]:
    where, params = ["1 = 1"], []
    text = filters.text.strip()
    if text.isdigit():
        where.append("(record_id = ? OR source_id = ?)")
        params += [int(text), text]
    else:
        for word in text.split():
            where.append("(" + " OR ".join(f"{column} LIKE ?" for column in SEARCHED) + ")")
            params += [f"%{word}%"] * len(SEARCHED)
    for condition, value in (("year >= ?", filters.year_from), ("year <= ?", filters.year_to),
                             ("source = ?", filters.source)):  # fmt: skip
        if value is not None:
            where.append(condition)
            params.append(value)
    if filters.duplicates == "unique":
        where.append("duplicate_of IS NULL")
    elif filters.duplicates == "duplicate":
        where.append("duplicate_of IS NOT NULL")
    return " AND ".join(where), params


def _matches(row: RecordRow, filters: RecordFilter, states: dict[Stage, StageState]) -> bool:
    stages = [filters.stage] if filters.stage else list(STAGES)
    if filters.stage and not row.places[filters.stage]:
        return False
    if filters.decision and not any(row.places[stage] == filters.decision for stage in stages):
        return False
    if filters.reviewer:
        held = (states[stage].records.get(row.record_id) for stage in stages)
        return any(record is not None and filters.reviewer in record.labels for record in held)
    return True


def find_records(review: Review, filters: RecordFilter, limit: int = 500) -> tuple[list[RecordRow], int]:
    """The records matching `filters` in record order (at most `limit`), and how many match in all."""
    where, params = _sql(filters)
    states = {stage: review.state(stage) for stage in STAGES}
    cursor = review.db.execute(
        f"SELECT record_id, title, authors, year, source, duplicate_of FROM records WHERE {where} ORDER BY record_id",
        params,
    )
    rows, total = [], 0
    for record_id, title, authors, year, source, duplicate_of in cursor:
        places = {stage: place(states[stage], record_id) for stage in STAGES}
        held = sorted({who for stage in STAGES if (r := states[stage].records.get(record_id)) for who in r.labels})
        row = RecordRow(record_id, title, tuple(json.loads(authors or "[]")), year, source, duplicate_of, places,
                        tuple(held))  # fmt: skip
        if _matches(row, filters, states):
            total += 1
            if len(rows) < limit:
                rows.append(row)
    return rows, total


def reviewers(review: Review) -> list[str]:
    """Everyone who has made a screening decision, by name."""
    return [row[0] for row in review.db.execute("SELECT DISTINCT reviewer FROM decisions ORDER BY reviewer")]


def sources(review: Review) -> list[str]:
    return [row[0] for row in review.db.execute("SELECT DISTINCT source FROM batches ORDER BY source")]
