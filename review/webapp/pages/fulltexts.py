"""Full-text page: upload full texts (matched to records as `review attach` matches them), mark reports not
retrieved, link reports to studies and name studies, read a report's file."""

import streamlit as st

from review.errors import ReviewError
from review.fulltext.attach import attached_file
from review.fulltext.studies import linked_studies, rename_study, report_rows
from review.roles import Action
from review.webapp import state
from review.webapp.i18n import t
from review.webapp.pdfview import show_fulltext_file
from review.webapp.tables import short

st.title(t("fulltexts.title"))
review = state.require_project()
may_edit = state.may(Action.IMPORT)


def _flash(kind: str, text: str) -> None:
    st.session_state.setdefault("fulltexts_flash", []).append((kind, text))


def _begin() -> None:
    """Forget the last action's messages: they stay on the page (across reruns the viewer causes) until the next one."""
    st.session_state["fulltexts_flash"] = []


def _run(action, success: str) -> None:
    _begin()
    try:
        action()
    except ReviewError as error:
        _flash("error", str(error))
    else:
        _flash("success", success)


def _upload(files: list) -> None:
    _begin()
    try:
        report = review.attach_uploads([(file.name, file.getvalue()) for file in files])
    except ReviewError as error:
        _flash("error", str(error))
        return
    for record_id, name in report.matched:
        _flash("success", t("fulltexts.attached", file=name, record=record_id))
    for name in report.unmatched_files:
        _flash("warning", t("fulltexts.unmatched", file=name))
    for name, why in report.skipped:
        _flash("warning", t("fulltexts.skipped", file=name, why=why))
    for record_id, name, problem in report.unreadable:
        _flash("warning", t("fulltexts.unreadable", file=name, record=record_id, problem=problem))
    for warning in report.warnings:
        _flash("warning", warning)


def _upload_submitted() -> None:
    files = st.session_state.get("fulltexts_files") or []
    if files:
        _upload(files)
    else:
        _begin()
        _flash("warning", t("fulltexts.no_files"))


def _uploader() -> None:
    with st.form("fulltexts_upload", clear_on_submit=True):
        st.file_uploader(t("fulltexts.files"), type=["pdf", "txt"], accept_multiple_files=True, key="fulltexts_files")
        st.caption(t("fulltexts.matching"))
        st.form_submit_button(t("fulltexts.attach"), type="primary", on_click=_upload_submitted)


STATUS_KEYS = {"retrieved": "fulltexts.retrieved", "not_retrieved": "fulltexts.not_retrieved",
               "unreadable": "fulltexts.unreadable_status", "missing": "fulltexts.missing"}  # fmt: skip


def _records(rows) -> dict:
    ids = str([row.record_id for row in rows])
    return {
        record.record_id: record for record in review.records("record_id IN (SELECT value FROM json_each(?))", [ids])
    }


def _table(rows, records: dict) -> None:
    st.dataframe(
        [
            {
                t("fulltexts.col_record"): row.record_id,
                t("fulltexts.col_title"): short(records[row.record_id].title, 90),
                t("fulltexts.col_year"): str(records[row.record_id].year or ""),
                t("fulltexts.col_fulltext"): t(STATUS_KEYS[row.fulltext]),
                t("fulltexts.col_reason"): row.reason or "",
                t("fulltexts.col_decision"): t(f"fulltexts.label_{row.decision}") if row.decision else "",
                t("fulltexts.col_study"): row.study or "",
            }
            for row in rows
        ],
        hide_index=True,
        width="stretch",
    )


