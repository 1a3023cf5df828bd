"""`review export`: tables and records out of the project."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from review.cli.app import ProjectDir, app, console, open_db
from review.exporters import export_table, EXPORT_TABLES

DEFAULT_EXPORT_DIR = Path("exports")


@app.command()
def export(
    project_dir: ProjectDir,
    table: Annotated[str, typer.Option(help=f"What to export: {', '.join(EXPORT_TABLES)}.")] = "records",
    file_format: Annotated[str, typer.Option("--format", help="csv, xlsx, json or ris (what the table allows).")] = "csv",
    output: Annotated[str | None, typer.Option("-o", "--output", help="File to write; '-' for stdout. Default: exports/TABLE.FORMAT")] = None,
    unique: Annotated[bool, typer.Option(help="Records only: leave out records merged as duplicates.")] = False,
) -> None:
    """Export a table (CSV, Excel, JSON) or records (RIS).

    Example:

        review export my-review --table records --format csv -o records.csv
        review export my-review --table records --format ris --unique -o deduplicated.ris
    """
    db = open_db(project_dir)
    path = None if output == "-" else Path(output) if output else DEFAULT_EXPORT_DIR / f"{table}.{file_format}"
    text = export_table(db, table, file_format, path, unique_only=unique)
    if path is None:
        typer.echo(text, nl=False)
    else:
        console.print(f"Wrote {path}")
