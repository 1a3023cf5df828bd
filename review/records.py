"""Records in the project: importing batches and reading records back.

Each imported file is one batch (source database, date, file hash, count),
which is what PRISMA's 'records identified' per database is counted from.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from review.errors import AlreadyImportedError, ReviewError
from review.importers import ParsedRecord, ParseResult, read_file
from review.store import now, transaction

RECORD_COLUMNS = (
    "record_id, batch_id, position, source, source_id, type, title, abstract, authors, year, journal, "
    "volume, issue, pages, doi, pmid, keywords, language, url, raw_format, raw, duplicate_of"
)


@dataclass
class BatchReport:
    file: str
    source: str
    format: str
    encoding: str
    records: int
    batch_id: int
    warnings: list[str] = field(default_factory=list)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _record_row(record: ParsedRecord, batch_id: int, position: int, source: str) -> dict:
    return {
        "batch_id": batch_id,
        "position": position,
        "source": source,
        "source_id": record.source_id,
        "type": record.type,
        "title": record.title,
        "abstract": record.abstract,
        "authors": json.dumps(record.authors, ensure_ascii=False),
        "year": record.year,
        "journal": record.journal,
        "volume": record.volume,
        "issue": record.issue,
        "pages": record.pages,
        "doi": record.doi,
        "pmid": record.pmid,
        "keywords": json.dumps(record.keywords, ensure_ascii=False),
        "language": record.language,
        "url": record.url,
        "raw_format": record.raw_format,
        "raw": json.dumps(record.raw, ensure_ascii=False),
    }


def _check_not_imported(db: sqlite_utils.Database, path: Path, digest: str) -> None:
    row = db.execute(
        "SELECT file_name, imported_at FROM batches WHERE file_hash = ? ORDER BY batch_id LIMIT 1", [digest]
    ).fetchone()
    if row:
        raise AlreadyImportedError(f"{path} was already imported (as {row[0]} at {row[1]})")


def _store_batch(
    db: sqlite_utils.Database, parsed: ParseResult, path: Path, source: str, digest: str, forced: bool
) -> int:
    cursor = db.execute(
        "INSERT INTO batches (file_name, source, format, encoding, file_hash, imported_at, n_records, warnings, forced) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            path.name,
            source,
            parsed.format,
            parsed.encoding,
            digest,
            now(),
            len(parsed.records),
            json.dumps(parsed.warnings, ensure_ascii=False),
            int(forced),
        ],
    )
    batch_id = cursor.lastrowid
    db["records"].insert_all(
        (_record_row(record, batch_id, position, source) for position, record in enumerate(parsed.records, 1)),
        batch_size=2000,
    )
    return batch_id


def import_files(
    db: sqlite_utils.Database,
    paths: list[Path],
    source: str | None = None,
    force: bool = False,
    file_format: str | None = None,
    mapping: dict[str, str] | None = None,
    on_parsed: Callable[[ParseResult], None] | None = None,
) -> list[BatchReport]:
    """Import files as batches in one transaction: all of them land, or none.

    Every file is parsed before anything is written, so a bad line in the last
    file leaves the project exactly as it was.
    """
    prepared = []
    seen_hashes: set[str] = set()
    for path in map(Path, paths):
        parsed = read_file(path, file_format, mapping)
        digest = file_sha256(path)
        if not force:
            _check_not_imported(db, path, digest)
            if digest in seen_hashes:
                raise AlreadyImportedError(f"{path} is given twice (same content)")
        seen_hashes.add(digest)
        prepared.append((path, parsed, digest))
        if on_parsed:
            on_parsed(parsed)
    reports = []
    with transaction(db):
        for path, parsed, digest in prepared:
            batch_source = source or path.stem
            batch_id = _store_batch(db, parsed, path, batch_source, digest, force)
            reports.append(
                BatchReport(
                    str(path),
                    batch_source,
                    parsed.format,
                    parsed.encoding,
                    len(parsed.records),
                    batch_id,
                    parsed.warnings,
                )
            )
    return reports


def _decode_row(row: dict) -> dict:
    for key in ("authors", "keywords", "raw"):
        if key in row and isinstance(row[key], str):
            row[key] = json.loads(row[key])
    return row


def iter_records(db: sqlite_utils.Database, where: str = "1 = 1", params: list | None = None) -> Iterator[dict]:
    """Records as dicts (JSON columns decoded), in import order."""
    cursor = db.execute(f"SELECT {RECORD_COLUMNS} FROM records WHERE {where} ORDER BY record_id", params or [])
    names = [column[0] for column in cursor.description]
    for values in cursor:
        yield _decode_row(dict(zip(names, values)))


def get_record(db: sqlite_utils.Database, record_id: int) -> dict:
    rows = list(iter_records(db, "record_id = ?", [record_id]))
    if not rows:
        raise ReviewError(f"no record with id {record_id}")
    return rows[0]


def unique_records(db: sqlite_utils.Database) -> Iterator[dict]:
    """Records that survived deduplication: the ones screening works on."""
    return iter_records(db, "duplicate_of IS NULL")


def records_per_source(db: sqlite_utils.Database) -> dict[str, int]:
    """Imported records per source database (PRISMA's records identified per database)."""
    rows = db.execute("SELECT source, COUNT(*) FROM records GROUP BY source ORDER BY source").fetchall()
    return dict(rows)


def batches(db: sqlite_utils.Database) -> list[dict]:
    return [dict(row) for row in db["batches"].rows_where(order_by="batch_id")]


def import_uploads(
    db: sqlite_utils.Database, uploads: list[tuple[str, bytes]], source: str | None = None, force: bool = False
) -> list[BatchReport]:
    """Import files given as (name, content), e.g. uploaded in the web app, exactly as `import_files` does.

    The contents are written under their own names to a temporary folder, so
    batches record the uploaded file name and messages name it alone.
    """
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for index, (name, data) in enumerate(uploads):
            path = Path(folder, str(index), Path(name).name)
            path.parent.mkdir()
            path.write_bytes(data)
            paths.append(path)
        try:
            reports = import_files(db, paths, source=source, force=force)
        except ReviewError as error:
            message = str(error)
            for path in paths:
                message = message.replace(str(path), path.name)
            raise ReviewError(message) from error
    for report, path in zip(reports, paths):
        report.file = path.name
    return reports


@dataclass(frozen=True)
class Record:
    """One imported record as the review reads it (authors and keywords as lists, raw source tags kept)."""

    record_id: int
    batch_id: int
    position: int
    source: str
    source_id: str | None
    type: str | None
    title: str | None
    abstract: str | None
    authors: list[str]
    year: int | None
    journal: str | None
    volume: str | None
    issue: str | None
    pages: str | None
    doi: str | None
    pmid: str | None
    keywords: list[str]
    language: str | None
    url: str | None
    raw_format: str
    raw: object
    duplicate_of: int | None

    @classmethod
    def from_row(cls, row: dict) -> Record:
        return cls(**{name: row.get(name) for name in cls.__dataclass_fields__})

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    @property
    def authors_line(self) -> str:
        """Up to eight authors, then 'et al.'."""
        shown = "; ".join(self.authors[:8])
        return shown + (" et al." if len(self.authors) > 8 else "")
