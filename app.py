"""Streamlit entry point: the router of the reviewer's workspace.

    streamlit run app.py                      # the demo project (or a page to create/open one)
    streamlit run app.py -- --project DIR     # any project folder
    review app DIR                            # the same, from the CLI

Pages live in `review/webapp/pages/`; this file only builds the menu and the
sidebar every page shares (project picker and reviewer identity).
"""

import streamlit as st

from review.errors import ReviewError
from review.webapp import state

st.set_page_config(page_title="Review screening", page_icon=":material/fact_check:", layout="wide")
state.init()


def _open_picked() -> None:
    try:
        state.open_folder(st.session_state["project_picker"].strip())
    except ReviewError as error:
        st.session_state["picker_error"] = str(error)


with st.sidebar:
    st.session_state.setdefault("project_picker", st.session_state["project_dir"] or "")
    st.text_input("Project folder", key="project_picker", on_change=_open_picked,
                  help="A folder holding review.db; press Enter to open it.")
    if error := st.session_state.pop("picker_error", None):
        st.error(error)
    st.text_input("Your name", key="reviewer", placeholder="e.g. Anna",
                  help="Chosen once per browser session and recorded on every decision.")
    if not state.reviewer():
        st.caption("Enter your name to screen, resolve conflicts or code studies.")

pages = [
    st.Page(str(state.PAGES_DIR / file), title=title, icon=icon, default=index == 0)
    for index, (file, title, icon) in enumerate(state.PAGES)
]
st.navigation(pages).run()
