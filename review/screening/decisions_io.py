"""Bulk decisions: import a CSV of decisions, export the whole decision log.

Import columns (header names are case-insensitive):

- `record_id`, or `source_id` (the id the record had in its source file),
  narrowed by an optional `source` column naming the import batch's source;
- `stage` (`ta` or `ft`) and `label` (`include`, `exclude`, `maybe`;
  empty for `undo`);
- optional `reviewer` (default `import`), `kind` (`screen`, `resolve` or
  `undo`; default `screen`), `reason`, `note`, `score`, `rank`, `created_at`.

The rule for final decisions is the library's: where the protocol has two
reviewers per record, a single `screen` row waits for a second reviewer. To
replay a finished review from a file with one label per record, give those
rows `kind` = `resolve`: a resolution is final.

The whole file is checked before anything is written, and all rows land in
one transaction, title/abstract rows before full-text rows (file order within
a stage), so full-text rows can refer to records the same file includes at
title/abstract. Every error names its line. `export_decisions` returns rows
in this format, so an export imports again.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import sqlite_utils

from review.errors import ReviewError
from review.protocol import Protocol
from review.screening.blind import Viewer, require_viewer
from review.screening.log import append_event, check_reviewer, reason_key
from review.store import transaction
from review.types import STAGES, EventKind, Label, Stage

if TYPE_CHECKING:
    from review.core import Review

EXPORT_COLUMNS = (
    "record_id",
    "source_id",
    "title",
    "stage",
    "reviewer",
    "kind",
    "label",
    "reason",
    "note",
    "score",
    "rank",
    "created_at",
)
MAX_LISTED_ERRORS = 10


@dataclass
class DecisionsImportReport:
    file: str
    rows: int
    per_stage: dict[str, int] = field(default_factory=dict)
    per_kind: dict[str, int] = field(default_factory=dict)


@dataclass
class _Row:
    line: int
    record_id: int
    stage: Stage
    reviewer: str
    kind: EventKind
    label: Label | None
    reason: str | None
    note: str | None
    score: float | None
    rank: int | None
    created_at: str | None


class _RecordIndex:
    """Finds a row's record by `record_id` or by `source_id` (and `source`)."""

    def __init__(self, db: sqlite_utils.Database):
        self.duplicate_of: dict[int, int | None] = {}
        self.by_source_id: dict[str, list[tuple[str, int]]] = {}
        for record_id, source, source_id, duplicate_of in db.execute(
            "SELECT record_id, source, source_id, duplicate_of FROM records"
        ):
            self.duplicate_of[record_id] = duplicate_of
            if source_id:
                self.by_source_id.setdefault(source_id, []).append((source, record_id))

    def find(self, values: dict[str, str]) -> int:
        if values.get("record_id"):
            try:
                record_id = int(values["record_id"])
            except ValueError:
                raise ReviewError(f"record_id '{values['record_id']}' is not a number") from None
            if record_id not in self.duplicate_of:
                raise ReviewError(f"no record with id {record_id}")
            return record_id
        source_id, source = values.get("source_id"), values.get("source")
        if not source_id:
            raise ReviewError("the row has neither record_id nor source_id")
        matches = [
            record_id for name, record_id in self.by_source_id.get(source_id, []) if not source or name == source
        ]
        if not matches:
            raise ReviewError(
                f"no record with source_id '{source_id}'" + (f" from source '{source}'" if source else "")
            )
        if len(matches) > 1:
            raise ReviewError(
                f"source_id '{source_id}' matches records {matches}; add a source column or use record_id"
            )
        return matches[0]


