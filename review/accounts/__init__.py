"""Accounts of a team server: users and roles, passwords, sign-in sessions and their audit log.

Accounts live per *server*, in `accounts.db` in the folder that holds the
team's projects: one sign-in opens every project of the team, a role is the
same in each, and the app can confine itself to that folder. A command given
a project folder uses the folder above it (`server_folder`).

    from review.accounts import Accounts

    with Accounts.open("reviews/", create=True) as accounts:
        accounts.add("anna", "a long password", "reviewer", display_name="Anna Berg")
        token = accounts.sign_in("Anna", "a long password")   # names are case-insensitive
        user = accounts.session_user(token)                   # None once idle too long
        accounts.audit()                                      # sign-ins, failures, role changes

Passwords are hashed with Argon2id (argon2-cffi); after five failed sign-ins
in a row an account is locked for fifteen minutes.
"""

from review.accounts.audit import AccountAudit
from review.accounts.sessions import DEFAULT_IDLE_MINUTES, LOCKOUT_AFTER, LOCKOUT_MINUTES
from review.accounts.store import ACCOUNTS_DB, Accounts, User, check_user_name, server_folder

__all__ = [
    "ACCOUNTS_DB",
    "DEFAULT_IDLE_MINUTES",
    "LOCKOUT_AFTER",
    "LOCKOUT_MINUTES",
    "AccountAudit",
    "Accounts",
    "User",
    "check_user_name",
    "server_folder",
]
