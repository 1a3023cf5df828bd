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

import sqlite_utils

from review.errors import ReviewError
from review.project import current_protocol
from review.protocol import STAGES, Protocol
from review.screening.log import KINDS, LABELS, append_event, reason_key, record_states
from review.store import transaction

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
    stage: str
    reviewer: str
    kind: str
    label: str | None
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


def _parse_row(values: dict[str, str], line: int, index: _RecordIndex, protocol: Protocol) -> _Row:
    stage = values.get("stage", "").lower()
    if stage not in STAGES:
        raise ReviewError(f"unknown stage '{stage}' (use one of: {', '.join(STAGES)})")
    kind = values.get("kind", "").lower() or "screen"
    if kind not in KINDS:
        raise ReviewError(f"unknown kind '{kind}' (use one of: {', '.join(KINDS)})")
    label = values.get("label", "").lower() or None
    if kind == "undo":
        if label:
            raise ReviewError("an undo row has no label")
        reason = None
    else:
        if label not in LABELS:
            raise ReviewError(f"unknown label '{label or ''}' (use one of: {', '.join(LABELS)})")
        reason = reason_key(protocol.stage(stage), stage, label, values.get("reason"))
    record_id = index.find(values)
    if index.duplicate_of[record_id] is not None:
        raise ReviewError(f"record {record_id} is a duplicate of record {index.duplicate_of[record_id]}")
    return _Row(
        line,
        record_id,
        stage,
        values.get("reviewer") or "import",
        kind,
        label,
        reason,
        values.get("note") or None,
        _number(values.get("score"), float, "score"),
        _number(values.get("rank"), int, "rank"),
        _timestamp(values.get("created_at")),
    )


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


def import_decisions(
    db: sqlite_utils.Database, path: Path | str, protocol: Protocol | None = None
) -> DecisionsImportReport:
    """Import decisions from a CSV file in one transaction; see the module notes for columns."""
    path = Path(path)
    protocol = protocol or current_protocol(db)
    rows = _read_rows(path, db, protocol)
    report = DecisionsImportReport(str(path), len(rows))
    with transaction(db):
        for stage in STAGES:
            stage_rows = [row for row in rows if row.stage == stage]
            if stage == "ft":
                included = {
                    record_id
                    for record_id, state in record_states(db, "ta", protocol).items()
                    if state.label == "include"
                }
                _raise_errors(
                    path,
                    [
                        f"line {row.line}: record {row.record_id} is not a full-text candidate "
                        "(not included at title/abstract)"
                        for row in stage_rows
                        if row.record_id not in included
                    ],
                )
            for row in stage_rows:
                append_event(
                    db,
                    row.record_id,
                    row.stage,
                    row.reviewer,
                    row.kind,
                    row.label,
                    row.reason,
                    row.note,
                    row.score,
                    row.rank,
                    row.created_at,
                )
                report.per_stage[stage] = report.per_stage.get(stage, 0) + 1
                report.per_kind[row.kind] = report.per_kind.get(row.kind, 0) + 1
    return report


def export_decisions(db: sqlite_utils.Database) -> list[dict]:
    """Every event of the decision log, oldest first, with the record's source id and title."""
    cursor = db.execute(
        "SELECT d.record_id, r.source_id, r.title, d.stage, d.reviewer, d.kind, d.label, d.reason, d.note, "
        "d.score, d.rank, d.created_at FROM decisions d JOIN records r ON r.record_id = d.record_id "
        "ORDER BY d.event_id"
    )
    return [dict(zip(EXPORT_COLUMNS, row)) for row in cursor]
