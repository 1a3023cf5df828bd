"""`review dedupe`, `review duplicates`, `review resolve-duplicate`: finding and merging duplicates."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from review.cli.app import JsonFlag, ProjectDir, ReviewerOption, app, console, default_reviewer, open_review, print_json
from review.dedupe import (
    DedupeResult,
    apply_dedupe,
    duplicate_count,
    find_duplicates,
    list_pairs,
    undo_dedupe,
)
from review.errors import ReviewError

SHOWN_PAIRS = 20


def _find_with_progress(db, quiet: bool) -> DedupeResult:
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=quiet,
    ) as progress:
        tasks: dict[str, int] = {}

        def report(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = progress.add_task(step, total=total)
            progress.update(tasks[step], completed=done, total=total)

        return find_duplicates(db, progress=report)


def _summary(result: DedupeResult, run_id: int | None) -> dict:
    return {
        "applied": run_id is not None,
        "run_id": run_id,
        "records": result.n_records,
        "duplicates": result.n_duplicates,
        "newly_merged": result.n_newly_merged,
        "merge_pairs": len(result.merge_pairs),
        "uncertain_pairs": len(result.uncertain_pairs),
        "seconds": round(result.seconds, 3),
        "pairs": [
            {
                "record_id": pair.record_id,
                "duplicate_of": pair.duplicate_of,
                "method": pair.method,
                "score": pair.score,
                "classification": pair.classification,
                "evidence": pair.evidence,
            }
            for pair in result.pairs
        ],
    }


def _titles(db, record_ids: set[int]) -> dict[int, tuple]:
    if not record_ids:
        return {}
    marks = ", ".join("?" * len(record_ids))
    rows = db.execute(
        f"SELECT record_id, year, source, title FROM records WHERE record_id IN ({marks})", list(record_ids)
    ).fetchall()
    return {row[0]: row[1:] for row in rows}


def _pairs_table(db, title: str, pairs: list) -> Table:
    shown = pairs[:SHOWN_PAIRS]
    info = _titles(db, {pair.record_id for pair in shown} | {pair.duplicate_of for pair in shown})
    table = Table(title=f"{title} ({len(pairs)}{', first ' + str(SHOWN_PAIRS) if len(pairs) > SHOWN_PAIRS else ''})")
    for column in ("record", "matches", "method", "score", "evidence"):
        table.add_column(column)
    for pair in shown:
        first, second = info.get(pair.record_id, ()), info.get(pair.duplicate_of, ())
        table.add_row(
            _describe(pair.record_id, first),
            _describe(pair.duplicate_of, second),
            pair.method,
            f"{pair.score:.2f}",
            "; ".join(pair.evidence),
        )
    return table


def _describe(record_id: int, info: tuple) -> str:
    year, source, title = info or (None, None, None)
    return f"#{record_id} ({year or '?'}, {source or '?'}) {(title or '')[:70]}"


@app.command()
def dedupe(
    project_dir: ProjectDir,
    apply: Annotated[bool, typer.Option("--apply", help="Merge the duplicates found (otherwise a dry run).")] = False,
    undo: Annotated[
        int | None, typer.Option("--undo", help="Undo the dedupe run with this id.", metavar="RUN_ID")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Find duplicate records (DOI, PMID, then fuzzy title/year/authors/journal/pages).

    Without --apply this is a dry run listing what would be merged and which
    pairs are uncertain. With --apply the merges are made in one transaction;
    duplicates keep their data and point at the kept (most complete) record of
    their group. Uncertain pairs wait for `review resolve-duplicate`. Any run
    can be undone with --undo RUN_ID.

    JSON keys: applied, run_id, records, duplicates (records merged into another
    after the run, PRISMA 'duplicates'), newly_merged, merge_pairs,
    uncertain_pairs, seconds, pairs (record_id, duplicate_of, method
    doi|pmid|fuzzy, score, classification merge|uncertain, evidence).
    With --undo: run_id, records_restored, duplicates.

    Example:

        review dedupe my-review
        review dedupe my-review --apply --json
        review dedupe my-review --undo 1
    """
    review = open_review(project_dir)
    db = review.db
    if undo is not None:
        if apply:
            raise ReviewError("give either --apply or --undo, not both")
        restored = undo_dedupe(db, undo)
        if as_json:
            print_json({"run_id": undo, "records_restored": restored, "duplicates": duplicate_count(db)})
        else:
            console.print(
                f"Undid dedupe run {undo}: {restored} records restored; {duplicate_count(db)} duplicates remain."
            )
        return
    result = _find_with_progress(db, as_json)
    run_id = None
    if apply:
        with console.status("Merging duplicates", spinner="dots") if not as_json else nullcontext():
            run_id = apply_dedupe(db, result)
    if as_json:
        print_json(_summary(result, run_id))
        return
    for title, pairs in (("Merge", result.merge_pairs), ("Uncertain: for a person to decide", result.uncertain_pairs)):
        if pairs:
            console.print(_pairs_table(db, title, pairs))
    verb = f"Applied as run {run_id}:" if run_id else "Dry run (use --apply to merge):"
    console.print(
        f"{verb} {result.n_records} records, {result.n_newly_merged} newly merged, "
        f"{result.n_duplicates} duplicates in all, {len(result.uncertain_pairs)} uncertain pairs "
        f"({result.seconds:.1f} s)."
    )


