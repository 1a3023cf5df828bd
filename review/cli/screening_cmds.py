"""Screening commands: decide, undo, history, import-decisions, conflicts, resolve, agreement."""

from __future__ import annotations

import getpass
import os
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import sqlite_utils
import typer
from rich.table import Table

from review.cli.app import JsonFlag, ProjectDir, app, console, open_db, open_db_protocol, print_json
from review.errors import ReviewError
from review.screening.conflicts import agreement as pair_agreement
from review.screening.conflicts import conflicts as list_conflicts
from review.screening.conflicts import resolve_conflict
from review.screening.decisions_io import import_decisions as import_decisions_file
from review.screening.log import history as record_history
from review.screening.log import record_decision, undo_last

RecordId = Annotated[int, typer.Argument(help="The record's id (record_id).", show_default=False)]
StageOption = Annotated[str, typer.Option("--stage", help="ta (title/abstract) or ft (full text).")]
Include = Annotated[bool, typer.Option("--include", help="Label the record include.")]
Exclude = Annotated[bool, typer.Option("--exclude", help="Label the record exclude.")]
Maybe = Annotated[bool, typer.Option("--maybe", help="Label the record maybe.")]
Reason = Annotated[str | None, typer.Option("--reason", help="Exclusion reason key (or its label) from the protocol.")]
Note = Annotated[str | None, typer.Option("--note", help="A free-text note kept with the decision.")]
Reviewer = Annotated[
    str | None, typer.Option("--reviewer", help="Reviewer name (default: $REVIEW_REVIEWER, else your user name).")
]


def default_reviewer(name: str | None) -> str:
    """The reviewer named on the command line, else $REVIEW_REVIEWER, else the OS user."""
    return name or os.environ.get("REVIEW_REVIEWER") or getpass.getuser()


def chosen_label(include: bool, exclude: bool, maybe: bool) -> str:
    chosen = [label for label, flag in (("include", include), ("exclude", exclude), ("maybe", maybe)) if flag]
    if len(chosen) != 1:
        raise ReviewError("give exactly one of --include, --exclude, --maybe")
    return chosen[0]


def model_score(db: sqlite_utils.Database, stage: str, record_id: int) -> tuple[float | None, int | None]:
    """The ranking model's latest score and rank for a record, when a ranking exists."""
    try:
        from review.ranking import latest_scores
    except ImportError:
        return None, None
    return latest_scores(db, stage).get(record_id, (None, None))


@app.command()
def decide(
    project_dir: ProjectDir,
    record_id: RecordId,
    stage: StageOption = "ta",
    include: Include = False,
    exclude: Exclude = False,
    maybe: Maybe = False,
    reason: Reason = None,
    reviewer: Reviewer = None,
    note: Note = None,
) -> None:
    """Record a screening decision (appended to the log; earlier ones are kept).

    Example:

        review decide my-review 17 --stage ta --include --reviewer anna

        review decide my-review 17 --stage ft --exclude --reason wrong-design
    """
    label = chosen_label(include, exclude, maybe)
    db, protocol = open_db_protocol(project_dir)
    score, rank = model_score(db, stage, record_id)
    who = default_reviewer(reviewer)
    event_id = record_decision(db, record_id, stage, who, label, reason, note, score, rank, protocol)
    console.print(f"Recorded {label} for record {record_id} at stage {stage} by {who} (event {event_id})")


@app.command()
def undo(project_dir: ProjectDir, stage: StageOption = "ta", reviewer: Reviewer = None) -> None:
    """Undo the reviewer's latest decision at a stage (an 'undo' event is appended).

    Example:

        review undo my-review --stage ta --reviewer anna
    """
    who = default_reviewer(reviewer)
    record_id = undo_last(open_db(project_dir), who, stage)
    if record_id is None:
        raise ReviewError(f"{who} has no decision to undo at stage {stage}")
    console.print(f"Undid {who}'s latest decision at stage {stage} (record {record_id})")


