"""Counts per stage for `review status` and the app's project page."""

from __future__ import annotations

import sqlite_utils

from review.dedupe import duplicate_count
from review.protocol import STAGES
from review.records import records_per_source
from review.screening.log import screening_counts


def _count(db: sqlite_utils.Database, sql: str, params: list | None = None) -> int:
    return db.execute(sql, params or []).fetchone()[0]


def project_status(db: sqlite_utils.Database) -> dict:
    """Imported, duplicate and unique record counts, records per source, and screening per stage."""
    return {
        "batches": _count(db, "SELECT COUNT(*) FROM batches"),
        "records_imported": _count(db, "SELECT COUNT(*) FROM records"),
        "duplicates_removed": duplicate_count(db),
        "records_unique": _count(db, "SELECT COUNT(*) FROM records WHERE duplicate_of IS NULL"),
        "uncertain_duplicate_pairs": _count(db, "SELECT COUNT(*) FROM duplicate_pairs WHERE status = 'uncertain'"),
        "records_per_source": records_per_source(db),
        **{f"screening_{stage}": screening_counts(db, stage) for stage in STAGES},
    }
