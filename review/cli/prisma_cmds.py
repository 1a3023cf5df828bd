"""`review prisma`: the PRISMA 2020 flow as JSON, CSV (PRISMA2020 package template), SVG or PNG."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from review.cli.app import ProjectDir, app, console, err_console, open_review
from review.prisma import FORMATS, LANGUAGES, render_prisma


@app.command()
def prisma(
    project_dir: ProjectDir,
    fmt: Annotated[str, typer.Option("--format", "-f", help=f"One of: {', '.join(FORMATS)}.")] = "json",
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="File to write (diagrams default to PROJECT/exports/prisma.svg|png; JSON and CSV to the screen).",
        ),
    ] = None,
    language: Annotated[
        str, typer.Option("--language", help=f"Diagram and reason labels: {', '.join(LANGUAGES)}.")
    ] = "en",
    allow_incomplete: Annotated[
        bool,
        typer.Option(
            "--allow-incomplete", help="Write a draft even when records or reports are undecided; the gaps are shown."
        ),
    ] = False,
) -> None:
    """PRISMA 2020 flow counts and diagram, all counted from the project database.

    Fails, saying which sum is off, when the counts do not add up (for example
    while records are still undecided), unless `--allow-incomplete` is given.
    The CSV loads in the PRISMA2020 R package and Shiny app.

    Example:

        review prisma my-review --format json
        review prisma my-review --format csv -o exports/PRISMA.csv
        review prisma my-review --format png -o exports/prisma.png --language da
    """
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise typer.BadParameter(f"use one of: {', '.join(FORMATS)}", param_hint="--format")
    if language not in LANGUAGES:
        raise typer.BadParameter(f"use one of: {', '.join(LANGUAGES)}", param_hint="--language")
    with open_review(project_dir) as review:
        counts, problems = review.prisma(language, allow_incomplete)
    content = render_prisma(counts, fmt, language, problems)
    for problem in problems:
        err_console.print(f"Warning: {problem}", markup=False, style="yellow")
    if output is None and fmt in ("svg", "png"):
        output = project_dir / "exports" / f"prisma.{fmt}"
    if output is None:
        typer.echo(content)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        output.write_bytes(content)
    else:
        output.write_text(content if content.endswith("\n") else content + "\n", encoding="utf-8")
    console.print(f"Wrote {output}", markup=False)
