"""The router of the reviewer's workspace: the sign-in gate, the menu and the sidebar every page shares.

Both Streamlit entry scripts (the repository's `app.py` and the packaged
`review/webapp/app.py` that `review app` serves) call `main()` on every run.
In team mode (accounts in the projects folder) a session that has not signed
in sees only the sign-in page.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from review.errors import ReviewError
from review.roles import Action
from review.webapp import state
from review.webapp.i18n import LANGUAGES, t


def _open_picked() -> None:
    try:
        state.open_folder(st.session_state["project_picker"].strip())
    except ReviewError as error:
        st.session_state["picker_error"] = str(error)


def _project_picker() -> None:
    """One person's app: any folder typed in. Team mode: only the projects of the projects folder."""
    if state.team_mode():
        projects = [str(path) for path in state.team_projects()]
        current = str(state.project_dir())
        if current not in projects:
            projects.insert(0, current)
        st.session_state["team_project_picker"] = current
        st.selectbox(
            t("login.project"),
            projects,
            key="team_project_picker",
            format_func=lambda path: Path(path).name,
            on_change=lambda: state.open_folder(st.session_state["team_project_picker"]),
        )
        return
    st.session_state.setdefault("project_picker", st.session_state["project_dir"] or "")
    st.text_input(
        "Project folder",
        key="project_picker",
        on_change=_open_picked,
        help="A folder holding review.db; press Enter to open it.",
    )
    if error := st.session_state.pop("picker_error", None):
        st.error(error)


def _identity() -> None:
    """Team mode: who is signed in and a sign-out button. Otherwise the reviewer's name, kept by the browser."""
    user = state.signed_in()
    if user is not None:
        st.text(t("login.signed_in_as", name=user.display_name, user=user.name, role=t(f"login.role_{user.role}")))
        if st.button(t("login.sign_out"), key="sign_out"):
            state.sign_out()
            st.rerun()
        return
    st.text_input(
        "Your name",
        key="reviewer",
        placeholder="e.g. Anna",
        help="Recorded on every decision; this browser remembers it.",
    )
    if not state.reviewer():
        st.caption("Enter your name to screen, resolve conflicts or code studies.")


def _sidebar() -> None:
    with st.sidebar:
        _project_picker()
        _identity()
        _language_picker()
        st.selectbox(
            t("sidebar.interface_language"),
            list(LANGUAGES),
            format_func=LANGUAGES.get,
            key="ui_language",
        )


def _language_picker() -> None:
    """The language protocol labels (reasons, codebook) are shown in: any the protocol's labels use."""
    if not state.is_project(state.project_dir()):
        return
    try:
        languages = state.protocol().label_languages() or ["en"]
    except ReviewError:
        return
    if st.session_state.get("label_language") not in languages:
        st.session_state["label_language"] = languages[0]
    if len(languages) > 1:
        st.selectbox("Label language", languages, key="label_language", help="Exclusion reasons and codebook labels.")


def _pages() -> list:
    listed = list(state.PAGES)
    if state.team_mode() and state.may(Action.MANAGE_USERS):
        listed.append(state.TEAM_PAGE)
    return [
        st.Page(str(state.PAGES_DIR / file), title=state.menu_title(file), icon=icon, default=index == 0)
        for index, (file, _, icon) in enumerate(listed)
    ]


def main(demo_dir: Path | None = None) -> None:
    """Render one run of the app; `demo_dir` is where the demo project is built when no project is given."""
    st.set_page_config(page_title="Review screening", page_icon=":material/fact_check:", layout="wide")
    state.init(demo_dir)
    if state.identify() is None and state.team_mode():
        with st.sidebar:
            st.selectbox(t("sidebar.interface_language"), list(LANGUAGES), format_func=LANGUAGES.get, key="ui_language")
        st.navigation([st.Page(str(state.LOGIN_PAGE), title=t("login.title"), icon=":material/login:")]).run()
        return
    _sidebar()
    st.navigation(_pages()).run()
    state.remember_reviewer()  # last, so its script element moves nothing drawn before it
