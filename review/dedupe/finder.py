"""Finding duplicate groups in a project, without changing it.

Exact DOI and PMID matches come first, then fuzzy matches among blocked
candidate pairs. A DOI or PMID that records with unrelated titles share (a
supplement's DOI given to each of its abstracts, a placeholder) identifies
nothing and is left out. Merge pairs join groups transitively (union-find),
strongest first, unless the two groups disagree (see `unionfind`): different
DOIs or PMIDs, a pair a person kept apart, two groups that earlier runs or
screening already rely on, or - for fuzzy joins - records that contradict each
other. Such pairs go to a person as 'uncertain' instead. The kept record of
each group is the most complete one.
"""

from __future__ import annotations

import contextlib
import gc
import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import sqlite_utils
from rapidfuzz import fuzz
from rapidfuzz.process import cpdist

from review.dedupe.blocking import candidate_pairs
from review.dedupe.matching import (
    DIFFERENT_SCORE,
    IDENTIFIER_TITLE_SIMILARITY,
    MERGE_SCORE,
    UNCERTAIN_TITLE_SIMILARITY,
    Comparison,
    PreparedRecord,
    Verdict,
    compare,
    prepare,
    title_similarity,
)
from review.dedupe.unionfind import DuplicateGroups
from review.types import PairStatus

MATCH_FIELDS = (
    "record_id, type, title, abstract, authors, year, journal, volume, issue, pages, doi, pmid, url, duplicate_of"
)
IDENTIFIER_METHODS = ("doi", "pmid")
COMPARE_CHUNK = 200_000
SORTED_TITLE_RESCORE_BELOW = 98.0  # the highest similarity threshold a verdict uses
Progress = Callable[[str, int, int], None]


@dataclass
class DuplicatePair:
    """Two records found to be one paper (or possibly one paper)."""

    record_id: int
    duplicate_of: int
    method: str  # 'doi', 'pmid' or 'fuzzy'
    score: float  # 1.0 for identifier matches, title similarity (0-1) for fuzzy ones
    classification: Verdict
    evidence: list[str] = field(default_factory=list)


@dataclass
class DedupeResult:
    """What a dedupe run would do: pairs found and where each record would point."""

    pairs: list[DuplicatePair]
    assignments: dict[int, int | None]  # record_id -> new duplicate_of, only for changes
    n_records: int
    n_duplicates: int  # records that would be duplicates afterwards (PRISMA 'duplicates')
    seconds: float
    settings: dict = field(default_factory=dict)

    @property
    def merge_pairs(self) -> list[DuplicatePair]:
        return [pair for pair in self.pairs if pair.classification is Verdict.MERGE]

    @property
    def uncertain_pairs(self) -> list[DuplicatePair]:
        return [pair for pair in self.pairs if pair.classification is Verdict.UNCERTAIN]

    @property
    def n_newly_merged(self) -> int:
        return sum(1 for target in self.assignments.values() if target is not None)


def _load(db: sqlite_utils.Database) -> list[dict]:
    cursor = db.execute(f"SELECT {MATCH_FIELDS} FROM records ORDER BY record_id")
    names = [column[0] for column in cursor.description]
    rows = []
    for values in cursor:
        row = dict(zip(names, values))
        row["authors"] = json.loads(row["authors"]) if row["authors"] else []
        rows.append(row)
    return rows


def _existing_pairs(db: sqlite_utils.Database, status: PairStatus) -> list[tuple[int, int]]:
    """Pairs of earlier (not undone) runs with this status."""
    return [
        (row[0], row[1])
        for row in db.execute(
            "SELECT p.record_id, p.duplicate_of FROM duplicate_pairs p JOIN dedupe_runs r USING (run_id) "
            "WHERE r.undone_at IS NULL AND p.status = ?",
            [status],
        )
    ]


def _records_by_key(records: list[PreparedRecord], method: str) -> dict[str, list[int]]:
    holders: dict[str, list[int]] = defaultdict(list)
    for index, record in enumerate(records):
        key = getattr(record, method)
        if key:
            holders[key].append(index)
    return holders


def _forget_shared_identifiers(records: list[PreparedRecord]) -> None:
    """Blank a DOI or PMID that three or more records share when two or more of them have other titles.

    Embase gives every abstract of a meeting supplement the supplement's DOI;
    such a DOI says nothing about which abstract a record is.
    """
    for method in IDENTIFIER_METHODS:
        for holders in _records_by_key(records, method).values():
            if len(holders) < 3:
                continue
            first = records[holders[0]]
            unrelated = sum(
                1
                for index in holders[1:]
                if title_similarity(first, records[index]) < IDENTIFIER_TITLE_SIMILARITY
                and first.title_key
                and records[index].title_key
            )
            if unrelated >= 2:
                for index in holders:
                    setattr(records[index], method, "")


