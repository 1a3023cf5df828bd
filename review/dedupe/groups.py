"""Duplicate groups in the project: applying a run, undoing it, and a person's decisions.

Merging never deletes or edits a record: a duplicate only gets `duplicate_of`
pointing at the kept record of its group, and every such change is logged in
`dedupe_changes` with the run (and pair) that made it, so `undo_dedupe`
restores exactly what was there before. Pair statuses are
`review.types.PairStatus`: merged by the run, uncertain (waiting for a
person), confirmed / rejected (a person merged them or kept both), undone
(their run was undone).
"""

from __future__ import annotations

import json

import sqlite_utils

from review.dedupe.finder import DedupeResult, Progress, find_duplicates
from review.dedupe.matching import Verdict, compare, prepare
from review.errors import ReviewError
from review.records import get_record
from review.store import now, transaction
from review.types import PairStatus

SIDE_FIELDS = (
    "record_id",
    "source",
    "source_id",
    "type",
    "title",
    "year",
    "authors",
    "journal",
    "volume",
    "issue",
    "pages",
    "doi",
    "pmid",
    "abstract",
    "duplicate_of",
)


def _log_changes(
    db: sqlite_utils.Database,
    run_id: int,
    changes: list[tuple[int, int | None, int | None]],
    pair_id: int | None = None,
) -> None:
    """Set `duplicate_of` for (record_id, previous, new) triples and log each change."""
    stamp = now()
    db.conn.executemany(
        "UPDATE records SET duplicate_of = ? WHERE record_id = ?", [(new, record_id) for record_id, _, new in changes]
    )
    db.conn.executemany(
        "INSERT INTO dedupe_changes (run_id, pair_id, record_id, previous_duplicate_of, new_duplicate_of, changed_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [(run_id, pair_id, record_id, previous, new, stamp) for record_id, previous, new in changes],
    )


def apply_dedupe(
    db: sqlite_utils.Database, result: DedupeResult | None = None, progress: Progress | None = None
) -> int:
    """Merge what `find_duplicates` found, in one transaction; returns the run id.

    Without a `result` the duplicates are found first. Merge pairs are stored
    as merged, the others as uncertain for a person to resolve.
    """
    result = result or find_duplicates(db, progress)
    with transaction(db):
        current = dict(db.execute("SELECT record_id, duplicate_of FROM records").fetchall())
        changes = [
            (record_id, current[record_id], target)
            for record_id, target in result.assignments.items()
            if record_id in current and current[record_id] != target
        ]
        run_id = db.execute(
            "INSERT INTO dedupe_runs (created_at, settings, n_merged, n_uncertain) VALUES (?, ?, ?, ?)",
            [
                now(),
                json.dumps(result.settings),
                sum(1 for _, _, new in changes if new is not None),
                len(result.uncertain_pairs),
            ],
        ).lastrowid
        db.conn.executemany(
            "INSERT INTO duplicate_pairs (run_id, record_id, duplicate_of, method, score, status) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                (
                    run_id,
                    pair.record_id,
                    pair.duplicate_of,
                    pair.method,
                    pair.score,
                    PairStatus.MERGED if pair.classification is Verdict.MERGE else PairStatus.UNCERTAIN,
                )
                for pair in result.pairs
            ],
        )
        _log_changes(db, run_id, changes)
    return run_id


