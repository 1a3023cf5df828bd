"""Deciding whether two records are the same paper, and how sure that is.

A pair is compared on its normalised title first (rapidfuzz), then on the
evidence around it, each field adding or taking away points: year (one year
apart is tolerated a little, as online and print years differ), authors by
surname, journal (abbreviations and conference suffixes allowed), volume,
first page, the start of the abstract, and identifiers. A missing field is
no evidence either way. Enough points merge the pair; a pair with few points
is another paper; what lies between goes to a person.

Some differences say "another paper" whatever the points: a notice (erratum,
comment, reply) against the paper, other numbers in the title ('Part II'),
and a conference abstract against a full paper. Those pairs are kept apart
without asking, unless a shared DOI or PMID says otherwise. Two more are
doubts that only an identifier, the first page or the abstract can lift: a
record marked as a conference abstract against an unmarked one, and a title
word replaced by another ('men' / 'women', the authors' companion paper).

A comparison carries its findings as `Agreement` and `Conflict` flags; the
verdict is computed from the flags, and the words a person reads are the
flags' values.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz

from review.dedupe.normalise import (
    THOUSANDS,
    abstract_key,
    author_surnames,
    doi_key,
    is_meeting_type,
    is_missing,
    is_supplement_issue,
    journal_key,
    journal_main_title,
    journals_compatible,
    normalise_title,
    notice_words,
    page_range,
    pmid_key,
    present,
    title_for_numbers,
    title_numbers,
    volume_key,
)

MERGE_TITLE_SIMILARITY = 95.0
UNCERTAIN_TITLE_SIMILARITY = 85.0
IDENTIFIER_TITLE_SIMILARITY = 70.0
AUTHOR_OVERLAP = 0.5
MERGE_SCORE = 4.0  # at least this many points merge a pair
DIFFERENT_SCORE = 1.5  # at most this many, with a conflict, make it another paper; between: a person decides
CONTRADICTION_SCORE = -3.0  # fields (title aside) this far apart keep two groups from joining
INFORMATIVE_TITLE_WORDS = 5  # shorter titles ('Heart failure') say less about the paper
MIN_ABSTRACT = 100  # characters of both abstracts' starts needed to compare them
SAME_ABSTRACT = 90.0
DIFFERENT_ABSTRACT = 60.0
MIN_CONTENT_WORD = 3  # letters of a title word that counts when looking for a changed word ('men', 'women')
TITLE_STOPWORDS = frozenset({"the", "and", "for", "von", "der", "und", "des", "les", "del"})
SAME_WORD = 80.0  # a word this similar to another is the same word misspelt or spelt otherwise


class Verdict(StrEnum):
    """What a comparison concludes (None: different papers)."""

    MERGE = "merge"
    UNCERTAIN = "uncertain"


class Agreement(StrEnum):
    """What two records share (the value is how a person reads it)."""

    SAME_DOI = "same DOI"
    SAME_PMID = "same PMID"
    SAME_YEAR = "same year"
    ADJACENT_YEARS = "years 1 apart"  # online and print years: tolerated, but it costs points
    SAME_AUTHORS = "same authors"
    SOME_AUTHORS = "some authors in common"
    SAME_JOURNAL = "same journal"
    SAME_VOLUME = "same volume"
    SAME_FIRST_PAGE = "same first page"
    SAME_ABSTRACT = "same abstract"


class Conflict(StrEnum):
    """What speaks against two records being one paper."""

    DOIS = "different DOIs"
    MEETING_DOIS = "different DOIs, one of a meeting abstract (often the supplement's)"
    PMIDS = "different PMIDs"
    YEARS = "years apart"
    AUTHORS = "different authors"
    JOURNALS = "different journals"
    VOLUMES = "different volumes"
    PAGES = "different first pages"
    ABSTRACTS = "different abstracts"
    MAYBE_MEETING = "one may be a conference abstract"
    WORDING = "a word of the title is another word"
    TITLES = "titles differ"
    NUMBERS = "different numbers in the title"
    NOTICE = "one is a notice (erratum, comment, reply)"
    MEETING = "one is a conference abstract, the other a paper"


ANOTHER_PAPER = frozenset({Conflict.NUMBERS, Conflict.NOTICE, Conflict.MEETING})
IDENTIFIERS_DIFFER = frozenset({Conflict.DOIS, Conflict.PMIDS})
IDENTIFIERS_AGREE = frozenset({Agreement.SAME_DOI, Agreement.SAME_PMID})
# Doubts that only an identifier, the first page or the abstract can lift: they never merge otherwise.
CAUTIONS = frozenset({Conflict.MAYBE_MEETING, Conflict.WORDING})
CORROBORATIONS = IDENTIFIERS_AGREE | {Agreement.SAME_FIRST_PAGE, Agreement.SAME_ABSTRACT}
POINTS: dict[Agreement | Conflict, float] = {
    Agreement.SAME_DOI: 6.0,
    Agreement.SAME_PMID: 6.0,
    Agreement.SAME_YEAR: 1.0,
    Agreement.ADJACENT_YEARS: -1.5,
    Agreement.SAME_AUTHORS: 2.0,
    Agreement.SOME_AUTHORS: 1.0,
    Agreement.SAME_JOURNAL: 1.0,
    Agreement.SAME_VOLUME: 0.5,
    Agreement.SAME_FIRST_PAGE: 2.0,
    Agreement.SAME_ABSTRACT: 2.0,
    Conflict.AUTHORS: -4.0,
    Conflict.JOURNALS: -2.5,
    Conflict.VOLUMES: -3.0,
    Conflict.PAGES: -4.0,
    Conflict.ABSTRACTS: -3.0,
    Conflict.MEETING_DOIS: -2.0,
    Conflict.MAYBE_MEETING: -1.5,
    Conflict.WORDING: -2.0,
}
YEAR_GAP_POINTS = {2: -2.0}  # three or more years apart: -4
FAR_YEARS_POINTS = -4.0


@dataclass(slots=True)
class PreparedRecord:
    """The comparison keys of one record (built once per record per run)."""

    record_id: int
    title_key: str
    sorted_title: str
    year: int | None
    surnames: tuple[str, ...]
    surname_set: frozenset[str]
    journal: tuple[str, ...]
    journal_main: tuple[str, ...]  # before a subtitle
    meeting: int  # marked as a conference abstract: STRONG_MEETING by journal, type or pages, 1 by issue alone
    issue_known: bool
    volume: str
    first_page: str
    last_page: str
    doi: str
    pmid: str
    abstract: str
    numbers: tuple[str, ...]  # sorted
    number_string: str  # the numbers in title order, run together ('3,4-dimethyl' = '34 dimethyl')
    notices: frozenset[str]
    completeness: tuple[int, int, int]


STRONG_MEETING = 2


def _meeting_mark(record: dict, meeting_venue: bool, first_page: str, last_page: str) -> int:
    """How a record shows it is a conference abstract: 2 by venue, type or abstract-number page, 1 by issue only."""
    single_page = first_page == last_page
    if meeting_venue or is_meeting_type(record.get("type")) or (single_page and first_page[:1] in ("a", "s")):
        return STRONG_MEETING
    return int(single_page and is_supplement_issue(record.get("issue")))


FILLED_FIELDS = ("title", "abstract", "year", "journal", "volume", "issue", "pages", "doi", "pmid", "url")


def _filled(record: dict) -> int:
    return sum(not is_missing(record.get(name)) for name in FILLED_FIELDS) + bool(record.get("authors"))


def prepare(record: dict) -> PreparedRecord:
    """Comparison keys for a record dict as `review.records.iter_records` yields it."""
    title = record.get("title")
    title_key = normalise_title(title)
    journal, meeting_venue = journal_key(record.get("journal"))
    first_page, last_page = page_range(record.get("pages"))
    doi = doi_key(record.get("doi"), record.get("url"))
    abstract = abstract_key(record.get("abstract"))
    numbers = title_numbers(
        title_for_numbers(title) if title and "," in title and THOUSANDS.search(title) else title_key
    )
    surnames = author_surnames(record.get("authors"))
    return PreparedRecord(
        record_id=record["record_id"],
        title_key=title_key,
        sorted_title=" ".join(sorted(title_key.split())),
        year=record.get("year"),
        surnames=surnames,
        surname_set=frozenset(surnames),
        journal=journal,
        journal_main=journal_main_title(record.get("journal")),
        meeting=_meeting_mark(record, meeting_venue, first_page, last_page),
        issue_known=bool(present(record.get("issue"))),
        volume=volume_key(record.get("volume")),
        first_page=first_page,
        last_page=last_page,
        doi=doi,
        pmid=pmid_key(record.get("pmid")),
        abstract=abstract,
        numbers=tuple(sorted(numbers)),
        number_string="".join(numbers),
        notices=notice_words(title_key, title),
        completeness=(bool(doi), bool(abstract), _filled(record)),
    )


@dataclass(slots=True)
class Comparison:
    """How a pair compares: title similarity (0-100), the flags found, their points and the verdict."""

    title_similarity: float
    classification: Verdict | None  # None: different papers
    agreements: tuple[Agreement, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    score: float = 0.0
    year_gap: int | None = None

    @property
    def evidence(self) -> list[str]:
        """What speaks for one paper, as a person reads it ('title 97', 'same first page')."""
        return [f"title {self.title_similarity:.0f}", *(str(agreement) for agreement in self.agreements)]

    @property
    def objections(self) -> list[str]:
        """What speaks against it ('years 3 apart', 'different DOIs')."""
        return [
            f"years {self.year_gap} apart" if conflict is Conflict.YEARS else str(conflict)
            for conflict in self.conflicts
        ]


def title_similarity(first: PreparedRecord, second: PreparedRecord, cutoff: float = 0.0) -> float:
    """Similarity of the normalised titles (0-100), as written or with words sorted; 0 when one is missing."""
    if not first.title_key or not second.title_key:
        return 0.0
    return max(
        fuzz.ratio(first.title_key, second.title_key, score_cutoff=cutoff),
        fuzz.ratio(first.sorted_title, second.sorted_title, score_cutoff=cutoff),
    )


def _title_points(similarity: float, title_key: str) -> float:
    if similarity >= 98:
        points = 3.0
    elif similarity >= MERGE_TITLE_SIMILARITY:
        points = 2.0
    elif similarity >= 90:
        points = 0.5
    elif similarity >= UNCERTAIN_TITLE_SIMILARITY:
        return -1.0
    elif similarity >= IDENTIFIER_TITLE_SIMILARITY:
        return -2.0
    else:
        return -4.0
    words = title_key.count(" ") + 1
    return points * min(1.0, words / INFORMATIVE_TITLE_WORDS)


def _authors(first: PreparedRecord, second: PreparedRecord) -> Agreement | Conflict | None:
    if not first.surnames or not second.surnames:
        return None
    one, other = first.surname_set, second.surname_set
    overlapping = len(one & other) / min(len(one), len(other)) >= AUTHOR_OVERLAP
    same_first = first.surnames[0] == second.surnames[0]
    if same_first and overlapping:
        return Agreement.SAME_AUTHORS
    if same_first or overlapping:
        return Agreement.SOME_AUTHORS
    return Conflict.AUTHORS


def _pages(first: PreparedRecord, second: PreparedRecord) -> Agreement | Conflict | None:
    if not first.first_page or not second.first_page:
        return None
    if first.first_page == second.first_page:
        return Agreement.SAME_FIRST_PAGE
    if first.first_page.lstrip("abcdefghijklmnopqrstuvwxyz") == second.first_page.lstrip("abcdefghijklmnopqrstuvwxyz"):
        return None  # 'e123' and '123': an article number written two ways
    return Conflict.PAGES


def _abstracts(first: PreparedRecord, second: PreparedRecord) -> Agreement | Conflict | None:
    length = min(len(first.abstract), len(second.abstract))
    if length < MIN_ABSTRACT:
        return None
    similarity = fuzz.ratio(first.abstract[:length], second.abstract[:length])
    if similarity >= SAME_ABSTRACT:
        return Agreement.SAME_ABSTRACT
    return Conflict.ABSTRACTS if similarity < DIFFERENT_ABSTRACT else None


def _is_paper(record: PreparedRecord) -> bool:
    """A record whose pages run over more than one page and that nothing marks as a meeting abstract."""
    return not record.meeting and record.last_page != record.first_page and record.first_page.isdigit()


def _meeting(first: PreparedRecord, second: PreparedRecord) -> Conflict | None:
    """A conference abstract against the full paper of the same study, unless their first pages say otherwise.

    A supplement issue is the only mark of many abstracts, so against a record
    that does not give its issue it proves nothing.
    """
    if bool(first.meeting) == bool(second.meeting) or (first.first_page and first.first_page == second.first_page):
        return None
    marked, other = (first, second) if first.meeting else (second, first)
    if _is_paper(other):
        return Conflict.MEETING
    if marked.meeting < STRONG_MEETING and not other.issue_known:
        return None
    return Conflict.MAYBE_MEETING


def _content_words(title_key: str) -> list[str]:
    return [
        word
        for word in title_key.split()
        if len(word) >= MIN_CONTENT_WORD and not word.isdigit() and word not in TITLE_STOPWORDS
    ]


def _unmatched(words: Iterable[str], others: Iterable[str], other_title: str) -> bool:
    """Whether some word has no counterpart: not misspelt among `others`, nor written apart in the other title.

    'longterm' has one in 'long term'; 'with' has none in 'without'.
    """
    other_words = other_title.split()
    joined = "".join(other_words)
    return any(
        all(fuzz.ratio(word, other) < SAME_WORD for other in others)
        and (word in other_words or word not in joined or any(word in other for other in other_words))
        for word in words
    )


def wording_differs(first: PreparedRecord, second: PreparedRecord) -> bool:
    """Whether each title has a word the other lacks and cannot be a misspelling of ('men' for 'women').

    A word added or dropped, spelling variants ('randomised', 'oesophageal'),
    typos and words run together ('longterm') do not count; a word replaced
    by another one does, as in the same authors' next paper.
    """
    if first.sorted_title == second.sorted_title:
        return False
    mine, theirs = _content_words(first.title_key), _content_words(second.title_key)
    only_mine, only_theirs = set(mine).difference(theirs), set(theirs).difference(mine)
    if not (only_mine and only_theirs) and (len(set(mine)) < len(mine) or len(set(theirs)) < len(theirs)):
        only_mine, only_theirs = Counter(mine) - Counter(theirs), Counter(theirs) - Counter(mine)  # repeated words
    return (
        bool(only_mine and only_theirs)
        and _unmatched(only_mine, only_theirs, second.title_key)
        and _unmatched(only_theirs, only_mine, first.title_key)
    )


def _identifiers(first: PreparedRecord, second: PreparedRecord) -> list[Agreement | Conflict]:
    flags: list[Agreement | Conflict] = []
    if first.doi and second.doi:
        if first.doi == second.doi:
            flags.append(Agreement.SAME_DOI)
        else:
            flags.append(Conflict.MEETING_DOIS if first.meeting or second.meeting else Conflict.DOIS)
    if first.pmid and second.pmid:
        flags.append(Agreement.SAME_PMID if first.pmid == second.pmid else Conflict.PMIDS)
    return flags


def _year_gap(first: PreparedRecord, second: PreparedRecord) -> int | None:
    return abs(first.year - second.year) if first.year and second.year else None


def _year(first: PreparedRecord, second: PreparedRecord) -> Agreement | Conflict | None:
    year_gap = _year_gap(first, second)
    if year_gap is None:
        return None
    return (Agreement.SAME_YEAR, Agreement.ADJACENT_YEARS)[year_gap] if year_gap < 2 else Conflict.YEARS


def _journal(first: PreparedRecord, second: PreparedRecord) -> Agreement | Conflict | None:
    if not first.journal or not second.journal:
        return None
    same = any(
        journals_compatible(mine, theirs)
        for mine in {first.journal, first.journal_main}
        for theirs in {second.journal, second.journal_main}
    )
    return Agreement.SAME_JOURNAL if same else Conflict.JOURNALS


def _volume(first: PreparedRecord, second: PreparedRecord) -> Agreement | Conflict | None:
    if not first.volume or not second.volume:
        return None
    return Agreement.SAME_VOLUME if first.volume == second.volume else Conflict.VOLUMES


def _numbers(first: PreparedRecord, second: PreparedRecord) -> Conflict | None:
    differ = first.numbers != second.numbers and first.number_string != second.number_string
    return Conflict.NUMBERS if differ else None


def _notices(first: PreparedRecord, second: PreparedRecord) -> Conflict | None:
    return Conflict.NOTICE if first.notices != second.notices else None


def _wording(first: PreparedRecord, second: PreparedRecord) -> Conflict | None:
    return Conflict.WORDING if wording_differs(first, second) else None


FieldCheck = Callable[[PreparedRecord, PreparedRecord], "Agreement | Conflict | None"]
# in the order a person reads them
FIELD_CHECKS: tuple[FieldCheck, ...] = (
    _year,
    _journal,
    _volume,
    _authors,
    _pages,
    _abstracts,
    _numbers,
    _notices,
    _meeting,
    _wording,
)
# cheapest and most telling first, the title's wording (the dearest) last
CONTRADICTION_CHECKS: tuple[FieldCheck, ...] = (
    _numbers,
    _notices,
    _meeting,
    _year,
    _pages,
    _authors,
    _volume,
    _journal,
    _abstracts,
    _wording,
)


def _field_flags(first: PreparedRecord, second: PreparedRecord) -> list[Agreement | Conflict]:
    """Every flag except the title's."""
    flags = _identifiers(first, second)
    for check in FIELD_CHECKS:
        flag = check(first, second)
        if flag:
            flags.append(flag)
    return flags


