"""Session state and data access shared by every page.

Each browser session keeps its own `Review` (its own SQLite connection) in
`st.session_state`; the state derived from the log and the stage rankers are
shared by every session of the server through the review's process-wide
cache. Every decision is written to the database at once, so a closed tab
loses nothing. Keys are initialised once in `init()`.

Identity: with accounts in the projects folder (team mode) every session
signs in, the signed-in user is the reviewer on every decision and code, and
the session's `Review` is opened for that user (`Actor`), so the library
checks the role on every write. Without accounts it is one person's app: the
name typed in the sidebar is the reviewer, kept in a cookie of that browser so
a reload (or a new tab) finds it; another browser starts afresh.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import threading
import uuid
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote

import streamlit as st

from review.accounts import ACCOUNTS_DB, DEFAULT_IDLE_MINUTES, Accounts, User
from review.core import Review
from review.demo import build_demo
from review.errors import ProjectError, ReviewError
from review.protocol import Protocol
from review.roles import Action, Actor, Role, allowed
from review.screening.blind import Viewer
from review.screening.log import check_reviewer
from review.screening.session import ScreeningSession, shared_ranker
from review.stopping.hypergeometric import StoppingStatus
from review.store import DB_NAME
from review.types import Stage
from review.webapp.i18n import t

PAGES_DIR = Path(__file__).resolve().parent / "pages"
# (file in PAGES_DIR, English title, icon), in menu order; the menu shows `menu_title(file)`
PAGES: list[tuple[str, str, str]] = [
    ("project.py", "Project", ":material/folder_open:"),
    ("protocol_page.py", "Protocol", ":material/rule:"),
    ("import_page.py", "Import", ":material/upload_file:"),
    ("records.py", "Records", ":material/search:"),
    ("screening.py", "Screening", ":material/fact_check:"),
    ("fulltexts.py", "Full texts", ":material/picture_as_pdf:"),
    ("conflicts.py", "Conflicts", ":material/call_split:"),
    ("coding.py", "Coding", ":material/table_edit:"),
    ("prisma.py", "PRISMA", ":material/account_tree:"),
    ("insights.py", "Insights", ":material/monitoring:"),
    ("export.py", "Export", ":material/download:"),
]
LOGIN_PAGE = PAGES_DIR / "login.py"
TEAM_PAGE = ("team.py", "Team", ":material/group:")  # leads only, in team mode
REVIEWER_COOKIE = "review_reviewer"  # the single-user app's reviewer name, kept by the browser


def menu_title(file: str) -> str:
    """A page's title in the menu, in the interface's language."""
    return t(f"menu.{Path(file).stem}")


DEFAULTS: dict[str, object] = {
    "project_dir": None,
    "reviewer": "",
    "revisit": None,
    "label_language": "en",
    "ui_language": "en",
    "session_token": None,
    "user": None,  # the signed-in `User` of this run (team mode), set by `identify()`
}
STAGE_NAMES = {"ta": "Title/abstract", "ft": "Full text"}


def command_line(argv: list[str] | None = None) -> argparse.Namespace:
    """`streamlit run app.py -- [--project DIR] [--projects DIR] [--idle-minutes N]` (what `review app` passes)."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--project", type=Path)
    parser.add_argument("--projects", type=Path)
    parser.add_argument("--idle-minutes", type=float, default=DEFAULT_IDLE_MINUTES)
    known, _ = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    return known


def command_line_project(argv: list[str] | None = None) -> Path | None:
    """The folder given as `streamlit run app.py -- --project DIR`, if any."""
    return command_line(argv).project


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
    given = command_line().projects
    st.session_state.setdefault("projects_root", str(given or Path(st.session_state["project_dir"]).parent))
    if "_cookie_reviewer" not in st.session_state:  # a new browser session: restore the name once
        remembered = st.session_state["_cookie_reviewer"] = remembered_reviewer()
        # only a real name is written: setting the box's key makes the browser take the value back from the server
        if remembered and not team_mode() and not st.session_state["reviewer"]:
            st.session_state["reviewer"] = remembered


# --- identity ------------------------------------------------------------------------------------------------


def projects_root() -> Path:
    """The folder the server's projects live in; its `accounts.db` (if any) holds the team's accounts."""
    return Path(st.session_state["projects_root"])


def accounts() -> Accounts | None:
    """This session's connection to the team's accounts, or None without accounts (one person's app)."""
    if not (projects_root() / ACCOUNTS_DB).is_file():
        return None
    opened = st.session_state.get("_accounts")
    if opened is None or opened.folder != projects_root():
        opened = st.session_state["_accounts"] = Accounts.open(projects_root())
    return opened


