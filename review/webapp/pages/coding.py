"""Coding page: the study's texts beside a form generated from the codebook, saved under the coder's name.

Entries live in a draft per study until they are saved, so switching studies
keeps them (the study picker marks them), and saving writes only the
dimensions that differ from the coder's current codes.
"""

import streamlit as st

from review.coding.codes import changed_codes, coded_table, coding_conflicts, current_codes
from review.errors import ReviewError
from review.fulltext.attach import fulltext_path, fulltext_text
from review.protocol import Dimension
from review.roles import Action
from review.webapp import state
from review.webapp.highlight import highlight
from review.webapp.i18n import t
from review.webapp.pdfview import show_fulltext_file

st.title(t("coding.title"))
review = state.require_project()
coder = state.require_reviewer()
state.require_permission(Action.CODE, t("login.coders_only"))
protocol = review.protocol
language = state.label_language()
dimensions = protocol.codebook.dimensions
terms = (protocol.highlight.include, protocol.highlight.exclude)
studies = review.included_studies()
if not dimensions:
    st.info(t("coding.no_codebook"))
    st.stop()
if not studies:
    st.info(t("coding.no_studies"))
    st.stop()
drafts: dict[str, dict[str, object]] = st.session_state.setdefault("coding_drafts", {})


def _draft_key(study: str) -> str:
    return f"{review.folder.resolve()}|{coder}|{study}"


def _widget_key(study: str, dimension: str) -> str:
    return f"code_{study}_{dimension}"


def _unsaved(study: str) -> bool:
    draft = drafts.get(_draft_key(study))
    return bool(draft) and bool(changed_codes(review, study, coder, draft))


def _remember(study: str, dimension: str) -> None:
    drafts.setdefault(_draft_key(study), {})[dimension] = st.session_state[_widget_key(study, dimension)]


def _forget(study: str) -> None:
    drafts.pop(_draft_key(study), None)
    for dimension in dimensions:
        st.session_state.pop(_widget_key(study, dimension.key), None)
    st.session_state.pop(f"code_note_{study}", None)


def _save(study: str) -> None:
    entered = {d.key: st.session_state.get(_widget_key(study, d.key)) for d in dimensions}
    try:
        changed = changed_codes(review, study, coder, entered)
        if changed:
            review.set_codes(study, changed, coder, st.session_state.get(f"code_note_{study}") or None)
    except ReviewError as error:
        st.session_state["coding_error"] = str(error)
        return
    _forget(study)
    message = t("coding.saved", count=len(changed), study=study, coder=coder) if changed else None
    st.session_state["coding_flash"] = message or t("coding.nothing_changed")


def _saved_value(dimension: Dimension, values: tuple[str, ...]) -> object:
    if dimension.type == "multiple":
        return list(values)
    if dimension.type == "number":
        return float(values[0]) if values else None
    if dimension.type == "text":
        return values[0] if values else ""
    return values[0] if values else None


def _field(study: str, dimension: Dimension, saved: tuple[str, ...]) -> None:
    key = _widget_key(study, dimension.key)
    if key not in st.session_state:
        draft = drafts.get(_draft_key(study), {})
        st.session_state[key] = draft[dimension.key] if dimension.key in draft else _saved_value(dimension, saved)
    label = dimension.label.text(language)
    options = {value.key: value.label.text(language) for value in dimension.values}
    common = {"key": key, "help": dimension.description, "on_change": _remember, "args": (study, dimension.key)}
    if dimension.type == "single":
        st.selectbox(label, list(options), format_func=options.get, **common)
    elif dimension.type == "multiple":
        st.multiselect(label, list(options), format_func=options.get, **common)
    elif dimension.type == "number":
        st.number_input(label, step=1.0, format="%g", **common)  # 120 rather than 120.00
    else:
        st.text_area(label, **common)


def _show_texts(record_ids: list[int]) -> None:
    """The study's reports: abstract, extracted full text and the attached file, one report at a time."""
    reports = {record_id: review.record(record_id) for record_id in record_ids}
    chosen = record_ids[0]
    if len(record_ids) > 1:
        names = {r: f"{r}: {record.title or t('coding.no_title')}" for r, record in reports.items()}
        chosen = st.radio(t("coding.report"), record_ids, format_func=names.get, key="coding_report")
    record = reports[chosen]
    year = record.year or t("coding.no_year")
    st.markdown(f"**{record.title or t('coding.no_title')}** ({year}{', ' + record.journal if record.journal else ''})")
    abstract, text, file = st.tabs([t("coding.tab_abstract"), t("coding.tab_text"), t("coding.tab_file")])
    with abstract, st.container(height=560):
        st.markdown(highlight(record.abstract or t("coding.no_abstract"), *terms), unsafe_allow_html=True)
    with text, st.container(height=560):
        st.markdown(highlight(fulltext_text(review.db, chosen) or t("coding.no_text"), *terms), unsafe_allow_html=True)
    path = fulltext_path(review.db, review.folder, chosen)
    if path is None:
        file.caption(t("coding.no_file"))
    else:
        with file:
            show_fulltext_file(path, f"coding_{chosen}")


mine = {code.study for code in current_codes(review, coder=coder) if code.values}
st.selectbox(
    t("coding.study"),
    sorted(studies),
    key="coding_study",
    help=t("coding.study_help"),
    format_func=lambda name: f"{'✎ ' if _unsaved(name) else ''}{'✓ ' if name in mine else ''}{name}",
)
study = st.session_state["coding_study"]
st.caption(t("coding.progress", coded=len(mine & set(studies)), total=len(studies), coder=coder))
if pending := [name for name in sorted(studies) if name != study and _unsaved(name)]:
    st.warning(t("coding.unsaved", studies=", ".join(pending)))
if flash := st.session_state.pop("coding_flash", None):
    st.success(flash)
if error := st.session_state.pop("coding_error", None):
    st.error(error)
current = {code.dimension: code.values for code in current_codes(review, study=study, coder=coder)}
texts, form = st.columns([3, 2], gap="large")
with texts:
    _show_texts(studies[study])
with form, st.container(height=720, key="coding_form"):
    for dimension in dimensions:
        _field(study, dimension, current.get(dimension.key, ()))
    st.text_input(t("coding.note"), key=f"code_note_{study}")
    save, discard = st.columns(2)
    save.button(t("coding.save"), key="save_codes", type="primary", on_click=_save, args=(study,), width="stretch")
    discard.button(t("coding.discard"), key="discard_codes", on_click=_forget, args=(study,), width="stretch")

if conflicts := coding_conflicts(review):
    st.info(t("coding.conflicts_link", count=len(conflicts)))
with st.expander(t("coding.table")):
    header, rows = coded_table(review, language=language)
    st.dataframe([{name: str(cell) for name, cell in zip(header, row)} for row in rows], hide_index=True)
