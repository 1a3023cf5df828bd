"""Reports and studies: which records reached full text, and which reports belong to one study.

PRISMA 2020 counts reports (the records read in full) separately from studies:
two reports of one study count once. `report_flow` says where every report
sought for retrieval stands; `included_studies` is the one place that names the
study of an included report (its linked study, or `record-<id>` when unlinked).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from review.errors import Remedy, ReviewError
from review.fulltext.attach import fulltext_status, not_retrieved
from review.store import now, transaction
from review.types import Label, Stage

if TYPE_CHECKING:
    from review.core import Review

UNLINKED_PREFIX = "record-"


@dataclass(frozen=True)
class ReportFlow:
    """Unique records through both stages, as sets of record ids."""

    screened: frozenset[int] = frozenset()
    records_excluded: frozenset[int] = frozenset()
    records_undecided: frozenset[int] = frozenset()
    sought: frozenset[int] = frozenset()
    not_retrieved: frozenset[int] = frozenset()
    excluded: dict[int, str | None] = field(default_factory=dict)  # report -> exclusion reason key
    included: frozenset[int] = frozenset()
    undecided: frozenset[int] = frozenset()

    @property
    def assessed(self) -> frozenset[int]:
        return frozenset(self.excluded) | self.included


def report_flow(review: Review) -> ReportFlow:
    """Every unique record's place in the flow, from the final decisions of each stage."""
    ta, ft = review.state(Stage.TA), review.state(Stage.FT)
    screened = frozenset(ta.candidates)
    sought = frozenset(ft.candidates)
    excluded_ta = frozenset(r for r, label in ta.finals.items() if label is Label.EXCLUDE)
    missing = sought & frozenset(not_retrieved(review.db))
    excluded = {r: ft.final_reasons[r] for r, label in ft.finals.items() if label is Label.EXCLUDE and r not in missing}
    included = frozenset(r for r, label in ft.finals.items() if label is Label.INCLUDE and r not in missing)
    return ReportFlow(
        screened, excluded_ta, screened - excluded_ta - sought, sought, missing, excluded, included,
        sought - missing - included - frozenset(excluded),
    )  # fmt: skip


def _clean_study(study: str) -> str:
    study = (study or "").strip()
    if not study:
        raise ReviewError("the study needs a name", Remedy.NAME_STUDY)
    if study.startswith(UNLINKED_PREFIX):
        raise ReviewError(f"study names starting with '{UNLINKED_PREFIX}' are reserved for unlinked reports")
    return study


def link_reports(review: Review, record_ids: list[int], study: str) -> None:
    """Link reports to one study (a report already linked elsewhere moves)."""
    study = _clean_study(study)
    if not record_ids:
        raise ReviewError("give at least one record id to link")
    missing = sorted(record_id for record_id in set(record_ids) if not review.has_record(record_id))
    if missing:
        raise ReviewError(f"no record with id {', '.join(map(str, missing))}")
    stamp = now()
    with transaction(review.db):
        review.db["report_links"].upsert_all(
            [{"record_id": record_id, "study": study, "linked_at": stamp} for record_id in record_ids],
            pk="record_id",
        )


def study_of(review: Review, record_id: int) -> str:
    """The study a report belongs to: its linked study, or `record-<id>` when it is not linked."""
    return group_into_studies(review, {record_id}).popitem()[0]


def group_into_studies(review: Review, record_ids: set[int] | frozenset[int]) -> dict[str, list[int]]:
    """Study name -> report ids, for the given reports (unlinked ones form their own study)."""
    links = dict(review.db.execute("SELECT record_id, study FROM report_links").fetchall())
    studies: dict[str, list[int]] = {}
    for record_id in sorted(record_ids):
        studies.setdefault(links.get(record_id, f"{UNLINKED_PREFIX}{record_id}"), []).append(record_id)
    return dict(sorted(studies.items()))


def included_studies(review: Review) -> dict[str, list[int]]:
    """Included studies: study name -> ids of its included reports."""
    return group_into_studies(review, report_flow(review).included)


@dataclass(frozen=True)
class ReportRow:
    """One report sought at full text: its full-text file's state, its decision there and its study."""

    record_id: int
    fulltext: str  # a FulltextStatus value, or 'missing' when nothing is attached or marked
    reason: str | None  # why not retrieved, or what is wrong with an unreadable file
    decision: Label | None  # the final full-text label
    study: str | None  # the linked study (None: not linked, the report is a study of its own)


def report_rows(review: Review) -> list[ReportRow]:
    """Every full-text candidate, in record order, as the full-text page lists them."""
    status = fulltext_status(review.db)
    links = dict(review.db.execute("SELECT record_id, study FROM report_links").fetchall())
    finals = review.state(Stage.FT).finals
    rows = []
    for record_id in review.state(Stage.FT).candidates:
        fulltext, reason = status.get(record_id, ("missing", None))
        rows.append(ReportRow(record_id, str(fulltext), reason, finals.get(record_id), links.get(record_id)))
    return rows


def linked_studies(review: Review) -> dict[str, list[int]]:
    """Study name -> the reports linked to it (only named studies), in name order."""
    studies: dict[str, list[int]] = {}
    for record_id, study in review.db.execute("SELECT record_id, study FROM report_links ORDER BY study, record_id"):
        studies.setdefault(study, []).append(record_id)
    return studies


def rename_study(review: Review, old: str, new: str) -> int:
    """Give a linked study another name (every report linked to it moves); returns how many reports moved."""
    reports = linked_studies(review).get(old)
    if not reports:
        raise ReviewError(f"no study named {old!r}")
    link_reports(review, reports, new)
    return len(reports)
