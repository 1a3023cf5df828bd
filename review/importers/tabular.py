"""Tables of records: CSV and TSV exports, and Excel workbooks read the same way.

Columns are recognised by the names the databases and reference managers give
them (see `COLUMN_SYNONYMS`), compared in any case and with `_`/`.` read as
spaces; a mapping can name the column for a field when an export uses its own.
Every column of every row is kept in `raw`, so nothing in the file is lost.
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import re
import zipfile
from collections.abc import Iterable, Iterator

from review.errors import ImportFormatError, Remedy
from review.importers.model import (
    FileFormat,
    ParsedRecord,
    RecordStream,
    Warnings,
    clean_text,
    join_pages,
    normalise_doi,
    parse_year,
    split_list,
)
from review.importers.text import decode, strip_controls

# Web of Science's "Cited References" and long author lists pass the csv module's default 131,072
# characters a cell; the whole file is in memory anyway, so no cell limit below its size is useful.
CSV_FIELD_LIMIT = 2**31 - 1

# Ordered: within a field the first column present wins (full names before initials, a journal's
# name before a citation string). Names as they appear in exports of Scopus, Web of Science (Excel
# and tab-delimited with tags), Embase, Ovid, EBSCOhost, ProQuest, PubMed's CSV, Zotero, EndNote,
# Covidence, and rispy's field names (tools that write RIS fields as CSV columns, e.g. ASReview).
COLUMN_SYNONYMS: dict[str, tuple[str, ...]] = {
    "title": ("title", "article title", "document title", "primary title", "ti", "t1"),
    "abstract": ("abstract", "abstract note", "notes abstract", "ab", "n2"),
    "authors": (
        "author full names",
        "authors full name",
        "af",
        "author names",
        "authors",
        "author",
        "author(s)",
        "first authors",
        "au",
        "a1",
    ),
    "year": (
        "year",
        "publication year",
        "year of publication",
        "py",
        "pubyear",
        "date of publication",
        "publication date",
        "date",
    ),
    "doi": ("doi", "digital object identifier", "digitalobjectidentifier", "di", "do"),
    "journal": (
        "journal",
        "source title",
        "publication title",
        "pubtitle",
        "journal/book",
        "journal title",
        "journal name",
        "nlm journal name",
        "secondary title",
        "so",
        "t2",
        "jf",
        "source",
    ),
    "keywords": (
        "keywords",
        "author keywords",
        "manual tags",
        "keyword heading",
        "subject terms",
        "subjectterms",
        "subjects",
        "mesh terms",
        "mesh subject headings",
        "kw",
        "de",
    ),
    "pmid": ("pmid", "pubmed id", "medline pmid", "pm"),
    "source_id": (
        "record id",
        "eid",
        "ut (unique wos id)",
        "ut (unique id)",
        "ut",
        "embase accession id",
        "accession number",
        "an",
        "unique identifier",
        "storeid",
        "record number",
        "key",
        "id",
        "pui",
    ),
    "volume": ("volume", "vl"),
    "issue": ("issue", "number", "is"),
    "pages": ("pages", "page range", "pagination", "page"),
    "page_start": ("page start", "start page", "first page", "startpage", "bp", "sp"),
    "page_end": ("page end", "end page", "last page", "endpage", "ep"),
    "language": (
        "language",
        "language of original document",
        "article language",
        "language of article",
        "language of publication",
        "la",
    ),
    "url": ("url", "link", "doi link", "full text link", "document url", "documenturl", "plink", "urls", "ur"),
    "type": (
        "type",
        "document type",
        "documenttype",
        "item type",
        "publication type",
        "reference type",
        "type of reference",
        "doctype",
        "dt",
        "pt",
        "ty",
    ),
}
FIELDS = tuple(COLUMN_SYNONYMS)
AUTHOR_SEPARATORS = re.compile(r";|\||//|\n")
# "Hajj-Boutros G", "van Uffelen J", "Adeli K.", "Lewis G. F.": surname(s), a space, then initials
SURNAME_INITIALS = re.compile(r"^[^\W\d_][^,]*\s(?:[A-Z]\.?[\s-]?){1,4}$")
SCOPUS_AUTHOR_ID = re.compile(r"\s*\(\d{5,}\)$")
NOT_NAME = re.compile(r"[\s_.]+")


def _normalise(name: str) -> str:
    return NOT_NAME.sub(" ", name.replace("\ufeff", "")).strip().lower()


def _resolve_columns(header: list[str], mapping: dict[str, str], file: str) -> dict[str, int]:
    """Map each known field to a column index, honouring an explicit mapping first."""
    lowered: dict[str, int] = {}
    for index, name in enumerate(header):
        lowered.setdefault(_normalise(name), index)
    columns: dict[str, int] = {}
    for field, column in mapping.items():
        if field not in FIELDS:
            raise ImportFormatError(file, f"unknown field '{field}' in column mapping (known: {', '.join(FIELDS)})")
        if _normalise(column) not in lowered:
            raise ImportFormatError(file, f"mapped column '{column}' for {field} is not in the header", line=1)
        columns[field] = lowered[_normalise(column)]
    for field, synonyms in COLUMN_SYNONYMS.items():
        if field in columns:
            continue
        index = next((lowered[name] for name in synonyms if name in lowered), None)
        if index is not None and index not in columns.values():
            columns[field] = index
    if "title" not in columns:
        named = ", ".join(name for name in header if name) or "(no column names)"
        raise ImportFormatError(
            file, f"no title column among {named}", line=1, remedy=Remedy.MAP_COLUMNS, columns=[n for n in header if n]
        )
    return columns


def split_authors(value: str | None) -> list[str]:
    """Author names from one cell, whichever way the export separates them.

    `;`, `|`, `//` or line breaks separate names everywhere; a comma does only
    in a list of "Surname Initials" names (PubMed's and Embase's CSV), since
    elsewhere it sits inside one name ("Hansen, Mette"). Scopus's author ids in
    parentheses are dropped.
    """
    if not value or not value.strip():
        return []
    parts = AUTHOR_SEPARATORS.split(value)
    if len(parts) == 1:
        parts = _comma_separated_names(value) or parts
    names = (clean_text(SCOPUS_AUTHOR_ID.sub("", part)) for part in parts)
    return [name for name in names if name]


def _comma_separated_names(value: str) -> list[str] | None:
    """The names of a "Surname Initials, Surname Initials." list; None when the value is not one.

    PubMed ends the list with a full stop ("Holm SK."), Embase ends every
    initial with one ("Holm S.K."): the list's final stop is dropped only when
    the other names have none.
    """
    parts = [part.strip() for part in value.split(",")]
    if len(parts) < 2 or not all(SURNAME_INITIALS.match(part) for part in parts):
        return None
    if not any(part.endswith(".") for part in parts[:-1]):
        parts[-1] = parts[-1].rstrip(".")
    return parts


def _to_record(
    header: list[str], row: list[str], columns: dict[str, int], file_format: FileFormat, line: int
) -> ParsedRecord:
    def cell(field: str) -> str | None:
        index = columns.get(field)
        return clean_text(row[index]) if index is not None else None

    authors_column = columns.get("authors")
    return ParsedRecord(
        raw=[[name, value] for name, value in zip(header, row)],
        raw_format=file_format,
        title=cell("title"),
        abstract=cell("abstract"),
        authors=split_authors(row[authors_column]) if authors_column is not None else [],
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
        line=line,
    )


def iter_table(
    rows: Iterable[tuple[int, list[str]]], file: str, file_format: FileFormat, mapping: dict[str, str] | None
) -> Iterator[ParsedRecord]:
    """Records from numbered rows, the first row being the header."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        raise ImportFormatError(file, "the file is empty")
    header = [name.strip() for name in first[1]]
    columns = _resolve_columns(header, mapping or {}, file)
    found = False
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise ImportFormatError(
                file, f"expected {len(header)} columns as in the header, found {len(row)}", line=line
            )
        found = True
        yield _to_record(header, row, columns, file_format, line)
    if not found:
        raise ImportFormatError(file, "the header is there but no records follow")