def _identifier_pairs(records: list[PreparedRecord]) -> list[tuple[int, int, str]]:
    """Each record paired with the first record holding the same DOI (and PMID)."""
    pairs = []
    for method in IDENTIFIER_METHODS:
        for holders in _records_by_key(records, method).values():
            pairs.extend((holders[0], index, method) for index in holders[1:])
    return pairs


def _title_similarities(
    first: np.ndarray, second: np.ndarray, titles: np.ndarray, sorted_titles: np.ndarray, lengths: np.ndarray
) -> np.ndarray:
    """Title similarity of index pairs as written or with words sorted (0 below the uncertain threshold).

    Pairs whose title lengths alone rule out the threshold are not scored; words
    are sorted only where that could still change a verdict.
    """
    similarity = np.zeros(len(first))
    shorter, longer = np.minimum(lengths[first], lengths[second]), np.maximum(lengths[first], lengths[second])
    possible = np.flatnonzero(200 * shorter >= UNCERTAIN_TITLE_SIMILARITY * (shorter + longer))
    similarity[possible] = cpdist(
        titles[first[possible]],
        titles[second[possible]],
        scorer=fuzz.ratio,
        score_cutoff=UNCERTAIN_TITLE_SIMILARITY,
        workers=-1,
    )
    rescore = possible[similarity[possible] < SORTED_TITLE_RESCORE_BELOW]
    similarity[rescore] = np.maximum(
        similarity[rescore],
        cpdist(
            sorted_titles[first[rescore]],
            sorted_titles[second[rescore]],
            scorer=fuzz.ratio,
            score_cutoff=UNCERTAIN_TITLE_SIMILARITY,
            workers=-1,
        ),
    )
    return similarity


def _close_title_pairs(
    records: list[PreparedRecord], groups: DuplicateGroups, progress: Progress | None
) -> list[tuple[int, int, float]]:
    """Candidate pairs of different groups whose titles are close, most similar first (similarity in bulk)."""
    first, second = candidate_pairs(records)
    titles = np.array([record.title_key for record in records], dtype=object)
    sorted_titles = np.array([record.sorted_title for record in records], dtype=object)
    lengths = np.array([len(record.title_key) for record in records])
    found = []
    for start in range(0, len(first), COMPARE_CHUNK):
        if progress:
            progress("Comparing candidate pairs", start, len(first))
        chunk_first, chunk_second = first[start : start + COMPARE_CHUNK], second[start : start + COMPARE_CHUNK]
        similarity = _title_similarities(chunk_first, chunk_second, titles, sorted_titles, lengths)
        for position in np.flatnonzero(similarity >= UNCERTAIN_TITLE_SIMILARITY):
            i, j = int(chunk_first[position]), int(chunk_second[position])
            if groups.find(i) != groups.find(j):
                found.append((i, j, float(similarity[position])))
    if progress:
        progress("Comparing candidate pairs", len(first), len(first))
    found.sort(key=lambda item: -item[2])
    return found


