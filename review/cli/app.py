"""The shared Typer app and the small helpers every command module uses."""

from __future__ import annotations

import getpass
import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from review.core import Review
from review.screening.blind import Viewer
from review.types import Stage

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


StageOption = Annotated[Stage, typer.Option("--stage", help="ta (title/abstract) or ft (full text).")]
ReviewerOption = Annotated[
    str | None, typer.Option("--reviewer", help="Reviewer name (default: $REVIEW_REVIEWER, else your user name).")
]
ViewerOption = Annotated[
    str | None,
    typer.Option(
        "--reviewer",
        help="Who is looking (default: $REVIEW_REVIEWER): in an open blind stage you see only your own labels.",
    ),
]
UnblindOption = Annotated[
    bool,
    typer.Option(
        "--unblind", help="Show every reviewer's labels even while a blind stage is open (written to the audit log)."
    ),
]


def open_review(project_dir: Path) -> Review:
    return Review.open(project_dir)


def default_reviewer(name: str | None) -> str:
    """Who decides: the reviewer named on the command line, else $REVIEW_REVIEWER, else the OS user."""
    return name or os.environ.get("REVIEW_REVIEWER") or getpass.getuser()


def command_viewer(review: Review, name: str | None, unblind: bool, command: str) -> Viewer:
    """Who looks at labels: --reviewer, else $REVIEW_REVIEWER, else nobody (refused while a blind stage is open)."""
    who = name or os.environ.get("REVIEW_REVIEWER") or None
    actor = who or getpass.getuser()
    return review.viewer(actor if unblind else who, unblind=unblind, context=f"review {command}")


def print_json(data: Any) -> None:
    """JSON on stdout, unadorned, for scripts."""
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
