"""The shared Typer app and the small helpers every command module uses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import sqlite_utils
import typer
from rich.console import Console

from review.project import current_protocol
from review.protocol import Protocol
from review.store import open_project

app = typer.Typer(
    name="review",
    help="Systematic-review screening: import, deduplicate, rank, screen, PRISMA 2020, code and export.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
    context_settings={"help_option_names": ["-h", "--help"]},
)
console = Console()
err_console = Console(stderr=True)

ProjectDir = Annotated[Path, typer.Argument(help="The project folder (holds review.db).", show_default=False)]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of a table.")]


@app.callback()
def _global_options(
    debug: Annotated[bool, typer.Option("--debug", help="Show the full traceback on errors.")] = False,
) -> None:
    """Systematic-review screening from search hits to PRISMA diagram and coded tables."""


def open_db(project_dir: Path) -> sqlite_utils.Database:
    return open_project(project_dir)


def open_db_protocol(project_dir: Path) -> tuple[sqlite_utils.Database, Protocol]:
    db = open_project(project_dir)
    return db, current_protocol(db)


def print_json(data: Any) -> None:
    """JSON on stdout, unadorned, for scripts."""
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
