"""The review's tables for export, each as (header, rows).

Builders take the review, who is looking (`Viewer`: the decision log shows a
reviewer only their own labels while a blind stage is open) and keyword
options; `review.export.writers` writes them as CSV, Excel or JSON.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from review.coding import codes as coding
from review.errors import ReviewError
from review.fulltext.studies import included_studies
from review.protocol import Protocol
from review.records import get_record, iter_records
from review.screening.blind import Viewer
from review.screening.decisions_io import export_decisions
from review.types import STAGES

if TYPE_CHECKING:
    from review.core import Review

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


def flat(value: object) -> object:
    """A cell value for flat files: None as empty, lists joined with '; '."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return value


def records_table(review: Review, viewer: Viewer, unique_only: bool = False) -> Table:
    """Every imported record (or only those kept by deduplication), contract columns first."""
    where = "duplicate_of IS NULL" if unique_only else "1 = 1"
    rows = [[flat(record.get(column)) for column in RECORD_EXPORT_COLUMNS] for record in iter_records(review.db, where)]
    return list(RECORD_EXPORT_COLUMNS), rows


def records_for_ris(review: Review, viewer: Viewer, unique_only: bool = False) -> Iterator[dict]:
    return iter_records(review.db, "duplicate_of IS NULL" if unique_only else "1 = 1")


def included_records(review: Review, viewer: Viewer) -> Iterator[dict]:
    """The included reports, study by study, for reference managers."""
    for record_ids in included_studies(review).values():
        for record_id in record_ids:
            yield get_record(review.db, record_id)


def included_table(review: Review, viewer: Viewer, coder: str | None = None, language: str = "en") -> Table:
    """The wide coded table of agreed values, unreconciled ones marked (see `review.coding.codes.coded_table`)."""
    return coding.coded_table(review, coder=coder, language=language)


def codes_table(review: Review, viewer: Viewer) -> Table:
    """Current codes in long form (study, dimension, value, coder, note, created_at)."""
    return coding.codes_long(review)


def default_map_dimensions(protocol: Protocol) -> tuple[str, str]:
    """The codebook's own evidence-map default when it names one, else its first two choice dimensions."""
    default = protocol.codebook.evidence_map
    if default is not None:
        return default.rows, default.cols
    keys = [d.key for d in protocol.codebook.dimensions if d.type in ("single", "multiple")]
    if len(keys) < 2:
        raise ReviewError("an evidence map needs two choice dimensions; the codebook has fewer")
    return keys[0], keys[1]


def evidence_map_table(
    review: Review,
    viewer: Viewer,
    rows: str | None = None,
    cols: str | None = None,
    coder: str | None = None,
    language: str = "en",
) -> Table:
    """Study counts for each pair of values of two dimensions (default: see `default_map_dimensions`)."""
    default_rows, default_cols = default_map_dimensions(review.protocol) if not (rows and cols) else (rows, cols)
    return coding.evidence_map(review, rows or default_rows, cols or default_cols, coder=coder, language=language)


def decisions_table(review: Review, viewer: Viewer, language: str = "en") -> Table:
    """The decision log as far as `viewer` may see it, with each exclusion reason's key and label."""
    protocol = review.protocol
    labels = {
        (stage.value, reason.key): reason.label.text(language)
        for stage in STAGES
        for reason in protocol.stage(stage).exclusion_reasons
    }
    rows = []
    for event in export_decisions(review, viewer):
        reason = event.get("reason")
        event = {**event, "reason_label": labels.get((event["stage"], reason), reason) if reason else ""}
        rows.append([flat(event.get(column)) for column in DECISION_COLUMNS])
    return list(DECISION_COLUMNS), rows