def _csv_rows(
    lines: Iterator[tuple[int, str]], file: str, file_format: FileFormat, delimiter: str
) -> Iterator[tuple[int, list[str]]]:
    """Rows of a CSV/TSV text, each numbered by the line it starts on (a quoted cell may span lines)."""
    current = 0
    start: int | None = None

    def physical_lines() -> Iterator[str]:
        nonlocal current, start
        for number, line in lines:
            current = number
            start = number if start is None else start
            yield line + "\n"

    csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))
    reader = csv.reader(physical_lines(), delimiter=delimiter, strict=True)
    try:
        for row in reader:
            yield start, row
            start = None
    except csv.Error as error:
        raise ImportFormatError(file, f"not valid {file_format.upper()}: {error}", line=current) from error


def read_table(
    data: bytes, file: str, mapping: dict[str, str] | None = None, delimiter: str | None = None
) -> RecordStream:
    """Read a CSV or TSV export; the delimiter is sniffed from the header line unless given."""
    warnings = Warnings()
    text = decode(data, file, warnings)
    lines = text.lines()
    head = next((item for item in lines if item[1].strip()), None)
    if head is None:
        raise ImportFormatError(file, "the file is empty")
    if delimiter is None:
        delimiter = max(",;\t", key=head[1].count)
    file_format = FileFormat.TSV if delimiter == "\t" else FileFormat.CSV
    rows = _csv_rows(itertools.chain([head], lines), file, file_format, delimiter)
    return RecordStream(file, file_format, text.encoding, iter_table(rows, file, file_format, mapping), warnings)


