"""The review's vocabulary as types: stages, labels, event kinds and the statuses derived from them.

Each is a `StrEnum`, so it compares equal to (and is stored as) its value:
`Stage.TA == "ta"`; text read from the database or a command line becomes
the type with `Stage(text)`.
"""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    TA = "ta"  # title/abstract screening
    FT = "ft"  # full-text screening


STAGES: tuple[Stage, ...] = (Stage.TA, Stage.FT)
STAGE_NAMES = {Stage.TA: "title/abstract", Stage.FT: "full text"}


class Label(StrEnum):
    INCLUDE = "include"
    EXCLUDE = "exclude"
    MAYBE = "maybe"


class EventKind(StrEnum):
    SCREEN = "screen"  # a reviewer's label (changing one's mind appends another)
    RESOLVE = "resolve"  # a reconciliation of a conflict (final)
    UNDO = "undo"  # cancels the reviewer's latest active event on the record


class RecordStatus(StrEnum):
    FINAL = "final"  # reconciled: one label counts
    CONFLICT = "conflict"  # reviewers disagree, no resolution yet
    WAITING = "waiting"  # decided by fewer reviewers than the stage needs


class PairStatus(StrEnum):
    """A candidate duplicate pair found by a deduplication run."""

    MERGED = "merged"  # merged automatically by the run
    UNCERTAIN = "uncertain"  # left for a person
    CONFIRMED = "confirmed"  # a person merged it
    REJECTED = "rejected"  # a person kept both records
    UNDONE = "undone"  # its run was undone


class FulltextStatus(StrEnum):
    RETRIEVED = "retrieved"  # a readable file is attached (or a person confirmed an unreadable one)
    NOT_RETRIEVED = "not_retrieved"  # the report could not be obtained (PRISMA 'reports not retrieved')
    UNREADABLE = "unreadable"  # a file is attached but is empty or corrupt; not retrieved until a person confirms
