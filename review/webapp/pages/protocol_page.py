"""Protocol page: the protocol in force, edited by a lead (each change validated, stored and audited)."""

import streamlit as st

from review.audit import AuditAction, audit_entries
from review.errors import ReviewError
from review.protocol import placeholder_fields, reason_lines, reasons_from_lines
from review.roles import Action
from review.types import STAGES
from review.webapp import state
from review.webapp.i18n import t
from review.webapp.tables import when

STAGE_KEYS = {"ta": "protocol.stage_ta", "ft": "protocol.stage_ft"}

st.title(t("protocol.title"))
review = state.require_project()
protocol = review.protocol
language = state.label_language()


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _changes() -> dict[str, object]:
    values = st.session_state
    changes: dict[str, object] = {"question": values["proto_question"].strip(),
                                  "highlight.include": _lines(values["proto_hl_include"]),
                                  "highlight.exclude": _lines(values["proto_hl_exclude"])}  # fmt: skip
    for stage in STAGES:
        settings = protocol.stage(stage)
        changes[f"stages.{stage}.reviewers"] = values[f"proto_{stage}_reviewers"]
        changes[f"stages.{stage}.blind"] = values[f"proto_{stage}_blind"]
        changes[f"stages.{stage}.criteria.include"] = _lines(values[f"proto_{stage}_include"])
        changes[f"stages.{stage}.criteria.exclude"] = _lines(values[f"proto_{stage}_exclude"])
        changes[f"stages.{stage}.exclusion_reasons"] = reasons_from_lines(
            values[f"proto_{stage}_reasons"], settings.exclusion_reasons, language
        )
    return changes


def _save() -> None:
    try:
        fields = review.edit_protocol(_changes(), state.reviewer())
    except ReviewError as error:
        st.session_state["protocol_flash"] = ("error", str(error))
    else:
        st.session_state["protocol_flash"] = ("success", t("protocol.saved", fields=", ".join(fields)))


def _stage_fields(stage: str) -> None:
    settings = protocol.stage(stage)
    left, right = st.columns(2)
    left.radio(t("protocol.reviewers"), [1, 2], index=settings.reviewers - 1, horizontal=True,
               key=f"proto_{stage}_reviewers")  # fmt: skip
    right.checkbox(t("protocol.blind"), value=settings.blind, key=f"proto_{stage}_blind")
    left.text_area(t("protocol.include"), "\n".join(settings.criteria.include), key=f"proto_{stage}_include")
    right.text_area(t("protocol.exclude"), "\n".join(settings.criteria.exclude), key=f"proto_{stage}_exclude")
    st.text_area(t("protocol.reasons", language=language), reason_lines(settings.exclusion_reasons, language),
                 key=f"proto_{stage}_reasons", help=t("protocol.reasons_help"))  # fmt: skip


def _form() -> None:
    editor = state.reviewer()
    with st.form("protocol_edit"):
        st.text_area(t("protocol.question"), protocol.question, key="proto_question")
        for tab, stage in zip(st.tabs([t(STAGE_KEYS[stage]) for stage in STAGES]), STAGES):
            with tab:
                _stage_fields(stage)
        left, right = st.columns(2)
        left.text_area(t("protocol.hl_include"), "\n".join(protocol.highlight.include), key="proto_hl_include")
        right.text_area(t("protocol.hl_exclude"), "\n".join(protocol.highlight.exclude), key="proto_hl_exclude")
        if not editor:
            st.caption(t("protocol.need_name"))
        st.form_submit_button(t("protocol.save"), type="primary", on_click=_save, disabled=not editor)


def _changes_so_far() -> None:
    entries = audit_entries(review.db, AuditAction.PROTOCOL_CHANGED, limit=50)
    if not entries:
        st.caption(t("protocol.no_changes"))
        return
    st.dataframe(
        [
            {
                t("protocol.col_when"): when(entry.created_at),
                t("protocol.col_who"): entry.actor or "",
                t("protocol.col_fields"): entry.detail or "",
            }
            for entry in entries
        ],  # fmt: skip
        hide_index=True,
        width="stretch",
    )


if flash := st.session_state.pop("protocol_flash", None):
    getattr(st, flash[0])(flash[1])
if placeholders := placeholder_fields(protocol):
    st.warning(t("protocol.placeholder", fields=", ".join(placeholders)))
st.subheader(protocol.title)
if state.may(Action.EDIT_PROTOCOL):
    _form()
else:
    st.markdown(f"**{t('protocol.question')}.** {protocol.question}")
    st.caption(t("protocol.lead_only"))
st.subheader(t("protocol.history"))
_changes_so_far()