@app.command()
def duplicates(
    project_dir: ProjectDir,
    uncertain: Annotated[bool, typer.Option("--uncertain", help="Only pairs waiting for a person.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """List duplicate pairs of dedupe runs that were not undone.

    JSON: a list of {pair_id, run_id, method, score, status
    (merged|uncertain|confirmed|rejected), decided_by, decided_at, evidence,
    record, other}, where record and other hold both records' record_id,
    source, source_id, title, year, authors, journal, volume, pages, doi,
    pmid, abstract and duplicate_of.

    Example:

        review duplicates my-review --uncertain
        review duplicates my-review --json
    """
    db = open_review(project_dir).db
    pairs = list_pairs(db, "uncertain" if uncertain else None)
    if as_json:
        print_json(pairs)
        return
    table = Table(title=f"{len(pairs)} {'uncertain ' if uncertain else ''}duplicate pairs")
    for column in ("pair", "status", "record", "other", "method", "score", "evidence"):
        table.add_column(column)
    for pair in pairs:
        sides = [
            _describe(side["record_id"], (side["year"], side["source"], side["title"]))
            for side in (pair["record"], pair["other"])
        ]
        table.add_row(
            str(pair["pair_id"]),
            pair["status"],
            *sides,
            pair["method"],
            f"{pair['score']:.2f}",
            "; ".join(pair["evidence"]),
        )
    console.print(table)


@app.command("resolve-duplicate")
def resolve_duplicate(
    project_dir: ProjectDir,
    pair_id: Annotated[int, typer.Argument(help="Pair id from `review duplicates --uncertain`.", show_default=False)],
    merge: Annotated[bool, typer.Option("--merge", help="They are the same paper: merge their groups.")] = False,
    keep_both: Annotated[bool, typer.Option("--keep-both", help="They are different papers: keep both.")] = False,
    reviewer: ReviewerOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Decide an uncertain duplicate pair: --merge or --keep-both.

    JSON keys: pair_id, status (confirmed|rejected), kept_record_id (null when both are kept).

    Example:

        review resolve-duplicate my-review 12 --merge --reviewer anna
        review resolve-duplicate my-review 13 --keep-both
    """
    if merge == keep_both:
        raise ReviewError("give exactly one of --merge, --keep-both")
    outcome = open_review(project_dir).resolve_duplicate(pair_id, merge, default_reviewer(reviewer))
    if as_json:
        print_json(outcome)
    elif merge:
        console.print(f"Pair {pair_id} merged; record {outcome['kept_record_id']} is kept.")
    else:
        console.print(f"Pair {pair_id}: both records kept.")
