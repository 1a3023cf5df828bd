"""The PRISMA2020 R package's data template (`inst/extdata/PRISMA.csv`): its rows and our counts written into it.

The CSV loads in that package's Shiny app: columns
`data,node,box,description,boxtext,tooltips,url,n`, one row per data key;
breakdowns (per database, per exclusion reason) go in `n` as `Name, 12; Other, 7`.
"""

from __future__ import annotations

import csv
import io
import re

from review.prisma.counts import PrismaCounts

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


def _csv_safe(name: str) -> str:
    """A label the package can split on ',' and ';' without breaking it apart."""
    return re.sub(r"\s*[,;]\s*", " - ", str(name)).strip()


def _breakdown(mapping: dict[str, int], total: int) -> str:
    if not mapping:
        return str(total)
    return "; ".join(f"{_csv_safe(name)}, {n}" for name, n in mapping.items())


def prisma_csv(prisma: PrismaCounts) -> str:
    """The counts as the PRISMA2020 package's `PRISMA.csv` (data,node,box,description,boxtext,tooltips,url,n)."""
    counts = prisma.to_dict()
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
