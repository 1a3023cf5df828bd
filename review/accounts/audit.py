"""The server's audit log: sign-ins, failed sign-ins, lockouts, users added or removed, role changes.

Append-only like a project's own audit log (the database refuses UPDATE and
DELETE); unblindings are written to the project's log, where the labels are.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from review.audit import AuditAction
from review.store import now, transaction

SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    audit_id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    actor TEXT,
    action TEXT NOT NULL,
    subject TEXT,
    detail TEXT
);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""


@dataclass(frozen=True)
class AccountAudit:
    audit_id: int
    created_at: str
    actor: str | None  # who did it (None: the server's own account, e.g. the CLI)
    action: str
    subject: str | None  # the account it concerns
    detail: str | None


def record(db: sqlite_utils.Database, action: AuditAction, actor: str | None, subject: str | None,
           detail: str = "") -> None:  # fmt: skip
    with transaction(db):
        db.execute(
            "INSERT INTO audit (created_at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
            [now(), actor, action.value, subject, detail or None],
        )


def entries(db: sqlite_utils.Database, limit: int = 500) -> list[AccountAudit]:
    """The newest entries first."""
    rows = db.execute(
        "SELECT audit_id, created_at, actor, action, subject, detail FROM audit ORDER BY audit_id DESC LIMIT ?",
        [limit],
    )
    return [AccountAudit(*row) for row in rows]
