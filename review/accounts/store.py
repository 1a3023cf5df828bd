"""The users table of a team server (`accounts.db`) and the rules for names, roles and the last lead."""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from review.accounts import audit, sessions
from review.accounts.passwords import hash_password
from review.audit import AuditAction
from review.errors import ProjectError, ReviewError
from review.roles import Role
from review.store import DB_NAME, connect, now, transaction

ACCOUNTS_DB = "accounts.db"
NAME_RE = re.compile(r"[a-z0-9._-]{1,64}")
MAX_DISPLAY_NAME = 100

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,             -- lower case: names are case-insensitive
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('lead', 'reviewer', 'observer')),
    password_hash TEXT,                -- NULL: signs in through single sign-on only
    sso_identity TEXT UNIQUE,          -- the identity provider's e-mail for this account
    created_at TEXT NOT NULL,
    failed_sign_ins INTEGER NOT NULL DEFAULT 0,
    locked_until REAL                  -- epoch seconds
);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY,       -- SHA-256 of the token: the database alone cannot sign anyone in
    name TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    last_seen REAL NOT NULL
);
"""


@dataclass(frozen=True)
class User:
    name: str
    display_name: str
    role: Role
    sso_identity: str | None = None
    has_password: bool = True


def check_user_name(name: str | None) -> str:
    """A user name as stored: letters, digits and `-_.`, 1-64 characters, compared without case."""
    cleaned = (name or "").strip().lower()
    if not NAME_RE.fullmatch(cleaned):
        raise ReviewError(f"a user name has 1-64 characters, only letters, digits and - _ . (got {name!r:.80})")
    return cleaned


def check_display_name(display_name: str | None, fallback: str) -> str:
    """A display name without control characters, at most 100 characters (the user name when empty)."""
    text = " ".join((display_name or "").split()) or fallback
    if any(unicodedata.category(char).startswith("C") for char in text):
        raise ReviewError("a display name cannot contain control characters")
    if len(text) > MAX_DISPLAY_NAME:
        raise ReviewError(f"a display name has at most {MAX_DISPLAY_NAME} characters")
    return text


def server_folder(folder: Path | str) -> Path:
    """The folder whose `accounts.db` serves `folder`: a project's parent folder, else the folder itself."""
    path = Path(folder)
    if not path.is_dir():
        raise ProjectError(f"{folder} is not a folder")
    return path.parent if (path / DB_NAME).is_file() else path


