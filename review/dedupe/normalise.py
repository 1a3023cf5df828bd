"""Normalising bibliographic fields so that exports of one paper compare equal.

Real exports of the same article differ in case, punctuation, HTML entities and
tags, diacritics, a leading article ("The"), author name order and initials,
and journal abbreviations. Everything here turns a field into a comparison key;
nothing changes the stored record.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata

HTML_TAG = re.compile(r"</?[A-Za-z][^<>]{0,40}>")
NON_ALNUM = re.compile(r"[^a-z0-9]+")
LEADING_ARTICLE = re.compile(r"^(?:the|a|an) ")
ROMAN_NUMERALS = frozenset({"ii", "iii", "iv", "vi", "vii", "viii", "ix", "xi", "xii"})
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
    }
)


def fold(text: str | None) -> str:
    """Lower-case ASCII text without HTML entities, tags or diacritics."""
    if not text:
        return ""
    text = str(text)
    if "&" in text:
        text = html.unescape(html.unescape(text))
    if "<" in text:
        text = HTML_TAG.sub(" ", text)
    text = text.lower()
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKD", text.translate(SPECIAL_LETTERS))
    return "".join(char for char in text if not unicodedata.combining(char))


def normalise_title(title: str | None) -> str:
    """Words of a title, punctuation and a leading 'the/a/an' removed."""
    text = " ".join(NON_ALNUM.sub(" ", fold(title)).split())
    return LEADING_ARTICLE.sub("", text)


def title_numbers(title_key: str) -> tuple[str, ...]:
    """Numbers and roman numerals in a normalised title, repeats kept ('part ii', '10 mg', '2-year')."""
    return tuple(sorted(token for token in title_key.split() if token.isdigit() or token in ROMAN_NUMERALS))


def notice_words(title_key: str) -> frozenset[str]:
    """Words that mark a notice about a paper (erratum, comment, reply) rather than the paper."""
    return NOTICE_WORDS.intersection(title_key.split())


def _looks_like_initials(token: str) -> bool:
    letters = token.replace(".", "").replace("-", "")
    return len(letters) == 1 or (len(letters) <= 3 and letters.isalpha() and letters.isupper())


@functools.lru_cache(maxsize=1 << 18)
def author_key(name: str | None) -> tuple[str, str]:
    """(surname, initials) of an author however the export wrote the name.

    Handles 'Le Chevalier, T.', 'T Le Chevalier', 'Le Chevalier T', 'Thomas Le
    Chevalier' and upper-case variants: the surname loses spaces, hyphens and
    accents; initials are the first letters of the given names.
    """
    text = " ".join(HTML_TAG.sub(" ", html.unescape(name or "")).split())
    if not text:
        return "", ""
    if "," in text:
        surname, _, given = text.partition(",")
        given_tokens = given.replace(".", " ").split()
    else:
        tokens = text.split()
        leading = 0
        while leading < len(tokens) - 1 and _looks_like_initials(tokens[leading]):
            leading += 1
        if len(tokens) > 1 and _looks_like_initials(tokens[-1]):
            given_tokens, surname = tokens[-1:], " ".join(tokens[:-1])
        elif leading:
            given_tokens, surname = tokens[:leading], " ".join(tokens[leading:])
        else:
            start = len(tokens) - 1
            while start > 1 and tokens[start - 1].lower() in SURNAME_PARTICLES:
                start -= 1
            given_tokens, surname = tokens[:start], " ".join(tokens[start:])
    initials = "".join(_initials_of(token) for token in given_tokens)
    return NON_ALNUM.sub("", fold(surname)), NON_ALNUM.sub("", fold(initials))


def _initials_of(token: str) -> str:
    letters = token.replace(".", "").replace("-", "")
    if letters.isupper() and len(letters) <= 3:
        return letters
    return letters[:1]


def author_surnames(authors: list[str] | None, limit: int = 10) -> tuple[str, ...]:
    """Surname keys of the first `limit` authors, 'et al.' and blanks left out."""
    return tuple(surname for surname in map(_surname, (authors or [])[:limit]) if surname)


@functools.lru_cache(maxsize=1 << 18)
def _surname(name: str) -> str:
    if NON_ALNUM.sub("", fold(name)) in ("etal", "anonymous"):
        return ""
    return author_key(name)[0]


def journal_tokens(journal: str | None) -> tuple[str, ...]:
    """Journal name words without stopwords: 'J. Am. Med. Assoc.' -> (j, am, med, assoc)."""
    return tuple(token for token in NON_ALNUM.sub(" ", fold(journal)).split() if token not in JOURNAL_STOPWORDS)


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
    or the shorter name is the longer one's acronym ('JAMA'). A supplement or
    section ('... Supplement') is another venue.
    """
    short, full = sorted((first, second), key=len)
    if len(short) == 1 and len(full) > 1 and short[0] == "".join(token[0] for token in full):
        return True  # an acronym: JAMA, BMJ, NEJM
    if not short or len(full) != len(short):
        return False
    return all(_abbreviates(*sorted(words, key=len)) for words in zip(first, second))


def start_page(pages: str | None) -> str:
    """The first page as digits/letters ('e123', '1097'), '' when unknown."""
    if not pages:
        return ""
    first = re.split(r"[-–—,;\s]+", str(pages).strip(), maxsplit=1)[0]
    return NON_ALNUM.sub("", first.lower()).lstrip("0")