def _flag_points(flag: Agreement | Conflict, year_gap: int | None) -> float:
    if flag is Conflict.YEARS:
        return YEAR_GAP_POINTS.get(year_gap or 0, FAR_YEARS_POINTS)
    return POINTS.get(flag, 0.0)


def _points(flags: list[Agreement | Conflict], year_gap: int | None) -> float:
    return sum(_flag_points(flag, year_gap) for flag in flags)


def contradicts(first: PreparedRecord, second: PreparedRecord) -> bool:
    """Whether two records cannot be one paper whatever their titles say.

    Used before joining two groups, for every pair of their records: it keeps
    copies lacking the telling fields from chaining two papers together. Only
    what speaks against one paper counts here, as agreements between other
    records already brought the groups this far; a possible conference
    abstract alone does not.
    """
    against = 0.0
    for flag in _identifiers(first, second):
        if flag in IDENTIFIERS_DIFFER:
            return True
        against += min(0.0, POINTS.get(flag, 0.0))
    year_gap = _year_gap(first, second)
    for check in CONTRADICTION_CHECKS:
        if check is _wording and against + POINTS[Conflict.WORDING] > CONTRADICTION_SCORE:
            return False
        flag = check(first, second)
        if flag in ANOTHER_PAPER:
            return True
        if flag and flag is not Conflict.MAYBE_MEETING:
            against += min(0.0, _flag_points(flag, year_gap))
            if against <= CONTRADICTION_SCORE:
                return True
    return False


