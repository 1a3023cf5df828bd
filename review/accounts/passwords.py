"""Password hashing with Argon2id (argon2-cffi's defaults, RFC 9106's second recommendation)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from review.errors import ReviewError

MIN_LENGTH = 8
MAX_LENGTH = 1024
_HASHER = PasswordHasher()
# verified against when the user name is unknown, so a wrong name takes as long as a wrong password
_DUMMY_HASH = _HASHER.hash("no such user; this hash only costs time")


def check_password(password: str) -> str:
    """A new password as accepted: 8 to 1024 characters, not only spaces."""
    if len(password) < MIN_LENGTH or not password.strip():
        raise ReviewError(f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise ReviewError(f"a password has at most {MAX_LENGTH} characters")
    return password


def hash_password(password: str) -> str:
    return _HASHER.hash(check_password(password))


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether `password` matches; an account without a local password (single sign-on only) never matches."""
    try:
        return _HASHER.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Whether a hash was made with weaker settings than today's (then it is replaced at the next sign-in)."""
    return _HASHER.check_needs_rehash(stored_hash)
