"""Blind mode: who may see which screening labels.

Every output that can show a reviewer's label (a record's history, the
decision log in exports, conflicts, agreement, the app's pages) takes a
`Viewer` and asks this module.

The rule: while a blind stage is *open* — some candidate waits for its second
reviewer or is in conflict — a viewer sees only their own labels at that
stage. Asking without saying who is looking is refused while any blind stage
is open (`BlindStageError`), unless the viewer is explicitly unblinded;
every unblinding is written to the audit log. Final (reconciled) labels and
counts are not reviewers' labels and stay visible, so progress and PRISMA
need no viewer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from review.audit import AuditAction, record_audit
from review.errors import BlindStageError
from review.types import STAGE_NAMES, STAGES, Stage

if TYPE_CHECKING:
    from review.core import Review


@dataclass(frozen=True)
class Viewer:
    """Who is looking: a reviewer's name (None: nobody said), and whether the labels are unblinded for them.

    `reconciled_only` (an observer) sees no reviewer's label at any stage, only final labels and counts.
    """

    name: str | None = None
    unblinded: bool = False
    reconciled_only: bool = False

    def label_filter(self, review: Review) -> Callable[[str, str], bool]:
        """`sees(stage, reviewer)`: may this viewer see that reviewer's labels at that stage now?"""
        hidden = frozenset(self.hidden_stages(review))
        return lambda stage, reviewer: reviewer == self.name or Stage(stage) not in hidden

    def hidden_stages(self, review: Review) -> list[Stage]:
        """Stages where this viewer sees only their own labels now."""
        if self.reconciled_only:
            return list(STAGES)
        return [] if self.unblinded else open_blind_stages(review)


def open_blind_stages(review: Review) -> list[Stage]:
    """Blind stages with candidates waiting for another reviewer or in conflict (their labels stay hidden)."""
    return [
        stage for stage in STAGES if review.protocol.stage(stage).blind and review.state(stage).unreconciled
    ]  # fmt: skip


def require_viewer(review: Review, viewer: Viewer) -> None:
    """Refuse to show labels to nobody in particular while a blind stage is open."""
    hidden = open_blind_stages(review)
    if hidden and viewer.name is None and not viewer.unblinded:
        raise BlindStageError([STAGE_NAMES[stage] for stage in hidden])


def unblind(review: Review, actor: str | None, context: str) -> Viewer:
    """A viewer who sees every label; written to the audit log when it reveals anything (a blind stage is open)."""
    hidden = open_blind_stages(review)
    if hidden:
        stages = ", ".join(STAGE_NAMES[stage] for stage in hidden)
        record_audit(review.db, AuditAction.UNBLIND, actor, f"{context}: labels of the open blind stage(s) {stages}")
    return Viewer(actor, unblinded=True)
