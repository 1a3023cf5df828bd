"""Project page: create or open a project, the protocol in force, progress and who screened what."""

import streamlit as st

from review.errors import ReviewError
from review.resources import bundled_protocols
from review.roles import Action
from review.webapp import state
from review.webapp.i18n import t


def _open_or_create() -> None:
    if state.team_mode():
        _team_open_or_create()
        return
    opening, creating = st.tabs(["Open a project", "Create a project"])
    with opening, st.form("open_project"):
        folder = st.text_input("Project folder", placeholder="/path/to/my-review", key="open_folder")
        if st.form_submit_button("Open", type="primary"):
            try:
                state.open_folder(folder.strip())
                st.rerun()
            except ReviewError as error:
                st.error(str(error))
    with creating, st.form("create_project"):
        folder = st.text_input("New project folder", placeholder="/path/to/new-review", key="new_folder")
        bundled = bundled_protocols()
        choice = st.selectbox(
            "Protocol",
            list(bundled),
            key="new_protocol",
            index=list(bundled).index("template.yaml") if "template.yaml" in bundled else 0,
        )
        upload = st.file_uploader("…or upload your own protocol (YAML)", type=["yaml", "yml"])
        if st.form_submit_button("Create", type="primary"):
            text, name = (
                (upload.getvalue().decode("utf-8"), upload.name)
                if upload
                else (bundled[choice].read_text(encoding="utf-8"), str(bundled[choice]))
            )
            try:
                state.create_folder(folder.strip(), text, name)
                st.rerun()
            except ReviewError as error:
                st.error(str(error))


def _team_open_or_create() -> None:
    """Team mode: the projects of the projects folder only; a lead creates one there by name."""
    names = {path.name: path for path in state.team_projects()}
    with st.form("open_team_project"):
        picked = st.selectbox(t("login.project"), list(names), key="open_team_folder")
        if st.form_submit_button("Open", type="primary") and picked:
            state.open_folder(names[picked])
            st.rerun()
    if not state.may(Action.CREATE_PROJECT):
        return
    with st.form("create_team_project"):
        name = st.text_input(t("login.new_project_name"), placeholder="my-review", key="new_team_folder")
        bundled = bundled_protocols()
        choice = st.selectbox("Protocol", list(bundled), key="new_team_protocol")
        if st.form_submit_button("Create", type="primary"):
            try:
                state.create_folder(name, bundled[choice].read_text(encoding="utf-8"), str(bundled[choice]))
                st.rerun()
            except ReviewError as error:
                st.error(str(error))


def _protocol_summary() -> None:
    protocol = state.protocol()
    st.subheader(protocol.title)
    st.markdown(f"**Question.** {protocol.question}")
    rows = []
    for key, name in (("ta", "Title/abstract"), ("ft", "Full text")):
        settings = protocol.stage(key)
        rows.append(
            {
                "stage": name,
                "reviewers per record": settings.reviewers,
                "blind": settings.blind,
                "reason required": settings.reason_required,
                "exclusion reasons": ", ".join(
                    reason.label.text(state.label_language()) for reason in settings.exclusion_reasons
                ),
            }
        )
    st.dataframe(rows, hide_index=True, width="stretch")
    if protocol.codebook.dimensions:
        st.caption("Codebook: " + ", ".join(d.label.text(state.label_language()) for d in protocol.codebook.dimensions))


def _imported() -> None:
    status = state.review().status()
    columns = st.columns(4)
    columns[0].metric("Records imported", status["records_imported"])
    columns[1].metric("Duplicates removed", status["duplicates_removed"])
    columns[2].metric("Unique records", status["records_unique"])
    columns[3].metric("Uncertain duplicate pairs", status["uncertain_duplicate_pairs"])
    if status["records_per_source"]:
        st.dataframe(
            [{"source": source, "records": n} for source, n in status["records_per_source"].items()], hide_index=True
        )


def _progress() -> None:
    rows, reviewers = [], {}
    for key, name in (("ta", "Title/abstract"), ("ft", "Full text")):
        progress = state.review().state(key).progress
        rows.append(
            {
                "stage": name,
                "records": progress.candidates,
                "decided": progress.final,
                "included": progress.included,
                "excluded": progress.excluded,
                "maybe": progress.maybe,
                "conflicts": progress.conflicts,
                "waiting for a 2nd reviewer": progress.waiting,
                "remaining": progress.remaining,
            }
        )
        for who, n in progress.by_reviewer.items():
            reviewers.setdefault(who, {"reviewer": who, "Title/abstract": 0, "Full text": 0})[name] = n
    st.dataframe(rows, hide_index=True, width="stretch")
    st.markdown("**Who screened what** (records each reviewer has a current decision on)")
    if reviewers:
        st.dataframe(list(reviewers.values()), hide_index=True)
    else:
        st.caption("Nobody has screened yet.")


st.title("Project")
if not state.is_project(state.project_dir()):
    st.warning(f"No project at `{state.project_dir()}`: open an existing project folder or create a new one.")
    _open_or_create()
    st.stop()
st.caption(f"Folder: `{state.project_dir()}`")
_protocol_summary()
st.divider()
st.subheader("Records")
_imported()
st.subheader("Screening progress")
_progress()
with st.expander("Open or create another project"):
    _open_or_create()
