"""Deciding whether two records are the same paper, and how sure that is.

A pair is compared on its normalised title first (rapidfuzz), then on the
evidence around it: year (one year apart is tolerated, as online and print
years differ), authors by surname, journal (abbreviations allowed), first
page, and identifiers. Anything that contradicts the title - different DOIs or
PMIDs, years far apart, other authors, another journal or first page, other
numbers in the title, or a notice such as an erratum - keeps the pair from
being merged automatically; close pairs with such a conflict go to a person.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz import fuzz

from review.dedupe.normalise import (
    author_surnames,
    journal_tokens,
    journals_compatible,
    normalise_title,
    notice_words,
    start_page,
    title_numbers,
)

MERGE_TITLE_SIMILARITY = 95.0
CLOSE_TITLE_SIMILARITY = 90.0  # merged too when authors, year and journal or page all agree
UNCERTAIN_TITLE_SIMILARITY = 85.0
IDENTIFIER_TITLE_SIMILARITY = 70.0
AUTHOR_OVERLAP = 0.5


@dataclass(slots=True)
class PreparedRecord:
    """The comparison keys of one record (built once per record per run)."""

    record_id: int
    title_key: str
    sorted_title: str
    year: int | None
    surnames: tuple[str, ...]
    journal: tuple[str, ...]
    first_page: str
    doi: str
    pmid: str
    numbers: tuple[str, ...]
    notices: frozenset[str]
    completeness: tuple[int, int, int]


def prepare(record: dict) -> PreparedRecord:
    """Comparison keys for a record dict as `review.records.iter_records` yields it."""
    title_key = normalise_title(record.get("title"))
    filled = sum(
        1
        for name in ("title", "abstract", "year", "journal", "volume", "issue", "pages", "doi", "pmid", "url")
        if record.get(name)
    ) + bool(record.get("authors"))
    return PreparedRecord(
        record_id=record["record_id"],
        title_key=title_key,
        sorted_title=" ".join(sorted(title_key.split())),
        year=record.get("year"),
        surnames=author_surnames(record.get("authors")),
        journal=journal_tokens(record.get("journal")),
        first_page=start_page(record.get("pages")),
        doi=(record.get("doi") or "").lower(),
        pmid=str(record.get("pmid") or ""),
        numbers=title_numbers(title_key),
        notices=notice_words(title_key),
        completeness=(bool(record.get("doi")), bool(record.get("abstract")), filled),
    )


@dataclass(slots=True)
class Comparison:
    """How a pair compares: title similarity (0-100), verdict and the evidence for it."""

    title_similarity: float
    classification: str | None  # 'merge', 'uncertain' or None (different papers)
    evidence: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)


def title_similarity(first: PreparedRecord, second: PreparedRecord, cutoff: float = 0.0) -> float:
    """Similarity of the normalised titles (0-100), as written or with words sorted; 0 when one is missing."""
    if not first.title_key or not second.title_key:
        return 0.0
    return max(
        fuzz.ratio(first.title_key, second.title_key, score_cutoff=cutoff),
        fuzz.ratio(first.sorted_title, second.sorted_title, score_cutoff=cutoff),
    )


def identifier_conflicts(first: PreparedRecord, second: PreparedRecord) -> list[str]:
    conflicts = []
    if first.doi and second.doi and first.doi != second.doi:
        conflicts.append("different DOIs")
    if first.pmid and second.pmid and first.pmid != second.pmid:
        conflicts.append("different PMIDs")
    return conflicts


def _author_evidence(first: PreparedRecord, second: PreparedRecord) -> bool | None:
    """True when the author lists agree, False when they contradict, None when unknown."""
    if not first.surnames or not second.surnames:
        return None
    if first.surnames[0] == second.surnames[0]:
        return True
    shared = len(set(first.surnames) & set(second.surnames))
    return shared / min(len(set(first.surnames)), len(set(second.surnames))) >= AUTHOR_OVERLAP


def compare(first: PreparedRecord, second: PreparedRecord, similarity: float | None = None) -> Comparison:
    """Compare two records that have no identifier in common (`similarity`: title similarity if known)."""
    if similarity is None:
        similarity = title_similarity(first, second, cutoff=UNCERTAIN_TITLE_SIMILARITY)
    if similarity < UNCERTAIN_TITLE_SIMILARITY:
        return Comparison(similarity, None)
    evidence = [f"title {similarity:.0f}"]
    conflicts = identifier_conflicts(first, second)
    year_gap = abs(first.year - second.year) if first.year and second.year else None
    if year_gap == 0:
        evidence.append("same year")
    elif year_gap == 1:
        evidence.append("years 1 apart")
    elif year_gap is not None:
        conflicts.append(f"years {year_gap} apart")
    authors = _author_evidence(first, second)
    if authors is True:
        evidence.append("same authors")
    elif authors is False:
        conflicts.append("different authors")
    if first.journal and second.journal:
        if journals_compatible(first.journal, second.journal):
            evidence.append("same journal")
        else:
            conflicts.append("different journals")
    if first.first_page and second.first_page:
        if first.first_page == second.first_page:
            evidence.append("same first page")
        else:
            conflicts.append("different first pages")
    if first.numbers != second.numbers:
        conflicts.append("different numbers in the title")
    if first.notices != second.notices:
        conflicts.append("one is a notice (erratum, comment, reply)")
    return Comparison(similarity, _classify(similarity, year_gap, authors, evidence, conflicts), evidence, conflicts)


def _classify(
    similarity: float, year_gap: int | None, authors: bool | None, evidence: list[str], conflicts: list[str]
) -> str | None:
    """'merge' when the title is (nearly) the same and nothing else is left to doubt.

    Two independent contradictions among identifiers, authors and a year gap of
    more than one make it another paper (a generic title such as 'Heart failure'
    by other authors in another year), not a question for a person.
    """
    contradictions = (
        any(text.startswith("different PMIDs") or text.startswith("different DOIs") for text in conflicts)
        + (authors is False)
        + (year_gap is not None and year_gap > 1)
    )
    if contradictions >= 2:
        return None
    same_venue = "same first page" in evidence or "same journal" in evidence
    if conflicts or similarity < CLOSE_TITLE_SIMILARITY:
        return "uncertain"
    if similarity < MERGE_TITLE_SIMILARITY and not (authors is True and year_gap == 0 and same_venue):
        return "uncertain"
    if year_gap == 1 and not (authors is True and same_venue):
        return "uncertain"
    if authors is None and not (year_gap == 0 and (similarity >= 98 or "same first page" in evidence)):
        return "uncertain"
    return "merge"


def compare_identified(first: PreparedRecord, second: PreparedRecord, method: str) -> Comparison:
    """A pair sharing a DOI or PMID: merged unless the titles say otherwise."""
    similarity = title_similarity(first, second)
    evidence = [f"same {method.upper()}"]
    if not first.title_key or not second.title_key or similarity >= IDENTIFIER_TITLE_SIMILARITY:
        return Comparison(similarity, "merge", evidence)
    return Comparison(similarity, "uncertain", evidence, [f"titles differ (similarity {similarity:.0f})"])
