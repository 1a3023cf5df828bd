"""Normalising bibliographic fields so that exports of one paper compare equal.

Real exports of the same article differ in case, punctuation, HTML entities and
tags, diacritics, Greek letters spelt out or not, a leading article ("The"),
author name order and initials, author lists run together in one field,
journal abbreviations and Embase's conference suffixes, DOIs written as
resolver URLs, abbreviated page ranges ('221-8') and placeholders such as
'NA' or '(no pagination)' where a value is missing. Everything here turns a
field into a comparison key; nothing changes the stored record.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from urllib.parse import unquote

INLINE_TAG = re.compile(r"</?(?:i|b|u|em|strong|sub|sup|span|small|scp)\b[^<>]{0,40}>", re.IGNORECASE)
HTML_TAG = re.compile(r"</?[A-Za-z][^<>]{0,40}>")
NON_ALNUM = re.compile(r"[^a-z0-9]+")
DIGITS = re.compile(r"\d+")
YEAR_LIKE = re.compile(r"(?:18|19|20)\d\d")
UMLAUT_E = re.compile(r"(?<=[aou])e")
SIMPLE_NAME = re.compile(r"[^;|&,]*")  # no list separators: one name unless names run together
RUN_TOGETHER = re.compile(r"\.[^\W\d_]{2}")
ET_AL = re.compile(r"[,;]?\s*\bet\.?\s*al\b\.?", re.IGNORECASE)
THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
ROMAN_NUMERALS = {
    "i": "1",
    "ii": "2",
    "iii": "3",
    "iv": "4",
    "v": "5",
    "vi": "6",
    "vii": "7",
    "viii": "8",
    "ix": "9",
    "x": "10",
}
SURE_ROMAN_NUMERALS = frozenset({"ii", "iii"})  # others are also abbreviations ('iv' = intravenous)
NUMBER_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7"}
NUMBER_WORDS.update({"eight": "8", "nine": "9", "ten": "10"})
NUMERIC_WORDS = frozenset(NUMBER_WORDS) | frozenset(ROMAN_NUMERALS)
SERIES_WORDS = frozenset({"part", "phase", "type", "stage", "class", "grade", "study", "series", "volume", "trial"})
NOTICE_WORDS = frozenset(
    {
        "erratum",
        "errata",
        "corrigendum",
        "correction",
        "retraction",
        "retracted",
        "withdrawn",
        "comment",
        "commentary",
        "reply",
        "response",
        "letter",
        "editorial",
    }
)
NOTICE_PATTERN = re.compile(
    r"(?P<correction>\(\s*vol\.?\s*\d+\s*,?\s*(?:pg|pp?)\.?\s*\w+)"  # WoS: '... (vol 33, pg 221, 2012)'
    r"|(?P<comment>^\W*(?:the\s+)?re(?:\s*:|\s+-\s|\s+(?=[\"'“‘(\[]?\w)))"  # letters: 'Re: <title>'
    r"|(?P<retraction>expression of concern)",
    re.IGNORECASE,
)
MISSING_VALUES = frozenset(
    {
        "na",
        "n a",
        "nan",
        "none",
        "null",
        "nil",
        "unknown",
        "not available",
        "not applicable",
        "no pagination",
        "var pagings",
        "var pagination",
        "no abstract",
        "no abstract available",
        "abstract not available",
        "no authors listed",
        "anonymous",
        "anon",
        "et al",
    }
)
SQUASHED_MISSING = frozenset(value.replace(" ", "") for value in MISSING_VALUES) | {""}
MAX_PLACEHOLDER = 40  # characters; longer values are never placeholders
ASCII_NOT_ALNUM = [chr(code) for code in range(128) if not chr(code).isalnum()]
ASCII_PUNCTUATION = str.maketrans("", "", "".join(ASCII_NOT_ALNUM))
ASCII_TO_SPACE = str.maketrans(dict.fromkeys(ASCII_NOT_ALNUM, " "))
COLLECTIVE_WORDS = frozenset(
    {
        "group",
        "groups",
        "study",
        "studies",
        "trial",
        "trialists",
        "consortium",
        "committee",
        "society",
        "association",
        "network",
        "team",
        "council",
        "foundation",
        "institute",
        "organization",
        "organisation",
        "party",
        "panel",
        "board",
        "taskforce",
        "force",
        "behalf",
        "collaboration",
        "collaborative",
        "collaborators",
        "investigators",
        "writing",
    }
)
SURNAME_PARTICLES = frozenset(
    {
        "le",
        "la",
        "de",
        "del",
        "della",
        "di",
        "da",
        "dos",
        "du",
        "van",
        "von",
        "der",
        "den",
        "ten",
        "ter",
    }
)
JOURNAL_STOPWORDS = frozenset({"of", "the", "and", "for", "in", "on", "de", "la", "und", "der"})
# Embase appends the meeting to the journal ('Circulation. Conference: American Heart Association ...').
CONFERENCE_SUFFIX = re.compile(
    r"(?:[.:;,]|\s-)\s*(?:conference|meeting|congress|symposium|abstracts?|poster|proceedings)\b.*$", re.IGNORECASE
)
SUBTITLE = re.compile(r"\s*(?::|\s[-–]\s).*$")
PARENTHESES = re.compile(r"\s*[(\[][^()\[\]]*[)\]]")  # MEDLINE's 'BMJ (Clinical research ed.)'
SUPPLEMENT_WORDS = frozenset({"supplement", "supplements", "suppl", "supplementum", "supp"})
MEETING_WORDS = frozenset({"conference", "congress", "meeting", "symposium", "abstracts", "abstract", "poster"})
MEETING_TYPES = frozenset(
    {"abst", "conf", "cpaper", "conference abstract", "meeting abstract", "conference paper", "conference review"}
)
SPECIAL_LETTERS = str.maketrans(
    {
        "ø": "o",
        "æ": "ae",
        "å": "a",
        "ß": "ss",
        "ł": "l",
        "đ": "d",
        "þ": "th",
        "œ": "oe",
        "α": "alpha",
        "β": "beta",
        "γ": "gamma",
        "δ": "delta",
        "ε": "epsilon",
        "ζ": "zeta",
        "η": "eta",
        "θ": "theta",
        "ι": "iota",
        "κ": "kappa",
        "λ": "lambda",
        "μ": "mu",
        "µ": "mu",
        "ν": "nu",
        "ξ": "xi",
        "π": "pi",
        "ρ": "rho",
        "σ": "sigma",
        "ς": "sigma",
        "τ": "tau",
        "υ": "upsilon",
        "φ": "phi",
        "χ": "chi",
        "ψ": "psi",
        "ω": "omega",
    }
)
DOI_IN_TEXT = re.compile(r"10\.\d{4,9}/[^\s\"<>]+", re.IGNORECASE)
PMID = re.compile(r"(?:pmid|pubmed id|medline)?\s*:?\s*(\d{1,9})", re.IGNORECASE)
PAGE_PREFIX = re.compile(r"^\s*(?:pp?\.?|pages?|page)\s*(?=[a-z]?\d)", re.IGNORECASE)
PAGE_RANGE = re.compile(r"^([a-z]{0,2})(\d+)[a-z]?(?:\s*[-–—]+\s*([a-z]{0,2})(\d+)[a-z]?)?", re.IGNORECASE)


def fold(text: str | None) -> str:
    """Lower-case ASCII text without HTML entities, tags or diacritics; Greek letters spelt out."""
    if not text:
        return ""
    text = str(text)
    if "&" in text:
        text = html.unescape(html.unescape(text))
    if "<" in text:
        text = HTML_TAG.sub(" ", INLINE_TAG.sub("", text))
    text = text.lower()
    if text.isascii():
        return text
    # keys keep only ASCII letters and digits, so accents (and any other non-ASCII) can go at once
    return unicodedata.normalize("NFKD", text.translate(SPECIAL_LETTERS)).encode("ascii", "ignore").decode("ascii")


def words_of(text: str) -> list[str]:
    """Lower-case words of ASCII letters and digits (what NON_ALNUM leaves)."""
    return fold(text).translate(ASCII_TO_SPACE).split()


def is_missing(value: object) -> bool:
    """Whether a field is empty or a placeholder for a missing value ('NA', '(no pagination)', 'Anonymous')."""
    if value is None:
        return True
    text = str(value)
    return len(text) <= MAX_PLACEHOLDER and _is_placeholder(text)


@functools.lru_cache(maxsize=1 << 16)
def _is_placeholder(text: str) -> bool:
    if not text.isascii():
        return False
    return text.lower().translate(ASCII_PUNCTUATION) in SQUASHED_MISSING


def present(value: object) -> str:
    """The field as text, '' when it is missing or a placeholder."""
    return "" if is_missing(value) else str(value)


def normalise_title(title: str | None) -> str:
    """Words of a title, punctuation and a leading 'the/a/an' removed."""
    words = words_of(title or "")
    key = " ".join(words[1:] if words and words[0] in ("the", "a", "an") and len(words) > 1 else words)
    return "" if key in MISSING_VALUES else key


def title_numbers(title_key: str) -> tuple[str, ...]:
    """Numbers in a normalised title in order, repeats kept ('part ii' = 'part 2', '10mg', 'two-year' = '2-year').

    Roman numerals count after words that number a series ('part i', 'type iv'),
    at the end of the title, and 'ii'/'iii' anywhere, so that 'Part I' and
    'Part II' differ while 'iv' (intravenous) in a title is a word.
    """
    words = title_key.split()
    if NUMERIC_WORDS.isdisjoint(words) and not DIGITS.search(title_key):
        return ()
    numbers = []
    for position, word in enumerate(words):
        if not word.isalpha():
            numbers.extend(DIGITS.findall(word))
        elif word in NUMBER_WORDS:
            numbers.append(NUMBER_WORDS[word])
        elif word in ROMAN_NUMERALS and (
            word in SURE_ROMAN_NUMERALS
            or (position and words[position - 1] in SERIES_WORDS)
            or (position == len(words) - 1 > 0 and len(word) > 1)
        ):
            numbers.append(ROMAN_NUMERALS[word])
    return tuple(number.lstrip("0") or "0" for number in numbers)


def title_for_numbers(title: str | None) -> str:
    """The normalised title with thousands separators dropped first ('1,000' = '1000')."""
    text = present(title)
    return normalise_title(THOUSANDS.sub("", text) if "," in text else text)


def notice_words(title_key: str, title: str | None = None) -> frozenset[str]:
    """Words that mark a notice about a paper (erratum, comment, reply) rather than the paper.

    Notices say so at the start ('Erratum: ...', 'Reply to ...', 'In reply') or
    at the end ('... [Erratum]'); the same words inside a title ('Blood pressure
    response to ...') are part of it. With the raw `title`, also Web of
    Science's corrections ('... (vol 33, pg 221, 2012)'), letters titled 'Re:
    ...' and expressions of concern.
    """
    words = title_key.split()
    found = set(NOTICE_WORDS.intersection(words[:2] + words[-1:]))
    if title and _may_hold_notice_pattern(title.lower()):
        found.update(match.lastgroup for match in NOTICE_PATTERN.finditer(title) if match.lastgroup)
    return frozenset(found)


def _may_hold_notice_pattern(lowered: str) -> bool:
    return "vol" in lowered or "concern" in lowered or lowered.lstrip(" \"'[(").startswith(("re", "the re"))


DOTTED_INITIALS = re.compile(r"(?:[A-Z]\.-?){2,}")


def _looks_like_initials(token: str) -> bool:
    letters = token.replace(".", "").replace("-", "")
    return (
        len(letters) == 1
        or (len(letters) <= 3 and letters.isalpha() and letters.isupper())
        or DOTTED_INITIALS.fullmatch(token) is not None
    )


def _has_surname(text: str) -> bool:
    words = (word for word in re.split(r"[\s,.]+", text) if word.replace("-", "").replace("'", "").isalpha())
    return any(len(word) > 1 and not _looks_like_initials(word) for word in words)


def _run_together(text: str) -> list[str]:
    """'Adeli K.Lewis G. F.' -> ['Adeli K.', 'Lewis G. F.']: names an export wrote without separators.

    A name starts after an initial's full stop where a word of two or more
    letters follows at once; both sides must keep a surname, so 'J.Y.Douillard'
    stays one name.
    """
    pieces, start = [], 0
    for position in range(1, len(text) - 1):
        if text[position - 1] == "." and text[position].isalpha() and text[position + 1].isalpha():
            head, tail = text[start:position], text[position:]
            if _has_surname(head) and _has_surname(tail):
                pieces.append(head.strip())
                start = position
    pieces.append(text[start:].strip())
    return pieces


def _comma_list(text: str) -> list[str]:
    """'Smith J, Jones K' -> two names; 'Le Chevalier, T.' stays one ('surname, initials')."""
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if len(parts) < 2:
        return [text]
    with_initials = sum(_initials_at_an_end(part.split()) for part in parts)
    if all(len(part.split()) >= 2 for part in parts) and 3 * with_initials >= 2 * len(parts):
        return parts
    if len(parts) >= 4 and len(parts) % 2 == 0 and all(_looks_like_initials(part) for part in parts[1::2]):
        return [f"{surname}, {given}" for surname, given in zip(parts[::2], parts[1::2])]
    return [text]


def _initials_at_an_end(tokens: list[str]) -> bool:
    return _looks_like_initials(tokens[0]) or _looks_like_initials(tokens[-1])


def split_author_field(name: str) -> tuple[str, ...]:
    """One author field as the names it holds: ';' or ' and ' lists, comma lists, names run together."""
    if _one_name(name):
        return (name,)
    return _split_author_list(name)


def _one_name(name: str) -> bool:
    """The common case, decided quickly: no list separator, no names run together."""
    if " and " in name or "et al" in name or RUN_TOGETHER.search(name):
        return False
    if SIMPLE_NAME.fullmatch(name):
        return True
    surname, comma, given = name.partition(",")
    return bool(comma) and SIMPLE_NAME.fullmatch(given) is not None and " " not in given.strip()


@functools.lru_cache(maxsize=1 << 16)
def _split_author_list(name: str) -> tuple[str, ...]:
    names = []
    for part in re.split(r"\s*(?:;|\||\band\b|&)\s*", ET_AL.sub("", name)):
        if part.strip():
            for piece in _run_together(part.strip()):
                names.extend(_comma_list(piece))
    return tuple(names) or (name,)


@functools.lru_cache(maxsize=1 << 18)
def author_key(name: str | None) -> tuple[str, str]:
    """(surname, initials) of an author however the export wrote the name.

    Handles 'Le Chevalier, T.', 'T Le Chevalier', 'Le Chevalier T', 'Lewis G. F.',
    'Thomas Le Chevalier' and upper-case variants: the surname loses spaces,
    hyphens and accents (and the 'e' of a transliterated umlaut: Mueller =
    Müller); initials are the first letters of the given names.
    """
    surname, given_tokens = _name_parts(name or "")
    initials = "".join(_initials_of(token) for token in given_tokens)
    return _surname_key(surname), NON_ALNUM.sub("", fold(initials))


def _surname_key(surname: str) -> str:
    key = "".join(words_of(surname))
    if "ae" in key or "oe" in key or "ue" in key:
        key = UMLAUT_E.sub("", key)
    return key


def _name_parts(name: str) -> tuple[str, list[str]]:
    """(surname, given-name tokens) of one author's name, whichever order the export wrote them in."""
    text = name
    if "&" in text or "<" in text:
        text = HTML_TAG.sub(" ", html.unescape(text))
    text = " ".join(text.split())
    if not text:
        return "", []
    if "," in text:
        surname, _, given = text.partition(",")
        return surname, given.replace(".", " ").split()
    tokens = text.split()
    leading = 0
    while leading < len(tokens) - 1 and _looks_like_initials(tokens[leading]):
        leading += 1
    trailing = len(tokens)
    while trailing > 1 and _looks_like_initials(tokens[trailing - 1]):
        trailing -= 1
    if trailing < len(tokens) and not (leading and len(tokens[0].replace(".", "")) == 1):
        return " ".join(tokens[:trailing]), tokens[trailing:]
    if leading:
        return " ".join(tokens[leading:]), tokens[:leading]
    start = len(tokens) - 1
    while start > 1 and tokens[start - 1].lower() in SURNAME_PARTICLES:
        start -= 1
    return " ".join(tokens[start:]), tokens[:start]


def _initials_of(token: str) -> str:
    letters = token.replace(".", "").replace("-", "")
    if letters.isupper() and len(letters) <= 3:
        return letters
    return letters[:1]


def is_collective(name: str) -> bool:
    """A group author ('ACCORD Study Group', 'on behalf of the investigators'): no evidence about people."""
    if " " not in name:
        return False
    words = words_of(name)
    return len(words) > 1 and not COLLECTIVE_WORDS.isdisjoint(words)


def author_surnames(authors: list[str] | None, limit: int = 10) -> tuple[str, ...]:
    """Surname keys of the first `limit` authors; placeholders, 'et al.' and group authors left out."""
    surnames: list[str] = []
    for field in authors or []:
        for name in split_author_field(str(field)):
            if len(surnames) == limit:
                return tuple(surnames)
            surname = _surname(name)
            if surname:
                surnames.append(surname)
    return tuple(surnames)


@functools.lru_cache(maxsize=1 << 18)
def _surname(name: str) -> str:
    """The surname key, '' for a placeholder ('Anonymous', 'NA') or a group author."""
    words = name.lower().translate(ASCII_TO_SPACE).split()
    if "".join(words) in SQUASHED_MISSING or (len(words) > 1 and not COLLECTIVE_WORDS.isdisjoint(words)):
        return ""
    return _surname_key(_name_parts(name)[0])


@functools.lru_cache(maxsize=1 << 16)
def journal_key(journal: str | None) -> tuple[tuple[str, ...], bool]:
    """(journal name words without stopwords, whether the venue is a meeting or supplement).

    'Endocrine Reviews. Conference: 94th Annual Meeting ...' -> ((endocrine,
    reviews), True); 'BMJ (Clinical research ed.)' -> ((bmj,), False);
    'J Hypertens Suppl' -> ((j, hypertens), True).
    """
    text = present(journal)
    if not text:
        return (), False
    base = CONFERENCE_SUFFIX.sub("", text)
    meeting = base != text
    base = PARENTHESES.sub("", base) or base
    tokens = [token for token in NON_ALNUM.sub(" ", fold(base)).split() if token not in JOURNAL_STOPWORDS]
    meeting = meeting or not MEETING_WORDS.isdisjoint(tokens)
    kept = [token for token in tokens if token not in SUPPLEMENT_WORDS]
    return tuple(kept or tokens), meeting or len(kept) < len(tokens)


@functools.lru_cache(maxsize=1 << 16)
def journal_main_title(journal: str | None) -> tuple[str, ...]:
    """The journal's name words before a subtitle: 'JAMA - Journal of the American Medical Association' -> (jama,).

    Embase gives 'Headache: The Journal of Head and Face Pain' where MEDLINE has 'Headache'.
    """
    text = CONFERENCE_SUFFIX.sub("", present(journal))
    main = SUBTITLE.sub("", text)
    return journal_key(main)[0] if main and main != text else journal_key(journal)[0]


def journal_tokens(journal: str | None) -> tuple[str, ...]:
    """Journal name words without stopwords: 'J. Am. Med. Assoc.' -> (j, am, med, assoc)."""
    return journal_key(journal)[0]


def _abbreviates(short: str, full: str) -> bool:
    """True when `short` could abbreviate `full`: same first letter, letters in order."""
    if short == full:
        return True
    if short[0] != full[0] or len(short) > len(full):
        return False
    letters = iter(full)
    return all(char in letters for char in short)


@functools.lru_cache(maxsize=1 << 16)
def journals_compatible(first: tuple[str, ...], second: tuple[str, ...]) -> bool:
    """Whether two journal names can be the same journal, allowing abbreviations.

    Every word of the shorter name must abbreviate a word of the longer one, in
    order ('J Am Med Assoc' ~ 'Journal of the American Medical Association'),
    or the shorter name is the longer one's acronym ('JAMA').
    """
    short, full = sorted((first, second), key=len)
    if len(short) == 1 and len(full) > 1 and short[0] == "".join(token[0] for token in full):
        return True  # an acronym: JAMA, BMJ, NEJM
    if not short or len(full) != len(short):
        return False
    return all(_abbreviates(*sorted(words, key=len)) for words in zip(first, second))


@functools.lru_cache(maxsize=1 << 10)
def is_meeting_type(reference_type: str | None) -> bool:
    """Whether a reference type says conference abstract or paper (RIS 'ABST', 'CONF', Embase's wording)."""
    return " ".join(NON_ALNUM.sub(" ", fold(reference_type)).split()) in MEETING_TYPES


@functools.lru_cache(maxsize=1 << 12)
def is_supplement_issue(issue: str | None) -> bool:
    """Whether an issue is a supplement ('21 SUPPL. 1', 'Suppl 2', '3 S')."""
    words = NON_ALNUM.sub(" ", fold(present(issue))).split()
    return not SUPPLEMENT_WORDS.isdisjoint(words) or (len(words) > 1 and words[-1] in ("s", "s1", "s2"))


@functools.lru_cache(maxsize=1 << 16)
def page_range(pages: str | None) -> tuple[str, str]:
    """(first page, last page), abbreviated ends expanded: '221-8' -> ('221', '228'); '' when unknown.

    Letters before a page ('S12-8', 'e0123', 'A45') are kept on both ends;
    'pp.' and placeholders ('NA', '(no pagination)') are dropped.
    """
    text = PAGE_PREFIX.sub("", present(pages).strip().lower())
    match = PAGE_RANGE.match(text)
    if not match:
        first = re.split(r"[-–—,;\s]+", text, maxsplit=1)[0] if text else ""
        key = NON_ALNUM.sub("", first)
        return key, key
    prefix, start, end_prefix, end = match.groups()
    first = (prefix + start).lstrip("0") or "0"
    if not end:
        return first, first
    if len(end) < len(start):
        end = start[: len(start) - len(end)] + end
    if int(end) <= int(start):
        return first, first
    return first, ((end_prefix or prefix) + end).lstrip("0")


def start_page(pages: str | None) -> str:
    """The first page as digits/letters ('e123', '1097'), '' when unknown."""
    return page_range(pages)[0]


def volume_key(volume: str | None) -> str:
    """The volume's number ('33', 'Vol. 33 Suppl 1' -> '33'), '' when unknown or a year standing in for it."""
    match = DIGITS.search(present(volume))
    number = match.group(0).lstrip("0") if match else ""
    return "" if YEAR_LIKE.fullmatch(number) else number


def doi_key(*values: str | None) -> str:
    """The DOI in the first value that holds one, lower case, whatever form it was written in.

    Accepts bare DOIs, 'doi:' prefixes and resolver URLs ('http://dx.doi.org/10...'),
    URL-encoded ones ('%2F', '%28'), and trailing punctuation or '[doi]'.
    """
    for value in values:
        text = present(value)
        if "%" in text:
            text = unquote(text)
        match = DOI_IN_TEXT.search(text)
        if match:
            doi = match.group(0).lower()
            while doi[-1] in ".,;:]'" or (doi[-1] == ")" and doi.count("(") < doi.count(")")):
                doi = doi[:-1]
            return doi
    return ""


def pmid_key(value: str | int | None) -> str:
    """A PubMed id as digits ('PMID: 123' -> '123'), '' for placeholders or anything else."""
    match = PMID.fullmatch(present(value).strip())
    return match.group(1).lstrip("0") if match else ""


ABSTRACT_LABELS = frozenset(
    {
        "abstract",
        "background",
        "introduction",
        "context",
        "objective",
        "objectives",
        "aim",
        "aims",
        "purpose",
        "methods",
        "method",
        "design",
        "setting",
        "participants",
        "patients",
        "interventions",
        "measurements",
        "results",
        "findings",
        "conclusion",
        "conclusions",
        "interpretation",
    }
)
ABSTRACT_PREFIX = 300


def abstract_key(abstract: str | None) -> str:
    """The start of an abstract as plain words, section labels ('BACKGROUND:') left out.

    Only the start is kept: exports cut long abstracts and append copyright
    lines, but copies of one abstract begin alike. Label words are dropped
    wherever they are, so that a copy with labels and one without compare equal.
    """
    text = present(abstract)
    if not text:
        return ""
    words = words_of(text[: ABSTRACT_PREFIX + ABSTRACT_PREFIX // 2])
    return " ".join(word for word in words if word not in ABSTRACT_LABELS)[:ABSTRACT_PREFIX]
