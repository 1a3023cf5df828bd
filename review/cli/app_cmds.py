"""`review app`: the Streamlit reviewer's workspace for one project, on this machine or for a team."""

from __future__ import annotations

import ipaddress
import os
import sys
from importlib.resources import files
from pathlib import Path
from typing import Annotated

import typer

from review.accounts import DEFAULT_IDLE_MINUTES, Accounts, server_folder
from review.cli.app import ProjectDir, app, open_review
from review.errors import ReviewError

APP_FILE = Path(str(files("review.webapp") / "app.py"))


def is_loopback(address: str) -> bool:
    """Whether `address` serves this machine only (127.0.0.0/8, ::1, localhost)."""
    if address.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip()).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def projects_folder(project_dir: Path, projects: Path | None) -> Path:
    """The one folder the app may open projects in: `--projects`, else the folder holding the project."""
    folder = (projects or server_folder(project_dir)).resolve()
    if not folder.is_dir():
        raise ReviewError(f"the projects folder {folder} is not a folder")
    if not project_dir.resolve().is_relative_to(folder):
        raise ReviewError(f"{project_dir} is not inside the projects folder {folder}")
    return folder


def check_team_mode(folder: Path, address: str) -> None:
    """Refuse to listen beyond this machine unless the projects folder's accounts include a lead."""
    if is_loopback(address):
        return
    if Accounts.exist(folder):
        with Accounts.open(folder) as accounts:
            if accounts.has_lead():
                return
    raise ReviewError(
        f"--address {address} serves the network, which needs accounts with at least one lead in {folder}: "
        f"first run review user add {folder} NAME --role lead"
    )


def streamlit_command(project_dir: Path, port: int, address: str, projects: Path | None = None,
                      idle_minutes: float = DEFAULT_IDLE_MINUTES) -> list[str]:  # fmt: skip
    """The command line that serves `app.py` for `project_dir` (XSRF protection stays on)."""
    folder = projects or project_dir.resolve().parent
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
        "--server.enableXsrfProtection",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        "--client.toolbarMode",
        "viewer",
        "--",
        "--projects",
        str(folder),
        "--idle-minutes",
        str(idle_minutes),
        "--project",
        str(project_dir.resolve()),
    ]


@app.command("app")
def app_(
    project_dir: ProjectDir,
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8501,
    address: Annotated[
        str, typer.Option(help="Address to listen on; anything but loopback (e.g. 0.0.0.0) needs a lead account.")
    ] = "127.0.0.1",
    projects: Annotated[
        Path | None,
        typer.Option(
            help="The only folder the app opens projects in, whose accounts.db holds the team's accounts "
            "(default: the folder holding PROJECT_DIR).",
        ),
    ] = None,
    idle_minutes: Annotated[
        float, typer.Option("--idle-minutes", min=1, help="Sign a user out after this long without use.")
    ] = DEFAULT_IDLE_MINUTES,
) -> None:
    """Open the project in the browser workspace (Streamlit), listening on localhost by default.

    With accounts in the projects folder (`review user add`), everyone signs in and
    their role decides what they may do; without, it is one person's app.

    Example:

        review app my-review
        review user add . carl --role lead && review app my-review --address 0.0.0.0 --port 8600
    """
    open_review(project_dir).close()  # a clear error now rather than in the browser
    folder = projects_folder(project_dir, projects)
    check_team_mode(folder, address)
    command = streamlit_command(project_dir, port, address, folder, idle_minutes)
    os.execv(command[0], command)  # become the server, so a signal to this process stops it
