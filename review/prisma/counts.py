"""PRISMA 2020 flow counts of a review, derived from its state, and their arithmetic checks.

Field names follow the PRISMA2020 R package / Shiny app data template, so the
JSON keys and the CSV rows (`review.prisma.template`) load there. Everything
is counted from the review except what the tool cannot see (records from
registers, entered in the protocol's `other_sources`). Records and reports
still without a final decision are counted as undecided, and `check_counts`
says where a flow does not add up.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from review.errors import IncompleteFlowError
from review.fulltext.studies import group_into_studies, report_flow
from review.protocol import Protocol

if TYPE_CHECKING:
    from review.core import Review

NO_REASON = {"en": "No reason given", "da": "Ingen begrundelse angivet"}


@dataclass(frozen=True)
class PrismaCounts:
    """The PRISMA 2020 counts, under the PRISMA2020 package's names, plus what is still undecided."""

    database_results: int = 0
    database_specific_results: dict[str, int] = field(default_factory=dict)  # import source -> records
    register_results: int = 0
    duplicates: int = 0
    excluded_automatic: int = 0  # the tool removes records before screening only as duplicates
    excluded_other: int = 0
    records_screened: int = 0
    records_excluded: int = 0
    records_undecided: int = 0
    dbr_sought_reports: int = 0
    dbr_notretrieved_reports: int = 0
    dbr_assessed: int = 0
    reports_undecided: int = 0
    dbr_excluded: int = 0
    dbr_excluded_reasons: dict[str, int] = field(default_factory=dict)  # reason label -> reports
    new_studies: int = 0
    new_reports: int = 0
    total_studies: int = 0
    total_reports: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


def _reason_label(protocol: Protocol, key: str | None, language: str) -> str:
    if key is None:
        return NO_REASON.get(language, NO_REASON["en"])
    for reason in protocol.stage("ft").exclusion_reasons:
        if reason.key == key:
            return reason.label.text(language)
    return key


def prisma_counts(review: Review, language: str = "en") -> PrismaCounts:
    """The review's PRISMA 2020 counts; reason labels in `language`, per-database counts by import source."""
    protocol = review.protocol
    flow = report_flow(review)
    per_source = review.records_per_source()
    reasons = Counter(_reason_label(protocol, key, language) for key in flow.excluded.values())
    new_studies = len(group_into_studies(review, flow.included))
    return PrismaCounts(
        database_results=sum(per_source.values()),
        database_specific_results=per_source,
        register_results=protocol.other_sources.registers,
        duplicates=review.duplicates_removed(),
        excluded_automatic=0,
        excluded_other=0,
        records_screened=len(flow.screened),
        records_excluded=len(flow.records_excluded),
        records_undecided=len(flow.records_undecided),
        dbr_sought_reports=len(flow.sought),
        dbr_notretrieved_reports=len(flow.not_retrieved),
        dbr_assessed=len(flow.assessed),
        reports_undecided=len(flow.undecided),
        dbr_excluded=len(flow.excluded),
        dbr_excluded_reasons=dict(sorted(reasons.items(), key=lambda item: (-item[1], item[0]))),
        new_studies=new_studies,
        new_reports=len(flow.included),
        total_studies=new_studies,
        total_reports=len(flow.included),
    )


def check_counts(prisma: PrismaCounts) -> list[str]:
    """Every place where the flow does not add up, in words; empty when the diagram is sound."""
    c = prisma.to_dict()
    problems = []
    identified = c["database_results"] + c.get("register_results", 0)
    removed = c["duplicates"] + c.get("excluded_automatic", 0) + c.get("excluded_other", 0)
    if identified - removed != c["records_screened"]:
        problems.append(
            f"records identified ({identified}) minus duplicates and removals ({removed}) is {identified - removed}, "
            f"but {c['records_screened']} records were screened"
            + (
                f" (the protocol's {c['register_results']} register records count as identified but are not "
                "records of the project)"
                if c.get("register_results")
                else ""
            )
        )
    if c["records_screened"] != c["records_excluded"] + c["dbr_sought_reports"]:
        problems.append(
            f"records screened ({c['records_screened']}) is not records excluded ({c['records_excluded']}) plus "
            f"reports sought ({c['dbr_sought_reports']})"
            + (
                f": {c['records_undecided']} records are still undecided at title/abstract"
                if c.get("records_undecided")
                else ""
            )
        )
    if c["dbr_sought_reports"] != c["dbr_notretrieved_reports"] + c["dbr_assessed"]:
        problems.append(
            f"reports sought ({c['dbr_sought_reports']}) is not reports not retrieved "
            f"({c['dbr_notretrieved_reports']}) plus reports assessed ({c['dbr_assessed']})"
            + (
                f": {c['reports_undecided']} reports are still undecided at full text"
                if c.get("reports_undecided")
                else ""
            )
        )
    if c["dbr_assessed"] != c["dbr_excluded"] + c["new_reports"]:
        problems.append(
            f"reports assessed ({c['dbr_assessed']}) is not reports excluded ({c['dbr_excluded']}) "
            f"plus reports included ({c['new_reports']})"
        )
    by_reason = sum(c.get("dbr_excluded_reasons", {}).values())
    if c.get("dbr_excluded_reasons") and by_reason != c["dbr_excluded"]:  # an empty breakdown: none given
        problems.append(f"exclusion reasons add up to {by_reason}, not to the {c['dbr_excluded']} reports excluded")
    by_source = sum(c.get("database_specific_results", {}).values())
    if c.get("database_specific_results") and by_source != c["database_results"]:
        problems.append(f"records per database add up to {by_source}, not to the {c['database_results']} identified")
    if c["new_studies"] > c["new_reports"]:
        problems.append(f"more studies ({c['new_studies']}) than reports ({c['new_reports']}) are included")
    return problems


def checked_counts(
    review: Review, language: str = "en", allow_incomplete: bool = False
) -> tuple[PrismaCounts, list[str]]:
    """The counts and their problems; raises `IncompleteFlowError` unless they add up or `allow_incomplete`."""
    counts = prisma_counts(review, language)
    problems = check_counts(counts)
    if problems and not allow_incomplete:
        raise IncompleteFlowError(problems)
    return counts, problems
