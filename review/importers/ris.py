"""RIS reading and writing around rispy, robust to what real exports contain.

rispy maps tags to fields; this module adds what real files need first:
BOMs and legacy encodings, CRLF, tags written with one space, EndNote's
untagged continuation lines, blank lines inside records, a missing final `ER`,
and a line-numbered error for a tag that sits outside any record. Each record
also keeps its tags verbatim (`raw`), so unknown and repeated tags survive and
`dumps` writes the record back as it came in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import rispy

from review.errors import ImportFormatError
from review.importers.model import (
    ParsedRecord,
    ParseResult,
    clean_text,
    decode,
    join_pages,
    normalise_doi,
    parse_year,
)

TAG_LINE = re.compile(r"^([A-Z][A-Z0-9]) {1,2}-(?: (.*)|\s*)$")
END_LINE = re.compile(r"^ER\s*(?:-\s*)?$")
RISPY_NUMBERING = re.compile(r"^\d+\.$")
PMID_LIKE = re.compile(r"^\d{5,9}$")
JOURNAL_FIELDS = ("secondary_title", "journal_name", "alternate_title3", "alternate_title2", "alternate_title1")


class _Scanner:
    """Splits RIS text into records of `[tag, value]` pairs, tracking line numbers."""

    def __init__(self, file: str):
        self.file = file
        self.records: list[list[list[str]]] = []
        self.warnings: list[str] = []
        self._current: list[list[str]] | None = None
        self._start_line = 0

    def feed(self, lines: Iterable[str]) -> None:
        for number, line in enumerate(lines, start=1):
            self._line(number, line.rstrip())
        if self._current is not None:
            self.warnings.append(f"record starting at line {self._start_line} has no ER; closed at end of file")
            self._close()

    def _line(self, number: int, line: str) -> None:
        if END_LINE.match(line):
            if self._current is None:
                self.warnings.append(f"line {number}: ER without an open record, skipped")
            else:
                self._close()
            return
        tag_match = TAG_LINE.match(line)
        if tag_match:
            self._tag(number, tag_match.group(1), (tag_match.group(2) or "").strip())
        elif self._current is not None:
            self._continuation(line)
        elif line.strip() and not RISPY_NUMBERING.match(line.strip()):
            self.warnings.append(f"line {number}: text outside a record skipped: {line.strip()[:60]!r}")

    def _tag(self, number: int, tag: str, value: str) -> None:
        if tag == "TY":
            if self._current is not None:
                self.warnings.append(f"record starting at line {self._start_line} has no ER; closed at line {number}")
                self._close()
            self._current = [["TY", value]]
            self._start_line = number
            return
        if self._current is None:
            raise ImportFormatError(
                self.file,
                f"tag {tag} outside a record (every record must start with 'TY  - ')",
                line=number,
            )
        self._current.append([tag, value])

    def _continuation(self, line: str) -> None:
        last = self._current[-1]
        if not line.strip() and not last[1]:
            return
        last[1] = f"{last[1]}\n{line.strip()}" if last[1] else line.strip()

    def _close(self) -> None:
        for pair in self._current:
            pair[1] = pair[1].rstrip("\n")
        self.records.append(self._current)
        self._current = None


def _canonical_ris(records: list[list[list[str]]]) -> str:
    """The scanned records as text rispy parses reliably: every value on one tagged line.

    Continuation lines become extra values of list tags (EndNote's keywords) and
    are joined with spaces elsewhere, so rispy never sees an untagged line.
    """
    out: list[str] = []
    for pairs in records:
        for tag, value in pairs:
            lines = [line.strip() for line in value.split("\n") if line.strip()] or [""]
            if tag in rispy.LIST_TYPE_TAGS:
                out.extend(f"{tag}  - {line}" for line in lines)
            else:
                out.append(f"{tag}  - {' '.join(lines)}")
        out.append("ER  - ")
        out.append("")
    return "\n".join(out)


def _first(entry: dict, *names: str) -> str | None:
    for name in names:
        value = entry.get(name)
        if isinstance(value, list):
            value = value[0] if value else None
        if value:
            return str(value)
    return None


def _to_record(pairs: list[list[str]], entry: dict) -> ParsedRecord:
    accession = _first(entry, "accession_number")
    urls = entry.get("urls") or []
    doi = normalise_doi(_first(entry, "doi")) or next((normalise_doi(url) for url in urls if normalise_doi(url)), None)
    return ParsedRecord(
        raw=pairs,
        raw_format="ris",
        title=clean_text(_first(entry, "title", "primary_title", "translated_title")),
        abstract=clean_text(_first(entry, "abstract", "notes_abstract")),
        authors=[
            clean_text(a) for a in (entry.get("authors") or []) + (entry.get("first_authors") or []) if clean_text(a)
        ],
        year=parse_year(_first(entry, "year", "publication_year", "date")),
        journal=clean_text(_first(entry, *JOURNAL_FIELDS)),
        volume=clean_text(_first(entry, "volume")),
        issue=clean_text(_first(entry, "number")),
        pages=join_pages(_first(entry, "start_page"), _first(entry, "end_page")),
        doi=doi,
        pmid=accession if accession and PMID_LIKE.match(accession) else None,
        keywords=[clean_text(k) for k in entry.get("keywords") or [] if clean_text(k)],
        type=clean_text(_first(entry, "type_of_reference")),
        language=clean_text(_first(entry, "language")),
        url=urls[0] if urls else None,
        source_id=clean_text(_first(entry, "id")),
    )


def parse_ris_text(text: str, file: str = "<text>") -> tuple[list[ParsedRecord], list[str]]:
    """Parse RIS text into records and warnings; raise on input that is not RIS."""
    scanner = _Scanner(file)
    scanner.feed(text.splitlines())
    if not scanner.records:
        raise ImportFormatError(file, "no RIS records found (no line starting with 'TY  - ')")
    entries = rispy.loads(_canonical_ris(scanner.records), skip_unknown_tags=False, enforce_list_tags=True)
    if len(entries) != len(scanner.records):
        raise ImportFormatError(file, f"rispy read {len(entries)} records where {len(scanner.records)} were expected")
    records = [_to_record(pairs, entry) for pairs, entry in zip(scanner.records, entries)]
    return records, scanner.warnings


def read_ris(data: bytes, file: str) -> ParseResult:
    text, encoding = decode(data, file)
    records, warnings = parse_ris_text(text, file)
    return ParseResult(file=file, format="ris", encoding=encoding, records=records, warnings=warnings)


def dumps_raw(pairs: list[list[str]]) -> str:
    """One record written back from its verbatim tags (continuations on their own lines)."""
    lines = []
    for tag, value in pairs:
        first, *rest = value.split("\n")
        lines.append(f"{tag}  - {first}")
        lines.extend(rest)
    lines.append("ER  - ")
    return "\n".join(lines) + "\n"


def dumps_fields(record: dict) -> str:
    """A record that did not come from RIS (CSV, MEDLINE) written as RIS by rispy."""
    entry: dict = {"type_of_reference": record.get("type") or "JOUR"}
    mapping = {
        "title": "title",
        "abstract": "abstract",
        "journal": "secondary_title",
        "volume": "volume",
        "issue": "number",
        "doi": "doi",
        "language": "language",
    }
    for field, key in mapping.items():
        if record.get(field):
            entry[key] = str(record[field])
    if record.get("year"):
        entry["year"] = str(record["year"])
    if record.get("authors"):
        entry["authors"] = list(record["authors"])
    if record.get("keywords"):
        entry["keywords"] = list(record["keywords"])
    if record.get("pages"):
        start, _, end = str(record["pages"]).partition("-")
        entry["start_page"] = start
        if end:
            entry["end_page"] = end
    if record.get("pmid"):
        entry["accession_number"] = str(record["pmid"])
    if record.get("url"):
        entry["urls"] = [record["url"]]
    if record.get("source_id"):
        entry["id"] = str(record["source_id"])
    text = rispy.dumps([entry])
    return "\n".join(line for line in text.splitlines() if not RISPY_NUMBERING.match(line)) + "\n"
