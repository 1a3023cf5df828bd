"""Deduplication: find records that are one paper, merge them reversibly, let a person decide the rest.

    result = find_duplicates(db)          # dry run: pairs, groups, counts
    run_id = apply_dedupe(db, result)     # one transaction; duplicate_of set
    undo_dedupe(db, run_id)               # exactly as before
    for pair in uncertain_pairs(db):      # both records side by side
        resolve_pair(db, pair["pair_id"], merge=True, reviewer="AB")

Modules: `normalise` (comparison keys), `matching` (pair verdicts), `blocking`
(candidate pairs), `finder` (groups, dry run), `groups` (project changes).
"""

from review.dedupe.finder import DedupeResult, DuplicatePair, find_duplicates
from review.dedupe.groups import (
    apply_dedupe,
    dedupe_runs,
    duplicate_count,
    group_sources,
    list_pairs,
    resolve_pair,
    uncertain_pairs,
    undo_dedupe,
)

__all__ = [
    "DedupeResult",
    "DuplicatePair",
    "apply_dedupe",
    "dedupe_runs",
    "duplicate_count",
    "find_duplicates",
    "group_sources",
    "list_pairs",
    "resolve_pair",
    "uncertain_pairs",
    "undo_dedupe",
]
