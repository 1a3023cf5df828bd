"""The audit log: who signed in, who unblinded a stage, who changed a role or the protocol, and when.

Append-only (the database refuses UPDATE and DELETE on it), like the decision
log. Entries are small: an action name, the actor, and a one-line detail.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import sqlite_utils

from review.store import now, transaction


class AuditAction(StrEnum):
    UNBLIND = "unblind"
    SIGN_IN = "sign-in"
    SIGN_IN_FAILED = "sign-in-failed"
    LOCKED_OUT = "locked-out"
    SIGN_OUT = "sign-out"
    USER_ADDED = "user-added"
    USER_REMOVED = "user-removed"
    ROLE_CHANGED = "role-changed"
    PASSWORD_CHANGED = "password-changed"
    PROTOCOL_CHANGED = "protocol-changed"


@dataclass(frozen=True)
class AuditEntry:
    audit_id: int
    created_at: str
    actor: str | None
    action: str
    detail: str | None


def record_audit(db: sqlite_utils.Database, action: AuditAction, actor: str | None, detail: str = "") -> int:
    """Append one entry; returns its id."""
    with transaction(db):
        cursor = db.execute(
            "INSERT INTO audit_log (created_at, actor, action, detail) VALUES (?, ?, ?, ?)",
            [now(), actor, action.value, detail or None],
        )
        return cursor.lastrowid


def audit_entries(db: sqlite_utils.Database, action: AuditAction | None = None, limit: int = 500) -> list[AuditEntry]:
    """The newest entries first (of one action, when given)."""
    sql = "SELECT audit_id, created_at, actor, action, detail FROM audit_log"
    params: list = []
    if action is not None:
        sql += " WHERE action = ?"
        params.append(action.value)
    sql += " ORDER BY audit_id DESC LIMIT ?"
    return [AuditEntry(*row) for row in db.execute(sql, [*params, limit])]
