"""Full-text commands: attach, confirm-fulltext, not-retrieved, search-fulltext; reports and studies: link, studies."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from review.cli.app import JsonFlag, ProjectDir, app, console, open_review, print_json
from review.fulltext.attach import confirm_fulltexts, search_fulltexts, unreadable_fulltexts


@app.command()
def attach(
    project_dir: ProjectDir,
    source_dir: Annotated[Path, typer.Option("--dir", help="Folder of PDF or .txt full texts.", show_default=False)],
    as_json: JsonFlag = False,
) -> None:
    """Attach full texts: match files to records, copy them into the project, extract their text.

    A file matches a record by the DOI in its name (`10.1000_xyz.pdf`, '/' as
    '_'), the record id (`123.pdf`, `record-123.pdf`), the source id, or the
    title. Files are stored as `PROJECT/fulltexts/<record_id>.pdf`. An empty or
    damaged file is attached as unreadable and not counted as retrieved until
    you confirm it (`review confirm-fulltext`); a password-protected PDF is
    retrieved without text.

    Example:

        review attach my-review --dir ~/Downloads/fulltexts
    """
    with open_review(project_dir) as review:
        report = review.attach(source_dir)
    if as_json:
        print_json(asdict(report))
        return
    console.print(f"Attached {len(report.matched)} file(s).")
    for title, items in (
        ("Files that matched no record", report.unmatched_files),
        ("Skipped", [f"{name} ({why})" for name, why in report.skipped]),
        ("Warnings", report.warnings),
        (
            "Unreadable, not counted as retrieved until confirmed with `review confirm-fulltext`",
            [f"record {record_id}: {name} {why}" for record_id, name, why in report.unreadable],
        ),
    ):
        if items:
            console.print(f"{title} ({len(items)}):", style="yellow", markup=False)
            for item in items:
                console.print(f"  {item}", markup=False)
    if report.records_without_file:
        console.print(
            f"Records included at title/abstract still without a full text "
            f"({len(report.records_without_file)}): {', '.join(map(str, report.records_without_file))}",
            markup=False,
        )


@app.command("confirm-fulltext")
def confirm(
    project_dir: ProjectDir,
    record_ids: Annotated[
        list[int] | None,
        typer.Argument(help="Records whose unreadable file you checked; none lists those waiting.", show_default=False),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Count full texts flagged unreadable (empty or corrupt) as retrieved, after you opened them.

    Without record ids, lists the files waiting for confirmation. A file that
    really is useless: mark the report `review not-retrieved` instead.

    Example:

        review confirm-fulltext my-review

        review confirm-fulltext my-review 12 57
    """
    db = open_review(project_dir).db
    if not record_ids:
        waiting = unreadable_fulltexts(db)
        if as_json:
            print_json([{"record_id": record_id, "problem": problem} for record_id, problem in waiting.items()])
            return
        for record_id, problem in waiting.items():
            console.print(f"{record_id}: {problem}", markup=False, highlight=False)
        console.print(f"{len(waiting)} full text(s) waiting for confirmation")
        return
    confirm_fulltexts(db, record_ids)
    console.print(f"Confirmed {len(record_ids)} full text(s) as retrieved.")


@app.command("not-retrieved")
def not_retrieved(
    project_dir: ProjectDir,
    record_id: Annotated[int, typer.Argument(help="The record's id.", show_default=False)],
    reason: Annotated[
        str, typer.Option("--reason", help="Why the full text could not be obtained.", show_default=False)
    ],
) -> None:
    """Mark a report whose full text could not be obtained (PRISMA 'reports not retrieved').

    Example:

        review not-retrieved my-review 123 --reason "Not available from the library"
    """
    with open_review(project_dir) as review:
        review.mark_not_retrieved(record_id, reason)
    console.print(f"Record {record_id} marked not retrieved.")


@app.command("search-fulltext")
def search_fulltext(
    project_dir: ProjectDir,
    query: Annotated[str, typer.Argument(help="Words that must all occur (any case).", show_default=False)],
    as_json: JsonFlag = False,
) -> None:
    """Find records whose attached full text contains all the given words.

    Example:

        review search-fulltext my-review "case management"
    """
    with open_review(project_dir) as review:
        hits = search_fulltexts(review.db, query)
    if as_json:
        print_json([{"record_id": record_id, "snippet": snippet} for record_id, snippet in hits])
        return
    for record_id, snippet in hits:
        console.print(f"{record_id}: ...{snippet}...", markup=False, highlight=False)
    console.print(f"{len(hits)} record(s)")


@app.command()
def link(
    project_dir: ProjectDir,
    record_ids: Annotated[list[int], typer.Argument(help="Record ids of the reports.", show_default=False)],
    study: Annotated[str, typer.Option("--study", help="Name of the study the reports belong to.", show_default=False)],
) -> None:
    """Link reports of one study, so PRISMA counts the study once.

    Example:

        review link my-review 12 57 --study "Hansen 2019 trial"
    """
    with open_review(project_dir) as review:
        review.link_reports(record_ids, study)
    console.print(f"Linked {len(record_ids)} report(s) to study '{study}'.", markup=False)


@app.command()
def studies(project_dir: ProjectDir, as_json: JsonFlag = False) -> None:
    """List the included studies and their included reports.

    An included report not linked to a study is its own study, `record-<id>`.

    Example:

        review studies my-review --json
    """
    with open_review(project_dir) as review:
        grouped = review.included_studies()
    if as_json:
        print_json(grouped)
        return
    table = Table("study", "reports")
    for name, reports in grouped.items():
        table.add_row(name, ", ".join(map(str, reports)))
    console.print(table)
    console.print(f"{len(grouped)} studies, {sum(map(len, grouped.values()))} reports")