def _verdict(score: float, flags: list[Agreement | Conflict]) -> Verdict | None:
    """Points to a verdict; a sign of another paper or other identifiers never merge."""
    identified = not IDENTIFIERS_AGREE.isdisjoint(flags)
    differ = not IDENTIFIERS_DIFFER.isdisjoint(flags)
    if ANOTHER_PAPER.intersection(flags):
        return Verdict.UNCERTAIN if identified else None
    if differ and not identified:
        return Verdict.UNCERTAIN if score >= 2 * MERGE_SCORE else None
    if differ:
        return Verdict.UNCERTAIN  # one identifier the same, the other not
    if CAUTIONS.isdisjoint(flags) or not CORROBORATIONS.isdisjoint(flags):
        if score >= MERGE_SCORE:
            return Verdict.MERGE
    elif Conflict.WORDING in flags:
        return None  # a word of the title replaced, nothing to say it is one paper: the authors' next paper
    elif any(_flag_points(flag, None) < 0 for flag in flags if flag not in CAUTIONS):
        return None  # marked as an abstract, and something else differs too: the abstract and the paper
    if score > DIFFERENT_SCORE or not any(isinstance(flag, Conflict) for flag in flags):
        return Verdict.UNCERTAIN  # close titles and nothing against them: too little to tell, a person decides
    return None


def compare(first: PreparedRecord, second: PreparedRecord, similarity: float | None = None) -> Comparison:
    """Compare two records (`similarity`: their title similarity if already known)."""
    if similarity is None:
        similarity = title_similarity(first, second)
    flags = _field_flags(first, second)
    if similarity < UNCERTAIN_TITLE_SIMILARITY and IDENTIFIERS_AGREE.isdisjoint(flags):
        return Comparison(similarity, None)
    if similarity < IDENTIFIER_TITLE_SIMILARITY:
        flags.append(Conflict.TITLES)
    year_gap = _year_gap(first, second)
    score = _title_points(similarity, first.title_key) + _points(flags, year_gap)
    agreements = tuple(flag for flag in flags if isinstance(flag, Agreement))
    conflicts = tuple(flag for flag in flags if isinstance(flag, Conflict))
    return Comparison(similarity, _verdict(score, flags), agreements, conflicts, score, year_gap)
