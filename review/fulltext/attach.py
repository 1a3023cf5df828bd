"""Full texts: attach files to records, extract their text, mark reports not retrieved.

Files are matched to records by DOI, record id, source id or title found in the
file name, copied into `PROJECT/fulltexts/<record_id>.<ext>` (the incoming name
is never used as a path) and their text is stored in the `fulltexts` table for
full-text ranking and search.

A file that is empty or that no PDF reader can open is stored as UNREADABLE:
it is attached but does not count as retrieved until a person has looked at it
and confirmed it (`confirm_fulltexts`), or marked the report not retrieved.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import sqlite_utils

from review.errors import ReviewError
from review.importers.model import normalise_doi
from review.store import now, transaction
from review.types import FulltextStatus, Stage

if TYPE_CHECKING:
    from pypdf import PdfReader

    from review.core import Review

FULLTEXT_DIR = "fulltexts"
STAGING_PREFIX = ".attach-"  # folders inside fulltexts/ holding copies until their rows commit
EXTENSIONS = (".pdf", ".txt")
MIN_TITLE_PREFIX = 30
MAX_ERROR_CHARS = 160
_PYPDF_LOCK = threading.Lock()


@dataclass
class AttachReport:
    """What `attach_fulltexts` did.

    `matched` lists every file attached, `unreadable` those of them that are
    empty or corrupt (record id, file, what is wrong) and so wait for a person.
    """

    matched: list[tuple[int, str]] = field(default_factory=list)
    unmatched_files: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    unreadable: list[tuple[int, str, str]] = field(default_factory=list)
    records_without_file: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


class _RecordIndex:
    """Looks a file name up as DOI, record id, source id or title (in that order)."""

    def __init__(self, db: sqlite_utils.Database):
        self.by_doi: dict[str, int] = {}
        self.ids: set[int] = set()
        self.by_source_id: dict[str, int] = {}
        self.by_title: dict[str, int] = {}
        rows = db.execute("SELECT record_id, doi, source_id, title FROM records WHERE duplicate_of IS NULL")
        for record_id, doi, source_id, title in rows:
            self.ids.add(record_id)
            doi = normalise_doi(doi)
            if doi:
                self.by_doi.setdefault(doi.replace("/", "_"), record_id)
            if source_id:
                self.by_source_id.setdefault(str(source_id).strip().lower(), record_id)
            if title and _slug(title):
                self.by_title.setdefault(_slug(title), record_id)

    def match(self, file_name: str) -> int | None:
        stem = urllib.parse.unquote(Path(file_name).stem).strip().lower()
        doi = normalise_doi(stem.replace("_", "/", 1))
        if doi and doi.replace("/", "_") in self.by_doi:
            return self.by_doi[doi.replace("/", "_")]
        if stem in self.by_doi:
            return self.by_doi[stem]
        number = re.fullmatch(r"(?:record[-_ ]?)?(\d+)", stem)
        if number and int(number.group(1)) in self.ids:
            return int(number.group(1))
        if stem in self.by_source_id:
            return self.by_source_id[stem]
        return self._match_title(_slug(stem))

    def _match_title(self, slug: str) -> int | None:
        if not slug:
            return None
        if slug in self.by_title:
            return self.by_title[slug]
        if len(slug) < MIN_TITLE_PREFIX:
            return None
        hits = [record_id for title, record_id in self.by_title.items() if title.startswith(slug)]
        return hits[0] if len(hits) == 1 else None


def _candidate_files(source_dir: Path, report: AttachReport) -> list[Path]:
    """Regular files under `source_dir`; links leading outside it are skipped and reported.

    Staging folders an interrupted attach left behind are not walked: their
    copies are named like the project's own files and would match records.
    """
    root = source_dir.resolve()
    files = []
    for folder, dirs, names in os.walk(source_dir, followlinks=False):
        dirs[:] = [name for name in dirs if not name.startswith(STAGING_PREFIX)]
        for name in sorted(names):
            path = Path(folder) / name
            shown = str(path.relative_to(source_dir))
            if not path.resolve().is_relative_to(root):
                report.skipped.append((shown, "link pointing outside the folder"))
            elif path.suffix.lower() not in EXTENSIONS:
                report.skipped.append((shown, f"not a {' or '.join(EXTENSIONS)} file"))
            elif path.resolve().is_file():
                files.append(path)
    return sorted(files)


def _inside(project_dir: Path, relative: str) -> Path:
    """The project path for a stored file name; refuses anything that would leave the project."""
    root = project_dir.resolve()
    target = (root / relative).resolve()
    if not target.is_relative_to(root):
        raise ReviewError(f"refusing a full-text path outside the project folder: {relative}")
    return target


@dataclass(frozen=True)
class Extraction:
    """What could be read from one full-text file.

    `problem` is one line, phrased to follow the file name ("is encrypted
    ..."): why the file is unreadable, or why its text is missing or partial.
    """

    status: FulltextStatus
    text: str | None = None
    n_pages: int | None = None
    problem: str | None = None


def _unreadable(problem: str) -> Extraction:
    return Extraction(FulltextStatus.UNREADABLE, problem=problem)


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 3] + "..."


@contextlib.contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """Keep pypdf's log of every repair it tries on a damaged file out of the output.

    The report gives each bad file one line instead. The lock keeps two threads
    (two app sessions) from restoring each other's logging level.
    """
    logger = logging.getLogger("pypdf")
    with _PYPDF_LOCK:
        previous = logger.level
        logger.setLevel(logging.CRITICAL)
        try:
            yield
        finally:
            logger.setLevel(previous)


def _decrypt(reader: PdfReader) -> str | None:
    """Open an encrypted PDF with the empty password (most publishers' AES files); why not, if it fails."""
    from pypdf import PasswordType

    try:
        if reader.decrypt("") != PasswordType.NOT_DECRYPTED:
            return None
    except Exception as error:  # pypdf raises DependencyError, PdfReadError, ... on odd encryption dictionaries
        return f"is encrypted and cannot be decrypted ({_one_line(error)}), so its text cannot be extracted"
    return "is encrypted with a password, so its text cannot be extracted"


def _read_pdf(path: Path) -> Extraction:
    # A damaged PDF makes pypdf raise nearly anything (PdfReadError, LimitReachedError,
    # AssertionError, TypeError, NotImplementedError, ...); none of it may stop an attach run.
    try:
        from pypdf import PdfReader  # imported on use: commands that read no PDF start faster

        reader = PdfReader(path)
        if reader.is_encrypted and (locked := _decrypt(reader)):
            return Extraction(FulltextStatus.RETRIEVED, problem=locked)
        pages = list(reader.pages)
    except Exception as error:
        return _unreadable(f"is not a readable PDF ({_one_line(error)})")
    if not pages:
        return _unreadable("is a PDF without pages")
    texts, failed = [], []
    for number, page in enumerate(pages, 1):
        try:
            texts.append(page.extract_text() or "")
        except Exception as error:
            failed.append((number, error))
    if len(failed) == len(pages):
        return _unreadable(f"is a PDF none of whose pages can be read ({_one_line(failed[0][1])})")
    text = "\n\n".join(texts).strip()
    problem = None
    if failed:
        problem = f"has pages whose text cannot be extracted: {', '.join(str(number) for number, _ in failed)}"
    elif not text:
        problem = "has no text layer (a scanned image?), so its text cannot be searched or ranked"
    return Extraction(FulltextStatus.RETRIEVED, text, len(pages), problem)


def _read_txt(path: Path) -> Extraction:
    data = path.read_bytes()
    try:
        text, problem = data.decode("utf-8"), None
    except UnicodeDecodeError as error:
        text = data.decode("utf-8", errors="replace")
        problem = f"is not valid UTF-8 (first bad byte at offset {error.start}); undecodable bytes were replaced"
    if not text.strip():
        return _unreadable("contains no text")
    return Extraction(FulltextStatus.RETRIEVED, text, None, problem)


def read_fulltext(path: Path) -> Extraction:
    """The text of a PDF (pages joined by blank lines) or a .txt file, and what stood in the way.

    Never raises for a bad file: an empty or corrupt one comes back UNREADABLE
    (a person must confirm it before it counts as retrieved); an encrypted PDF
    that does not open with the empty password, or a scan without text, is
    RETRIEVED without text.
    """
    try:
        if path.stat().st_size == 0:
            return _unreadable("is empty")
        if path.suffix.lower() == ".txt":
            return _read_txt(path)
    except OSError as error:
        return _unreadable(f"cannot be read ({error.strerror or _one_line(error)})")
    with _quiet_pypdf():
        return _read_pdf(path)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class _Match:
    record_id: int
    path: Path
    shown: str


def _match_files(db: sqlite_utils.Database, source_dir: Path, report: AttachReport) -> list[_Match]:
    """One file per record: the first file (in name order) that matches it."""
    index = _RecordIndex(db)
    matches: dict[int, _Match] = {}
    for path in _candidate_files(source_dir, report):
        shown = str(path.relative_to(source_dir))
        record_id = index.match(path.name)
        if record_id is None:
            report.unmatched_files.append(shown)
        elif record_id in matches:
            report.skipped.append((shown, f"record {record_id} already got a file in this run"))
        else:
            matches[record_id] = _Match(record_id, path, shown)
    return list(matches.values())


@dataclass(frozen=True)
class _Staged:
    copy: Path
    target: Path
    row: dict


def _stage(match: _Match, project_dir: Path, staging: Path, report: AttachReport) -> _Staged | None:
    """Copy one file into the staging folder and read it there, so the stored text and hash are of the stored copy."""
    relative = f"{FULLTEXT_DIR}/{match.record_id}{match.path.suffix.lower()}"
    target = _inside(project_dir, relative)
    copy = staging / target.name
    try:
        shutil.copyfile(match.path, copy)
    except OSError as error:
        report.skipped.append((match.shown, f"cannot be copied ({error.strerror or _one_line(error)})"))
        return None
    extraction = read_fulltext(copy)
    report.matched.append((match.record_id, match.shown))
    if extraction.status == FulltextStatus.UNREADABLE:
        report.unreadable.append((match.record_id, match.shown, extraction.problem))
    elif extraction.problem:
        report.warnings.append(f"{match.shown} {extraction.problem}")
    row = {
        "record_id": match.record_id,
        "status": extraction.status,
        "file_name": relative,
        "sha256": _sha256(copy),
        "text": extraction.text,
        "n_pages": extraction.n_pages,
        "reason": f"{match.shown} {extraction.problem}" if extraction.status == FulltextStatus.UNREADABLE else None,
        "updated_at": now(),
    }
    return _Staged(copy, target, row)


def _store_rows(db: sqlite_utils.Database, rows: list[dict]) -> set[str]:
    """Upsert the rows in one transaction; returns the stored file names they no longer refer to."""
    ids = json.dumps([row["record_id"] for row in rows])
    with transaction(db):
        previous = {
            name
            for (name,) in db.execute(
                "SELECT file_name FROM fulltexts WHERE file_name IS NOT NULL "
                "AND record_id IN (SELECT value FROM json_each(?))",
                [ids],
            )
        }
        db["fulltexts"].upsert_all(rows, pk="record_id")
        still_used = {row[0] for row in db.execute("SELECT file_name FROM fulltexts WHERE file_name IS NOT NULL")}
    return previous - still_used


def _remove_superseded(project_dir: Path, names: set[str]) -> None:
    """Delete files of the project that a new attach replaced under another name (1.txt by 1.pdf)."""
    root = project_dir.resolve()
    for name in names:
        path = (root / name).resolve()
        if path.is_relative_to(root / FULLTEXT_DIR):
            path.unlink(missing_ok=True)


def attach_fulltexts(review: Review, source_dir: Path | str) -> AttachReport:
    """Match the PDF/.txt files in `source_dir` to records, copy them into the project, store their text.

    A record that already has a file gets the new one; a second file for the same
    record in one call is skipped. A file that cannot be copied is skipped and an
    empty or corrupt one is stored as UNREADABLE; neither stops the others.
    Files are copied to a staging folder first and moved to their names only
    after the database rows commit, so a run that fails leaves `fulltexts/` as
    it was. `records_without_file` lists records that passed title/abstract
    screening and still have neither a retrieved file nor a 'not retrieved' mark.
    """
    db, project_dir, source_dir = review.db, review.folder, Path(source_dir)
    if not source_dir.is_dir():
        raise ReviewError(f"no such folder: {source_dir}")
    report = AttachReport()
    matches = _match_files(db, source_dir, report)
    folder = _inside(project_dir, FULLTEXT_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=folder))
    try:
        staged = [item for match in matches if (item := _stage(match, project_dir, staging, report))]
        superseded = _store_rows(db, [item.row for item in staged]) if staged else set()
        for item in staged:
            os.replace(item.copy, item.target)
        _remove_superseded(project_dir, superseded)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    have = {
        row[0]
        for row in db.execute(
            "SELECT record_id FROM fulltexts WHERE status IN (?, ?)",
            [FulltextStatus.RETRIEVED, FulltextStatus.NOT_RETRIEVED],
        )
    }
    report.records_without_file = sorted(set(review.state(Stage.FT).candidates) - have)
    return report


def attach_uploads(review: Review, uploads: list[tuple[str, bytes]]) -> AttachReport:
    """Attach files given as (name, content), e.g. uploaded in the web app, matched exactly as `attach_fulltexts`.

    Only each upload's own base name is kept (it is what the match reads); two
    uploads with one name are refused rather than one silently replacing the other.
    """
    if not uploads:
        raise ReviewError("give at least one full-text file")
    names = [Path(name.replace("\\", "/")).name for name, _ in uploads]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ReviewError(f"two uploads have the same name: {', '.join(repeated)}")
    if "" in names or any(name in (".", "..") for name in names):
        raise ReviewError("an upload has no file name")
    with tempfile.TemporaryDirectory(prefix="review-uploads-") as folder:
        for name, (_, data) in zip(names, uploads):
            (Path(folder) / name).write_bytes(data)
        return attach_fulltexts(review, folder)


def fulltext_status(db: sqlite_utils.Database) -> dict[int, tuple[FulltextStatus, str | None]]:
    """Every record with a full-text row: its status and the reason (why not retrieved, or what is wrong)."""
    rows = db.execute("SELECT record_id, status, reason FROM fulltexts ORDER BY record_id")
    return {record_id: (FulltextStatus(status), reason) for record_id, status, reason in rows}


def _check_record(db: sqlite_utils.Database, record_id: int) -> None:
    if db.execute("SELECT 1 FROM records WHERE record_id = ?", [record_id]).fetchone() is None:
        raise ReviewError(f"no record with id {record_id}")


def mark_not_retrieved(review: Review, record_id: int, reason: str) -> None:
    """Record that the full text of a report could not be obtained, and why.

    A report already assessed at full text (it has a final decision there) was
    retrieved; undo that decision first if it was made without the full text.
    The checks run in the writing transaction, so a decision recorded meanwhile
    by another session cannot slip between check and write.
    """
    if not reason or not reason.strip():
        raise ReviewError("give a reason why the full text was not retrieved")
    db = review.db
    with transaction(db):
        _check_record(db, record_id)
        decided = review.state(Stage.FT).finals.get(record_id)
        if decided:
            raise ReviewError(
                f"record {record_id} was assessed at full text ({decided}); undo that decision "
                "before marking it not retrieved"
            )
        db["fulltexts"].upsert(
            {
                "record_id": record_id,
                "status": FulltextStatus.NOT_RETRIEVED,
                "file_name": None,
                "sha256": None,
                "text": None,
                "n_pages": None,
                "reason": reason.strip(),
                "updated_at": now(),
            },
            pk="record_id",
        )


def confirm_fulltexts(db: sqlite_utils.Database, record_ids: list[int]) -> None:
    """Count files flagged unreadable as retrieved: a person opened each and it is the report.

    All or none: one id that has no unreadable file changes nothing. Their text
    stays empty (nothing could be extracted); the reason they were flagged is
    kept. A report whose file is useless is marked not retrieved instead
    (`mark_not_retrieved`).
    """
    if not record_ids:
        raise ReviewError("give at least one record whose full text to confirm")
    with transaction(db):
        for record_id in record_ids:
            _check_record(db, record_id)
            row = db.execute("SELECT status FROM fulltexts WHERE record_id = ?", [record_id]).fetchone()
            if row is None or row[0] != FulltextStatus.UNREADABLE:
                state = "has no full text" if row is None else f"is {FulltextStatus(row[0]).replace('_', ' ')}"
                raise ReviewError(f"record {record_id} {state}; only a file flagged unreadable waits for confirmation")
            db.execute(
                "UPDATE fulltexts SET status = ?, updated_at = ? WHERE record_id = ?",
                [FulltextStatus.RETRIEVED, now(), record_id],
            )


def _with_status(db: sqlite_utils.Database, status: FulltextStatus) -> dict[int, str]:
    rows = db.execute("SELECT record_id, reason FROM fulltexts WHERE status = ? ORDER BY record_id", [status])
    return dict(rows.fetchall())


def not_retrieved(db: sqlite_utils.Database) -> dict[int, str]:
    """Records marked 'not retrieved', with the reason."""
    return _with_status(db, FulltextStatus.NOT_RETRIEVED)


def unreadable_fulltexts(db: sqlite_utils.Database) -> dict[int, str]:
    """Records whose attached file is empty or corrupt and waits for a person, with what is wrong."""
    return _with_status(db, FulltextStatus.UNREADABLE)


def fulltext_text(db: sqlite_utils.Database, record_id: int) -> str | None:
    """The extracted text of a record's full text, or None when there is none."""
    row = db.execute(
        "SELECT text FROM fulltexts WHERE record_id = ? AND status = ?", [record_id, FulltextStatus.RETRIEVED]
    ).fetchone()
    return row[0] if row else None


def fulltext_path(db: sqlite_utils.Database, project_dir: Path | str, record_id: int) -> Path | None:
    """Where a record's retrieved file lives inside the project, or None when it has none."""
    row = db.execute(
        "SELECT file_name FROM fulltexts WHERE record_id = ? AND status = ?", [record_id, FulltextStatus.RETRIEVED]
    ).fetchone()
    if not row or not row[0]:
        return None
    return _inside(Path(project_dir), row[0])


def attached_file(db: sqlite_utils.Database, project_dir: Path | str, record_id: int) -> Path | None:
    """The file attached to a record, retrieved or flagged unreadable (a person must be able to open it), or None."""
    row = db.execute("SELECT file_name FROM fulltexts WHERE record_id = ?", [record_id]).fetchone()
    if not row or not row[0]:
        return None
    return _inside(Path(project_dir), row[0])


def search_fulltexts(db: sqlite_utils.Database, query: str, context: int = 80) -> list[tuple[int, str]]:
    """Records whose full text contains every word of `query` (any case), with a snippet around the first word."""
    words = query.lower().split()
    if not words:
        raise ReviewError("give at least one word to search for")
    hits = []
    rows = db.execute(
        "SELECT record_id, text FROM fulltexts WHERE status = ? AND text IS NOT NULL ORDER BY record_id",
        [FulltextStatus.RETRIEVED],
    )
    for record_id, text in rows:
        folded = text.lower()  # lower() keeps offsets aligned with the text for the snippet
        if all(word in folded for word in words):
            at = folded.index(words[0])
            snippet = " ".join(text[max(0, at - context) : at + len(words[0]) + context].split())
            hits.append((record_id, snippet))
    return hits
