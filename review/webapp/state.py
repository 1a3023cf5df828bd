"""Session state and data access shared by every page.

Each browser session keeps its own SQLite connection in `st.session_state`
(a connection is never shared between sessions: it is not thread-safe), and
every decision is written to the database at once, so a closed tab loses
nothing. Keys are initialised once in `init()`.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import sys
import threading
import uuid
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils
import streamlit as st

from review.demo import build_demo
from review.errors import ProjectError
from review.project import current_protocol, store_protocol
from review.protocol import Protocol, parse_protocol
from review.ranking.ranker import Ranker
from review.screening.log import screening_candidates
from review.screening.session import ScreeningSession, build_ranker, project_stopping_status
from review.stopping.hypergeometric import StoppingStatus
from review.store import DB_NAME, create_project, open_project

PAGES_DIR = Path(__file__).resolve().parent / "pages"
# (file in PAGES_DIR, title, icon), in menu order
PAGES: list[tuple[str, str, str]] = [
    ("project.py", "Project", ":material/folder_open:"),
    ("import_page.py", "Import", ":material/upload_file:"),
    ("screening.py", "Screening", ":material/fact_check:"),
    ("conflicts.py", "Conflicts", ":material/call_split:"),
    ("coding.py", "Coding", ":material/table_edit:"),
    ("prisma.py", "PRISMA", ":material/account_tree:"),
    ("insights.py", "Insights", ":material/monitoring:"),
    ("export.py", "Export", ":material/download:"),
]

DEFAULTS: dict[str, object] = {"project_dir": None, "reviewer": "", "revisit": None}
STAGE_NAMES = {"ta": "Title/abstract", "ft": "Full text"}


def command_line_project(argv: list[str] | None = None) -> Path | None:
    """The folder given as `streamlit run app.py -- --project DIR`, if any."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--project", type=Path)
    known, _ = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    return known.project


def is_project(folder: Path | str | None) -> bool:
    return folder is not None and (Path(folder) / DB_NAME).is_file()


def default_demo_dir() -> Path:
    """Where an installed app builds the demo: the user's data folder, never the server's working directory."""
    data = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return data / "review" / "demo-project"


def starting_project(demo_dir: Path | None = None) -> Path:
    """The project a new session opens: the command line's, else the demo (built on first start)."""
    given = command_line_project()
    return given if given is not None else Path(_demo_project(str(demo_dir or default_demo_dir())))


@st.cache_resource(show_spinner="Building the demo project (first start only, a few seconds)…")
def _demo_project(folder: str) -> str:
    """Build the demo into `folder` once per server if it is missing (concurrent sessions wait for it)."""
    if not is_project(folder):
        build_demo(Path(folder))
    return folder


def init(demo_dir: Path | None = None) -> None:
    """Give every session-state key its starting value, once per browser session."""
    for key, value in DEFAULTS.items():
        st.session_state.setdefault(key, value)
    st.session_state.setdefault("session_id", uuid.uuid4().hex)
    if st.session_state["project_dir"] is None:
        st.session_state["project_dir"] = str(starting_project(demo_dir))


def project_dir() -> Path | None:
    value = st.session_state.get("project_dir")
    return Path(value) if value else None


def reviewer() -> str:
    return str(st.session_state.get("reviewer") or "").strip()


def db() -> sqlite_utils.Database:
    """This session's connection to the open project (opened on first use)."""
    folder = project_dir()
    if folder is None:
        raise ProjectError("no project is open")
    connections: dict[str, sqlite_utils.Database] = st.session_state.setdefault("_connections", {})
    key = str(folder.resolve())
    if key not in connections:
        connections[key] = open_project(folder)
    return connections[key]


def protocol() -> Protocol:
    return current_protocol(db())


def open_folder(folder: Path | str) -> None:
    """Make `folder` this session's project; raises `ProjectError` when it holds none."""
    if not is_project(folder):
        raise ProjectError(f"no project at {folder} (missing {DB_NAME})")
    st.session_state["project_dir"] = str(Path(folder))


