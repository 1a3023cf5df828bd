"""Project page: create or open a project, the protocol in force, progress and who screened what."""

from pathlib import Path

import streamlit as st

from review.errors import ProjectError, ReviewError
from review.protocol import placeholder_fields
from review.resources import bundled_protocols
from review.roles import Action
from review.types import STAGES
from review.webapp import state
from review.webapp.i18n import t

STAGE_KEYS = {"ta": "project.stage_ta", "ft": "project.stage_ft"}


def absolute_folder(text: str) -> Path:
    """A folder the user typed, as an absolute path (`~` is their home); a relative one is refused.

    The server's working directory is not the user's: a relative folder would land wherever the server was started.
    """
    folder = Path(text.strip()).expanduser()
    if not text.strip():
        raise ProjectError(t("project.no_folder"))
    if not folder.is_absolute():
        raise ProjectError(t("project.relative", folder=text.strip()))
    return folder


def _open() -> None:
    try:
        state.open_folder(absolute_folder(st.session_state.get("open_folder", "")))
    except ReviewError as error:
        st.session_state["project_flash"] = ("error", str(error))
    else:
        st.session_state["project_picker"] = state.project_dir() and str(state.project_dir())
        st.session_state["open_folder"] = ""


def _create() -> None:
    values = st.session_state
    bundled = bundled_protocols()
    upload = values.get("new_upload")
    try:
        folder = absolute_folder(values.get("new_folder", ""))
        if upload is not None:
            text, name = upload.getvalue().decode("utf-8"), upload.name
        else:
            text, name = bundled[values["new_protocol"]].read_text(encoding="utf-8"), values["new_protocol"]
        state.create_folder(folder, text, name)
    except UnicodeDecodeError:
        values["project_flash"] = ("error", t("project.not_utf8"))
    except ReviewError as error:
        values["project_flash"] = ("error", str(error))
    else:
        values["project_flash"] = ("success", t("project.created", folder=str(folder)))
        values["project_picker"] = str(folder)
        values["new_folder"] = ""


def _open_or_create() -> None:
    if state.team_mode():
        _team_open_or_create()
        return
    opening, creating = st.tabs([t("project.open_tab"), t("project.create_tab")])
    with opening, st.form("open_project"):
        st.text_input(t("project.folder"), placeholder="/path/to/my-review", key="open_folder")
        st.form_submit_button(t("project.open"), type="primary", on_click=_open)
    with creating, st.form("create_project", clear_on_submit=True):
        st.text_input(t("project.new_folder"), placeholder="/path/to/new-review", key="new_folder")
        bundled = list(bundled_protocols())
        st.selectbox(t("project.protocol"), bundled, key="new_protocol",
                     index=bundled.index("template.yaml") if "template.yaml" in bundled else 0)  # fmt: skip
        st.file_uploader(t("project.upload"), type=["yaml", "yml"], key="new_upload")
        st.form_submit_button(t("project.create"), type="primary", on_click=_create)


def _team_open_or_create() -> None:
    """Team mode: the projects of the projects folder only; a lead creates one there by name."""
    names = {path.name: path for path in state.team_projects()}
    with st.form("open_team_project"):
        picked = st.selectbox(t("login.project"), list(names), key="open_team_folder")
        if st.form_submit_button(t("project.open"), type="primary") and picked:
            state.open_folder(names[picked])
            st.rerun()
    if not state.may(Action.CREATE_PROJECT):
        return
    with st.form("create_team_project"):
        name = st.text_input(t("login.new_project_name"), placeholder="my-review", key="new_team_folder")
        bundled = bundled_protocols()
        choice = st.selectbox(t("project.protocol"), list(bundled), key="new_team_protocol")
        if st.form_submit_button(t("project.create"), type="primary"):
            try:
                state.create_folder(name, bundled[choice].read_text(encoding="utf-8"), str(bundled[choice]))
                st.rerun()
            except ReviewError as error:
                st.error(str(error))


def _protocol_summary() -> None:
    protocol = state.protocol()
    st.subheader(protocol.title)
    if placeholders := placeholder_fields(protocol):
        st.warning(t("project.placeholder", fields=", ".join(placeholders)))
        st.page_link(str(state.PAGES_DIR / "protocol_page.py"), label=t("project.edit_protocol"),
                     icon=":material/rule:")  # fmt: skip
    st.markdown(f"**{t('project.question')}** {protocol.question}")
    rows = []
    for stage in STAGES:
        settings = protocol.stage(stage)
        reasons = ", ".join(reason.label.text(state.label_language()) for reason in settings.exclusion_reasons)
        rows.append({t("project.col_stage"): t(STAGE_KEYS[stage]), t("project.col_reviewers"): settings.reviewers,
                     t("project.col_blind"): settings.blind, t("project.col_reason_required"): settings.reason_required,
                     t("project.col_reasons"): reasons})  # fmt: skip
    st.dataframe(rows, hide_index=True, width="stretch")
    if protocol.codebook.dimensions:
        names = ", ".join(d.label.text(state.label_language()) for d in protocol.codebook.dimensions)
        st.caption(t("project.codebook", names=names))


def _imported() -> None:
    status = state.review().status()
    columns = st.columns(4)
    for column, key in zip(columns, ("records_imported", "duplicates_removed", "records_unique",
                                     "uncertain_duplicate_pairs")):  # fmt: skip
        column.metric(t(f"project.{key}"), status[key])
    if status["records_per_source"]:
        st.dataframe([{t("project.col_source"): source, t("project.col_records"): n}
                      for source, n in status["records_per_source"].items()], hide_index=True)  # fmt: skip


def _progress() -> None:
    rows, reviewers = [], {}
    for stage in STAGES:
        name = t(STAGE_KEYS[stage])
        progress = state.review().state(stage).progress
        values = (progress.candidates, progress.final, progress.included, progress.excluded, progress.maybe,
                  progress.conflicts, progress.waiting, progress.remaining)  # fmt: skip
        keys = ("records", "decided", "included", "excluded", "maybe", "conflicts", "waiting", "remaining")
        rows.append({t("project.col_stage"): name, **{t(f"project.col_{k}"): v for k, v in zip(keys, values)}})
        for who, n in progress.by_reviewer.items():
            reviewers.setdefault(who, {t("project.col_reviewer"): who, **{t(STAGE_KEYS[s]): 0 for s in STAGES}})
            reviewers[who][name] = n
    st.dataframe(rows, hide_index=True, width="stretch")
    st.markdown(t("project.who"))
    if reviewers:
        st.dataframe(list(reviewers.values()), hide_index=True)
    else:
        st.caption(t("project.nobody"))


st.title(t("project.title"))
if flash := st.session_state.pop("project_flash", None):
    getattr(st, flash[0])(flash[1])
if not state.is_project(state.project_dir()):
    st.warning(t("project.none", folder=str(state.project_dir())))
    _open_or_create()
    st.stop()
st.caption(t("project.folder_caption", folder=str(state.project_dir())))
_protocol_summary()
st.divider()
st.subheader(t("project.records"))
_imported()
st.subheader(t("project.progress"))
_progress()
with st.expander(t("project.another")):
    _open_or_create()
