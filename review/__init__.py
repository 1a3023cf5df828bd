"""Systematic-review screening toolkit: import, deduplicate, rank, screen, PRISMA 2020, code, export.

The API is one object per review project:

    from review import Review, Viewer

    with Review.open("my-review") as review:
        review.import_files(["scopus.ris"], source="Scopus")
        review.decide(17, "ta", "anna", "include")
        review.history(17, Viewer("anna"))        # blind stages show anna only her own labels
        counts, problems = review.prisma(allow_incomplete=True)

Packages by concern: `importers` (RIS, CSV, MEDLINE, ...), `dedupe`, `ranking`,
`stopping`, `screening` (log, state, blind mode, conflicts, agreement, claims),
`fulltext` (attach, reports and studies), `prisma`, `coding`, `export`,
`simulation`, `webapp` (Streamlit) and `cli` (Typer).
"""

import review._startup  # noqa: F401  (first: sqlite-utils loads without pandas)
from review.core import NextRecord, Review
from review.errors import ReviewError
from review.screening.blind import Viewer

__version__ = "0.1.0"

__all__ = ["NextRecord", "Review", "ReviewError", "Viewer", "__version__"]
