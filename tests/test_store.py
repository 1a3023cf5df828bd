"""The project database: creation, WAL, migrations from older schemas."""

from __future__ import annotations

import sqlite3

import pytest

from review.errors import ProjectError
from review.store import (
    MIGRATIONS,
    SCHEMA_VERSION,
    LockWait,
    connect,
    create_project,
    open_project,
    schema_version,
    when_unlocked,
)


def test_new_project_is_current_and_in_wal_mode(tmp_path):
    db = create_project(tmp_path / "p")
    assert schema_version(db) == SCHEMA_VERSION
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_older_database_is_migrated_on_open(tmp_path):
    path = tmp_path / "old" / "review.db"
    path.parent.mkdir()
    db = connect(path)
    MIGRATIONS[0](db)  # a project written by the first release
    db.execute("INSERT INTO meta (key, value) VALUES ('schema_version', '1')")
    db.conn.commit()
    db.close()
    reopened = open_project(path.parent)
    assert schema_version(reopened) == SCHEMA_VERSION
    indexes = {row[0] for row in reopened.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert "idx_records_doi" in indexes


def test_newer_database_is_refused(tmp_path):
    db = create_project(tmp_path / "p")
    db.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    db.conn.commit()
    with pytest.raises(ProjectError, match="newer than this release"):
        open_project(tmp_path / "p")


def test_missing_project_and_existing_project(tmp_path):
    with pytest.raises(ProjectError, match="no project at"):
        open_project(tmp_path / "nothing")
    create_project(tmp_path / "p")
    with pytest.raises(ProjectError, match="already exists"):
        create_project(tmp_path / "p")


def test_decision_log_rejects_update_and_delete(project):
    _, db = project
    db.execute(
        "INSERT INTO batches (file_name, source, format, file_hash, imported_at, n_records) VALUES ('f', 's', 'ris', 'h', 't', 1)"
    )
    db.execute("INSERT INTO records (batch_id, position, source, raw_format, raw) VALUES (1, 1, 's', 'ris', '[]')")
    db.execute(
        "INSERT INTO decisions (record_id, stage, reviewer, label, created_at) VALUES (1, 'ta', 'a', 'include', 't')"
    )
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE decisions SET label = 'exclude'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM decisions")


def test_only_a_busy_database_is_waited_for(project, monkeypatch):
    """Other SQLite errors are bugs or bad SQL: they surface at once, not after minutes of retrying."""
    _, db = project
    pauses: list[float] = []
    monkeypatch.setattr("review.store.sleep", pauses.append)
    attempts = []

    def broken() -> None:
        attempts.append(1)
        db.execute("SELECT * FROM missing_table")

    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        when_unlocked(broken)
    assert attempts == [1] and pauses == []


def test_lock_wait_adds_up_attempts_and_pauses():
    wait = LockWait(busy_timeout_s=30, retries=3, backoff_s=1)
    assert wait.pauses() == [1, 2, 4]
    assert wait.total_s() == 4 * 30 + 7
