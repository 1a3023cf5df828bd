"""Who may do what: the roles of a review team and the actions each allows.

A *lead* runs the review (protocol, reconciliation, deduplication, users), a
*reviewer* screens and codes and, in a blind stage, sees only their own
labels, and an *observer* reads progress, PRISMA and reconciled exports. A
review opened without an actor (one person on their own machine, the CLI
run by the project's owner) acts as a lead. The library checks these rules
on every write; pages only hide what a role cannot do.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from review.errors import AccessDenied


class Role(StrEnum):
    LEAD = "lead"
    REVIEWER = "reviewer"
    OBSERVER = "observer"


class Action(StrEnum):
    READ = "read"  # progress, PRISMA, reconciled exports
    SCREEN = "screen"  # decide and undo one's own screening decisions
    CODE = "code"  # enter one's own codes for included studies
    RESOLVE = "resolve"  # reconcile screening and coding conflicts
    DEDUPE = "dedupe"  # apply, confirm and undo deduplication
    IMPORT = "import"  # import records, attach and link full texts
    EDIT_PROTOCOL = "edit_protocol"
    UNBLIND = "unblind"  # see every reviewer's labels in an open blind stage (audited)
    EXPORT_RAW = "export_raw"  # the decision log and unreconciled tables
    MANAGE_USERS = "manage_users"
    CREATE_PROJECT = "create_project"


PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.OBSERVER: frozenset({Action.READ}),
    Role.REVIEWER: frozenset({Action.READ, Action.SCREEN, Action.CODE}),
    Role.LEAD: frozenset(Action),
}


def allowed(role: Role | str, action: Action | str) -> bool:
    return Action(action) in PERMISSIONS[Role(role)]


def require(role: Role | str, action: Action | str) -> None:
    """Raise `AccessDenied` unless `role` may perform `action`."""
    if not allowed(role, action):
        raise AccessDenied(f"a {Role(role)} may not {Action(action).value.replace('_', ' ')}")


@dataclass(frozen=True)
class Actor:
    """Who works on a review: a signed-in user's name (as every decision records it) and role."""

    name: str
    role: Role

    def __post_init__(self) -> None:
        object.__setattr__(self, "role", Role(self.role))
