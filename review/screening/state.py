"""The state of a screening stage, derived from its decision log and updated event by event.

The log (`decisions`) is append-only, so the state after event N is the state
after event N-1 with one event applied. `StageLog` keeps what replaying needs
(each reviewer's stack of still-active events per record) and applies only the
events it has not seen; `StageLog.snapshot()` hands out an immutable
`StageState` for one log version. Nothing here touches the database: the
`Review` object reads new events and the candidate records and feeds them in.

Rules (one place for all of them):

- `screen` appends a reviewer's label; `undo` cancels that reviewer's latest
  still-active event on the record, after which their previous one counts;
  `resolve` is a reconciliation and final.
- With one reviewer per record, the latest active event is final. With two, a
  record is final when two reviewers agree or when it has an active
  resolution; reviewers who disagree make a conflict; fewer labels wait.
- A reviewer's *independent* label on a record is the one they held when the
  record first had labels from two reviewers (for later reviewers: their first
  label). Agreement statistics use it, so re-deciding after seeing a conflict
  changes the log but not the agreement.
- The full-text candidates are the unique records included at title/abstract.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import NamedTuple

from review.types import EventKind, Label, RecordStatus, Stage


class Event(NamedTuple):
    """One row of the decision log, as the derivation needs it."""

    event_id: int
    record_id: int
    reviewer: str
    kind: EventKind
    label: Label | None
    reason: str | None


@dataclass(frozen=True, slots=True)
class RecordState:
    """Where one record stands at one stage."""

    record_id: int
    status: RecordStatus
    label: Label | None = None  # the final label, when status is final
    reason: str | None = None  # the final decision's reason key
    labels: Mapping[str, Label] = field(default_factory=dict)  # reviewer -> current screening label
    independent: Mapping[str, Label] = field(default_factory=dict)  # reviewer -> label before seeing another's
    resolved_by: str | None = None
    final_event: int | None = None  # the event that made the record final

    @property
    def is_final(self) -> bool:
        return self.status is RecordStatus.FINAL


class LabelChange(NamedTuple):
    """A record's final label changed (None: it is no longer final) at this event."""

    event_id: int
    record_id: int
    label: Label | None


@dataclass(frozen=True)
class StageProgress:
    """Counts of one stage: candidates, final decisions by label, conflicts, records waiting."""

    candidates: int
    final: int
    included: int
    excluded: int
    maybe: int
    conflicts: int
    waiting: int
    by_reviewer: Mapping[str, int] = field(default_factory=dict)  # reviewer -> records with their current label

    @property
    def remaining(self) -> int:
        return self.candidates - self.final

    @property
    def undecided(self) -> int:
        return self.candidates - self.final - self.conflicts


@dataclass(frozen=True)
class StageState:
    """An immutable view of one stage at one version of the log (`version` = last event id applied)."""

    stage: Stage
    version: int
    reviewers_required: int
    candidates: tuple[int, ...]  # the records to screen at this stage, by record id
    records: Mapping[int, RecordState]  # every candidate with an active decision

    @cached_property
    def candidate_set(self) -> frozenset[int]:
        return frozenset(self.candidates)

    @cached_property
    def finals(self) -> Mapping[int, Label]:
        """record id -> reconciled label."""
        return MappingProxyType({r: s.label for r, s in self.records.items() if s.is_final})

    @cached_property
    def final_reasons(self) -> Mapping[int, str | None]:
        return MappingProxyType({r: s.reason for r, s in self.records.items() if s.is_final})

    def with_status(self, status: RecordStatus) -> list[RecordState]:
        return [state for _, state in sorted(self.records.items()) if state.status is status]

    @cached_property
    def progress(self) -> StageProgress:
        statuses = Counter(state.status for state in self.records.values())
        finals = Counter(self.finals.values())
        reviewers = Counter(who for state in self.records.values() for who in state.labels)
        return StageProgress(
            len(self.candidates),
            statuses[RecordStatus.FINAL],
            finals[Label.INCLUDE],
            finals[Label.EXCLUDE],
            finals[Label.MAYBE],
            statuses[RecordStatus.CONFLICT],
            statuses[RecordStatus.WAITING],
            dict(sorted(reviewers.items())),
        )

    @property
    def unreconciled(self) -> bool:
        """Some record waits for another reviewer or is in conflict (a blind stage's labels stay hidden)."""
        return bool(self.progress.conflicts or self.progress.waiting)

    def is_pending_for(self, record_id: int, reviewer: str) -> bool:
        """Whether `reviewer` still has to screen this candidate: not final, not in conflict, not decided by them."""
        if record_id not in self.candidate_set:
            return False
        state = self.records.get(record_id)
        return state is None or (state.status is RecordStatus.WAITING and reviewer not in state.labels)

    def pending_for(self, reviewer: str, ordered_ids: Iterable[int]) -> list[int]:
        """The records of `ordered_ids` this reviewer still has to screen, in that order."""
        return [record_id for record_id in ordered_ids if self.is_pending_for(record_id, reviewer)]

    def unscreened(self) -> list[int]:
        """Candidates without a final decision (what a ranking orders), by record id."""
        finals = self.finals
        return [record_id for record_id in self.candidates if record_id not in finals]

    def decided_by(self, reviewer: str) -> list[int]:
        """Candidates where `reviewer` holds a current label."""
        return [r for r, state in sorted(self.records.items()) if reviewer in state.labels]


