"""`review demo`: the seed review built end to end from the synthetic corpus."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from review.cli.app import JsonFlag, app, console, print_json
from review.demo import DEFAULT_OUT, build_demo


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the demo project.")] = DEFAULT_OUT,
    force: Annotated[bool, typer.Option("--force", help="Replace an earlier demo in that folder.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Build the seed review from the synthetic corpus and print its PRISMA 2020 counts.

    Imports six database exports, removes duplicates, replays both reviewers'
    screening decisions, links reports to studies and imports the codes, then
    writes the PRISMA diagram (SVG, PNG, CSV) and the coded tables to OUT/exports/.
    Nothing is asked; an earlier demo is replaced only with --force.

    Example:

        review demo --out demo-project
        review demo --out demo-project --force --json
    """
    if as_json:
        result = build_demo(out, force)
        print_json(result.counts.to_dict())
        return
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console, transient=True
    ) as bar:
        task = bar.add_task("Starting", total=1)

        def show(description: str, done: int, total: int) -> None:
            bar.update(task, description=description, completed=done, total=total)

        result = build_demo(out, force, progress=show)
    imported = ", ".join(f"{source} {n}" for source, n in result.imported.items())
    _say(
        f"Imported {sum(result.imported.values())} records ({imported}); merged "
        f"{result.duplicates_merged} duplicates; {result.uncertain_pairs} pairs left to check."
    )
    print_json(result.counts.to_dict())
    _say(f"Project: {result.project_dir}  ({result.seconds} s)")
    for path in result.exports:
        _say(f"  wrote {path}")


def _say(line: str) -> None:
    """A plain line (paths unwrapped, no markup)."""
    console.print(line, soft_wrap=True, markup=False, highlight=False)
