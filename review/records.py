"""Records in the project: importing batches and reading records back.

Each imported file is one batch (source database, date, file hash, count),
which is what PRISMA's 'records identified' per database is counted from.

An import streams: each file is read once (its hash comes from the same
bytes that are parsed), its records are parsed one by one into a temporary
table of this connection, and only when every file has parsed do the batches
and records move into the project, in one short transaction. A bad line in the
last file therefore leaves the project as it was, memory stays near the size
of the largest file, and the write lock is held for the copy alone.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from review.errors import AlreadyImportedError, ReviewError
from review.importers import ParsedRecord, RecordStream, read_input, stream_bytes
from review.store import now, transaction

RECORD_COLUMNS = (
    "record_id, batch_id, position, source, source_id, type, title, abstract, authors, year, journal, "
    "volume, issue, pages, doi, pmid, keywords, language, url, raw_format, raw, duplicate_of"
)
STAGED_COLUMNS = (
    "position",
    "source",
    "source_id",
    "type",
    "title",
    "abstract",
    "authors",
    "year",
    "journal",
    "volume",
    "issue",
    "pages",
    "doi",
    "pmid",
    "keywords",
    "language",
    "url",
    "raw_format",
    "raw",
)
STAGING_TABLE = "temp.import_staging"


@dataclass
class BatchReport:
    file: str
    source: str
    format: str
    encoding: str
    records: int
    batch_id: int
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Input:
    """One file to import: how messages name it, the name its batch records, and how to get its bytes."""

    label: str
    name: str
    stem: str
    load: Callable[[], bytes]


@dataclass
class _StagedFile:
    index: int
    label: str
    name: str
    source: str
    format: str
    encoding: str
    digest: str
    records: int
    warnings: list[str]


def _record_row(record: ParsedRecord, position: int, source: str) -> tuple:
    return (
        position,
        source,
        record.source_id,
        record.type,
        record.title,
        record.abstract,
        json.dumps(record.authors, ensure_ascii=False),
        record.year,
        record.journal,
        record.volume,
        record.issue,
        record.pages,
        record.doi,
        record.pmid,
        json.dumps(record.keywords, ensure_ascii=False),
        record.language,
        record.url,
        str(record.raw_format),
        json.dumps(record.raw, ensure_ascii=False),
    )


def _check_not_imported(db: sqlite_utils.Database, label: str, digest: str) -> None:
    row = db.execute(
        "SELECT file_name, imported_at FROM batches WHERE file_hash = ? ORDER BY batch_id LIMIT 1", [digest]
    ).fetchone()
    if row:
        raise AlreadyImportedError(f"{label} was already imported (as {row[0]} at {row[1]})")


class _Staging:
    """The parsed records of one import, in a temporary table until they all move into the project.

    The table lives in this connection's temp database, so writing it takes
    no lock on the project and other processes never see it. Outside a
    caller's transaction each file's rows are committed to it as they are
    staged; inside one they stay in that transaction.
    """

    def __init__(self, db: sqlite_utils.Database, force: bool):
        self.db = db
        self.force = force
        self.files: list[_StagedFile] = []
        self._own_transactions = not db.conn.in_transaction
        columns = ", ".join(STAGED_COLUMNS)
        db.execute(f"DROP TABLE IF EXISTS {STAGING_TABLE}")
        db.execute(f"CREATE TABLE {STAGING_TABLE} (file_index INTEGER NOT NULL, {columns})")
        self._insert = (
            f"INSERT INTO {STAGING_TABLE} (file_index, {columns}) VALUES (?, {', '.join('?' * len(STAGED_COLUMNS))})"
        )

    def add(self, item: _Input, source: str | None, options: dict) -> _StagedFile:
        data = item.load()
        digest = hashlib.sha256(data).hexdigest()
        if not self.force:
            _check_not_imported(self.db, item.label, digest)
            if any(staged.digest == digest for staged in self.files):
                raise AlreadyImportedError(f"{item.label} is given twice (same content)")
        stream = stream_bytes(data, item.label, **options)
        staged = self._stage(stream, item, source or item.stem, digest)
        self.files.append(staged)
        return staged

    def _stage(self, stream: RecordStream, item: _Input, source: str, digest: str) -> _StagedFile:
        index = len(self.files)
        positions = itertools.count(1)
        rows = ((index, *_record_row(record, next(positions), source)) for record in stream.records)
        self.db.conn.executemany(self._insert, rows)
        count = next(positions) - 1
        if self._own_transactions:
            self.db.conn.commit()
        return _StagedFile(
            index,
            item.label,
            item.name,
            source,
            stream.format,
            stream.encoding,
            digest,
            count,
            stream.warnings.render(),
        )

    def publish(self, staged: _StagedFile) -> BatchReport:
        """Move one staged file into the project as a batch (inside the caller's transaction)."""
        if not self.force:
            _check_not_imported(self.db, staged.label, staged.digest)
        cursor = self.db.execute(
            "INSERT INTO batches (file_name, source, format, encoding, file_hash, imported_at, n_records, warnings, "
            "forced) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                staged.name,
                staged.source,
                staged.format,
                staged.encoding,
                staged.digest,
                now(),
                staged.records,
                json.dumps(staged.warnings, ensure_ascii=False),
                int(self.force),
            ],
        )
        batch_id = cursor.lastrowid
        columns = ", ".join(STAGED_COLUMNS)
        self.db.execute(
            f"INSERT INTO records (batch_id, {columns}) SELECT ?, {columns} FROM {STAGING_TABLE} "
            "WHERE file_index = ? ORDER BY rowid",
            [batch_id, staged.index],
        )
        return BatchReport(
            staged.label, staged.source, staged.format, staged.encoding, staged.records, batch_id, staged.warnings
        )

    def close(self, failed: bool) -> None:
        if failed and self._own_transactions and self.db.conn.in_transaction:
            self.db.conn.rollback()
        self.db.execute(f"DROP TABLE IF EXISTS {STAGING_TABLE}")
        if self._own_transactions and self.db.conn.in_transaction:
            self.db.conn.commit()