def team_mode() -> bool:
    """Whether everyone signs in: the projects folder has accounts."""
    found = accounts()
    return found is not None and bool(found.users())


def identify() -> User | None:
    """Check this session's sign-in once per run (expired when idle too long); the role follows the account."""
    found = accounts() if team_mode() else None
    token = st.session_state.get("session_token")
    user = found.session_user(token, command_line().idle_minutes) if found and token else None
    if token and user is None:
        st.session_state["session_token"] = None
        st.session_state["signed_out_idle"] = True
    st.session_state["user"] = user
    if found is not None:
        st.session_state["role"] = user.role if user else Role.OBSERVER
    return user


def sign_in(name: str, password: str) -> None:
    """Sign this session in; raises `SignInError` (wrong password, locked account) in one line."""
    st.session_state["session_token"] = accounts().sign_in(name, password)
    st.session_state.pop("signed_out_idle", None)


def sign_in_identity(identity: str) -> None:
    """Sign in the account mapped to a single sign-on identity (st.login's e-mail)."""
    st.session_state["session_token"] = accounts().sign_in_identity(identity)
    st.session_state.pop("signed_out_idle", None)


def sign_out() -> None:
    found = accounts()
    if found is not None:
        found.sign_out(st.session_state.get("session_token"))
    st.session_state["session_token"] = None
    st.session_state["user"] = None


def signed_in() -> User | None:
    return st.session_state.get("user")


def actor() -> Actor | None:
    """Who the library acts for: the signed-in user in team mode, nobody (a lead) in one person's app."""
    user = signed_in()
    return Actor(user.name, user.role) if user is not None else None


def remembered_reviewer() -> str:
    """The single-user app's reviewer name from this browser's cookie ('' if none or not a valid name)."""
    raw = st.context.cookies.get(REVIEWER_COOKIE)
    if not isinstance(raw, str):  # absent (or a test harness's stand-in)
        return ""
    try:
        return check_reviewer(unquote(raw))
    except ReviewError:
        return ""


def remember_reviewer() -> None:
    """Have the browser keep the sidebar's name when it changed (single-user mode; Streamlit reads cookies only)."""
    name = str(st.session_state.get("reviewer") or "").strip()
    if team_mode() or st.session_state.get("_cookie_reviewer") == name:
        return
    try:
        value = quote(check_reviewer(name), safe="") if name else ""
    except ReviewError as error:
        st.error(str(error))
        return
    st.session_state["_cookie_reviewer"] = name
    lifetime = 365 * 24 * 3600 if name else 0
    st.html(
        f"<script>(window.parent || window).document.cookie = {json.dumps(REVIEWER_COOKIE + '=' + value)}"
        f' + "; path=/; max-age={lifetime}; SameSite=Strict";</script>',
        unsafe_allow_javascript=True,
    )


def team_projects() -> list[Path]:
    """The projects in the projects folder (folders holding review.db, one level down), by name."""
    root = projects_root()
    return sorted(path for path in root.iterdir() if is_project(path)) if root.is_dir() else []


def project_dir() -> Path | None:
    value = st.session_state.get("project_dir")
    return Path(value) if value else None


def reviewer() -> str:
    """Who decides: the signed-in user in team mode, else the name typed in the sidebar."""
    if team_mode():
        user = signed_in()
        return user.name if user is not None else ""
    return str(st.session_state.get("reviewer") or "").strip()


def review() -> Review:
    """This session's `Review` of the open project (opened on first use, one connection per session)."""
    folder = project_dir()
    if folder is None:
        raise ProjectError("no project is open")
    reviews: dict[tuple, Review] = st.session_state.setdefault("_reviews", {})
    key = (str(folder.resolve()), actor())
    if key not in reviews:
        reviews[key] = Review.open(folder, actor=actor())
    return reviews[key]


def protocol() -> Protocol:
    return review().protocol


def viewer() -> Viewer:
    """Who is looking: the session's reviewer, unblinded only after they asked for it (audited)."""
    name = reviewer() or None
    if st.session_state.get("unblinded_as") == (str(project_dir()), name) and may(Action.UNBLIND):
        return Viewer(name, unblinded=True)
    return review().seen_by(Viewer(name)) if is_project(project_dir()) else Viewer(name)


def unblind(context: str) -> None:
    """Show this session every label (recorded in the project's audit log)."""
    review().viewer(reviewer() or None, unblind=True, context=f"app: {context}")
    st.session_state["unblinded_as"] = (str(project_dir()), reviewer() or None)


