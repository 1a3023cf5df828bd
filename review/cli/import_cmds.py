"""`review import`: search exports into the project, one batch per file."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from review.cli.app import JsonFlag, ProjectDir, app, console, open_review, print_json
from review.errors import ReviewError
from review.importers import FORMATS


def parse_mapping(pairs: list[str]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        field, sep, column = pair.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise ReviewError(f"--map expects FIELD=COLUMN, got {pair!r}")
        mapping[field.strip()] = column.strip()
    return mapping


@app.command("import")
def import_(
    project_dir: ProjectDir,
    files: Annotated[
        list[Path],
        typer.Argument(
            help="RIS, CSV/TSV, Excel (.xlsx), MEDLINE (.nbib) or Web of Science plain text files.",
            show_default=False,
        ),
    ],
    source: Annotated[str | None, typer.Option(help="Database the files came from (default: file name).")] = None,
    file_format: Annotated[str | None, typer.Option("--format", help=f"Force a format: {', '.join(FORMATS)}.")] = None,
    mapping: Annotated[
        list[str] | None, typer.Option("--map", help="CSV column for a field, e.g. title='Article Title'.")
    ] = None,
    sheet: Annotated[str | None, typer.Option(help="Excel workbooks: the sheet to read (default: the first).")] = None,
    force: Annotated[bool, typer.Option(help="Import a file even if the same file was imported before.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Import search results; each file becomes a batch (source, date, hash, count).

    All files are read before anything is written: a bad line anywhere leaves
    the project unchanged.

    Example:

        review import my-review scopus.ris --source Scopus
        review import my-review wos.csv --source "Web of Science" --map title="Article Title"
        review import my-review embase.xlsx --source Embase --sheet Results
    """
    review = open_review(project_dir)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
        disable=as_json or not console.is_terminal,
    ) as progress:
        task = progress.add_task("Reading files", total=len(files))
        reports = review.import_files(
            files,
            source=source,
            force=force,
            file_format=file_format,
            mapping=parse_mapping(mapping or []),
            sheet=sheet,
            on_parsed=lambda _: progress.advance(task),
        )
    if as_json:
        print_json(
            {"batches": [asdict(report) for report in reports], "records": sum(report.records for report in reports)}
        )
        return
    for report in reports:
        console.print(
            f"{report.file}: {report.records} records from {report.source} "
            f"({report.format}, {report.encoding}), batch {report.batch_id}"
        )
        for warning in report.warnings:
            console.print(f"  warning: {warning}", style="yellow", markup=False)
