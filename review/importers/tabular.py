"""CSV and TSV exports (Scopus, Web of Science, Covidence, spreadsheets).

Columns are recognised by their usual names in any case; a mapping can name
the column for a field when an export uses its own. Every column of every row
is kept in `raw`, so nothing in the file is lost.
"""

from __future__ import annotations

import csv
import io

from review.errors import ImportFormatError, Remedy
from review.importers.model import (
    ParsedRecord,
    ParseResult,
    clean_text,
    decode,
    join_pages,
    normalise_doi,
    parse_year,
    split_list,
)

COLUMN_SYNONYMS: dict[str, tuple[str, ...]] = {
    "title": ("title", "article title", "document title", "primary title", "ti"),
    "abstract": ("abstract", "ab", "abstract note"),
    "authors": ("author full names", "authors", "author", "au", "author(s)"),
    "year": ("year", "publication year", "py", "pubyear", "publication date"),
    "doi": ("doi", "di"),
    "journal": ("journal", "source title", "publication title", "journal/book", "so", "secondary title", "source"),
    "keywords": ("keywords", "author keywords", "manual tags", "kw", "mesh terms"),
    "pmid": ("pmid", "pubmed id", "pubmed_id"),
    "source_id": ("record_id", "id", "key", "eid", "ut (unique wos id)"),
    "volume": ("volume", "vl"),
    "issue": ("issue", "number", "is"),
    "pages": ("pages", "page range", "pg"),
    "page_start": ("page start", "start page", "bp"),
    "page_end": ("page end", "end page", "ep"),
    "language": ("language", "language of original document", "la"),
    "url": ("url", "link"),
    "type": ("type", "document type", "item type", "publication type"),
}
FIELDS = tuple(COLUMN_SYNONYMS)


def _resolve_columns(header: list[str], mapping: dict[str, str], file: str) -> dict[str, int]:
    """Map each known field to a column index, honouring an explicit mapping first."""
    lowered = {name.strip().lower(): index for index, name in enumerate(header)}
    columns: dict[str, int] = {}
    for field, column in mapping.items():
        if field not in FIELDS:
            raise ImportFormatError(file, f"unknown field '{field}' in column mapping (known: {', '.join(FIELDS)})")
        if column.strip().lower() not in lowered:
            raise ImportFormatError(file, f"mapped column '{column}' for {field} is not in the header", line=1)
        columns[field] = lowered[column.strip().lower()]
    for field, synonyms in COLUMN_SYNONYMS.items():
        if field in columns:
            continue
        index = next((lowered[name] for name in synonyms if name in lowered), None)
        if index is not None and index not in columns.values():
            columns[field] = index
    if "title" not in columns:
        raise ImportFormatError(
            file,
            f"no title column among {', '.join(header)}",
            line=1,
            remedy=Remedy.MAP_COLUMNS,
        )
    return columns


def _authors(value: str | None) -> list[str]:
    if not value:
        return []
    return split_list(value, ";|") if ";" in value or "|" in value else [value.strip()]


def _to_record(header: list[str], row: list[str], columns: dict[str, int], file_format: str) -> ParsedRecord:
    def cell(field: str) -> str | None:
        index = columns.get(field)
        return clean_text(row[index]) if index is not None else None

    return ParsedRecord(
        raw=[[name, value] for name, value in zip(header, row)],
        raw_format=file_format,
        title=cell("title"),
        abstract=cell("abstract"),
        authors=_authors(cell("authors")),
        year=parse_year(cell("year")),
        journal=cell("journal"),
        volume=cell("volume"),
        issue=cell("issue"),
        pages=cell("pages") or join_pages(cell("page_start"), cell("page_end")),
        doi=normalise_doi(cell("doi")),
        pmid=cell("pmid"),
        keywords=split_list(cell("keywords"), ";"),
        type=cell("type"),
        language=cell("language"),
        url=cell("url"),
        source_id=cell("source_id"),
    )


def read_table(
    data: bytes, file: str, mapping: dict[str, str] | None = None, delimiter: str | None = None
) -> ParseResult:
    """Read a CSV or TSV export; the delimiter is sniffed unless given."""
    text, encoding = decode(data, file)
    if not text.strip():
        raise ImportFormatError(file, "the file is empty")
    if delimiter is None:
        first_line = text.splitlines()[0]
        delimiter = max(",;\t", key=first_line.count)
    file_format = "tsv" if delimiter == "\t" else "csv"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [name.strip() for name in next(reader)]
        columns = _resolve_columns(header, mapping or {}, file)
        records: list[ParsedRecord] = []
        warnings: list[str] = []
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise ImportFormatError(
                    file, f"expected {len(header)} columns as in the header, found {len(row)}", line=reader.line_num
                )
            record = _to_record(header, row, columns, file_format)
            if not record.title:
                warnings.append(f"line {reader.line_num}: record without a title")
            records.append(record)
    except csv.Error as error:
        raise ImportFormatError(file, f"not valid {file_format.upper()}: {error}", line=reader.line_num) from error
    if not records:
        raise ImportFormatError(file, "the header is there but no records follow")
    return ParseResult(file=file, format=file_format, encoding=encoding, records=records, warnings=warnings)
