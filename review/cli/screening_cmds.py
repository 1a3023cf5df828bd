"""Screening commands: decide, undo, history, import-decisions, conflicts, resolve, agreement."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from review.cli.app import (
    JsonFlag,
    ProjectDir,
    ReviewerOption,
    StageOption,
    UnblindOption,
    ViewerOption,
    app,
    command_viewer,
    console,
    default_reviewer,
    open_review,
    print_json,
)
from review.errors import ReviewError
from review.types import Label, Stage

RecordId = Annotated[int, typer.Argument(help="The record's id (record_id).", show_default=False)]
Include = Annotated[bool, typer.Option("--include", help="Label the record include.")]
Exclude = Annotated[bool, typer.Option("--exclude", help="Label the record exclude.")]
Maybe = Annotated[bool, typer.Option("--maybe", help="Label the record maybe.")]
Reason = Annotated[str | None, typer.Option("--reason", help="Exclusion reason key (or its label) from the protocol.")]
Note = Annotated[str | None, typer.Option("--note", help="A free-text note kept with the decision.")]


def chosen_label(include: bool, exclude: bool, maybe: bool) -> Label:
    chosen = [
        label for label, flag in ((Label.INCLUDE, include), (Label.EXCLUDE, exclude), (Label.MAYBE, maybe)) if flag
    ]
    if len(chosen) != 1:
        raise ReviewError("give exactly one of --include, --exclude, --maybe")
    return chosen[0]


@app.command()
def decide(
    project_dir: ProjectDir, record_id: RecordId, stage: StageOption = Stage.TA,
    include: Include = False, exclude: Exclude = False, maybe: Maybe = False,
    reason: Reason = None, reviewer: ReviewerOption = None, note: Note = None,
) -> None:  # fmt: skip
    """Record a screening decision (appended to the log; earlier ones are kept).

    The model's score and rank (among the records still without a final
    decision) are recorded with it, from the stage's latest ranking.

    Example:

        review decide my-review 17 --stage ta --include --reviewer anna

        review decide my-review 17 --stage ft --exclude --reason wrong-design
    """
    label = chosen_label(include, exclude, maybe)
    who = default_reviewer(reviewer)
    with open_review(project_dir) as review:
        event_id = review.decide(record_id, stage, who, label, reason, note)
    console.print(f"Recorded {label} for record {record_id} at stage {stage} by {who} (event {event_id})", markup=False)


@app.command()
def undo(project_dir: ProjectDir, stage: StageOption = Stage.TA, reviewer: ReviewerOption = None) -> None:
    """Undo the reviewer's latest decision at a stage (an 'undo' event is appended).

    Refused, with the reason, when the record already has full-text decisions or its conflict
    has been resolved (a resolver may undo their own resolution).

    Example:

        review undo my-review --stage ta --reviewer anna
    """
    who = default_reviewer(reviewer)
    with open_review(project_dir) as review:
        record_id = review.undo(stage, who)
    if record_id is None:
        raise ReviewError(f"{who} has no decision to undo at stage {stage}")
    console.print(f"Undid {who}'s latest decision at stage {stage} (record {record_id})", markup=False)


@app.command()
def history(
    project_dir: ProjectDir, record_id: RecordId, reviewer: ViewerOption = None, unblind: UnblindOption = False,
    as_json: JsonFlag = False,
) -> None:  # fmt: skip
    """Every decision event on a record, oldest first, as far as you may see it.

    While a blind stage has records waiting or in conflict, you see only your
    own labels there; without a reviewer name the command refuses (or use
    --unblind, which is recorded in the audit log).

    Example:

        review history my-review 17 --reviewer anna
    """
    with open_review(project_dir) as review:
        events = review.history(record_id, command_viewer(review, reviewer, unblind, "history"))
    if as_json:
        print_json(events)
        return
    table = Table(title=f"Record {record_id}")
    for column in ("event", "stage", "reviewer", "kind", "label", "reason", "note", "score", "rank", "time"):
        table.add_column(column)
    for event in events:
        table.add_row(*(str(event[key]) if event[key] is not None else "" for key in (
            "event_id", "stage", "reviewer", "kind", "label", "reason", "note", "score", "rank", "created_at")))  # fmt: skip
    console.print(table)


@app.command("import-decisions")
def import_decisions(
    project_dir: ProjectDir,
    file: Annotated[Path, typer.Argument(
        help="CSV: record_id or source_id (+ source), stage, label, reviewer, kind, reason, note, created_at.",
        show_default=False)],
    as_json: JsonFlag = False,
) -> None:  # fmt: skip
    """Import decisions in bulk from a CSV file (all rows or none).

    Rows with kind 'resolve' are final even where the protocol has two
    reviewers per record: use them to replay a finished review.

    Example:

        review import-decisions my-review decisions.csv
    """
    with open_review(project_dir) as review:
        report = review.import_decisions(file)
    if as_json:
        print_json(asdict(report))
        return
    per_stage = ", ".join(f"{stage}: {count}" for stage, count in report.per_stage.items()) or "none"
    console.print(f"Imported {report.rows} decisions from {report.file} ({per_stage})", markup=False)


@app.command()
def conflicts(
    project_dir: ProjectDir, stage: StageOption = Stage.TA, reviewer: ViewerOption = None,
    unblind: UnblindOption = False, as_json: JsonFlag = False,
) -> None:  # fmt: skip
    """Records whose reviewers disagree at a stage, with each reviewer's label, reason and note.

    Conflicts show every reviewer's label, so while a blind stage has records
    waiting or in conflict they are listed only with --unblind (for the person
    reconciling them; recorded in the audit log).

    Example:

        review conflicts my-review --stage ta --unblind --reviewer carl
    """
    with open_review(project_dir) as review:
        rows = review.conflicts(stage, command_viewer(review, reviewer, unblind, "conflicts"))
    if as_json:
        print_json([asdict(row) for row in rows])
        return
    table = Table(title=f"Conflicts at stage {stage}: {len(rows)}")
    for column in ("record", "title", "labels"):
        table.add_column(column)
    for row in rows:
        labels = ", ".join(f"{who}: {label}" for who, label in row.labels.items())
        table.add_row(str(row.record_id), row.title or "", labels)
    console.print(table)


@app.command()
def resolve(
    project_dir: ProjectDir, record_id: RecordId, stage: StageOption = Stage.TA,
    include: Include = False, exclude: Exclude = False, maybe: Maybe = False,
    reviewer: Annotated[str, typer.Option("--reviewer", help="Who resolves the conflict.")] = "",
    reason: Reason = None, note: Note = None,
) -> None:  # fmt: skip
    """Resolve a conflict with a final label, by a named reviewer (kept in the log).

    Example:

        review resolve my-review 17 --stage ta --exclude --reason not-research --reviewer carl
    """
    label = chosen_label(include, exclude, maybe)
    if not reviewer:
        raise ReviewError("name the reviewer who resolves the conflict with --reviewer")
    with open_review(project_dir) as review:
        event_id = review.resolve(record_id, stage, reviewer, label, reason, note)
    console.print(
        f"Resolved record {record_id} at stage {stage} as {label} by {reviewer} (event {event_id})", markup=False
    )


@app.command()
def agreement(
    project_dir: ProjectDir, reviewer: ViewerOption = None, unblind: UnblindOption = False, as_json: JsonFlag = False
) -> None:
    """Inter-rater agreement per stage and reviewer pair: n, % agreement, Cohen's kappa.

    Computed on each reviewer's independent label (the one held before either
    could see the other's), so re-deciding after a conflict does not change it;
    such later changes are counted. A blind stage still being screened is left
    out unless --unblind.

    Example:

        review agreement my-review --json
    """
    with open_review(project_dir) as review:
        report = review.agreement(command_viewer(review, reviewer, unblind, "agreement"))
    if as_json:
        print_json(asdict(report))
        return
    for stage in report.hidden_stages:
        console.print(f"Stage {stage} is blind and not yet reconciled: its agreement is shown once it is.")
    if not report.pairs:
        console.print("No record has been screened by two reviewers yet.")
        return
    table = Table(title="Agreement")
    for column in ("stage", "reviewers", "n", "agreement", "kappa", "changed later", "counts (a label -> b label)"):
        table.add_column(column)
    for pair in report.pairs:
        counts = "; ".join(f"{a}/{b}: {n}" for a, row in pair.table.items() for b, n in row.items() if n)
        kappa = f"{pair.kappa:.3f}" if pair.kappa is not None else "undefined"
        table.add_row(pair.stage, f"{pair.reviewer_a} / {pair.reviewer_b}", str(pair.n), f"{pair.agreement:.1%}",
                      kappa, str(pair.changed_after), counts)  # fmt: skip
    console.print(table)
