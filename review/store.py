"""The project database: one SQLite file per review, opened with sqlite-utils.

The schema is versioned. `MIGRATIONS[i]` takes a database from version `i` to
`i + 1`; `open_project` applies whatever a database still lacks, so a project
made by an older release opens in a newer one. Add a migration at the end of the
list; never edit one that has shipped.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from time import sleep
from typing import Any, TypeVar

import sqlite_utils

from review.errors import ProjectError, Remedy

DB_NAME = "review.db"
T = TypeVar("T")


@dataclass(frozen=True)
class LockWait:
    """How long a connection waits for another writer's lock before giving up.

    SQLite itself waits up to `busy_timeout_s` per attempt; a failed attempt is
    repeated `retries` times after pauses of `backoff_s`, doubling each time.
    A writer that holds the lock even longer (a large import in another window)
    then gets a one-line `ProjectError`, and nothing of its own was written.
    """

    busy_timeout_s: float = 30.0
    retries: int = 3
    backoff_s: float = 1.0

    def pauses(self) -> list[float]:
        return [self.backoff_s * 2**attempt for attempt in range(self.retries)]

    def total_s(self) -> float:
        return (self.retries + 1) * self.busy_timeout_s + sum(self.pauses())


LOCK_WAIT = LockWait()


def _v1_initial_schema(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
        CREATE TABLE protocols (
            protocol_id INTEGER PRIMARY KEY,
            stored_at TEXT NOT NULL,
            source_file TEXT,
            yaml TEXT NOT NULL
        );
        CREATE TABLE batches (
            batch_id INTEGER PRIMARY KEY,
            file_name TEXT NOT NULL,
            source TEXT NOT NULL,
            format TEXT NOT NULL,
            encoding TEXT,
            file_hash TEXT NOT NULL,
            imported_at TEXT NOT NULL,
            n_records INTEGER NOT NULL,
            warnings TEXT,
            forced INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE records (
            record_id INTEGER PRIMARY KEY,
            batch_id INTEGER NOT NULL REFERENCES batches(batch_id),
            position INTEGER NOT NULL,
            source TEXT NOT NULL,
            source_id TEXT,
            type TEXT,
            title TEXT,
            abstract TEXT,
            authors TEXT,
            year INTEGER,
            journal TEXT,
            volume TEXT,
            issue TEXT,
            pages TEXT,
            doi TEXT,
            pmid TEXT,
            keywords TEXT,
            language TEXT,
            url TEXT,
            raw_format TEXT NOT NULL,
            raw TEXT NOT NULL,
            duplicate_of INTEGER REFERENCES records(record_id)
        );
        CREATE TABLE dedupe_runs (
            run_id INTEGER PRIMARY KEY,
            created_at TEXT NOT NULL,
            settings TEXT,
            n_merged INTEGER NOT NULL DEFAULT 0,
            n_uncertain INTEGER NOT NULL DEFAULT 0,
            undone_at TEXT
        );
        CREATE TABLE duplicate_pairs (
            pair_id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES dedupe_runs(run_id),
            record_id INTEGER NOT NULL REFERENCES records(record_id),
            duplicate_of INTEGER NOT NULL REFERENCES records(record_id),
            method TEXT NOT NULL,
            score REAL,
            status TEXT NOT NULL,
            decided_by TEXT,
            decided_at TEXT
        );
        CREATE TABLE decisions (
            event_id INTEGER PRIMARY KEY,
            record_id INTEGER NOT NULL REFERENCES records(record_id),
            stage TEXT NOT NULL CHECK (stage IN ('ta', 'ft')),
            reviewer TEXT NOT NULL,
            kind TEXT NOT NULL DEFAULT 'screen',
            label TEXT CHECK (label IN ('include', 'exclude', 'maybe') OR label IS NULL),
            reason TEXT,
            note TEXT,
            score REAL,
            rank INTEGER,
            created_at TEXT NOT NULL
        );
        CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions
        BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END;
        CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions
        BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END;
        CREATE TABLE fulltexts (
            record_id INTEGER PRIMARY KEY REFERENCES records(record_id),
            status TEXT NOT NULL,
            file_name TEXT,
            sha256 TEXT,
            text TEXT,
            n_pages INTEGER,
            reason TEXT,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE report_links (
            record_id INTEGER PRIMARY KEY REFERENCES records(record_id),
            study TEXT NOT NULL,
            linked_at TEXT NOT NULL
        );
        CREATE TABLE codes (
            code_id INTEGER PRIMARY KEY,
            study TEXT NOT NULL,
            dimension TEXT NOT NULL,
            value TEXT,
            coder TEXT NOT NULL,
            note TEXT,
            created_at TEXT NOT NULL
        );
        CREATE TABLE embeddings (
            model TEXT NOT NULL,
            text_hash TEXT NOT NULL,
            dim INTEGER NOT NULL,
            vector BLOB NOT NULL,
            PRIMARY KEY (model, text_hash)
        );
        CREATE TABLE model_runs (
            run_id INTEGER PRIMARY KEY,
            stage TEXT NOT NULL,
            created_at TEXT NOT NULL,
            config TEXT,
            n_labelled INTEGER,
            n_relevant INTEGER,
            seconds REAL
        );
        CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT);
        """
    )