def _timestamp(text: str | None) -> str | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ReviewError(f"created_at '{text}' is not an ISO-8601 date/time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def _number(text: str | None, kind: type, name: str) -> float | int | None:
    if not text:
        return None
    try:
        return kind(text)
    except ValueError:
        raise ReviewError(f"{name} '{text}' is not a number") from None


def _choice(enum: type, text: str, what: str):
    try:
        return enum(text)
    except ValueError:
        raise ReviewError(f"unknown {what} '{text}' (use one of: {', '.join(item.value for item in enum)})") from None


def _parse_row(values: dict[str, str], line: int, index: _RecordIndex, protocol: Protocol) -> _Row:
    stage = _choice(Stage, values.get("stage", "").lower(), "stage")
    kind = _choice(EventKind, values.get("kind", "").lower() or "screen", "kind")
    label_text = values.get("label", "").lower()
    if kind is EventKind.UNDO:
        if label_text:
            raise ReviewError("an undo row has no label")
        label, reason = None, None
    else:
        label = _choice(Label, label_text, "label")
        reason = reason_key(protocol.stage(stage), stage, label, values.get("reason"))
    record_id = index.find(values)
    if index.duplicate_of[record_id] is not None:
        raise ReviewError(f"record {record_id} is a duplicate of record {index.duplicate_of[record_id]}")
    return _Row(
        line, record_id, stage, check_reviewer(values.get("reviewer") or "import"), kind, label, reason,
        values.get("note") or None, _number(values.get("score"), float, "score"),
        _number(values.get("rank"), int, "rank"), _timestamp(values.get("created_at")),
    )  # fmt: skip


def _raise_errors(path: Path, errors: list[str]) -> None:
    if errors:
        listed = "; ".join(errors[:MAX_LISTED_ERRORS])
        more = f" (and {len(errors) - MAX_LISTED_ERRORS} more)" if len(errors) > MAX_LISTED_ERRORS else ""
        raise ReviewError(f"{path}: {len(errors)} invalid row(s), nothing imported: {listed}{more}")


def _read_rows(path: Path, db: sqlite_utils.Database, protocol: Protocol) -> list[_Row]:
    if not path.is_file():
        raise ReviewError(f"file not found: {path}")
    index = _RecordIndex(db)
    rows, errors = [], []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = {(name or "").strip().lower() for name in reader.fieldnames or []}
        missing = {"stage", "label"} - header
        if missing or not header & {"record_id", "source_id"}:
            needed = sorted(missing) + ([] if header & {"record_id", "source_id"} else ["record_id or source_id"])
            raise ReviewError(f"{path}: missing column(s): {', '.join(needed)}")
        for raw in reader:
            values = {
                (key or "").strip().lower(): (value or "").strip()
                for key, value in raw.items()
                if isinstance(value, str)
            }
            if not any(values.values()):
                continue
            try:
                rows.append(_parse_row(values, reader.line_num, index, protocol))
            except ReviewError as error:
                errors.append(f"line {reader.line_num}: {error}")
    _raise_errors(path, errors)
    return rows


def import_decisions(review: Review, path: Path | str) -> DecisionsImportReport:
    """Import decisions from a CSV file in one transaction; see the module notes for columns."""
    path = Path(path)
    rows = _read_rows(path, review.db, review.protocol)
    report = DecisionsImportReport(str(path), len(rows))
    with transaction(review.db):
        for stage in STAGES:
            stage_rows = [row for row in rows if row.stage is stage]
            if stage is Stage.FT:
                candidates = review.state(Stage.FT).candidate_set
                _raise_errors(
                    path,
                    [f"line {row.line}: record {row.record_id} is not a full-text candidate (not included at "
                     "title/abstract)" for row in stage_rows if row.record_id not in candidates],
                )  # fmt: skip
            for row in stage_rows:
                append_event(
                    review.db, row.record_id, row.stage, row.reviewer, row.kind, row.label, row.reason, row.note,
                    row.score, row.rank, row.created_at,
                )  # fmt: skip
                report.per_stage[stage.value] = report.per_stage.get(stage.value, 0) + 1
                report.per_kind[row.kind.value] = report.per_kind.get(row.kind.value, 0) + 1
    return report


def export_decisions(review: Review, viewer: Viewer) -> list[dict]:
    """The decision log, oldest first, with each record's source id and title, as far as `viewer` may see it."""
    require_viewer(review, viewer)
    sees = viewer.label_filter(review)
    cursor = review.db.execute(
        "SELECT d.record_id, r.source_id, r.title, d.stage, d.reviewer, d.kind, d.label, d.reason, d.note, "
        "d.score, d.rank, d.created_at FROM decisions d JOIN records r ON r.record_id = d.record_id "
        "ORDER BY d.event_id"
    )
    rows = (dict(zip(EXPORT_COLUMNS, row)) for row in cursor)
    return [row for row in rows if sees(row["stage"], row["reviewer"])]
