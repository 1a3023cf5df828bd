"""PRISMA 2020 flow counts from the project database, their arithmetic checks, JSON and CSV.

Field names follow the PRISMA2020 R package / Shiny app data template
(`inst/extdata/PRISMA.csv`), so `prisma_csv` output loads there. Everything is
counted from the database except what the tool cannot see (records from
registers, entered in the protocol's `other_sources`). Records and reports still
without a final decision are counted as undecided, and `check_counts` refuses
a flow that does not add up.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter

import sqlite_utils

from review.dedupe import duplicate_count
from review.errors import IncompleteFlowError, ReviewError
from review.fulltext.studies import group_into_studies, report_flow
from review.prisma.diagram import diagram_layout, render_png, render_svg
from review.project import current_protocol
from review.protocol import Protocol
from review.records import records_per_source

FORMATS = ("json", "csv", "svg", "png")
NO_REASON = {"en": "No reason given", "da": "Ingen begrundelse angivet"}

# (data key, node, box, description, boxtext) in the order of the package's template.
TEMPLATE_ROWS: list[tuple[str, str, str, str, str]] = [
    ("NA", "node4", "prevstud", "Grey title box; Previous studies", "Previous studies"),
    (
        "previous_studies",
        "node5",
        "box1",
        "Studies included in previous version of review",
        "Studies included in previous version of review",
    ),
    (
        "previous_reports",
        "NA",
        "box1",
        "Reports of studies included in previous version of review",
        "Reports of studies included in previous version of review",
    ),
    (
        "NA",
        "node6",
        "newstud",
        "Yellow title box; Identification of new studies via databases and registers",
        "Identification of new studies via databases and registers",
    ),
    ("database_results", "node7", "box2", "Records identified from: Databases", "Databases"),
    ("database_specific_results", "NA", "box2", "Records identified per database", "Databases"),
    ("register_results", "NA", "box2", "Records identified from: Registers", "Registers"),
    (
        "NA",
        "node16",
        "othstud",
        "Grey title box; Identification of new studies via other methods",
        "Identification of new studies via other methods",
    ),
    ("website_results", "node17", "box11", "Records identified from: Websites", "Websites"),
    ("organisation_results", "NA", "box11", "Records identified from: Organisations", "Organisations"),
    ("citations_results", "NA", "box11", "Records identified from: Citation searching", "Citation searching"),
    ("duplicates", "node8", "box3", "Duplicate records removed", "Duplicate records"),
    (
        "excluded_automatic",
        "NA",
        "box3",
        "Records marked as ineligible by automation tools",
        "Records marked as ineligible by automation tools",
    ),
    ("excluded_other", "NA", "box3", "Records removed for other reasons", "Records removed for other reasons"),
    ("records_screened", "node9", "box4", "Records screened (databases and registers)", "Records screened"),
    ("records_excluded", "node10", "box5", "Records excluded (databases and registers)", "Records excluded"),
    (
        "dbr_sought_reports",
        "node11",
        "box6",
        "Reports sought for retrieval (databases and registers)",
        "Reports sought for retrieval",
    ),
    (
        "dbr_notretrieved_reports",
        "node12",
        "box7",
        "Reports not retrieved (databases and registers)",
        "Reports not retrieved",
    ),
    ("other_sought_reports", "node18", "box12", "Reports sought for retrieval (other)", "Reports sought for retrieval"),
    ("other_notretrieved_reports", "node19", "box13", "Reports not retrieved (other)", "Reports not retrieved"),
    (
        "dbr_assessed",
        "node13",
        "box8",
        "Reports assessed for eligibility (databases and registers)",
        "Reports assessed for eligibility",
    ),
    ("dbr_excluded", "node14", "box9", "Reports excluded (databases and registers), by reason", "Reports excluded"),
    (
        "other_assessed",
        "node20",
        "box14",
        "Reports assessed for eligibility (other)",
        "Reports assessed for eligibility",
    ),
    ("other_excluded", "node21", "box15", "Reports excluded (other), by reason", "Reports excluded"),
    ("new_studies", "node15", "box10", "New studies included in review", "New studies included in review"),
    ("new_reports", "NA", "box10", "Reports of new included studies", "Reports of new included studies"),
    ("total_studies", "node22", "box16", "Total studies included in review", "Total studies included in review"),
    ("total_reports", "NA", "box16", "Reports of total included studies", "Reports of total included studies"),
    ("identification", "node1", "identification", "Blue identification box", "Identification"),
    ("screening", "node2", "screening", "Blue screening box", "Screening"),
    ("included", "node3", "included", "Blue included box", "Included"),
]
# CSV rows whose n is written 'Name, n; Name, n': row -> (mapping key, key of the total used when empty).
BREAKDOWNS = {
    "database_specific_results": ("database_specific_results", "database_results"),
    "dbr_excluded": ("dbr_excluded_reasons", "dbr_excluded"),
}


def _reason_label(protocol: Protocol, key: str | None, language: str) -> str:
    if key is None:
        return NO_REASON.get(language, NO_REASON["en"])
    for reason in protocol.stage("ft").exclusion_reasons:
        if reason.key == key:
            return reason.label.text(language)
    return key


def prisma_counts(db: sqlite_utils.Database, protocol: Protocol | None = None, language: str = "en") -> dict:
    """The PRISMA 2020 counts of a project, plus the undecided records and reports.

    `dbr_excluded_reasons` maps reason labels (in `language`) to counts and
    `database_specific_results` maps each import source to its records.
    """
    protocol = protocol or current_protocol(db)
    flow = report_flow(db, protocol)
    per_source = records_per_source(db)
    reasons = Counter(_reason_label(protocol, key, language) for key in flow.excluded.values())
    new_studies = len(group_into_studies(db, flow.included))
    return {
        "database_results": sum(per_source.values()),
        "database_specific_results": per_source,
        "register_results": protocol.other_sources.registers,
        "duplicates": duplicate_count(db),
        # The tool removes records before screening only as duplicates; every other record is screened.
        "excluded_automatic": 0,
        "excluded_other": 0,
        "records_screened": len(flow.screened),
        "records_excluded": len(flow.records_excluded),
        "records_undecided": len(flow.records_undecided),
        "dbr_sought_reports": len(flow.sought),
        "dbr_notretrieved_reports": len(flow.not_retrieved),
        "dbr_assessed": len(flow.assessed),
        "reports_undecided": len(flow.undecided),
        "dbr_excluded": len(flow.excluded),
        "dbr_excluded_reasons": dict(sorted(reasons.items(), key=lambda item: (-item[1], item[0]))),
        "new_studies": new_studies,
        "new_reports": len(flow.included),
        "total_studies": new_studies,
        "total_reports": len(flow.included),
    }


def check_counts(counts: dict) -> list[str]:
    """Every place where the flow does not add up, in words; empty when the diagram is sound."""
    c = counts
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
    if "dbr_excluded_reasons" in c and by_reason != c["dbr_excluded"]:
        problems.append(f"exclusion reasons add up to {by_reason}, not to the {c['dbr_excluded']} reports excluded")
    by_source = sum(c.get("database_specific_results", {}).values())
    if "database_specific_results" in c and by_source != c["database_results"]:
        problems.append(f"records per database add up to {by_source}, not to the {c['database_results']} identified")
    if c["new_studies"] > c["new_reports"]:
        problems.append(f"more studies ({c['new_studies']}) than reports ({c['new_reports']}) are included")
    return problems


def _csv_safe(name: str) -> str:
    """A label the package can split on ',' and ';' without breaking it apart."""
    return re.sub(r"\s*[,;]\s*", " - ", str(name)).strip()


def _breakdown(mapping: dict[str, int], total: int) -> str:
    if not mapping:
        return str(total)
    return "; ".join(f"{_csv_safe(name)}, {n}" for name, n in mapping.items())


def prisma_csv(counts: dict) -> str:
    """The counts as the PRISMA2020 package's `PRISMA.csv` (data,node,box,description,boxtext,tooltips,url,n)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["data", "node", "box", "description", "boxtext", "tooltips", "url", "n"])
    for data, node, box, description, boxtext in TEMPLATE_ROWS:
        if data in BREAKDOWNS:
            mapping_key, total_key = BREAKDOWNS[data]
            n = _breakdown(counts.get(mapping_key, {}), counts.get(total_key, 0))
        else:
            n = counts.get(data, 0)
        has_node = node != "NA"
        tooltip = description if has_node else "NA"
        url = f"{data if data != 'NA' else box}.html" if has_node else "NA"
        writer.writerow([data, node, box, description, boxtext, tooltip, url, n])
    return out.getvalue()


def checked_counts(
    db: sqlite_utils.Database, protocol: Protocol | None = None, language: str = "en", allow_incomplete: bool = False
) -> tuple[dict, list[str]]:
    """The counts and their problems; raises unless they add up or `allow_incomplete` is set."""
    counts = prisma_counts(db, protocol, language)
    problems = check_counts(counts)
    if problems and not allow_incomplete:
        raise IncompleteFlowError(problems)
    return counts, problems


def render_prisma(counts: dict, fmt: str, language: str = "en", problems: list[str] | None = None) -> str | bytes:
    """The counts as JSON, CSV, SVG or PNG; a flow with problems is drawn as a marked draft."""
    if fmt == "json":
        return json.dumps({**counts, "problems": problems} if problems else counts, ensure_ascii=False, indent=2)
    if fmt == "csv":
        return prisma_csv(counts)
    if fmt in ("svg", "png"):
        layout = diagram_layout(counts, language, draft=bool(problems))
        return render_svg(layout) if fmt == "svg" else render_png(layout)
    raise ReviewError(f"unknown format '{fmt}' (use one of: {', '.join(FORMATS)})")