def undo_dedupe(db: sqlite_utils.Database, run_id: int) -> int:
    """Reverse exactly what one run (and the decisions on its pairs) changed; returns records restored.

    Refuses when a later run or decision changed the same records since: undo that one first.
    """
    run = db.execute("SELECT undone_at FROM dedupe_runs WHERE run_id = ?", [run_id]).fetchone()
    if run is None:
        raise ReviewError(f"no dedupe run {run_id}")
    if run[0]:
        raise ReviewError(f"dedupe run {run_id} was already undone at {run[0]}")
    with transaction(db):
        changes = db.execute(
            "SELECT change_id, record_id, previous_duplicate_of FROM dedupe_changes WHERE run_id = ? "
            "ORDER BY change_id DESC",
            [run_id],
        ).fetchall()
        later = db.execute(
            "SELECT DISTINCT c.run_id FROM dedupe_changes c JOIN dedupe_runs r USING (run_id) "
            "WHERE r.undone_at IS NULL AND c.run_id != ? AND c.record_id IN "
            "(SELECT record_id FROM dedupe_changes WHERE run_id = ?) AND c.change_id > "
            "(SELECT MIN(change_id) FROM dedupe_changes WHERE run_id = ?)",
            [run_id, run_id, run_id],
        ).fetchall()
        if later:
            runs = ", ".join(str(row[0]) for row in later)
            raise ReviewError(f"dedupe run(s) {runs} changed the same records later; undo those first")
        db.conn.executemany(
            "UPDATE records SET duplicate_of = ? WHERE record_id = ?",
            [(previous, record_id) for _, record_id, previous in changes],
        )
        db.execute("UPDATE duplicate_pairs SET status = ? WHERE run_id = ?", [PairStatus.UNDONE, run_id])
        db.execute("UPDATE dedupe_runs SET undone_at = ? WHERE run_id = ?", [now(), run_id])
    return len({record_id for _, record_id, _ in changes})


def _head(db: sqlite_utils.Database, record_id: int) -> int:
    row = db.execute("SELECT duplicate_of FROM records WHERE record_id = ?", [record_id]).fetchone()
    if row is None:
        raise ReviewError(f"no record with id {record_id}")
    return row[0] if row[0] is not None else record_id


def _members(db: sqlite_utils.Database, head: int) -> list[int]:
    return [
        row[0] for row in db.execute("SELECT record_id FROM records WHERE duplicate_of = ? ORDER BY record_id", [head])
    ]


def _completeness(db: sqlite_utils.Database, record_id: int) -> tuple:
    record = get_record(db, record_id)
    has_members = bool(_members(db, record_id))
    return (has_members, prepare(record).completeness, -record_id)


def resolve_pair(db: sqlite_utils.Database, pair_id: int, merge: bool, reviewer: str) -> dict:
    """A person's decision on an uncertain pair: merge the two groups, or keep both.

    Merging keeps the more complete of the two groups' kept records and points
    every member of the other group at it. Returns the pair's new state.
    """
    pair = db.execute(
        "SELECT run_id, record_id, duplicate_of, status FROM duplicate_pairs WHERE pair_id = ?", [pair_id]
    ).fetchone()
    if pair is None:
        raise ReviewError(f"no duplicate pair {pair_id}")
    run_id, first, second, status = pair
    if status != PairStatus.UNCERTAIN:
        raise ReviewError(f"pair {pair_id} is '{status}', not waiting for a decision")
    if not reviewer.strip():
        raise ReviewError("a reviewer name is needed to resolve a pair")
    with transaction(db):
        kept = None
        if merge:
            heads = {_head(db, first), _head(db, second)}
            kept = max(heads, key=lambda head: _completeness(db, head))
            changes = []
            for head in heads - {kept}:
                changes.append((head, None, kept))
                changes.extend((member, head, kept) for member in _members(db, head))
            _log_changes(db, run_id, changes, pair_id)
        decided = PairStatus.CONFIRMED if merge else PairStatus.REJECTED
        db.execute(
            "UPDATE duplicate_pairs SET status = ?, decided_by = ?, decided_at = ? WHERE pair_id = ?",
            [decided, reviewer.strip(), now(), pair_id],
        )
    return {"pair_id": pair_id, "status": decided, "kept_record_id": kept}


