"""What every reader returns: parsed records plus a report of what was read."""

from __future__ import annotations

import codecs
import html
import re
from dataclasses import dataclass, field

from review.errors import ImportFormatError

DOI_PATTERN = re.compile(r"10\.\d{4,9}/\S+", re.IGNORECASE)
YEAR_PATTERN = re.compile(r"(1[5-9]\d\d|20\d\d|21\d\d)")


@dataclass
class ParsedRecord:
    """One bibliographic record in the toolkit's common shape.

    `raw` holds the source's own fields as ordered `[tag, value]` pairs, so the
    record can be written back exactly as it came in.
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


@dataclass
class ParseResult:
    """Records read from one file, with the encoding used and any warnings."""

    file: str
    format: str
    encoding: str
    records: list[ParsedRecord]
    warnings: list[str] = field(default_factory=list)


def decode(data: bytes, file: str) -> tuple[str, str]:
    """Decode an export whatever its encoding: BOMs, UTF-8, then cp1252/Latin-1.

    Returns the text and the name of the encoding that worked.
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as error:
            raise ImportFormatError(file, f"starts with a UTF-16 mark but is not UTF-16 ({error.reason})") from error
    if b"\x00" in data[:4096]:
        raise ImportFormatError(file, "looks like a binary file, not a text export")
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


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
