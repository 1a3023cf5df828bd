"""Signing in: password checks with a lockout, session tokens that expire when idle, signing out.

A token is a random 256-bit string kept by the browser session; the
database stores only its SHA-256, with the time it was last used. Every use
moves that time on; a token unused for longer than the idle time is gone.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import TYPE_CHECKING

from review.accounts import audit
from review.accounts.passwords import hash_password, needs_rehash, verify_password
from review.audit import AuditAction
from review.errors import ReviewError
from review.store import now, transaction

if TYPE_CHECKING:
    from review.accounts.store import Accounts, User

LOCKOUT_AFTER = 5
LOCKOUT_MINUTES = 15
DEFAULT_IDLE_MINUTES = 60.0


class SignInError(ReviewError):
    """A refused sign-in: a wrong name or password (never saying which), or a locked account."""


def sign_in(accounts: Accounts, name: str, password: str) -> str:
    """A new session token; a wrong password counts towards the lockout, and every attempt is audited."""
    from review.accounts.store import check_user_name

    try:
        wanted = check_user_name(name)
    except ReviewError:
        wanted = None
    row = _password_row(accounts, wanted)
    verified = verify_password(row[0] if row else None, password)
    if row is not None and row[2] is not None and row[2] > accounts.clock():
        _fail(accounts, wanted, "account locked")
        raise SignInError(f"{wanted} is locked after {LOCKOUT_AFTER} failed sign-ins; try again after "
                          f"{time.strftime('%H:%M', time.localtime(row[2]))}")  # fmt: skip
    if row is None or not verified:
        _count_failure(accounts, wanted, row)
        raise SignInError("wrong user name or password")
    if needs_rehash(row[0]):
        _store(accounts, "UPDATE users SET password_hash = ? WHERE name = ?", [hash_password(password), wanted])
    return _new_session(accounts, wanted, "password")


def sign_in_identity(accounts: Accounts, identity: str) -> str:
    """A session for the account whose single sign-on identity is `identity` (an e-mail)."""
    wanted = (identity or "").strip().lower()
    row = accounts.db.execute("SELECT name FROM users WHERE sso_identity = ?", [wanted]).fetchone()
    if not wanted or row is None:
        _fail(accounts, None, f"single sign-on identity {wanted or '(none)'} has no account")
        raise SignInError(f"no account on this server is linked to {wanted or 'that identity'}; ask a lead")
    return _new_session(accounts, row[0], "single sign-on")


def session_user(accounts: Accounts, token: str | None, idle_minutes: float = DEFAULT_IDLE_MINUTES) -> User | None:
    """The signed-in user of a token, or None (unknown, expired, or the account is gone); marks it used."""
    if not token:
        return None
    key = _digest(token)
    row = accounts.db.execute("SELECT name, last_seen FROM sessions WHERE token_hash = ?", [key]).fetchone()
    if row is None:
        return None
    if accounts.clock() - row[1] > idle_minutes * 60:
        _store(accounts, "DELETE FROM sessions WHERE token_hash = ?", [key])
        return None
    _store(accounts, "UPDATE sessions SET last_seen = ? WHERE token_hash = ?", [accounts.clock(), key])
    return accounts.user(row[0])


def sign_out(accounts: Accounts, token: str | None) -> None:
    if not token:
        return
    key = _digest(token)
    row = accounts.db.execute("SELECT name FROM sessions WHERE token_hash = ?", [key]).fetchone()
    if row is not None:
        with transaction(accounts.db):
            accounts.db.execute("DELETE FROM sessions WHERE token_hash = ?", [key])
            audit.record(accounts.db, AuditAction.SIGN_OUT, row[0], row[0])


def _password_row(accounts: Accounts, name: str | None) -> tuple | None:
    if name is None:
        return None
    return accounts.db.execute(
        "SELECT password_hash, failed_sign_ins, locked_until FROM users WHERE name = ?", [name]
    ).fetchone()


def _count_failure(accounts: Accounts, name: str | None, row: tuple | None) -> None:
    """One more failure in a row; the fifth locks the account for fifteen minutes."""
    if row is None:
        _fail(accounts, name, "unknown user name")
        return
    failures = row[1] + 1
    with transaction(accounts.db):
        if failures >= LOCKOUT_AFTER:
            until = accounts.clock() + LOCKOUT_MINUTES * 60
            accounts.db.execute("UPDATE users SET failed_sign_ins = 0, locked_until = ? WHERE name = ?", [until, name])
            audit.record(accounts.db, AuditAction.SIGN_IN_FAILED, name, name, "wrong password")
            audit.record(accounts.db, AuditAction.LOCKED_OUT, None, name,
                         f"{LOCKOUT_AFTER} failed sign-ins; locked for {LOCKOUT_MINUTES} minutes")  # fmt: skip
        else:
            accounts.db.execute("UPDATE users SET failed_sign_ins = ? WHERE name = ?", [failures, name])
            audit.record(accounts.db, AuditAction.SIGN_IN_FAILED, name, name, f"wrong password ({failures} in a row)")


def _fail(accounts: Accounts, name: str | None, detail: str) -> None:
    audit.record(accounts.db, AuditAction.SIGN_IN_FAILED, name, name, detail)


def _new_session(accounts: Accounts, name: str, how: str) -> str:
    token = secrets.token_urlsafe(32)
    with transaction(accounts.db):
        accounts.db.execute("UPDATE users SET failed_sign_ins = 0, locked_until = NULL WHERE name = ?", [name])
        accounts.db.execute(
            "INSERT INTO sessions (token_hash, name, created_at, last_seen) VALUES (?, ?, ?, ?)",
            [_digest(token), name, now(), accounts.clock()],
        )
        audit.record(accounts.db, AuditAction.SIGN_IN, name, name, how)
    return token


def _store(accounts: Accounts, sql: str, params: list) -> None:
    with transaction(accounts.db):
        accounts.db.execute(sql, params)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