def record_state(
    record_id: int, active: Mapping[str, Sequence[Event]], required: int, independent: dict[str, Label]
) -> RecordState | None:
    """The state of one record from each reviewer's still-active events (None: nothing active).

    `independent` holds each reviewer's first label given before they could see
    another's; it is updated here, once two reviewers have labelled the record.
    """
    screens: dict[str, Event] = {}
    latest: Event | None = None
    resolution: Event | None = None
    for events in active.values():
        for event in events:
            if event.kind is EventKind.SCREEN:
                screens[event.reviewer] = event
            elif resolution is None or event.event_id > resolution.event_id:
                resolution = event
        if events and (latest is None or events[-1].event_id > latest.event_id):
            latest = events[-1]
    if latest is None:
        return None
    current = {who: event.label for who, event in screens.items()}
    _freeze_independent(independent, current)
    labels, first_labels = MappingProxyType(current), MappingProxyType(dict(independent))
    if required == 1 or resolution is not None:
        event = resolution if required > 1 else latest
        resolved_by = event.reviewer if event.kind is EventKind.RESOLVE else None
        return RecordState(
            record_id, RecordStatus.FINAL, event.label, event.reason, labels, first_labels, resolved_by, event.event_id
        )
    if len(set(current.values())) > 1:
        return RecordState(record_id, RecordStatus.CONFLICT, labels=labels, independent=first_labels)
    if len(current) < required:
        return RecordState(record_id, RecordStatus.WAITING, labels=labels, independent=first_labels)
    newest = max(screens.values())
    return RecordState(
        record_id, RecordStatus.FINAL, newest.label, newest.reason, labels, first_labels, final_event=newest.event_id
    )


def _freeze_independent(frozen: dict[str, Label], labels: Mapping[str, Label]) -> None:
    """Keep each reviewer's first label once a second reviewer has labelled (or a new reviewer joins)."""
    if len(frozen) < 2 <= len(labels) or (frozen and labels.keys() - frozen.keys()):
        for who, label in labels.items():
            frozen.setdefault(who, label)


class StageLog:
    """One stage's log replayed so far; `apply` new events, `snapshot` the state (thread-safe)."""

    def __init__(self, stage: Stage, reviewers_required: int):
        self.stage = stage
        self.reviewers_required = reviewers_required
        self.version = 0
        self._active: dict[int, dict[str, list[Event]]] = {}
        self._independent: dict[int, dict[str, Label]] = {}
        self._states: dict[int, RecordState] = {}
        self._changes: list[LabelChange] = []
        self._lock = threading.Lock()
        self._snapshot: StageState | None = None

    def apply(self, events: Iterable[Event]) -> None:
        """Apply events newer than `version`, in event order."""
        with self._lock:
            for event in events:
                if event.event_id > self.version:
                    self._apply_one(event)
                    self.version = event.event_id

    def _apply_one(self, event: Event) -> None:
        by_reviewer = self._active.setdefault(event.record_id, {})
        active = by_reviewer.setdefault(event.reviewer, [])
        if event.kind is EventKind.UNDO:
            if active:
                active.pop()
        else:
            active.append(event)
        before = self._states.get(event.record_id)
        frozen = self._independent.setdefault(event.record_id, {})
        state = record_state(event.record_id, by_reviewer, self.reviewers_required, frozen)
        if state is not None:
            self._states[event.record_id] = state
        else:
            self._states.pop(event.record_id, None)
        old_label = before.label if before is not None and before.is_final else None
        new_label = state.label if state is not None and state.is_final else None
        if old_label != new_label:
            self._changes.append(LabelChange(event.event_id, event.record_id, new_label))

    def snapshot(self, candidates: tuple[int, ...]) -> StageState:
        """The state at the current version, restricted to `candidates` (cached while nothing changes)."""
        with self._lock:
            cached = self._snapshot
            if cached is not None and cached.version == self.version and cached.candidates == candidates:
                return cached
            wanted = frozenset(candidates)
            records = MappingProxyType({r: s for r, s in self._states.items() if r in wanted})
            self._snapshot = StageState(self.stage, self.version, self.reviewers_required, candidates, records)
            return self._snapshot

    def label_changes(self, after: int = 0) -> list[LabelChange]:
        """Final-label changes after event `after`, in the order they happened (what a ranker learns from)."""
        with self._lock:
            if not after:
                return list(self._changes)
            low, high = 0, len(self._changes)
            while low < high:
                middle = (low + high) // 2
                if self._changes[middle].event_id <= after:
                    low = middle + 1
                else:
                    high = middle
            return self._changes[low:]
