"""`review status` and the app's project page: counts per stage, from the review's state."""

from __future__ import annotations

from typing import TYPE_CHECKING

from review.types import STAGES

if TYPE_CHECKING:
    from review.core import Review


def _count(review: Review, sql: str) -> int:
    return review.db.execute(sql).fetchone()[0]


def project_status(review: Review) -> dict:
    """Imported, duplicate and unique record counts, records per source, and screening per stage."""
    per_source = review.records_per_source()
    status = {
        "batches": _count(review, "SELECT COUNT(*) FROM batches"),
        "records_imported": sum(per_source.values()),
        "duplicates_removed": review.duplicates_removed(),
        "records_unique": len(review.unique_ids()),
        "uncertain_duplicate_pairs": _count(review, "SELECT COUNT(*) FROM duplicate_pairs WHERE status = 'uncertain'"),
        "records_per_source": per_source,
    }
    for stage in STAGES:
        progress = review.state(stage).progress
        status[f"screening_{stage}"] = {
            "candidates": progress.candidates, "decided": progress.final, "included": progress.included,
            "excluded": progress.excluded, "maybe": progress.maybe, "conflicts": progress.conflicts,
            "undecided": progress.undecided, "waiting": progress.waiting, "reviewers": len(progress.by_reviewer),
        }  # fmt: skip
    return status