def dedupe_runs(db: sqlite_utils.Database) -> list[dict]:
    """Every deduplication run, newest first: run_id, created_at, n_merged, n_uncertain, undone_at."""
    rows = db.execute(
        "SELECT run_id, created_at, n_merged, n_uncertain, undone_at FROM dedupe_runs ORDER BY run_id DESC"
    )
    names = ("run_id", "created_at", "n_merged", "n_uncertain", "undone_at")
    return [dict(zip(names, row)) for row in rows]


def duplicate_count(db: sqlite_utils.Database) -> int:
    """Records merged into another record: PRISMA 2020's 'duplicates removed'."""
    return db.execute("SELECT COUNT(*) FROM records WHERE duplicate_of IS NOT NULL").fetchone()[0]


def _sides(db: sqlite_utils.Database, record_ids: set[int]) -> dict[int, dict]:
    """The side-by-side fields of many records, read in a few queries."""
    ordered, sides = sorted(record_ids), {}
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        cursor = db.execute(
            f"SELECT {', '.join(SIDE_FIELDS)} FROM records WHERE record_id IN ({', '.join('?' * len(chunk))})", chunk
        )
        for values in cursor:
            side = dict(zip(SIDE_FIELDS, values))
            side["authors"] = json.loads(side["authors"]) if side["authors"] else []
            sides[side["record_id"]] = side
    return sides


def list_pairs(db: sqlite_utils.Database, status: PairStatus | None = None) -> list[dict]:
    """Pairs of runs not undone, newest run first, both records' fields side by side.

    Each item: pair_id, run_id, method, score, status, decided_by, decided_at,
    evidence (why the pair matched or is uncertain), record and other (dicts of
    record_id, source, source_id, type, title, year, authors, journal, volume,
    issue, pages, doi, pmid, abstract, duplicate_of).
    """
    where, params = "r.undone_at IS NULL", []
    if status:
        where, params = where + " AND p.status = ?", [PairStatus(status)]
    rows = db.execute(
        "SELECT p.pair_id, p.run_id, p.record_id, p.duplicate_of, p.method, p.score, p.status, p.decided_by, "
        f"p.decided_at FROM duplicate_pairs p JOIN dedupe_runs r USING (run_id) WHERE {where} "
        "ORDER BY p.run_id DESC, p.pair_id",
        params,
    ).fetchall()
    sides = _sides(db, {row[2] for row in rows} | {row[3] for row in rows})
    listed = []
    for pair_id, run_id, first, second, method, score, pair_status, decided_by, decided_at in rows:
        record, other = sides[first], sides[second]
        listed.append(
            {
                "pair_id": pair_id,
                "run_id": run_id,
                "method": method,
                "score": score,
                "status": PairStatus(pair_status),
                "decided_by": decided_by,
                "decided_at": decided_at,
                "evidence": _evidence(record, other),
                "record": record,
                "other": other,
            }
        )
    return listed


def _evidence(record: dict, other: dict) -> list[str]:
    comparison = compare(prepare(record), prepare(other))
    return comparison.evidence + comparison.objections


def uncertain_pairs(db: sqlite_utils.Database) -> list[dict]:
    """Pairs waiting for a person, both records side by side (see `list_pairs`)."""
    return list_pairs(db, PairStatus.UNCERTAIN)


def group_sources(db: sqlite_utils.Database, record_id: int) -> list[dict]:
    """Every record of the group a record belongs to, kept record first, with its source and batch.

    This is the merged source information: which databases and files found the
    paper, each original record left intact.
    """
    head = _head(db, record_id)
    rows = db.execute(
        "SELECT r.record_id, r.source, r.source_id, r.batch_id, b.file_name, b.imported_at "
        "FROM records r JOIN batches b USING (batch_id) WHERE r.record_id = ? OR r.duplicate_of = ? "
        "ORDER BY r.record_id != ?, r.record_id",
        [head, head, head],
    )
    names = [column[0] for column in rows.description]
    return [dict(zip(names, values), kept=values[0] == head) for values in rows]
