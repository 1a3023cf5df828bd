"""PubMed's MEDLINE format (`.nbib`, `.txt` from 'Send to: citation manager').

Tags are up to four letters padded to four characters and followed by '- ';
continuation lines are indented by six spaces; records are separated by blank
lines and start with `PMID-`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from review.errors import ImportFormatError
from review.importers.model import (
    FileFormat,
    ParsedRecord,
    RecordStream,
    Warnings,
    clean_text,
    normalise_doi,
    parse_year,
)
from review.importers.text import decode, first_line

TAG_LINE = re.compile(r"^([A-Z][A-Z0-9]{0,3}) {0,3}- ?(.*)$")
CONTINUATION = re.compile(r"^\s{2,}(\S.*)$")


def looks_like_medline(text: str) -> bool:
    return first_line(text).startswith("PMID-")


def _scan(lines: Iterable[tuple[int, str]], file: str) -> Iterator[tuple[int, list[list[str]]]]:
    current: list[list[str]] | None = None
    start = 0
    for number, line in lines:
        line = line.rstrip()
        if not line.strip():
            if current:
                yield start, current
            current = None
            continue
        tag_match = TAG_LINE.match(line)
        continuation = CONTINUATION.match(line)
        if continuation and current:
            current[-1][1] = f"{current[-1][1]} {continuation.group(1)}"
        elif tag_match:
            tag, value = tag_match.group(1), tag_match.group(2).strip()
            if tag == "PMID" or current is None:
                if tag != "PMID":
                    raise ImportFormatError(file, f"tag {tag} before the record's PMID line", line=number)
                if current:
                    yield start, current
                current, start = [], number
            current.append([tag, value])
        else:
            raise ImportFormatError(file, f"not a MEDLINE tag line: {line.strip()[:60]!r}", line=number)
    if current:
        yield start, current


def _values(pairs: list[list[str]], tag: str) -> list[str]:
    return [value for name, value in pairs if name == tag]


def _first(pairs: list[list[str]], *tags: str) -> str | None:
    for tag in tags:
        values = _values(pairs, tag)
        if values:
            return values[0]
    return None


def _to_record(pairs: list[list[str]], line: int) -> ParsedRecord:
    ids = _values(pairs, "LID") + _values(pairs, "AID")
    doi = next((normalise_doi(value) for value in ids if "[doi]" in value), None)
    return ParsedRecord(
        raw=pairs,
        raw_format=FileFormat.MEDLINE,
        title=clean_text(_first(pairs, "TI", "BTI")),
        abstract=clean_text(_first(pairs, "AB")),
        authors=_texts(_values(pairs, "FAU") or _values(pairs, "AU")),
        year=parse_year(_first(pairs, "DP", "DEP")),
        journal=clean_text(_first(pairs, "JT", "TA")),
        volume=clean_text(_first(pairs, "VI")),
        issue=clean_text(_first(pairs, "IP")),
        pages=clean_text(_first(pairs, "PG")),
        doi=doi,
        pmid=clean_text(_first(pairs, "PMID")),
        keywords=_texts(_values(pairs, "OT") + _values(pairs, "MH")),
        type=clean_text(_first(pairs, "PT")),
        language=clean_text(_first(pairs, "LA")),
        source_id=clean_text(_first(pairs, "PMID")),
        line=line,
    )


def _texts(values: list[str]) -> list[str]:
    """Values cleaned like every other text field, empty ones left out."""
    return [text for text in map(clean_text, values) if text]


def iter_medline(lines: Iterable[tuple[int, str]], file: str) -> Iterator[ParsedRecord]:
    found = False
    for line, pairs in _scan(lines, file):
        found = True
        yield _to_record(pairs, line)
    if not found:
        raise ImportFormatError(file, "no MEDLINE records found (no line starting with 'PMID-')")


def read_medline(data: bytes, file: str) -> RecordStream:
    warnings = Warnings()
    text = decode(data, file, warnings)
    return RecordStream(file, FileFormat.MEDLINE, text.encoding, iter_medline(text.lines(), file), warnings)