class Accounts:
    """The accounts of one server folder. `Accounts.open(folder)`; `clock` returns epoch seconds (tests set it)."""

    def __init__(self, db: sqlite_utils.Database, folder: Path, clock: Callable[[], float] = time.time):
        self.db = db
        self.folder = folder
        self.clock = clock

    @classmethod
    def open(cls, folder: Path | str, create: bool = False, clock: Callable[[], float] = time.time) -> Accounts:
        """The accounts serving `folder` (a server or project folder); `create` makes `accounts.db` if missing."""
        server = server_folder(folder)
        path = server / ACCOUNTS_DB
        if not path.is_file() and not create:
            raise ProjectError(f"no accounts at {server} (missing {ACCOUNTS_DB}); add the first lead to create it")
        db = connect(path)
        db.executescript(SCHEMA + audit.SCHEMA)
        return cls(db, server, clock)

    @staticmethod
    def exist(folder: Path | str) -> bool:
        """Whether `folder` (a server or project folder) is served by accounts that have at least one user."""
        try:
            server = server_folder(folder)
        except ProjectError:
            return False
        if not (server / ACCOUNTS_DB).is_file():
            return False
        with Accounts.open(server) as accounts:
            return bool(accounts.users())

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Accounts:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- users ----------------------------------------------------------------------------------------

    def users(self) -> list[User]:
        rows = self.db.execute(
            "SELECT name, display_name, role, sso_identity, password_hash IS NOT NULL FROM users ORDER BY name"
        )
        return [User(name, display, Role(role), sso, bool(has)) for name, display, role, sso, has in rows]

    def user(self, name: str) -> User | None:
        wanted = check_user_name(name)
        return next((user for user in self.users() if user.name == wanted), None)

    def get(self, name: str) -> User:
        user = self.user(name)
        if user is None:
            raise ReviewError(f"no user {check_user_name(name)!r} on this server")
        return user

    def has_lead(self) -> bool:
        return any(user.role is Role.LEAD for user in self.users())

    def add(self, name: str, password: str | None, role: Role | str, display_name: str | None = None,
            sso_identity: str | None = None, actor: str | None = None) -> User:  # fmt: skip
        """Add an account; it needs a password, a single sign-on identity, or both."""
        name, role = check_user_name(name), Role(role)
        if password is None and not sso_identity:
            raise ReviewError("an account needs a password or a single sign-on identity")
        if self.user(name) is not None:
            raise ReviewError(f"user {name!r} exists already")
        sso = _check_identity(sso_identity)
        self._check_identity_free(sso)
        hashed = hash_password(password) if password is not None else None
        with transaction(self.db):
            self.db.execute(
                "INSERT INTO users (name, display_name, role, password_hash, sso_identity, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [name, check_display_name(display_name, name), role.value, hashed, sso, now()],
            )
            audit.record(self.db, AuditAction.USER_ADDED, actor, name, f"role {role}")
        return self.get(name)

    def remove(self, name: str, actor: str | None = None) -> None:
        user = self.get(name)
        self._keep_a_lead(user, None)
        with transaction(self.db):
            self.db.execute("DELETE FROM users WHERE name = ?", [user.name])
            audit.record(self.db, AuditAction.USER_REMOVED, actor, user.name, f"was {user.role}")

    def set_role(self, name: str, role: Role | str, actor: str | None = None) -> User:
        user, role = self.get(name), Role(role)
        self._keep_a_lead(user, role)
        with transaction(self.db):
            self.db.execute("UPDATE users SET role = ? WHERE name = ?", [role.value, user.name])
            audit.record(self.db, AuditAction.ROLE_CHANGED, actor, user.name, f"{user.role} -> {role}")
        return self.get(name)

    def set_password(self, name: str, password: str, actor: str | None = None) -> None:
        """A new password; it also ends the account's sessions and lifts a lockout."""
        user = self.get(name)
        hashed = hash_password(password)
        with transaction(self.db):
            self.db.execute(
                "UPDATE users SET password_hash = ?, failed_sign_ins = 0, locked_until = NULL WHERE name = ?",
                [hashed, user.name],
            )
            self.db.execute("DELETE FROM sessions WHERE name = ?", [user.name])
            audit.record(self.db, AuditAction.PASSWORD_CHANGED, actor, user.name)

    def _keep_a_lead(self, user: User, new_role: Role | None) -> None:
        leads = [other for other in self.users() if other.role is Role.LEAD]
        if leads == [user] and new_role is not Role.LEAD:
            raise ReviewError(f"{user.name} is the only lead; make another user lead first")

    def _check_identity_free(self, identity: str | None) -> None:
        if identity and any(user.sso_identity == identity for user in self.users()):
            raise ReviewError(f"the single sign-on identity {identity} belongs to another account")

    # --- signing in (see `review.accounts.sessions`) --------------------------------------------------------

    def sign_in(self, name: str, password: str) -> str:
        """A session token for a correct password; `SignInError` otherwise (see `sessions.sign_in`)."""
        return sessions.sign_in(self, name, password)

    def sign_in_identity(self, identity: str) -> str:
        """A session token for the account mapped to a single sign-on identity (its e-mail)."""
        return sessions.sign_in_identity(self, identity)

    def session_user(self, token: str | None, idle_minutes: float = sessions.DEFAULT_IDLE_MINUTES) -> User | None:
        return sessions.session_user(self, token, idle_minutes)

    def sign_out(self, token: str | None) -> None:
        sessions.sign_out(self, token)

    def audit(self, limit: int = 500) -> list[audit.AccountAudit]:
        return audit.entries(self.db, limit)


def _check_identity(identity: str | None) -> str | None:
    cleaned = (identity or "").strip().lower()
    if not cleaned:
        return None
    if "@" not in cleaned or len(cleaned) > 254 or any(char.isspace() for char in cleaned):
        raise ReviewError(f"a single sign-on identity is an e-mail address (got {identity!r:.80})")
    return cleaned