def label_language() -> str:
    """The language protocol labels are shown in (any the protocol's labels use)."""
    return str(st.session_state.get("label_language") or "en")


def open_folder(folder: Path | str) -> None:
    """Make `folder` this session's project; raises `ProjectError` when it holds none (or, in team mode,
    when it is not a project of the projects folder)."""
    if not is_project(folder):
        raise ProjectError(f"no project at {folder} (missing {DB_NAME})")
    if team_mode() and Path(folder).resolve() not in [path.resolve() for path in team_projects()]:
        raise ProjectError(f"{folder} is not a project in this server's projects folder")
    st.session_state["project_dir"] = str(Path(folder))


def create_folder(folder: Path | str, protocol_yaml: str, source_name: str) -> None:
    """Create a project with a protocol (validated before anything is written) and open it.

    In team mode `folder` is a plain name: the project is made in the projects folder, by a lead."""
    if team_mode():
        folder = projects_root() / _project_name(str(folder))
    Review.create(folder, protocol_yaml=protocol_yaml, source=source_name, actor=actor()).close()
    open_folder(folder)


def _project_name(name: str) -> str:
    """A new team project's folder name: letters, digits, - _ . (never a path)."""
    cleaned = name.strip()
    if not cleaned or cleaned.startswith(".") or not all(char.isalnum() or char in "-_." for char in cleaned):
        raise ProjectError("a project name has only letters, digits and - _ . (it is a folder in the projects folder)")
    return cleaned


def require_project() -> Review:
    """The open project's review, or a pointer to the Project page and a stop."""
    if not is_project(project_dir()):
        st.info(f"No project is open at `{project_dir()}`. Create or open one on the **Project** page.")
        st.page_link(str(PAGES_DIR / "project.py"), label="Go to Project", icon=":material/folder_open:")
        st.stop()
    return review()


def stage_picker(key: str) -> Stage:
    """A switch between the two screening stages, remembered per page under `key`."""
    st.session_state.setdefault(key, "ta")
    return Stage(st.segmented_control("Stage", list(STAGE_NAMES), format_func=STAGE_NAMES.get, key=key) or "ta")


def reviewer_at_stage(title: str, stage_key: str) -> tuple[Review, str, Protocol, Stage]:
    """The start of a page where a named reviewer works at one stage: title, checks, stage switch."""
    st.title(title)
    opened, name = require_project(), require_reviewer()
    return opened, name, opened.protocol, stage_picker(stage_key)


def require_permission(action: Action, message: str) -> None:
    """Stop the page with `message` unless the signed-in user's role allows `action` (the library refuses it too)."""
    if not may(action):
        st.info(message)
        st.stop()


def require_reviewer() -> str:
    """The reviewer's name, or a request to enter it in the sidebar and a stop."""
    name = reviewer()
    if not name:
        st.warning("Enter your name in the sidebar first: it is recorded on every decision.")
        st.stop()
    return name


def screening_session(stage: Stage) -> ScreeningSession:
    """This browser session's screening at a stage, over the stage's ranker shared by the whole server."""
    opened = review()
    with st.spinner("Ranking the records…"):
        ranker = shared_ranker(opened, stage)
    decided = st.session_state.setdefault(f"decided_{stage}", [])
    return ScreeningSession(opened, stage, reviewer(), ranker, decided)


def _stopping_status(folder: str, stage: str) -> StoppingStatus:
    """The stopping rule's read-only status for a project folder (runs in a worker process: takes a path)."""
    with Review.open(folder) as opened:
        return opened.stopping(stage, start_sample=False)


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
    version = review().log_version()
    worker, jobs, lock = _advice_jobs()
    with lock:
        job = jobs.get((project, stage))
        if job is not None and job.future.done() and job.future.exception() is None:
            job.done = (job.version, job.future.result())
        if job is None or (job.version != version and job.future.done()):
            previous = job.done if job is not None else None
            job = jobs[(project, stage)] = _AdviceJob(
                version, worker.submit(_stopping_status, project, stage), previous
            )
        if job.future.done() and job.future.exception() is None:
            job.done = (job.version, job.future.result())
        if job.done is None:
            return None, False
        return job.done[1], job.done[0] == version


def role() -> Role:
    """The signed-in user's role; one person on their own machine (no accounts) is the lead."""
    return Role(st.session_state.get("role", Role.LEAD))


def may(action: Action) -> bool:
    """Whether the signed-in user may `action`: pages hide what is not allowed, the library refuses it."""
    return allowed(role(), action)
