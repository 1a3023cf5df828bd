"""RIS reading and writing around rispy, robust to what real exports contain.

rispy maps tags to fields; this module adds what real files need first:
tags written with one space, EndNote's untagged continuation lines, blank lines
inside records, a missing final `ER`, text before the first record and after
the last (Ovid's trailer, skipped with a warning), and a line-numbered error
for a tag that sits between records. Each record also keeps its tags verbatim
(`raw`), so unknown and repeated tags survive and `dumps_raw` writes the record
back as it came in. Records are scanned and mapped one at a time, so a large
file streams.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator

import rispy

from review.errors import ImportFormatError
from review.importers.model import (
    FileFormat,
    ParsedRecord,
    RecordStream,
    Warnings,
    clean_text,
    join_pages,
    normalise_doi,
    parse_year,
)
from review.importers.text import LINE_BREAK, Text, decode, strip_controls

TAG_LINE = re.compile(r"^([A-Z][A-Z0-9]) {1,2}-(?: (.*)|\s*)$")
END_LINE = re.compile(r"^ER\s*(?:-\s*)?$")
RISPY_NUMBERING = re.compile(r"^\d+\.$")
PMID_LIKE = re.compile(r"^\d{5,9}$")
JOURNAL_FIELDS = ("secondary_title", "journal_name", "alternate_title3", "alternate_title2", "alternate_title1")
# rispy files a `UK` value under the key where it also collects unknown tags, and then fails on the
# next unknown tag; the fields come only from tags rispy maps, the rest stay in `raw` verbatim.
MAPPED_TAGS = frozenset(rispy.TAG_KEY_MAPPING) - {"UK"}
CONTINUATION_INDENT = "      "
_PARSER = rispy.RisParser(skip_unknown_tags=True, enforce_list_tags=True)


class _Scanner:
    """Splits RIS lines into records of `[tag, value]` pairs, tracking line numbers.

    Tags after an `ER` and before the next `TY` are held back: followed by
    another record (or an `ER`) they are a record that lost its `TY` line, an
    error; at the end of the file they are a trailer, skipped with a warning.
    """

    def __init__(self, file: str, warnings: Warnings):
        self.file = file
        self.warnings = warnings
        self._current: list[list[str]] | None = None
        self._start_line = 0
        self._stray: tuple[int, str, str] | None = None
        self.empty = 0

    def records(self, lines: Iterable[tuple[int, str]]) -> Iterator[tuple[int, list[list[str]]]]:
        for number, line in lines:
            closed = self._line(number, line.rstrip())
            if closed:
                yield closed
        if self._current is not None:
            self.warnings.add("record has no ER; closed at the end of the file", line=self._start_line)
            closed = self._close()
            if closed:
                yield closed
        if self._stray:
            number, _, text = self._stray
            self.warnings.add("text after the last record skipped", line=number, example=text[:60])

    def _line(self, number: int, line: str) -> tuple[int, list[list[str]]] | None:
        if END_LINE.match(line):
            if self._current is None:
                self._refuse_stray()
                self.warnings.add("ER without an open record, skipped", line=number)
                return None
            return self._close()
        tag_match = TAG_LINE.match(line)
        if tag_match:
            return self._tag(number, tag_match.group(1), (tag_match.group(2) or "").strip(), line)
        if self._current is not None:
            self._continuation(line)
        elif line.strip() and not RISPY_NUMBERING.match(line.strip()) and not self._stray:
            self.warnings.add("text outside a record skipped", line=number, example=line.strip()[:60])
        return None

    def _tag(self, number: int, tag: str, value: str, line: str) -> tuple[int, list[list[str]]] | None:
        if tag == "TY":
            self._refuse_stray()
            closed = None
            if self._current is not None:
                self.warnings.add("record has no ER; closed where the next record starts", line=self._start_line)
                closed = self._close()
            self._current = [["TY", value]]
            self._start_line = number
            return closed
        if self._current is None:
            self._stray = self._stray or (number, tag, line.strip())
            return None
        self._current.append([tag, value])
        return None

    def _refuse_stray(self) -> None:
        if self._stray:
            number, tag, _ = self._stray
            raise ImportFormatError(
                self.file, f"tag {tag} outside a record (every record must start with 'TY  - ')", line=number
            )

    def _continuation(self, line: str) -> None:
        last = self._current[-1]
        if not line.strip() and not last[1]:
            return
        last[1] = f"{last[1]}\n{line.strip()}" if last[1] else line.strip()

    def _close(self) -> tuple[int, list[list[str]]] | None:
        pairs, self._current = self._current, None
        for pair in pairs:
            pair[1] = pair[1].rstrip("\n")
        if not any(value for _, value in pairs[1:]):
            self.empty += 1
            self.warnings.add("record without any field skipped", line=self._start_line)
            return None
        return self._start_line, pairs


def _canonical_lines(pairs: list[list[str]]) -> Iterator[str]:
    """The record as lines rispy parses reliably: every value of a mapped tag on one tagged line.

    Continuation lines become extra values of list tags (EndNote's keywords) and
    are joined with spaces elsewhere, so rispy never sees an untagged line.
    """
    for tag, value in pairs:
        if tag not in MAPPED_TAGS:
            continue
        lines = [line.strip() for line in value.split("\n") if line.strip()] or [""]
        if tag in rispy.LIST_TYPE_TAGS:
            yield from (f"{tag}  - {line}" for line in lines)
        else:
            yield f"{tag}  - {' '.join(lines)}"
    yield "ER  - "


def _first(entry: dict, *names: str) -> str | None:
    for name in names:
        value = entry.get(name)
        if isinstance(value, list):
            value = value[0] if value else None
        if value:
            return str(value)
    return None


def _to_record(pairs: list[list[str]], line: int | None = None) -> ParsedRecord:
    (entry,) = _PARSER.parse_lines(_canonical_lines(pairs))
    accession = _first(entry, "accession_number")
    urls = entry.get("urls") or []
    doi = normalise_doi(_first(entry, "doi")) or next((normalise_doi(url) for url in urls if normalise_doi(url)), None)
    return ParsedRecord(
        raw=pairs,
        raw_format=FileFormat.RIS,
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
        line=line,
    )


def iter_ris(lines: Iterable[tuple[int, str]], file: str, warnings: Warnings) -> Iterator[ParsedRecord]:
    """Records from numbered RIS lines; raises `ImportFormatError` when the text holds no record."""
    scanner = _Scanner(file, warnings)
    found = False
    for line, pairs in scanner.records(lines):
        found = True
        yield _to_record(pairs, line)
    if scanner.empty and not found:
        raise ImportFormatError(file, f"no RIS records found: the {scanner.empty:,} 'TY  - ' lines start no fields")
    if not found:
        raise ImportFormatError(file, "no RIS records found (no line starting with 'TY  - ')")


def parse_ris_text(text: str, file: str = "<text>") -> tuple[list[ParsedRecord], list[str]]:
    """Parse RIS text into records and warnings; raise on input that is not RIS."""
    warnings = Warnings()
    lines = Text("utf-8", text, 0, warnings).lines()
    records = list(iter_ris(lines, file, warnings))
    return records, warnings.render()


def read_ris(data: bytes, file: str) -> RecordStream:
    warnings = Warnings()
    text = decode(data, file, warnings)
    return RecordStream(file, FileFormat.RIS, text.encoding, iter_ris(text.lines(), file, warnings), warnings)


def dumps_raw(pairs: list[list[str]]) -> str:
    """One record written back from its verbatim tags.

    Continuation lines are indented, so a continued line that reads like a tag
    (`ER  - ...` inside an abstract) stays part of its field when read back;
    control characters are left out as the readers leave them out.
    """
    lines = []
    for tag, value in pairs:
        first, *rest = strip_controls(value).split("\n")
        lines.append(f"{tag}  - {first.strip()}")
        lines.extend(f"{CONTINUATION_INDENT}{line.strip()}".rstrip() for line in rest)
    lines.append("ER  - ")
    return "\n".join(lines) + "\n"


def _one_line(value: object) -> str:
    """A field value that stays one value on a tagged line: no line breaks, no control characters."""
    return LINE_BREAK.sub(" ", strip_controls(str(value))).strip()


def _text(value: object) -> str:
    """A text field as written for a reader that unescapes HTML entities (`clean_text`).

    A value that still reads as an entity ("&amp" from a doubly escaped
    source) is escaped, so reading it back gives the value, not its unescaping;
    any other value is written as it is.
    """
    text = _one_line(value)
    return html.escape(text, quote=False) if html.unescape(text) != text else text


def _page_range(pages: str) -> tuple[str, str | None]:
    """Start and end page, or the whole text as the start when it is no plain `start-end` range."""
    start, dash, end = pages.partition("-")
    plain = start.strip() == start and end.strip() == end and start != end
    if dash and start and end and plain:
        return start, end
    return pages, None


TEXT_FIELDS = {
    "title": "title",
    "abstract": "abstract",
    "journal": "secondary_title",
    "volume": "volume",
    "issue": "number",
    "language": "language",
    "source_id": "id",
}
VERBATIM_FIELDS = {"doi": "doi", "year": "year", "pmid": "accession_number"}


def dumps_fields(record: dict) -> str:
    """A record that did not come from RIS (CSV, MEDLINE, ...) written as RIS by rispy, field by field.

    Written so that reading it back gives the same fields: one value per
    tagged line, entities escaped where the reader would unescape them, and an
    empty `TY` for a record of unknown type (a guessed `JOUR` would come back as
    a type the record never had).
    """
    entry: dict = {"type_of_reference": _text(record.get("type") or "")}  # no type stays no type when read back
    for field, key in TEXT_FIELDS.items():
        if record.get(field):
            entry[key] = _text(record[field])
    for field, key in VERBATIM_FIELDS.items():
        if record.get(field):
            entry[key] = _one_line(record[field])
    for field in ("authors", "keywords"):
        if record.get(field):
            entry[field] = [_text(value) for value in record[field]]
    if record.get("pages"):
        start, end = _page_range(_text(record["pages"]))
        entry["start_page"] = start
        if end:
            entry["end_page"] = end
    if record.get("url"):
        entry["urls"] = [_one_line(record["url"])]
    text = rispy.dumps([entry])
    return "\n".join(line for line in LINE_BREAK.split(text.rstrip("\r\n")) if not RISPY_NUMBERING.match(line)) + "\n"
