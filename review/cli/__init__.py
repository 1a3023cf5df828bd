"""The `review` command line.

Each module in this package adds the commands for one concern to the shared
Typer app; they are imported here so that adding a module adds its commands.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import typer

from review.cli.advice import message
from review.cli.app import app, err_console
from review.errors import ReviewError

for _module in pkgutil.iter_modules(__path__):
    if _module.name != "app":
        importlib.import_module(f"{__name__}.{_module.name}")


def main(argv: list[str] | None = None) -> None:
    """Entry point: run a command, turning user errors into one-line messages.

    Usage errors are reported by the command framework itself (standalone
    mode); a `ReviewError` becomes `Error: ...` on stderr and exit status 1.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    args = [arg for arg in args if arg != "--debug"]  # accepted anywhere on the line
    command = typer.main.get_command(app)
    try:
        command.main(args=args, prog_name="review", standalone_mode=True)
    except ReviewError as error:
        if debug:
            raise
        err_console.print(f"Error: {message(error)}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(1)
