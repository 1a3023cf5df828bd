"""Full texts: attach files to records, extract their text, mark reports not retrieved.

Files are matched to records by DOI, record id, source id or title found in the
file name, copied into `PROJECT/fulltexts/<record_id>.<ext>` (the incoming name
is never used as a path) and their text is stored in the `fulltexts` table for
full-text ranking and search.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import sqlite_utils
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from review.errors import ReviewError
from review.importers.model import normalise_doi
from review.store import now, transaction
from review.types import Stage

if TYPE_CHECKING:
    from review.core import Review

FULLTEXT_DIR = "fulltexts"
EXTENSIONS = (".pdf", ".txt")
RETRIEVED = "retrieved"
NOT_RETRIEVED = "not_retrieved"
MIN_TITLE_PREFIX = 30


@dataclass
class AttachReport:
    """What `attach_fulltexts` did: matched files, files it could not place, records still without a file."""

    matched: list[tuple[int, str]] = field(default_factory=list)
    unmatched_files: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
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
    """Regular files under `source_dir`; links leading outside it are skipped and reported."""
    root = source_dir.resolve()
    files = []
    for folder, _dirs, names in os.walk(source_dir, followlinks=False):
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


def extract_text(path: Path) -> tuple[str, int | None]:
    """The text of a PDF (pages joined by blank lines) or a .txt file, and the page count."""
    if path.suffix.lower() == ".txt":
        return path.read_text(encoding="utf-8", errors="replace"), None
    try:
        reader = PdfReader(str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, OSError) as error:
        raise ReviewError(f"{path.name}: cannot read the PDF ({error})") from error
    return "\n\n".join(pages).strip(), len(pages)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def attach_fulltexts(review: Review, source_dir: Path | str) -> AttachReport:
    """Match the PDF/.txt files in `source_dir` to records, copy them into the project, store their text.

    A record that already has a file gets the new one; a second file for the same
    record in one call is skipped. `records_without_file` lists records that passed
    title/abstract screening and still have neither a file nor a 'not retrieved' mark.
    """
    db, project_dir, source_dir = review.db, review.folder, Path(source_dir)
    if not source_dir.is_dir():
        raise ReviewError(f"no such folder: {source_dir}")
    report = AttachReport()
    index = _RecordIndex(db)
    rows = []
    for path in _candidate_files(source_dir, report):
        shown = str(path.relative_to(source_dir))
        record_id = index.match(path.name)
        if record_id is None:
            report.unmatched_files.append(shown)
            continue
        if any(row["record_id"] == record_id for row in rows):
            report.skipped.append((shown, f"record {record_id} already got a file in this run"))
            continue
        try:
            text, n_pages = extract_text(path)
        except ReviewError as error:
            report.warnings.append(str(error))
            text, n_pages = None, None
        relative = f"{FULLTEXT_DIR}/{record_id}{path.suffix.lower()}"
        target = _inside(project_dir, relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.resolve() != target:  # re-attaching the project's own folder copies nothing
            shutil.copyfile(path, target)
        rows.append(
            {
                "record_id": record_id,
                "status": RETRIEVED,
                "file_name": relative,
                "sha256": _sha256(target),
                "text": text,
                "n_pages": n_pages,
                "reason": None,
                "updated_at": now(),
            }
        )
        report.matched.append((record_id, shown))
    with transaction(db):
        db["fulltexts"].upsert_all(rows, pk="record_id")
    have = {row[0] for row in db.execute("SELECT record_id FROM fulltexts")}
    report.records_without_file = sorted(set(review.state(Stage.FT).candidates) - have)
    return report


def _check_record(db: sqlite_utils.Database, record_id: int) -> None:
    if db.execute("SELECT 1 FROM records WHERE record_id = ?", [record_id]).fetchone() is None:
        raise ReviewError(f"no record with id {record_id}")


def mark_not_retrieved(review: Review, record_id: int, reason: str) -> None:
    """Record that the full text of a report could not be obtained, and why.

    A report already assessed at full text (it has a final decision there) was
    retrieved; undo that decision first if it was made without the full text.
    Checked and written in one transaction.
    """
    if not reason or not reason.strip():
        raise ReviewError("give a reason why the full text was not retrieved")
    with transaction(review.db):
        _check_record(review.db, record_id)
        decided = review.state(Stage.FT).finals.get(record_id)
        if decided:
            raise ReviewError(
                f"record {record_id} was assessed at full text ({decided}); undo that decision "
                "before marking it not retrieved"
            )
        review.db["fulltexts"].upsert(
            {"record_id": record_id, "status": NOT_RETRIEVED, "file_name": None, "sha256": None, "text": None,
             "n_pages": None, "reason": reason.strip(), "updated_at": now()},
            pk="record_id",
        )  # fmt: skip


def not_retrieved(db: sqlite_utils.Database) -> dict[int, str]:
    """Records marked 'not retrieved', with the reason."""
    return dict(db.execute("SELECT record_id, reason FROM fulltexts WHERE status = ?", [NOT_RETRIEVED]).fetchall())


def fulltext_text(db: sqlite_utils.Database, record_id: int) -> str | None:
    """The extracted text of a record's full text, or None when there is none."""
    row = db.execute("SELECT text FROM fulltexts WHERE record_id = ? AND status = ?", [record_id, RETRIEVED]).fetchone()
    return row[0] if row else None


def fulltext_path(db: sqlite_utils.Database, project_dir: Path | str, record_id: int) -> Path | None:
    """Where a record's attached file lives inside the project, or None when it has none."""
    row = db.execute(
        "SELECT file_name FROM fulltexts WHERE record_id = ? AND status = ?", [record_id, RETRIEVED]
    ).fetchone()
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
        "SELECT record_id, text FROM fulltexts WHERE status = ? AND text IS NOT NULL ORDER BY record_id", [RETRIEVED]
    )
    for record_id, text in rows:
        folded = text.lower()  # lower() keeps offsets aligned with the text for the snippet
        if all(word in folded for word in words):
            at = folded.index(words[0])
            snippet = " ".join(text[max(0, at - context) : at + len(words[0]) + context].split())
            hits.append((record_id, snippet))
    return hits
