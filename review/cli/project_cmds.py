"""`review init` and `review status`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from review.cli.app import JsonFlag, ProjectDir, app, console, open_review, print_json
from review.core import Review


@app.command()
def init(
    project_dir: ProjectDir,
    protocol: Annotated[Path, typer.Option("--protocol", "-p", help="The review protocol (YAML).")],
) -> None:
    """Create a review project in PROJECT_DIR with a validated protocol.

    Example:

        review init my-review --protocol protocols/template.yaml
    """
    Review.create(project_dir, protocol).close()
    console.print(f"Created project {project_dir} with protocol {protocol}")


@app.command()
def status(project_dir: ProjectDir, as_json: JsonFlag = False) -> None:
    """Counts per stage: imported, duplicates, screened, included.

    Example:

        review status my-review --json
    """
    with open_review(project_dir) as review:
        summary = review.status()
    if as_json:
        print_json(summary)
        return
    table = Table(title=f"Project {project_dir}", show_header=True)
    table.add_column("what")
    table.add_column("count", justify="right")
    for key, value in summary.items():
        if isinstance(value, dict):
            for sub_key, sub_value in value.items():
                table.add_row(f"{key}: {sub_key}", str(sub_value))
        else:
            table.add_row(key, str(value))
    console.print(table)
