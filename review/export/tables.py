"""The project's tables for export, each as (header, rows).

Builders take the database and keyword options and read the protocol the
project was created with; `review.export.writers` writes them as CSV, Excel or JSON.
"""

from __future__ import annotations

from collections.abc import Iterator

import sqlite_utils

from review.coding import codes as coding
from review.errors import ReviewError
from review.fulltext.studies import included_studies
from review.project import current_protocol
from review.protocol import Protocol
from review.records import get_record, iter_records
from review.screening.decisions_io import export_decisions

Table = tuple[list[str], list[list[object]]]

RECORD_EXPORT_COLUMNS = (
    "record_id",
    "source",
    "source_id",
    "title",
    "year",
    "doi",
    "duplicate_of",
    "authors",
    "journal",
    "volume",
    "issue",
    "pages",
    "pmid",
    "keywords",
    "abstract",
    "batch_id",
)
DECISION_COLUMNS = (
    "record_id",
    "source_id",
    "title",
    "stage",
    "reviewer",
    "kind",
    "label",
    "reason",
    "reason_label",
    "note",
    "score",
    "rank",
    "created_at",
)
DEFAULT_MAP = ("roles", "citizen-outcomes")


def flat(value: object) -> object:
    """A cell value for flat files: None as empty, lists joined with '; '."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return value


def records_table(db: sqlite_utils.Database, unique_only: bool = False) -> Table:
    """Every imported record (or only those kept by deduplication), contract columns first."""
    where = "duplicate_of IS NULL" if unique_only else "1 = 1"
    rows = [[flat(record.get(column)) for column in RECORD_EXPORT_COLUMNS] for record in iter_records(db, where)]
    return list(RECORD_EXPORT_COLUMNS), rows


def records_for_ris(db: sqlite_utils.Database, unique_only: bool = False) -> Iterator[dict]:
    return iter_records(db, "duplicate_of IS NULL" if unique_only else "1 = 1")


def included_records(db: sqlite_utils.Database) -> Iterator[dict]:
    """The included reports, study by study, for reference managers."""
    for record_ids in included_studies(db).values():
        for record_id in record_ids:
            yield get_record(db, record_id)


def included_table(db: sqlite_utils.Database, coder: str | None = None, language: str = "en") -> Table:
    """The wide coded table (see `review.coding.codes.coded_table`)."""
    return coding.coded_table(db, current_protocol(db), coder=coder, language=language)


def codes_table(db: sqlite_utils.Database) -> Table:
    """Current codes in long form (study, dimension, value, coder, note, created_at)."""
    return coding.codes_long(db)


def default_map_dimensions(protocol: Protocol) -> tuple[str, str]:
    """Roles x citizen outcomes when the codebook has them, else its first two choice dimensions."""
    keys = [d.key for d in protocol.codebook.dimensions if d.type in ("single", "multiple")]
    if all(key in keys for key in DEFAULT_MAP):
        return DEFAULT_MAP
    if len(keys) < 2:
        raise ReviewError("an evidence map needs two choice dimensions; the codebook has fewer")
    return keys[0], keys[1]


def evidence_map_table(
    db: sqlite_utils.Database,
    rows: str | None = None,
    cols: str | None = None,
    coder: str | None = None,
    language: str = "en",
) -> Table:
    """Study counts for each pair of values of two dimensions (default: roles x citizen outcomes)."""
    protocol = current_protocol(db)
    default_rows, default_cols = default_map_dimensions(protocol) if not (rows and cols) else (rows, cols)
    return coding.evidence_map(db, protocol, rows or default_rows, cols or default_cols, coder=coder, language=language)


def decisions_table(db: sqlite_utils.Database) -> Table:
    """Every decision event with the exclusion reason's key and its label from the protocol."""
    protocol = current_protocol(db)
    labels = {
        (stage, reason.key): reason.label.text("en")
        for stage in ("ta", "ft")
        for reason in protocol.stage(stage).exclusion_reasons
    }
    rows = []
    for event in export_decisions(db):
        reason = event.get("reason")
        event = {**event, "reason_label": labels.get((event["stage"], reason), reason) if reason else ""}
        rows.append([flat(event.get(column)) for column in DECISION_COLUMNS])
    return list(DECISION_COLUMNS), rows
