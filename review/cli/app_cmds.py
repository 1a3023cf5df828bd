"""`review app`: the Streamlit reviewer's workspace for one project."""

from __future__ import annotations

import os
import sys
from importlib.resources import files
from pathlib import Path
from typing import Annotated

import typer

from review.cli.app import ProjectDir, app, open_review

APP_FILE = Path(str(files("review.webapp") / "app.py"))


def streamlit_command(project_dir: Path, port: int, address: str) -> list[str]:
    """The command line that serves `app.py` for `project_dir`."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP_FILE),
        "--server.port",
        str(port),
        "--server.address",
        address,
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        "--client.toolbarMode",
        "viewer",
        "--",
        "--project",
        str(project_dir.resolve()),
    ]


@app.command("app")
def app_(
    project_dir: ProjectDir,
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8501,
    address: Annotated[str, typer.Option(help="Address to listen on; 0.0.0.0 serves the whole network.")] = "127.0.0.1",
) -> None:
    """Open the project in the browser workspace (Streamlit), listening on localhost by default.

    Example:

        review app my-review
        review app my-review --port 8600 --address 0.0.0.0
    """
    open_review(project_dir).close()  # a clear error now rather than in the browser
    command = streamlit_command(project_dir, port, address)
    os.execv(command[0], command)  # become the server, so a signal to this process stops it
