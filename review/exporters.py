"""Writing project tables to CSV and records to RIS.

Later tables (decisions, codes, evidence maps) and formats (xlsx, json) plug in
through `TABLES` and `FORMATS`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from pathlib import Path

import sqlite_utils

from review.errors import ReviewError
from review.importers.ris import dumps_fields, dumps_raw
from review.records import iter_records

RECORD_EXPORT_COLUMNS = (
    "record_id", "source", "source_id", "title", "year", "doi", "duplicate_of",
    "authors", "journal", "volume", "issue", "pages", "pmid", "keywords", "abstract", "batch_id",
)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: object) -> object:
    """Prefix a quote to text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _flat(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return value


def records_table(db: sqlite_utils.Database) -> tuple[list[str], list[list[object]]]:
    """Every imported record, duplicates included, with the record it was merged into."""
    rows = [
        [_flat(record.get(column)) for column in RECORD_EXPORT_COLUMNS]
        for record in iter_records(db)
    ]
    return list(RECORD_EXPORT_COLUMNS), rows


def write_csv(header: list[str], rows: Iterable[list[object]], path: Path | None) -> str:
    """CSV with formula-like cells neutralised; returns the text when no path is given."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise_formula(_flat(cell)) for cell in row])
    text = buffer.getvalue()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return text


def record_as_ris(record: dict) -> str:
    """A record as RIS: verbatim tags for RIS imports, mapped fields otherwise."""
    if record["raw_format"] == "ris":
        return dumps_raw(record["raw"])
    return dumps_fields(record)


def write_ris(records: Iterable[dict], path: Path | None) -> str:
    text = "\n".join(record_as_ris(record) for record in records)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return text


def write_json(header: list[str], rows: Iterable[list[object]], path: Path | None) -> str:
    text = json.dumps([dict(zip(header, row)) for row in rows], ensure_ascii=False, indent=2, default=str)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return text


def export_records(db: sqlite_utils.Database, file_format: str, path: Path | None, unique_only: bool = False) -> str:
    if file_format == "ris":
        where = "duplicate_of IS NULL" if unique_only else "1 = 1"
        return write_ris(iter_records(db, where), path)
    header, rows = records_table(db)
    if unique_only:
        rows = [row for row in rows if row[header.index("duplicate_of")] == ""]
    if file_format == "csv":
        return write_csv(header, rows, path)
    if file_format == "json":
        return write_json(header, rows, path)
    raise ReviewError(f"records cannot be exported as '{file_format}' (use csv, json or ris)")


EXPORT_TABLES = {"records": export_records}


def export_table(db: sqlite_utils.Database, table: str, file_format: str, path: Path | None, **options: object) -> str:
    """Export one named table in one format; the single entry point for CLI and app."""
    if table not in EXPORT_TABLES:
        raise ReviewError(f"unknown table '{table}' (known: {', '.join(EXPORT_TABLES)})")
    return EXPORT_TABLES[table](db, file_format, path, **options)