def _cell_text(value: object) -> str:
    """A spreadsheet cell as the text a CSV export of it would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        return value.date().isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return strip_controls(str(value))


def _sheet_rows(data: bytes, file: str, sheet: str | None) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook  # imported here: only Excel imports pay for it

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, zipfile.LargeZipFile) as error:
        raise ImportFormatError(file, f"is not a readable Excel workbook ({error})") from error
    except Exception as error:  # openpyxl reports a malformed workbook by many exception types
        raise ImportFormatError(file, f"is not a readable Excel workbook ({type(error).__name__})") from error
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            names = ", ".join(repr(name) for name in workbook.sheetnames)
            raise ImportFormatError(file, f"has no sheet {sheet!r} (sheets: {names})")
        worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
        width = None
        for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
            cells = [_cell_text(value) for value in values]
            width = width or _header_width(cells)
            yield number, _fit(cells, width, file, number)
    except ImportFormatError:
        raise
    except Exception as error:  # a sheet's XML can be malformed in as many ways as the archive
        raise ImportFormatError(file, f"is not a readable Excel workbook ({type(error).__name__})") from error
    finally:
        workbook.close()


def _header_width(header: list[str]) -> int:
    """The header's width without the empty cells Excel pads a sheet's rows with."""
    while header and not header[-1].strip():
        header = header[:-1]
    return len(header)


def _fit(cells: list[str], width: int, file: str, number: int) -> list[str]:
    """A row cut or padded to the header's width; refuses a value beyond the last named column."""
    if any(cell.strip() for cell in cells[width:]):
        raise ImportFormatError(file, f"a value beyond the header's {width} columns", line=number)
    return (cells + [""] * width)[:width]


def read_workbook(
    data: bytes, file: str, mapping: dict[str, str] | None = None, sheet: str | None = None
) -> RecordStream:
    """Read an Excel export (.xlsx) like a CSV: the first sheet, or the one named, with a header row."""
    records = iter_table(_sheet_rows(data, file, sheet), file, FileFormat.XLSX, mapping)
    return RecordStream(file, FileFormat.XLSX, "xlsx", records, Warnings())