def _import(
    db: sqlite_utils.Database,
    inputs: Iterable[_Input],
    source: str | None,
    force: bool,
    options: dict,
    on_parsed: Callable[[str], None] | None,
) -> list[BatchReport]:
    staging = _Staging(db, force)
    failed = True
    try:
        for item in inputs:
            staging.add(item, source, options)
            if on_parsed:
                on_parsed(item.label)
        with transaction(db):
            reports = [staging.publish(staged) for staged in staging.files]
        failed = False
        return reports
    finally:
        staging.close(failed)


def import_files(
    db: sqlite_utils.Database,
    paths: list[Path],
    source: str | None = None,
    force: bool = False,
    file_format: str | None = None,
    mapping: dict[str, str] | None = None,
    sheet: str | None = None,
    on_parsed: Callable[[str], None] | None = None,
) -> list[BatchReport]:
    """Import files as batches in one transaction: all of them land, or none.

    Every file is parsed before anything is written to the project, so a bad
    line in the last file leaves the project exactly as it was. `on_parsed`
    is called with each file's name once it has been read.
    """
    inputs = (_Input(str(path), path.name, path.stem, lambda path=path: read_input(path)) for path in map(Path, paths))
    options = {"file_format": file_format, "mapping": mapping, "sheet": sheet}
    return _import(db, inputs, source, force, options, on_parsed)


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


def records_per_source(db: sqlite_utils.Database) -> dict[str, int]:
    """Imported records per source database (PRISMA's records identified per database).

    Counted from the batches (one row per imported file, with its record count), which is the same
    number as counting the records, since records are only ever added as whole batches, and
    takes no time at a million records.
    """
    rows = db.execute(
        "SELECT source, SUM(n_records) FROM batches GROUP BY source HAVING SUM(n_records) > 0 ORDER BY source"
    ).fetchall()
    return dict(rows)


def batches(db: sqlite_utils.Database) -> list[dict]:
    return [dict(row) for row in db["batches"].rows_where(order_by="batch_id")]


def import_uploads(
    db: sqlite_utils.Database,
    uploads: list[tuple[str, bytes]],
    source: str | None = None,
    force: bool = False,
    sheet: str | None = None,
    mapping: dict[str, str] | None = None,
) -> list[BatchReport]:
    """Import files given as (name, content), e.g. uploaded in the web app, exactly as `import_files` does.

    Batches record the uploaded file's own name, and messages name it alone.
    """
    inputs = []
    for name, data in uploads:
        base = Path(name).name
        inputs.append(_Input(base, base, Path(base).stem, lambda data=data: data))
    return _import(db, inputs, source, force, {"sheet": sheet, "mapping": mapping}, None)


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

    @property
    def authors_line(self) -> str:
        """Up to eight authors, then 'et al.'."""
        shown = "; ".join(self.authors[:8])
        return shown + (" et al." if len(self.authors) > 8 else "")
