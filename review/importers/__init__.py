"""Readers for bibliographic exports; `read_file` picks the right one."""

from __future__ import annotations

from pathlib import Path

from review.errors import ImportFormatError, Remedy
from review.importers.medline import looks_like_medline, read_medline
from review.importers.model import ParsedRecord, ParseResult, decode
from review.importers.ris import read_ris
from review.importers.tabular import read_table

FORMATS = ("ris", "csv", "tsv", "medline")
_BY_SUFFIX = {".ris": "ris", ".txt": None, ".csv": "csv", ".tsv": "tsv", ".nbib": "medline", ".medline": "medline"}

__all__ = ["FORMATS", "ParseResult", "ParsedRecord", "detect_format", "read_bytes", "read_file"]


def detect_format(data: bytes, file: str) -> str:
    """The format named by the file's suffix, else sniffed from its first line."""
    by_suffix = _BY_SUFFIX.get(Path(file).suffix.lower())
    if by_suffix:
        return by_suffix
    text, _ = decode(data[:65536], file)
    if looks_like_medline(text):
        return "medline"
    first = next((line for line in text.splitlines() if line.strip()), "")
    if first.startswith("TY") or "TY  - " in text:
        return "ris"
    if "\t" in first:
        return "tsv"
    if "," in first or ";" in first:
        return "csv"
    raise ImportFormatError(
        file, "cannot tell the format (known: .ris, .csv, .tsv, .nbib)", remedy=Remedy.CHOOSE_FORMAT
    )


def read_bytes(
    data: bytes, file: str, file_format: str | None = None, mapping: dict[str, str] | None = None
) -> ParseResult:
    if not data.strip():
        raise ImportFormatError(file, "the file is empty")
    file_format = file_format or detect_format(data, file)
    if file_format == "ris":
        return read_ris(data, file)
    if file_format == "medline":
        return read_medline(data, file)
    if file_format in ("csv", "tsv"):
        return read_table(data, file, mapping=mapping, delimiter="\t" if file_format == "tsv" else None)
    raise ImportFormatError(file, f"unknown format '{file_format}' (known: {', '.join(FORMATS)})")


def read_file(path: Path | str, file_format: str | None = None, mapping: dict[str, str] | None = None) -> ParseResult:
    """Read one export file into records; raises `ImportFormatError` naming file and line."""
    path = Path(path)
    if not path.is_file():
        raise ImportFormatError(str(path), "file not found")
    return read_bytes(path.read_bytes(), str(path), file_format, mapping)