def _v2_lookup_indexes(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE INDEX IF NOT EXISTS idx_records_doi ON records(doi);
        CREATE INDEX IF NOT EXISTS idx_records_pmid ON records(pmid);
        CREATE INDEX IF NOT EXISTS idx_records_duplicate_of ON records(duplicate_of);
        CREATE INDEX IF NOT EXISTS idx_decisions_record_stage ON decisions(record_id, stage);
        CREATE INDEX IF NOT EXISTS idx_codes_study ON codes(study, dimension);
        """
    )


def _v3_screening_claims(db: sqlite_utils.Database) -> None:
    """Short-lived claims so two screening sessions are not served the same record.

    Claims are not decisions: they expire, and are replaced or deleted freely.
    """
    db.executescript(
        """
        CREATE TABLE claims (
            stage TEXT NOT NULL CHECK (stage IN ('ta', 'ft')),
            record_id INTEGER NOT NULL REFERENCES records(record_id),
            reviewer TEXT NOT NULL,
            holder TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            PRIMARY KEY (stage, record_id, holder)
        );
        CREATE INDEX IF NOT EXISTS idx_decisions_stage_reviewer ON decisions(stage, reviewer);
        """
    )


def _v4_dedupe_changes(db: sqlite_utils.Database) -> None:
    """Every change to `records.duplicate_of`, so a dedupe run can be undone exactly."""
    db.executescript(
        """
        CREATE TABLE dedupe_changes (
            change_id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES dedupe_runs(run_id),
            pair_id INTEGER REFERENCES duplicate_pairs(pair_id),
            record_id INTEGER NOT NULL REFERENCES records(record_id),
            previous_duplicate_of INTEGER,
            new_duplicate_of INTEGER,
            changed_at TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS idx_dedupe_changes_record ON dedupe_changes(record_id);
        CREATE INDEX IF NOT EXISTS idx_dedupe_changes_run ON dedupe_changes(run_id);
        CREATE INDEX IF NOT EXISTS idx_duplicate_pairs_run ON duplicate_pairs(run_id, status);
        """
    )


def _v5_rankings(db: sqlite_utils.Database) -> None:
    """The scores and ranks of each ranking run (`model_runs.run_id`), so the latest is read back fast."""
    db.executescript(
        """
        CREATE TABLE rankings (
            run_id INTEGER NOT NULL REFERENCES model_runs(run_id),
            stage TEXT NOT NULL CHECK (stage IN ('ta', 'ft')),
            record_id INTEGER NOT NULL REFERENCES records(record_id),
            score REAL NOT NULL,
            rank INTEGER NOT NULL,
            PRIMARY KEY (run_id, record_id)
        );
        CREATE INDEX IF NOT EXISTS idx_model_runs_stage ON model_runs(stage, run_id);
        """
    )


def _v6_identity_audit_credits(db: sqlite_utils.Database) -> None:
    """A project id (so caches never mix two projects made at one path), the audit log, fusion credits.

    `meta.duplicates_version` counts changes to `records.duplicate_of` (by any
    writer), so the set of unique records can be cached until it moves.

    The audit log is append-only like the decision log: sign-ins, unblindings,
    role and protocol changes. Fusion credits (how each ranking component did
    on each relevant record found) are kept per stage and preset, so every
    front end ranks with the same weights.
    """
    db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('project_id', ?)", [uuid.uuid4().hex])
    db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('duplicates_version', '0')")
    db.executescript(
        """
        CREATE TRIGGER records_duplicate_of_changed AFTER UPDATE OF duplicate_of ON records
        BEGIN UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'duplicates_version'; END;
        CREATE TABLE audit_log (
            audit_id INTEGER PRIMARY KEY,
            created_at TEXT NOT NULL,
            actor TEXT,
            action TEXT NOT NULL,
            detail TEXT
        );
        CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        CREATE TABLE fusion_credits (
            stage TEXT NOT NULL CHECK (stage IN ('ta', 'ft')),
            preset TEXT NOT NULL,
            record_id INTEGER NOT NULL REFERENCES records(record_id),
            credits TEXT NOT NULL,
            PRIMARY KEY (stage, preset, record_id)
        );
        """
    )
    for stage, config in db.execute("SELECT stage, config FROM model_runs ORDER BY run_id").fetchall():
        saved = json.loads(config or "{}")
        preset = (saved.get("preset") or {}).get("name")
        rows = [
            (stage, preset, int(record_id), json.dumps(value)) for record_id, value in saved.get("credits", {}).items()
        ]
        if preset and rows:
            db.conn.executemany("INSERT OR REPLACE INTO fusion_credits VALUES (?, ?, ?, ?)", rows)


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _v1_initial_schema,
    _v2_lookup_indexes,
    _v3_screening_claims,
    _v4_dedupe_changes,
    _v5_rankings,
    _v6_identity_audit_credits,
]
SCHEMA_VERSION = len(MIGRATIONS)


def now() -> str:
    """The current time as an ISO-8601 UTC string (what every table stores)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _is_busy(error: sqlite3.OperationalError) -> bool:
    """SQLITE_BUSY or SQLITE_LOCKED, extended codes included; errors raised outside SQLite carry no code."""
    return getattr(error, "sqlite_errorcode", 0) & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def when_unlocked(action: Callable[[], T]) -> T:
    """Run a statement that needs a lock, waiting with backoff while another writer holds it.

    Only the lock is waited for: `action` must be safe to repeat because a busy
    attempt changed nothing (taking a lock, a pragma).
    """
    wait = LOCK_WAIT
    pauses = wait.pauses()
    while True:
        try:
            return action()
        except sqlite3.OperationalError as error:
            if not _is_busy(error):
                raise
            if not pauses:
                raise ProjectError(
                    f"another session has kept the project database locked for more than {wait.total_s():.0f} s; "
                    "nothing was written, try again when it has finished"
                ) from error
        sleep(pauses.pop(0))


def connect(path: Path | str) -> sqlite_utils.Database:
    """Open a SQLite file with the settings every project connection needs."""
    timeout_s = LOCK_WAIT.busy_timeout_s
    conn = sqlite3.connect(str(path), timeout=timeout_s, check_same_thread=False)
    db = sqlite_utils.Database(conn)
    db.execute(f"PRAGMA busy_timeout = {int(timeout_s * 1000)}")
    db.execute("PRAGMA foreign_keys = ON")
    if when_unlocked(lambda: db.execute("PRAGMA journal_mode").fetchone()[0]) != "wal":
        when_unlocked(db.enable_wal)
    return db


def schema_version(db: sqlite_utils.Database) -> int:
    if "meta" not in db.table_names():
        return 0
    row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def migrate(db: sqlite_utils.Database) -> int:
    """Apply the migrations a database lacks; returns the resulting version."""
    version = schema_version(db)
    if version > SCHEMA_VERSION:
        raise ProjectError(
            f"this project uses schema version {version}, newer than this release "
            f"supports ({SCHEMA_VERSION}); upgrade the toolkit"
        )
    for target in range(version, SCHEMA_VERSION):
        with transaction(db):
            MIGRATIONS[target](db)
            db.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)",
                [str(target + 1)],
            )
    return SCHEMA_VERSION