def _kept_record(members: list[int], records: list[PreparedRecord], rank: list[tuple]) -> int:
    return max(members, key=lambda index: (rank[index], records[index].completeness, -records[index].record_id))


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector, which would rescan the many small keys (~40 % of the time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def find_duplicates(db: sqlite_utils.Database, progress: Progress | None = None) -> DedupeResult:
    """Find duplicate pairs and the groups they form; the project is not changed.

    `progress(step, done, total)` is called during the long steps. Records
    already merged stay merged and new records join their groups; pairs a
    person kept apart stay apart, and pairs already listed are not listed again.
    """
    with _cyclic_gc_paused():
        return _find_duplicates(db, progress)


def _find_duplicates(db: sqlite_utils.Database, progress: Progress | None) -> DedupeResult:
    started = time.perf_counter()
    rows = _load(db)
    records = [prepare(row) for row in rows]
    _forget_shared_identifiers(records)
    if progress:
        progress("Normalising records", len(rows), len(rows))
    index_of = {record.record_id: index for index, record in enumerate(records)}
    screened = {row[0] for row in db.execute("SELECT DISTINCT record_id FROM decisions")}
    heads = {row["duplicate_of"] for row in rows if row["duplicate_of"] is not None}
    rank = [(record.record_id in heads, record.record_id in screened) for record in records]
    groups = DuplicateGroups(records, [any(flags) for flags in rank])
    for index, row in enumerate(rows):
        if row["duplicate_of"] in index_of:
            groups.join(index_of[row["duplicate_of"]], index)
    for first_id, second_id in _existing_pairs(db, PairStatus.REJECTED):
        if first_id in index_of and second_id in index_of:
            groups.keep_apart(index_of[first_id], index_of[second_id])

    pairs: list[DuplicatePair] = []
    uncertain: list[tuple] = []
    for first, second, method in _identifier_pairs(records):
        _decide(records, groups, first, second, method, compare(records[first], records[second]), pairs, uncertain)
    for first, second, similarity in _close_title_pairs(records, groups, progress):
        if groups.find(first) != groups.find(second):  # pairs of one group by now need no comparison
            comparison = compare(records[first], records[second], similarity)
            _decide(records, groups, first, second, "fuzzy", comparison, pairs, uncertain)
    pairs.extend(_uncertain_once(db, records, index_of, groups, uncertain))
    return _result(rows, records, groups, rank, pairs, started)


def _decide(
    records: list[PreparedRecord],
    groups: DuplicateGroups,
    first: int,
    second: int,
    method: str,
    comparison: Comparison,
    pairs: list[DuplicatePair],
    uncertain: list[tuple],
) -> None:
    """Join the two groups of a merge pair if they may join; otherwise keep the pair for a person."""
    if comparison.classification is None or groups.find(first) == groups.find(second):
        return
    if comparison.classification is Verdict.MERGE and groups.can_join(first, second, strict=method == "fuzzy"):
        groups.join(first, second)
        pairs.append(_pair(records, first, second, method, comparison, Verdict.MERGE, []))
    elif comparison.classification is Verdict.MERGE:
        uncertain.append((first, second, method, comparison, ["would join records that must stay apart"]))
    else:
        uncertain.append((first, second, method, comparison, []))


def _uncertain_once(
    db: sqlite_utils.Database,
    records: list[PreparedRecord],
    index_of: dict[int, int],
    groups: DuplicateGroups,
    uncertain: list,
) -> list[DuplicatePair]:
    """One uncertain pair per two groups, leaving out groups a person was already asked about."""
    asked = {
        frozenset((groups.find(index_of[first]), groups.find(index_of[second])))
        for status in (PairStatus.UNCERTAIN, PairStatus.REJECTED)
        for first, second in _existing_pairs(db, status)
        if first in index_of and second in index_of
    }
    pairs = []
    for first, second, method, comparison, notes in uncertain:
        key = frozenset((groups.find(first), groups.find(second)))
        if len(key) == 2 and key not in asked:
            asked.add(key)
            pairs.append(_pair(records, first, second, method, comparison, Verdict.UNCERTAIN, notes))
    return pairs


def _pair(
    records: list[PreparedRecord],
    first: int,
    second: int,
    method: str,
    comparison: Comparison,
    classification: Verdict,
    notes: list[str],
) -> DuplicatePair:
    first_id, second_id = records[first].record_id, records[second].record_id
    score = 1.0 if method != "fuzzy" else round(comparison.title_similarity / 100, 4)
    evidence = comparison.evidence + comparison.objections + notes
    return DuplicatePair(max(first_id, second_id), min(first_id, second_id), method, score, classification, evidence)


def _result(
    rows: list[dict],
    records: list[PreparedRecord],
    groups: DuplicateGroups,
    rank: list[tuple],
    pairs: list[DuplicatePair],
    started: float,
) -> DedupeResult:
    members: dict[int, list[int]] = defaultdict(list)
    for index in range(len(records)):
        members[groups.find(index)].append(index)
    assignments: dict[int, int | None] = {}
    n_duplicates = 0
    for group in members.values():
        kept = _kept_record(group, records, rank)
        for index in group:
            target = None if index == kept else records[kept].record_id
            n_duplicates += target is not None
            if rows[index]["duplicate_of"] != target:
                assignments[records[index].record_id] = target
    settings = {
        "uncertain_title_similarity": UNCERTAIN_TITLE_SIMILARITY,
        "merge_score": MERGE_SCORE,
        "different_score": DIFFERENT_SCORE,
    }
    return DedupeResult(pairs, assignments, len(records), n_duplicates, time.perf_counter() - started, settings)
