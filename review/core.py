"""The review object: one project folder, its database, its protocol and the state derived from its log.

Every front end goes through it, so the CLI and the app see one state, one
ranking and one set of rules:

    from review import Review

    with Review.open("my-review") as review:
        state = review.state("ta")             # immutable StageState for the current log version
        review.decide(17, "ta", "anna", "include")
        counts = review.prisma()               # PrismaCounts, from the same state

    Review.open("my-review", actor=Actor("anna", Role.REVIEWER))  # a signed-in user

A review opened with an `Actor` checks the actor's role (`review.roles`) on
every write, lets them decide and code only under their own name, and shows
labels only as their role may see them: a reviewer's viewer is always
themselves (blind stages show only their own labels), an observer's sees
reconciled data only, and only a lead may unblind. Without an actor (the
project's owner at the command line, the app on one machine) it acts as a lead.

State is derived once per log version and updated incrementally: a process
keeps, per project, the stage logs replayed so far (`StageLog`), shared by
every `Review` opened on that project in the process (each with its own
connection), and each call only reads the events it has not seen. The cache
is keyed by the project's id, so a project rebuilt at the same path starts
afresh.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import sqlite_utils

from review.audit import AuditAction, record_audit
from review.coding.codes import Code, import_codes, set_codes
from review.dedupe import DedupeResult, apply_dedupe, duplicate_count, find_duplicates, resolve_pair, undo_dedupe
from review.errors import AccessDenied, ProjectError, ProtocolError
from review.export.writers import export_table
from review.fulltext.attach import (
    AttachReport,
    attach_fulltexts,
    attach_uploads,
    confirm_fulltexts,
    mark_not_retrieved,
)
from review.fulltext.studies import ReportFlow, included_studies, link_reports, report_flow
from review.prisma.counts import PrismaCounts, checked_counts
from review.protocol import Protocol, changed_fields, edited, load_protocol, parse_protocol, to_yaml
from review.ranking.results import latest_order, stored_score_rank
from review.records import BatchReport, Record, import_files, import_uploads, iter_records, records_per_source
from review.roles import Action, Actor, Role, require
from review.screening.agreement import AgreementReport, agreement
from review.screening.blind import Viewer
from review.screening.blind import unblind as unblind_viewer
from review.screening.claims import servable
from review.screening.conflicts import Conflict, conflicts
from review.screening.decisions_io import DecisionsImportReport, import_decisions
from review.screening.log import check_reviewer, check_stage, history, record_decision, resolve_conflict, undo_last
from review.screening.state import Event, LabelChange, StageLog, StageState
from review.status import project_status
from review.stopping.hypergeometric import StoppingStatus, sample_queue, start_check_sample, stopping_status
from review.stopping.project import HistoryPoint, recall_history
from review.store import create_project, now, open_project, project_id, transaction
from review.types import STAGES, EventKind, Label, Stage

if TYPE_CHECKING:  # the ranking needs scikit-learn, imported only when a command ranks
    from review.ranking.project import EmbeddingMode, ProjectRanking
    from review.ranking.vectors import EmbedReport


RAW_TABLES = frozenset({"decisions", "codes", "all"})


@dataclass
class _ProjectCache:
    """What a process has derived from one project so far (shared by its `Review` objects)."""

    project_id: str
    lock: threading.RLock = field(default_factory=threading.RLock)
    records_version: tuple | None = None
    unique_ids: tuple[int, ...] = ()
    logs: dict[Stage, StageLog] = field(default_factory=dict)
    protocol: tuple[int, Protocol] | None = None
    extras: dict[str, object] = field(default_factory=dict)  # per-project resources (rankers, jobs)


_CACHES: dict[str, _ProjectCache] = {}
_CACHES_LOCK = threading.Lock()


def _cache_for(path: Path, identity: str) -> _ProjectCache:
    key = str(path.resolve())
    with _CACHES_LOCK:
        cache = _CACHES.get(key)
        if cache is None or cache.project_id != identity:
            cache = _CACHES[key] = _ProjectCache(identity)
        return cache


class Review:
    """One review project, opened. Use `Review.open(folder)` or `Review.create(folder, protocol_file)`."""

    def __init__(self, folder: Path | str, db: sqlite_utils.Database, actor: Actor | None = None):
        self.folder = Path(folder)
        self.db = db
        self.actor = actor
        self.project_id = project_id(db)
        self._cache = _cache_for(self.folder / "review.db", self.project_id)

    # --- opening and closing -------------------------------------------------------------------------

    @classmethod
    def open(cls, folder: Path | str, actor: Actor | None = None) -> Review:
        """Open an existing project (its schema is upgraded if older), for `actor` when someone signed in."""
        return cls(folder, open_project(folder), actor)

    @classmethod
    def create(cls, folder: Path | str, protocol_file: Path | str | None = None, *, protocol_yaml: str | None = None,
               source: str | None = None, actor: Actor | None = None) -> Review:  # fmt: skip
        """Create a project folder with its database and a validated protocol (checked before anything is made)."""
        if actor is not None:
            require(actor.role, Action.CREATE_PROJECT)
        if (protocol_file is None) == (protocol_yaml is None):
            raise ValueError("give a protocol file or protocol text")
        if protocol_file is not None:
            load_protocol(protocol_file)
            protocol_yaml, source = Path(protocol_file).read_text(encoding="utf-8"), source or str(protocol_file)
        else:
            parse_protocol(protocol_yaml, source=source or "protocol")
        review = cls(folder, create_project(folder), actor)
        review.store_protocol(protocol_yaml, source)
        return review

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Review:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- who acts ----------------------------------------------------------------------------------------

    def authorize(self, action: Action, on_behalf_of: str | None = None) -> None:
        """Raise `AccessDenied` unless the actor's role allows `action` and `on_behalf_of` (if given) is the actor."""
        if self.actor is None:
            return
        require(self.actor.role, action)
        if on_behalf_of is not None and on_behalf_of.strip() != self.actor.name:
            raise AccessDenied(f"{self.actor.name} may not act in the name of {on_behalf_of.strip()}")

    def seen_by(self, viewer: Viewer) -> Viewer:
        """The viewer the actor may be: a lead as asked, a reviewer always themselves, an observer reconciled data."""
        if self.actor is None or self.actor.role is Role.LEAD:
            return viewer
        return Viewer(self.actor.name, reconciled_only=self.actor.role is Role.OBSERVER)

    def shared(self, key: str, build: Callable[[], object]) -> object:
        """A per-project resource shared by every `Review` of this project in the process (built once)."""
        with self._cache.lock:
            if key not in self._cache.extras:
                self._cache.extras[key] = build()
            return self._cache.extras[key]

    # --- the protocol ----------------------------------------------------------------------------------

    @property
    def protocol(self) -> Protocol:
        """The protocol in force (the newest stored snapshot), parsed once per snapshot."""
        row = self.db.execute(
            "SELECT protocol_id, yaml, source_file FROM protocols ORDER BY protocol_id DESC LIMIT 1"
        ).fetchone()
        if row is None:
            raise ProjectError("this project has no protocol")
        with self._cache.lock:
            if self._cache.protocol is None or self._cache.protocol[0] != row[0]:
                self._cache.protocol = (row[0], parse_protocol(row[1], source=row[2] or "stored protocol"))
            return self._cache.protocol[1]

    def store_protocol(self, yaml_text: str, source: str | None = None) -> Protocol:
        """Validate and store a protocol snapshot; the newest snapshot is the one in force."""
        self.authorize(Action.EDIT_PROTOCOL)
        protocol = parse_protocol(yaml_text, source=source or "protocol")
        with transaction(self.db):
            self.db.execute(
                "INSERT INTO protocols (stored_at, source_file, yaml) VALUES (?, ?, ?)", [now(), source, yaml_text]
            )
            if self.actor is not None:
                record_audit(self.db, AuditAction.PROTOCOL_CHANGED, self.actor.name, source or "protocol")
        return protocol

    def edit_protocol(self, changes: dict[str, object], editor: str) -> list[str]:
        """Change fields of the protocol in force (see `protocol.edited`), validated, stored and audited.

        An exclusion reason that decisions already carry cannot be removed (their
        PRISMA reasons would lose their labels). Returns the fields that changed.
        """
        before = self.protocol
        after = edited(before, changes)
        for stage in STAGES:
            kept = set(after.stage(stage).reason_keys())
            used = {row[0] for row in self.db.execute(
                "SELECT DISTINCT reason FROM decisions WHERE stage = ? AND reason IS NOT NULL", [stage.value])}  # fmt: skip
            if used - kept:
                raise ProtocolError(f"exclusion reason(s) {', '.join(sorted(used - kept))} at {stage.value} are "
                                    "used by decisions and cannot be removed")  # fmt: skip
        fields = changed_fields(before, after)
        if not fields:
            raise ProtocolError("the protocol is unchanged")
        self.store_protocol(to_yaml(after), f"edited by {check_reviewer(editor)}")
        record_audit(self.db, AuditAction.PROTOCOL_CHANGED, editor, ", ".join(fields))
        return fields

    def protocol_yaml(self) -> str:
        row = self.db.execute("SELECT yaml FROM protocols ORDER BY protocol_id DESC LIMIT 1").fetchone()
        return row[0] if row else ""

    # --- records ---------------------------------------------------------------------------------------

    def record(self, record_id: int) -> Record:
        for record in self.records("record_id = ?", [record_id]):
            return record
        raise ProjectError(f"no record with id {record_id}")

    def records(self, where: str = "1 = 1", params: list | None = None) -> Iterator[Record]:
        """Records (typed) matching a SQL condition, in import order."""
        return (Record.from_row(row) for row in iter_records(self.db, where, params))

    def import_files(self, paths: list[Path], source: str | None = None, force: bool = False,
                     file_format: str | None = None, mapping: dict[str, str] | None = None,
                     sheet: str | None = None, on_parsed: Callable[[str], None] | None = None,
                     ) -> list[BatchReport]:  # fmt: skip
        """Import files as batches in one transaction: all of them land, or none (see `review.records`)."""
        self.authorize(Action.IMPORT)
        return import_files(self.db, paths, source=source, force=force, file_format=file_format, mapping=mapping,
                            sheet=sheet, on_parsed=on_parsed)  # fmt: skip

    def import_uploads(self, uploads: list[tuple[str, bytes]], source: str | None = None, force: bool = False,
                       sheet: str | None = None, mapping: dict[str, str] | None = None) -> list[BatchReport]:  # fmt: skip
        self.authorize(Action.IMPORT)
        return import_uploads(self.db, uploads, source=source, force=force, sheet=sheet, mapping=mapping)

    def find_duplicates(self, progress: Callable | None = None) -> DedupeResult:
        """A dry run: what deduplication would merge, and which pairs need a person."""
        self.authorize(Action.DEDUPE)
        return find_duplicates(self.db, progress)

    def apply_dedupe(self, result: DedupeResult) -> int:
        self.authorize(Action.DEDUPE)
        return apply_dedupe(self.db, result)

    def undo_dedupe(self, run_id: int) -> int:
        self.authorize(Action.DEDUPE)
        return undo_dedupe(self.db, run_id)

    def resolve_duplicate(self, pair_id: int, merge: bool, reviewer: str) -> dict:
        self.authorize(Action.DEDUPE, reviewer)
        return resolve_pair(self.db, pair_id, merge, check_reviewer(reviewer))

    def has_record(self, record_id: int) -> bool:
        return self.db.execute("SELECT 1 FROM records WHERE record_id = ?", [record_id]).fetchone() is not None

    def unique_ids(self) -> tuple[int, ...]:
        """Records kept by deduplication (what title/abstract screening works on), by record id."""
        version = self._records_version()
        with self._cache.lock:
            if self._cache.records_version != version:
                rows = self.db.execute("SELECT record_id FROM records WHERE duplicate_of IS NULL ORDER BY record_id")
                self._cache.unique_ids = tuple(row[0] for row in rows)
                self._cache.records_version = version
            return self._cache.unique_ids

    def records_per_source(self) -> dict[str, int]:
        """Imported records per source database (PRISMA's records identified per database), cached like `unique_ids`."""
        return self._per_records_version("per_source", lambda: records_per_source(self.db))

    def duplicates_removed(self) -> int:
        """Records merged into another record (PRISMA's 'duplicates removed')."""
        return self._per_records_version("duplicates", lambda: duplicate_count(self.db))

    def _per_records_version(self, name: str, compute: Callable[[], object]) -> object:
        version = self._records_version()
        with self._cache.lock:
            cached = self._cache.extras.get(f"records:{name}")
            if cached is None or cached[0] != version:
                cached = self._cache.extras[f"records:{name}"] = (version, compute())
            return cached[1]

    def _records_version(self) -> tuple:
        """Changes whenever the set of unique records can have changed (imports, merges, undone runs)."""
        return self.db.execute(
            "SELECT (SELECT MAX(record_id) FROM records), (SELECT value FROM meta WHERE key = 'duplicates_version')"
        ).fetchone()

    # --- screening state ---------------------------------------------------------------------------------

    def candidates(self, stage: Stage | str) -> tuple[int, ...]:
        """The records to screen at a stage: unique records (ta), or those of them included at ta (ft)."""
        unique = self.unique_ids()
        if check_stage(stage) is Stage.TA:
            return unique
        ta = self.state(Stage.TA)
        key = (self._records_version(), ta.version)
        with self._cache.lock:
            cached = self._cache.extras.get("candidates:ft")
            if cached is None or cached[0] != key:
                included = ta.finals
                cached = (key, tuple(r for r in unique if included.get(r) is Label.INCLUDE))
                self._cache.extras["candidates:ft"] = cached
            return cached[1]

    def state(self, stage: Stage | str) -> StageState:
        """The stage's immutable state at the current version of the log."""
        stage = check_stage(stage)
        log = self._log(stage)
        return log.snapshot(self.candidates(stage))

    def label_changes(self, stage: Stage | str, after: int = 0) -> list[LabelChange]:
        """Final-label changes at a stage after event `after`, in order (candidates or not)."""
        return self._log(check_stage(stage)).label_changes(after)

    def _log(self, stage: Stage) -> StageLog:
        required = self.protocol.stage(stage).reviewers
        with self._cache.lock:
            log = self._cache.logs.get(stage)
            if log is None or log.reviewers_required != required:
                log = self._cache.logs[stage] = StageLog(stage, required)
        log.apply(self._events_after(stage, log.version))
        return log

    def _events_after(self, stage: Stage, version: int) -> Iterator[Event]:
        rows = self.db.execute(
            "SELECT event_id, record_id, reviewer, kind, label, reason FROM decisions "
            "WHERE stage = ? AND event_id > ? ORDER BY event_id",
            [stage.value, version],
        )
        for event_id, record_id, reviewer, kind, label, reason in rows:
            yield Event(event_id, record_id, reviewer, EventKind(kind), Label(label) if label else None, reason)

    def log_version(self) -> int:
        """The newest event id of the whole decision log (0 when empty)."""
        return self.db.execute("SELECT COALESCE(MAX(event_id), 0) FROM decisions").fetchone()[0]

    def stages(self) -> tuple[Stage, ...]:
        return STAGES

    # --- who is looking ----------------------------------------------------------------------------------

    def viewer(self, name: str | None, unblind: bool = False, context: str = "") -> Viewer:
        """Who is looking at labels: a reviewer's name, or (audited) an unblinded viewer (a lead, when signed in)."""
        if self.actor is not None:
            name = self.actor.name
        if unblind:
            self.authorize(Action.UNBLIND)
            return unblind_viewer(self, name, context or "unblinded view")
        return self.seen_by(Viewer(check_reviewer(name) if name else None))

    # --- screening -----------------------------------------------------------------------------------------

    def decide(
        self, record_id: int, stage: Stage | str, reviewer: str, label: Label | str, reason: str | None = None,
        note: str | None = None, score: float | None = None, rank: int | None = None,
    ) -> int:  # fmt: skip
        """Append a reviewer's decision; without `score`/`rank`, the stage's stored ranking gives them."""
        if score is None and rank is None:
            score, rank = stored_score_rank(self, check_stage(stage), record_id)
        return record_decision(self, record_id, stage, reviewer, label, reason, note, score, rank)

    def undo(self, stage: Stage | str, reviewer: str, among: set[int] | None = None) -> int | None:
        return undo_last(self, stage, reviewer, among)

    def resolve(self, record_id: int, stage: Stage | str, reviewer: str, label: Label | str,
                reason: str | None = None, note: str | None = None) -> int:  # fmt: skip
        return resolve_conflict(self, record_id, stage, reviewer, label, reason, note)

    def history(self, record_id: int, viewer: Viewer) -> list[dict]:
        return history(self, record_id, self.seen_by(viewer))

    def conflicts(self, stage: Stage | str, viewer: Viewer) -> list[Conflict]:
        return conflicts(self, stage, self.seen_by(viewer))

    def agreement(self, viewer: Viewer) -> AgreementReport:
        return agreement(self, self.seen_by(viewer))

    def import_decisions(self, path: Path | str) -> DecisionsImportReport:
        self.authorize(Action.IMPORT)
        return import_decisions(self, path)

    def next_records(self, stage: Stage | str, reviewer: str, n: int = 1) -> list[NextRecord]:
        """What `reviewer` is served next: the stopping rule's random sample while one is open, else the ranking.

        Only records this reviewer still has to screen and nobody else holds;
        the ranking is the stored one while it reflects every decision, else
        the stage is ranked (and stored) now.
        """
        from review.ranking.project import ensure_fresh

        stage, reviewer = check_stage(stage), check_reviewer(reviewer)
        self.authorize(Action.SCREEN, reviewer)
        state = self.state(stage)
        queue = sample_queue(self, stage)
        if not queue:
            ensure_fresh(self, stage)
        order = queue or latest_order(self.db, stage)
        phase = "random-sample" if queue else "ranked"
        picked = servable(self, state, reviewer, order, limit=n)
        return [NextRecord(record_id, *stored_score_rank(self, stage, record_id), phase) for record_id in picked]

    def stopping(self, stage: Stage | str, target: float | None = None, confidence: float | None = None,
                 start_sample: bool = True, seed: int = 0) -> StoppingStatus:  # fmt: skip
        """The stopping rule's status (target and confidence default to the protocol's stopping section)."""
        self.authorize(Action.SCREEN if start_sample else Action.READ)
        return stopping_status(self, check_stage(stage), target, confidence, start_sample, seed)

    def recall_history(self, stage: Stage | str, points: int = 40) -> list[HistoryPoint]:
        """The recall claimable at the protocol's confidence over the screening history (for charts)."""
        return recall_history(self, check_stage(stage), points)

    def start_check_sample(self, stage: Stage | str, seed: int = 0) -> dict:
        """Open the stopping rule's random check sample, which `next_records` then serves first."""
        self.authorize(Action.SCREEN)
        return start_check_sample(self, check_stage(stage), seed)

    def rank(self, stage: Stage | str, preset: str | None = None, model: str | None = None,
             embeddings: EmbeddingMode = "compute", on_progress: Callable[[int, int], None] | None = None,
             backend: str = "torch") -> ProjectRanking:  # fmt: skip
        from review.ranking.project import rank_stage

        self.authorize(Action.SCREEN)
        return rank_stage(self, stage, preset, model, embeddings, on_progress, backend)

    def embed(self, stage: Stage | str, model: str | None = None, device: str = "auto", batch_size: int = 32,
              workers: int | None = None, ray_address: str | None = None,
              on_device: Callable[[str], None] | None = None,
              on_progress: Callable[[int, int], None] | None = None) -> EmbedReport:  # fmt: skip
        """Compute and cache the stage's missing vectors on this machine's best device or a Ray cluster."""
        from review.ranking.vectors import embed_stage

        return embed_stage(self, check_stage(stage), model, device, batch_size, workers, ray_address, on_device,
                           on_progress)  # fmt: skip

    # --- full texts, studies, PRISMA, coding, export, status -------------------------------------------------

    def attach(self, source_dir: Path | str) -> AttachReport:
        self.authorize(Action.IMPORT)
        return attach_fulltexts(self, source_dir)

    def attach_uploads(self, uploads: list[tuple[str, bytes]]) -> AttachReport:
        """Attach uploaded files (name, content), matched to records as `attach` matches a folder's files."""
        return attach_uploads(self, uploads)

    def confirm_fulltexts(self, record_ids: list[int]) -> None:
        """Count files flagged unreadable as retrieved: a person opened each and it is the report."""
        confirm_fulltexts(self.db, record_ids)

    def mark_not_retrieved(self, record_id: int, reason: str) -> None:
        self.authorize(Action.IMPORT)
        mark_not_retrieved(self, record_id, reason)

    def link_reports(self, record_ids: list[int], study: str) -> None:
        self.authorize(Action.IMPORT)
        link_reports(self, record_ids, study)

    def flow(self) -> ReportFlow:
        return report_flow(self)

    def included_studies(self) -> dict[str, list[int]]:
        return included_studies(self)

    def prisma(self, language: str = "en", allow_incomplete: bool = False) -> tuple[PrismaCounts, list[str]]:
        """The PRISMA counts and what does not add up (raises `IncompleteFlowError` unless `allow_incomplete`)."""
        return checked_counts(self, language, allow_incomplete)

    def set_codes(self, study: str, values: dict[str, object], coder: str, note: str | None = None) -> list[Code]:
        self.authorize(Action.CODE, coder)
        return set_codes(self, study, values, coder, note)

    def import_codes(self, path: Path | str) -> dict[str, int]:
        self.authorize(Action.IMPORT)
        return import_codes(self, path)

    def export(self, table: str, file_format: str, path: Path | None, viewer: Viewer,
               on_warning: Callable[[str], None] | None = None, **options: object) -> str:  # fmt: skip
        """Export a table as `viewer` may see it; `on_warning` hears what had to change (cells cut to fit Excel).

        The decision log, per-coder codes and the all-tables workbook hold unreconciled labels: a lead's alone.
        """
        if table in RAW_TABLES:
            self.authorize(Action.EXPORT_RAW)
        return export_table(self, self.seen_by(viewer), table, file_format, path, on_warning, **options)

    def status(self) -> dict:
        return project_status(self)


@dataclass(frozen=True)
class NextRecord:
    record_id: int
    score: float | None
    rank: int | None
    phase: str  # 'ranked', or 'random-sample' while the stopping rule's sample is being screened