def db_path(project_dir: Path | str) -> Path:
    return Path(project_dir) / DB_NAME


def create_project(project_dir: Path | str) -> sqlite_utils.Database:
    """Create the project folder and an empty, fully migrated database."""
    path = db_path(project_dir)
    if path.exists():
        raise ProjectError(f"{path} already exists", Remedy.OTHER_FOLDER)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = connect(path)
    migrate(db)
    return db


def open_project(project_dir: Path | str) -> sqlite_utils.Database:
    """Open an existing project, upgrading its schema if it is older."""
    path = db_path(project_dir)
    if not path.exists():
        raise ProjectError(f"no project at {project_dir} (missing {DB_NAME})", Remedy.INIT_PROJECT)
    db = connect(path)
    migrate(db)
    return db


@contextlib.contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One write transaction; everything inside lands together or not at all.

    `BEGIN IMMEDIATE` takes the write lock up front, so two processes writing
    the same project queue for it instead of failing with 'database is locked'
    half-way through; a lock held too long ends in a `ProjectError` before
    anything is written (see `LockWait`). Nested use joins the outer one.
    """
    if db.conn.in_transaction:
        yield db
        return
    when_unlocked(lambda: db.execute("BEGIN IMMEDIATE"))
    try:
        yield db
    except BaseException:
        db.conn.rollback()
        raise
    else:
        db.conn.commit()


def project_id(db: sqlite_utils.Database) -> str:
    """The id given to the project when its database was made (or first upgraded)."""
    row = db.execute("SELECT value FROM meta WHERE key = 'project_id'").fetchone()
    if row is None:
        raise ProjectError("this database has no project id; it is not a review project")
    return row[0]


def get_setting(db: sqlite_utils.Database, key: str, default: Any = None) -> Any:
    row = db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
    return json.loads(row[0]) if row else default


def set_setting(db: sqlite_utils.Database, key: str, value: Any) -> None:
    with transaction(db):
        db.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", [key, json.dumps(value)])