def _one_report(rows, records: dict) -> None:
    labels = {r: f"{r} · {short(records[r].title, 70) or '—'}" + (f" ({records[r].year})" if records[r].year else "")
              for r in records}  # fmt: skip
    ids = [row.record_id for row in rows]
    chosen = st.selectbox(t("fulltexts.report"), ids, format_func=labels.get, key="fulltexts_record")
    if chosen is None:
        return
    row = next(row for row in rows if row.record_id == chosen)
    path = attached_file(review.db, review.folder, chosen)
    viewer, actions = st.columns([3, 2], gap="large")
    with viewer:
        if path is None or not path.is_file():
            st.caption(t("fulltexts.no_file"))
        else:
            show_fulltext_file(path, f"fulltexts_{chosen}")
    if may_edit:
        with actions:
            if row.fulltext == "unreadable":
                st.warning(t("fulltexts.flagged", problem=row.reason or ""))
                st.button(t("fulltexts.confirm"), key=f"confirm_{chosen}", on_click=_run,
                          args=(lambda: review.confirm_fulltexts([chosen]), t("fulltexts.confirmed", record=chosen)))  # fmt: skip
            _not_retrieved_form(chosen)
            _link_form(chosen, row.study, ids, labels)


def _not_retrieved_form(record_id: int) -> None:
    def submit() -> None:
        reason = st.session_state.get(f"why_{record_id}", "")
        _run(lambda: review.mark_not_retrieved(record_id, reason), t("fulltexts.marked", record=record_id))

    with st.form(f"not_retrieved_{record_id}", clear_on_submit=True):
        st.markdown(f"**{t('fulltexts.mark_heading')}**")
        st.text_input(t("fulltexts.why"), placeholder=t("fulltexts.why_placeholder"), key=f"why_{record_id}")
        st.form_submit_button(t("fulltexts.mark"), on_click=submit)


def _link_form(record_id: int, current: str | None, ids: list[int], labels: dict[int, str]) -> None:
    def submit() -> None:
        study = st.session_state.get(f"study_{record_id}", "")
        reports = [record_id, *st.session_state.get(f"others_{record_id}", [])]
        _run(lambda: review.link_reports(reports, study), t("fulltexts.linked", n=len(reports), study=study.strip()))

    with st.form(f"link_{record_id}"):
        st.markdown(f"**{t('fulltexts.link_heading')}**")
        st.text_input(t("fulltexts.study"), value=current or "", placeholder=t("fulltexts.study_placeholder"),
                      key=f"study_{record_id}")  # fmt: skip
        st.multiselect(t("fulltexts.others"), [r for r in ids if r != record_id], key=f"others_{record_id}",
                       format_func=labels.get)  # fmt: skip
        st.form_submit_button(t("fulltexts.link"), on_click=submit)


def _studies() -> None:
    studies = linked_studies(review)
    if not studies:
        st.caption(t("fulltexts.no_studies"))
        return
    st.dataframe(
        [
            {t("fulltexts.col_study"): name, t("fulltexts.col_reports"): ", ".join(map(str, reports))}
            for name, reports in studies.items()
        ],  # fmt: skip
        hide_index=True,
    )
    if may_edit:
        with st.form("rename_study", clear_on_submit=True):
            st.selectbox(t("fulltexts.rename_which"), list(studies), key="rename_old")
            st.text_input(t("fulltexts.rename_to"), key="rename_new")
            st.form_submit_button(t("fulltexts.rename"), on_click=_rename)


def _rename() -> None:
    old, new = st.session_state.get("rename_old"), st.session_state.get("rename_new", "")
    _run(lambda: rename_study(review, old, new), t("fulltexts.renamed", old=old, new=new.strip()))


for kind, text in st.session_state.get("fulltexts_flash", []):
    getattr(st, kind)(text)
if may_edit:
    _uploader()
rows = report_rows(review)
if not rows:
    st.info(t("fulltexts.no_candidates"))
    st.stop()
flow = review.flow()
st.caption(t("fulltexts.summary", sought=len(flow.sought), missing=sum(row.fulltext == "missing" for row in rows),
             not_retrieved=len(flow.not_retrieved)))  # fmt: skip
records = _records(rows)
_table(rows, records)
st.subheader(t("fulltexts.one_report"))
_one_report(rows, records)
st.subheader(t("fulltexts.studies"))
_studies()
