"""The router of the reviewer's workspace: the menu and the sidebar every page shares.

Both Streamlit entry scripts (the repository's `app.py` and the packaged
`review/webapp/app.py` that `review app` serves) call `main()` on every run.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from review.errors import ReviewError
from review.webapp import state
from review.webapp.i18n import LANGUAGES, t


def _open_picked() -> None:
    try:
        state.open_folder(st.session_state["project_picker"].strip())
    except ReviewError as error:
        st.session_state["picker_error"] = str(error)


def _sidebar() -> None:
    with st.sidebar:
        st.session_state.setdefault("project_picker", st.session_state["project_dir"] or "")
        st.text_input(
            "Project folder",
            key="project_picker",
            on_change=_open_picked,
            help="A folder holding review.db; press Enter to open it.",
        )
        if error := st.session_state.pop("picker_error", None):
            st.error(error)
        st.text_input(
            "Your name",
            key="reviewer",
            placeholder="e.g. Anna",
            help="Chosen once per browser session and recorded on every decision.",
        )
        if not state.reviewer():
            st.caption("Enter your name to screen, resolve conflicts or code studies.")
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


def main(demo_dir: Path | None = None) -> None:
    """Render one run of the app; `demo_dir` is where the demo project is built when no project is given."""
    st.set_page_config(page_title="Review screening", page_icon=":material/fact_check:", layout="wide")
    state.init(demo_dir)
    _sidebar()
    pages = [
        st.Page(str(state.PAGES_DIR / file), title=state.menu_title(file), icon=icon, default=index == 0)
        for index, (file, _, icon) in enumerate(state.PAGES)
    ]
    st.navigation(pages).run()
