"""What every reader returns: parsed records plus a report of what was read."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum

DOI_PATTERN = re.compile(r"10\.\d{4,9}/\S+", re.IGNORECASE)
YEAR_PATTERN = re.compile(r"(1[5-9]\d\d|20\d\d|21\d\d)")


class FileFormat(StrEnum):
    """The export formats the readers understand (stored as each record's `raw_format`)."""

    RIS = "ris"
    CSV = "csv"
    TSV = "tsv"
    MEDLINE = "medline"
    XLSX = "xlsx"
    WOS = "wos"  # Web of Science tagged plain text (FN/PT ... ER/EF)


@dataclass
class ParsedRecord:
    """One bibliographic record in the toolkit's common shape.

    `raw` holds the source's own fields as ordered `[tag, value]` pairs, so the
    record can be written back exactly as it came in. `line` is where the record
    starts in its file, for warnings that point at it.
    """

    raw: list[list[str]]
    raw_format: str
    title: str | None = None
    abstract: str | None = None
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    journal: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = None
    pmid: str | None = None
    keywords: list[str] = field(default_factory=list)
    type: str | None = None
    language: str | None = None
    url: str | None = None
    source_id: str | None = None
    line: int | None = None


class Warnings:
    """The warnings of one file, grouped by what they say.

    A file with 50,000 records without an abstract gives one line naming the
    first few places and how many more there are, not 50,000 lines; that keeps
    both the report and the memory of a streamed import bounded.
    """

    SHOWN = 5

    def __init__(self) -> None:
        self._groups: dict[str, _Group] = {}

    def add(self, message: str, line: int | None = None, example: str | None = None) -> None:
        group = self._groups.setdefault(message, _Group(example=example))
        group.count += 1
        if line is not None and len(group.lines) < self.SHOWN:
            group.lines.append(line)

    def __bool__(self) -> bool:
        return bool(self._groups)

    def render(self) -> list[str]:
        return [group.render(message) for message, group in self._groups.items()]


@dataclass
class _Group:
    example: str | None = None
    count: int = 0
    lines: list[int] = field(default_factory=list)

    def render(self, message: str) -> str:
        text = f"{message}: {self.example!r}" if self.example else message
        if not self.lines:
            return text if self.count == 1 else f"{text} ({self.count:,} times)"
        if self.count == 1:
            return f"line {self.lines[0]}: {text}"
        places = ", ".join(str(line) for line in self.lines)
        more = self.count - len(self.lines)
        if more:
            places += f" and {more:,} more"
        first = f"{message} (the first: {self.example!r})" if self.example else message
        return f"lines {places}: {first}"


@dataclass
class RecordStream:
    """The records of one file, parsed while they are consumed.

    A large export never sits in memory as a list of records: the importer
    writes each record as it comes. The encoding is known before the first
    record; `warnings` is complete once `records` is exhausted. Readers raise
    `ImportFormatError` from inside the iteration, so a consumer must be ready
    to undo what it did with the records before the error.
    """

    file: str
    format: FileFormat
    encoding: str
    records: Iterator[ParsedRecord]
    warnings: Warnings


@dataclass
class ParseResult:
    """Records read from one file, with the encoding used and any warnings."""

    file: str
    format: str
    encoding: str
    records: list[ParsedRecord]
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def collect(cls, stream: RecordStream) -> ParseResult:
        records = list(stream.records)
        return cls(stream.file, stream.format, stream.encoding, records, stream.warnings.render())


def clean_text(value: str | None) -> str | None:
    """Trim, unescape HTML entities and collapse inner whitespace; empty -> None."""
    if value is None:
        return None
    text = " ".join(html.unescape(str(value)).split())
    return text or None


def normalise_doi(value: str | None) -> str | None:
    """Lower-case DOI without resolver prefix, or None when there is no DOI in it."""
    if not value:
        return None
    match = DOI_PATTERN.search(str(value))
    if not match:
        return None
    return match.group(0).rstrip(".,;)").lower()


def parse_year(value: str | int | None) -> int | None:
    if value is None:
        return None
    match = YEAR_PATTERN.search(str(value))
    return int(match.group(1)) if match else None


def split_list(value: str | None, separators: str = ";") -> list[str]:
    if not value:
        return []
    parts = re.split(f"[{re.escape(separators)}]", value)
    return [part.strip() for part in parts if part.strip()]


def join_pages(start: str | None, end: str | None) -> str | None:
    start, end = clean_text(start), clean_text(end)
    if start and end and end != start:
        return f"{start}-{end}"
    return start or end
