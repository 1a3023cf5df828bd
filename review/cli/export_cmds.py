"""`review export`: tables and records out of the project."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from review.cli.app import (
    ProjectDir,
    UnblindOption,
    ViewerOption,
    app,
    command_viewer,
    console,
    err_console,
    open_review,
)
from review.export.writers import EXPORT_TABLES, FORMATS

DEFAULT_EXPORT_DIR = Path("exports")


def default_output(table: str, file_format: str) -> Path:
    """Where an export lands without -o: exports/TABLE.FORMAT (the folder itself for all tables as CSV)."""
    if (table, file_format) == ("all", "csv"):
        return DEFAULT_EXPORT_DIR
    return DEFAULT_EXPORT_DIR / f"{table}.{file_format}"


def warn(message: str) -> None:
    """Notes on what an export had to change go to stderr, so an export to stdout stays clean."""
    err_console.print(f"Warning: {message}", style="yellow", markup=False, highlight=False)


@app.command()
def export(
    project_dir: ProjectDir,
    table: Annotated[str, typer.Option(help=f"What to export: {', '.join(EXPORT_TABLES)}.")] = "records",
    file_format: Annotated[
        str, typer.Option("--format", help=f"{', '.join(FORMATS)} (what the table allows; ris: included, records).")
    ] = "csv",
    output: Annotated[
        str | None,
        typer.Option(
            "-o",
            "--output",
            help="File to write ('-' for stdout; a folder for --table all --format csv). Default: exports/TABLE.FORMAT",
        ),
    ] = None,
    unique: Annotated[bool, typer.Option(help="Records only: leave out records merged as duplicates.")] = False,
    rows: Annotated[
        str | None, typer.Option("--rows", help="Evidence map: dimension down the side (default: the codebook's).")
    ] = None,
    cols: Annotated[
        str | None, typer.Option("--cols", help="Evidence map: dimension across (default: the codebook's).")
    ] = None,
    coder: Annotated[
        str | None, typer.Option(help="Coded tables: this coder's values (default: latest by any coder).")
    ] = None,
    language: Annotated[
        str | None, typer.Option(help="Label language: any ISO code the protocol's labels use (default en).")
    ] = None,
    reviewer: ViewerOption = None,
    unblind: UnblindOption = False,
) -> None:
    """Export a table (CSV, Excel, JSON) or records (RIS).

    Tables: **included** (one row per included study, one column per codebook
    dimension), **codes** (study, dimension, value, coder), **evidence-map**
    (study counts for two dimensions), **decisions** (with reasons), **records**,
    and **all** (every table: xlsx with a sheet each, json, or csv as a folder
    with one file per table). While a blind stage is being screened, the
    decision log shows you only your own labels (--reviewer), or every label
    with --unblind (recorded in the audit log).

    Example:

        review export my-review --table included --format xlsx
        review export my-review --table all --format xlsx -o coded.xlsx
        review export my-review --table all --format csv -o my-review/exports
        review export my-review --table evidence-map --rows framework --cols citizen-outcomes -o -
        review export my-review --table included --format ris -o included.ris
        review export my-review --table records --format ris --unique -o deduplicated.ris
    """
    path = None if output == "-" else Path(output) if output else default_output(table, file_format)
    options = {"unique_only": unique, "rows": rows, "cols": cols, "coder": coder, "language": language}
    with open_review(project_dir) as review:
        viewer = command_viewer(review, reviewer, unblind, "export")
        text = review.export(table, file_format, path, viewer, on_warning=warn, **options)
    if path is None:
        typer.echo(text, nl=False)
    elif path.is_dir():
        console.print(f"Wrote {len(text.splitlines())} files to {path}")
    else:
        console.print(f"Wrote {path}")
