"""Readers for bibliographic exports; `stream_bytes` picks the right one.

`stream_bytes` parses while its records are consumed (what the importer uses,
so a large file never sits in memory as records); `read_bytes` and `read_file`
return all records at once, for callers that want a list.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from review.errors import ImportFormatError, Remedy
from review.importers.medline import looks_like_medline, read_medline
from review.importers.model import FileFormat, ParsedRecord, ParseResult, RecordStream, Warnings
from review.importers.ris import read_ris
from review.importers.tabular import read_table, read_workbook
from review.importers.text import ZIP_MAGIC, first_line, read_input, refuse_binary, sniff
from review.importers.wos import looks_like_wos, read_wos

FORMATS = tuple(FileFormat)
_BY_SUFFIX = {
    ".ris": FileFormat.RIS,
    ".csv": FileFormat.CSV,
    ".tsv": FileFormat.TSV,
    ".nbib": FileFormat.MEDLINE,
    ".medline": FileFormat.MEDLINE,
    ".xlsx": FileFormat.XLSX,
    ".xlsm": FileFormat.XLSX,
    ".ciw": FileFormat.WOS,
}
KNOWN_SUFFIXES = ".ris, .csv, .tsv, .xlsx, .nbib, .txt (MEDLINE or Web of Science)"

__all__ = [
    "FORMATS",
    "FileFormat",
    "ParseResult",
    "ParsedRecord",
    "RecordStream",
    "detect_format",
    "read_bytes",
    "read_file",
    "read_input",
    "stream_bytes",
]


def detect_format(data: bytes, file: str) -> FileFormat:
    """The format a workbook's signature or the file's suffix names, else sniffed from its first line."""
    if data.startswith(ZIP_MAGIC):
        return FileFormat.XLSX
    by_suffix = _BY_SUFFIX.get(Path(file).suffix.lower())
    if by_suffix:
        return by_suffix
    refuse_binary(data, file)
    text = sniff(data)
    if looks_like_medline(text):
        return FileFormat.MEDLINE
    if looks_like_wos(text):
        return FileFormat.WOS
    first = first_line(text)
    if first.startswith("TY") or "TY  - " in text:
        return FileFormat.RIS
    if "\t" in first:
        return FileFormat.TSV
    if "," in first or ";" in first:
        return FileFormat.CSV
    raise ImportFormatError(file, f"cannot tell the format (known: {KNOWN_SUFFIXES})", remedy=Remedy.CHOOSE_FORMAT)


def stream_bytes(
    data: bytes,
    file: str,
    file_format: str | None = None,
    mapping: dict[str, str] | None = None,
    sheet: str | None = None,
) -> RecordStream:
    """The records of one export, parsed as they are consumed; raises `ImportFormatError` naming file and line.

    `mapping` names the column of a field in tables (CSV, TSV, Excel); `sheet`
    picks an Excel workbook's sheet (default: the first) and is ignored for
    other formats, so one choice can apply to a mix of files.
    """
    if not data or data.isspace():  # not `data.strip()`: that would copy a large file
        raise ImportFormatError(file, "the file is empty")
    chosen = _format(file_format, file) if file_format else detect_format(data, file)
    if chosen is FileFormat.RIS:
        stream = read_ris(data, file)
    elif chosen is FileFormat.MEDLINE:
        stream = read_medline(data, file)
    elif chosen is FileFormat.WOS:
        stream = read_wos(data, file)
    elif chosen is FileFormat.XLSX:
        stream = read_workbook(data, file, mapping=mapping, sheet=sheet)
    else:
        stream = read_table(data, file, mapping=mapping, delimiter="\t" if chosen is FileFormat.TSV else None)
    stream.records = _flag_untitled(stream.records, stream.warnings)
    return stream


def _format(name: str, file: str) -> FileFormat:
    try:
        return FileFormat(name.lower())
    except ValueError:
        raise ImportFormatError(file, f"unknown format '{name}' (known: {', '.join(FORMATS)})") from None


def _flag_untitled(records: Iterator[ParsedRecord], warnings: Warnings) -> Iterator[ParsedRecord]:
    """Records as they come, with a warning for each that has neither title nor abstract (nothing to screen)."""
    for record in records:
        if not record.title and not record.abstract:
            warnings.add("record with neither title nor abstract", line=record.line)
        yield record


def read_bytes(
    data: bytes,
    file: str,
    file_format: str | None = None,
    mapping: dict[str, str] | None = None,
    sheet: str | None = None,
) -> ParseResult:
    """All records of one export at once (see `stream_bytes`)."""
    return ParseResult.collect(stream_bytes(data, file, file_format, mapping, sheet))


def read_file(
    path: Path | str, file_format: str | None = None, mapping: dict[str, str] | None = None, sheet: str | None = None
) -> ParseResult:
    """Read one export file into records; raises `ImportFormatError` naming file and line."""
    path = Path(path)
    return read_bytes(read_input(path), str(path), file_format, mapping, sheet)
