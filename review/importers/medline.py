"""PubMed's MEDLINE format (`.nbib`, `.txt` from 'Send to: citation manager').

Tags are up to four letters padded to four characters and followed by '- ';
continuation lines are indented by six spaces; records are separated by blank
lines and start with `PMID-`.
"""

from __future__ import annotations

import re

from review.errors import ImportFormatError
from review.importers.model import ParsedRecord, ParseResult, clean_text, decode, normalise_doi, parse_year

TAG_LINE = re.compile(r"^([A-Z][A-Z0-9]{0,3}) {0,3}- ?(.*)$")
CONTINUATION = re.compile(r"^\s{2,}(\S.*)$")


def looks_like_medline(text: str) -> bool:
    first = next((line for line in text.splitlines() if line.strip()), "")
    return first.startswith("PMID-")


def _scan(text: str, file: str) -> list[list[list[str]]]:
    records: list[list[list[str]]] = []
    current: list[list[str]] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.rstrip()
        if not line.strip():
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
                current = []
                records.append(current)
            current.append([tag, value])
        else:
            raise ImportFormatError(file, f"not a MEDLINE tag line: {line.strip()[:60]!r}", line=number)
    return records


def _values(pairs: list[list[str]], tag: str) -> list[str]:
    return [value for name, value in pairs if name == tag]


def _first(pairs: list[list[str]], *tags: str) -> str | None:
    for tag in tags:
        values = _values(pairs, tag)
        if values:
            return values[0]
    return None


def _to_record(pairs: list[list[str]]) -> ParsedRecord:
    ids = _values(pairs, "LID") + _values(pairs, "AID")
    doi = next((normalise_doi(value) for value in ids if "[doi]" in value), None)
    return ParsedRecord(
        raw=pairs,
        raw_format="medline",
        title=clean_text(_first(pairs, "TI", "BTI")),
        abstract=clean_text(_first(pairs, "AB")),
        authors=_values(pairs, "FAU") or _values(pairs, "AU"),
        year=parse_year(_first(pairs, "DP", "DEP")),
        journal=clean_text(_first(pairs, "JT", "TA")),
        volume=_first(pairs, "VI"),
        issue=_first(pairs, "IP"),
        pages=_first(pairs, "PG"),
        doi=doi,
        pmid=_first(pairs, "PMID"),
        keywords=_values(pairs, "OT") + _values(pairs, "MH"),
        type=_first(pairs, "PT"),
        language=_first(pairs, "LA"),
        source_id=_first(pairs, "PMID"),
    )


def read_medline(data: bytes, file: str) -> ParseResult:
    text, encoding = decode(data, file)
    records = [_to_record(pairs) for pairs in _scan(text, file)]
    if not records:
        raise ImportFormatError(file, "no MEDLINE records found (no line starting with 'PMID-')")
    return ParseResult(file=file, format="medline", encoding=encoding, records=records)