def create_folder(folder: Path | str, protocol_yaml: str, source_name: str) -> None:
    """Create a project with a protocol (validated before anything is written) and open it."""
    parse_protocol(protocol_yaml, source=source_name)
    created = create_project(folder)
    store_protocol(created, protocol_yaml, source_name)
    created.close()
    open_folder(folder)


def require_project() -> sqlite_utils.Database:
    """The open project's connection, or a pointer to the Project page and a stop."""
    if not is_project(project_dir()):
        st.info(f"No project is open at `{project_dir()}`. Create or open one on the **Project** page.")
        st.page_link(str(PAGES_DIR / "project.py"), label="Go to Project", icon=":material/folder_open:")
        st.stop()
    return db()


def stage_picker(key: str) -> str:
    """A switch between the two screening stages, remembered per page under `key`."""
    st.session_state.setdefault(key, "ta")
    return st.segmented_control("Stage", list(STAGE_NAMES), format_func=STAGE_NAMES.get, key=key) or "ta"


def reviewer_at_stage(title: str, stage_key: str) -> tuple[sqlite_utils.Database, str, Protocol, str]:
    """The start of a page where a named reviewer works at one stage: title, checks, stage switch."""
    st.title(title)
    connection, name = require_project(), require_reviewer()
    return connection, name, protocol(), stage_picker(stage_key)


def require_reviewer() -> str:
    """The reviewer's name, or a request to enter it in the sidebar and a stop."""
    name = reviewer()
    if not name:
        st.warning("Enter your name in the sidebar first: it is recorded on every decision.")
        st.stop()
    return name


@st.cache_resource(show_spinner="Ranking the records…", max_entries=8)
def _shared_ranker(project: str, stage: str, candidates_digest: str) -> Ranker:
    """One ranker per project, stage and candidate set, shared by every session of this server."""
    connection = open_project(project)
    try:
        return build_ranker(connection, stage, current_protocol(connection))
    finally:
        connection.close()


def screening_session(stage: str) -> ScreeningSession:
    """This browser session's screening state at a stage (a fresh ranker when the candidates change)."""
    connection, settings = db(), protocol()
    candidates = screening_candidates(connection, stage, settings)
    digest = hashlib.sha256(repr(candidates).encode()).hexdigest()
    ranker = _shared_ranker(str(project_dir().resolve()), stage, digest)
    return ScreeningSession(connection, stage, reviewer(), st.session_state["session_id"], ranker, settings)


@dataclass
class _AdviceJob:
    version: int
    future: Future
    done: tuple[int, StoppingStatus] | None = None


@st.cache_resource
def _advice_jobs() -> tuple[ProcessPoolExecutor, dict[tuple[str, str], _AdviceJob], threading.Lock]:
    """One worker process per server for the stopping rule (so it never holds the pages' GIL),
    and the latest job per project and stage."""
    worker = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    return worker, {}, threading.Lock()


def stopping_advice(stage: str) -> tuple[StoppingStatus | None, bool]:
    """The stopping rule's latest advice at a stage and whether it reflects every decision so far.

    The test takes about a second at 20k records, so it runs in a worker
    process, started again whenever the decision log has grown; the page shows
    the last finished answer meanwhile and never waits for it.
    """
    project = str(project_dir().resolve())
    version = db().execute("SELECT COALESCE(MAX(event_id), 0) FROM decisions").fetchone()[0]
    worker, jobs, lock = _advice_jobs()
    with lock:
        job = jobs.get((project, stage))
        if job is not None and job.future.done() and job.future.exception() is None:
            job.done = (job.version, job.future.result())
        if job is None or (job.version != version and job.future.done()):
            previous = job.done if job is not None else None
            job = jobs[(project, stage)] = _AdviceJob(
                version, worker.submit(project_stopping_status, project, stage), previous
            )
        if job.future.done() and job.future.exception() is None:
            job.done = (job.version, job.future.result())
        if job.done is None:
            return None, False
        return job.done[1], job.done[0] == version