@app.command()
def history(
    project_dir: ProjectDir,
    record_id: RecordId,
    reviewer: Annotated[
        str | None,
        typer.Option("--reviewer", help="Show what this reviewer may see (blind stages hide others until reconciled)."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Every decision event on a record, oldest first.

    Example:

        review history my-review 17 --reviewer anna
    """
    db, protocol = open_db_protocol(project_dir)
    events = record_history(db, record_id, viewer=reviewer, protocol=protocol)
    if as_json:
        print_json(events)
        return
    table = Table(title=f"Record {record_id}")
    for column in ("event", "stage", "reviewer", "kind", "label", "reason", "note", "score", "rank", "time"):
        table.add_column(column)
    for event in events:
        table.add_row(
            *(
                str(event[key]) if event[key] is not None else ""
                for key in (
                    "event_id",
                    "stage",
                    "reviewer",
                    "kind",
                    "label",
                    "reason",
                    "note",
                    "score",
                    "rank",
                    "created_at",
                )
            )
        )
    console.print(table)


@app.command("import-decisions")
def import_decisions(
    project_dir: ProjectDir,
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV: record_id or source_id (+ source), stage, label, reviewer, kind, reason, note, created_at.",
            show_default=False,
        ),
    ],
    as_json: JsonFlag = False,
) -> None:
    """Import decisions in bulk from a CSV file (all rows or none).

    Rows with kind 'resolve' are final even where the protocol has two
    reviewers per record: use them to replay a finished review.

    Example:

        review import-decisions my-review decisions.csv
    """
    report = import_decisions_file(open_db(project_dir), file)
    if as_json:
        print_json(asdict(report))
        return
    per_stage = ", ".join(f"{stage}: {count}" for stage, count in report.per_stage.items()) or "none"
    console.print(f"Imported {report.rows} decisions from {report.file} ({per_stage})")


@app.command()
def conflicts(project_dir: ProjectDir, stage: StageOption = "ta", as_json: JsonFlag = False) -> None:
    """Records whose reviewers disagree at a stage, with each reviewer's label.

    Example:

        review conflicts my-review --stage ta
    """
    rows = list_conflicts(open_db(project_dir), stage)
    if as_json:
        print_json(rows)
        return
    table = Table(title=f"Conflicts at stage {stage}: {len(rows)}")
    for column in ("record", "title", "labels"):
        table.add_column(column)
    for row in rows:
        labels = ", ".join(f"{who}: {label}" for who, label in row["labels"].items())
        table.add_row(str(row["record_id"]), row["title"] or "", labels)
    console.print(table)


@app.command()
def resolve(
    project_dir: ProjectDir,
    record_id: RecordId,
    stage: StageOption = "ta",
    include: Include = False,
    exclude: Exclude = False,
    maybe: Maybe = False,
    reviewer: Annotated[str, typer.Option("--reviewer", help="Who resolves the conflict.")] = "",
    reason: Reason = None,
    note: Note = None,
) -> None:
    """Resolve a conflict with a final label, by a named reviewer (kept in the log).

    Example:

        review resolve my-review 17 --stage ta --exclude --reason not-research --reviewer carl
    """
    label = chosen_label(include, exclude, maybe)
    if not reviewer:
        raise ReviewError("name the reviewer who resolves the conflict with --reviewer")
    event_id = resolve_conflict(open_db(project_dir), record_id, stage, reviewer, label, reason, note)
    console.print(f"Resolved record {record_id} at stage {stage} as {label} by {reviewer} (event {event_id})")


@app.command()
def agreement(project_dir: ProjectDir, as_json: JsonFlag = False) -> None:
    """Inter-rater agreement per stage and reviewer pair: n, % agreement, Cohen's kappa.

    Example:

        review agreement my-review --json
    """
    pairs = pair_agreement(open_db(project_dir))
    if as_json:
        print_json([asdict(pair) for pair in pairs])
        return
    table = Table(title="Agreement")
    for column in ("stage", "reviewers", "n", "agreement", "kappa", "counts (a label -> b label)"):
        table.add_column(column)
    for pair in pairs:
        counts = "; ".join(f"{a}/{b}: {n}" for a, row in pair.table.items() for b, n in row.items() if n)
        kappa = f"{pair.kappa:.3f}" if pair.kappa is not None else "undefined"
        table.add_row(
            pair.stage, f"{pair.reviewer_a} / {pair.reviewer_b}", str(pair.n), f"{pair.agreement:.1%}", kappa, counts
        )
    if not pairs:
        console.print("No record has been screened by two reviewers yet.")
        return
    console.print(table)
