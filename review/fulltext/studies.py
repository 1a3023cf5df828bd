"""Reports and studies: which records reached full text, and which reports belong to one study.

PRISMA 2020 counts reports (the records read in full) separately from studies:
two reports of one study count once. `report_flow` says where every report
sought for retrieval stands; `included_studies` is the one place that names the
study of an included report (its linked study, or `record-<id>` when unlinked).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlite_utils

from review.errors import Remedy, ReviewError
from review.fulltext.attach import not_retrieved
from review.project import current_protocol
from review.protocol import Protocol
from review.screening.log import final_labels, final_reasons
from review.store import now, transaction

UNLINKED_PREFIX = "record-"


@dataclass
class ReportFlow:
    """Unique records through both stages, as sets of record ids."""

    screened: set[int] = field(default_factory=set)
    records_excluded: set[int] = field(default_factory=set)
    records_undecided: set[int] = field(default_factory=set)
    sought: set[int] = field(default_factory=set)
    not_retrieved: set[int] = field(default_factory=set)
    excluded: dict[int, str | None] = field(default_factory=dict)
    included: set[int] = field(default_factory=set)
    undecided: set[int] = field(default_factory=set)

    @property
    def assessed(self) -> set[int]:
        return set(self.excluded) | self.included


def report_flow(db: sqlite_utils.Database, protocol: Protocol | None = None) -> ReportFlow:
    """Every unique record's place in the flow, from the final decisions of each stage."""
    flow = ReportFlow()
    flow.screened = {row[0] for row in db.execute("SELECT record_id FROM records WHERE duplicate_of IS NULL")}
    protocol = protocol or current_protocol(db)
    ta = final_labels(db, "ta", protocol)
    for record_id in flow.screened:
        label = ta.get(record_id)
        if label == "include":
            flow.sought.add(record_id)
        elif label == "exclude":
            flow.records_excluded.add(record_id)
        else:
            flow.records_undecided.add(record_id)
    flow.not_retrieved = flow.sought & set(not_retrieved(db))
    ft, reasons = final_labels(db, "ft", protocol), final_reasons(db, "ft", protocol)
    for record_id in flow.sought - flow.not_retrieved:
        label = ft.get(record_id)
        if label == "include":
            flow.included.add(record_id)
        elif label == "exclude":
            flow.excluded[record_id] = reasons.get(record_id)
        else:
            flow.undecided.add(record_id)
    return flow


def _clean_study(study: str) -> str:
    study = (study or "").strip()
    if not study:
        raise ReviewError("the study needs a name", Remedy.NAME_STUDY)
    if study.startswith(UNLINKED_PREFIX):
        raise ReviewError(f"study names starting with '{UNLINKED_PREFIX}' are reserved for unlinked reports")
    return study


def link_reports(db: sqlite_utils.Database, record_ids: list[int], study: str) -> None:
    """Link reports to one study (a report already linked elsewhere moves)."""
    study = _clean_study(study)
    if not record_ids:
        raise ReviewError("give at least one record id to link")
    placeholders = ", ".join("?" * len(record_ids))
    known = {
        row[0]
        for row in db.execute(f"SELECT record_id FROM records WHERE record_id IN ({placeholders})", list(record_ids))
    }
    missing = sorted(set(record_ids) - known)
    if missing:
        raise ReviewError(f"no record with id {', '.join(map(str, missing))}")
    stamp = now()
    with transaction(db):
        db["report_links"].upsert_all(
            [{"record_id": record_id, "study": study, "linked_at": stamp} for record_id in record_ids], pk="record_id"
        )


def study_of(db: sqlite_utils.Database, record_id: int) -> str:
    """The study a report belongs to: its linked study, or `record-<id>` when it is not linked."""
    return group_into_studies(db, {record_id}).popitem()[0]


def group_into_studies(db: sqlite_utils.Database, record_ids: set[int]) -> dict[str, list[int]]:
    """Study name -> report ids, for the given reports (unlinked ones form their own study)."""
    links = dict(db.execute("SELECT record_id, study FROM report_links").fetchall())
    studies: dict[str, list[int]] = {}
    for record_id in sorted(record_ids):
        studies.setdefault(links.get(record_id, f"{UNLINKED_PREFIX}{record_id}"), []).append(record_id)
    return dict(sorted(studies.items()))


def included_studies(db: sqlite_utils.Database) -> dict[str, list[int]]:
    """Included studies: study name -> ids of its included reports."""
    return group_into_studies(db, report_flow(db).included)
