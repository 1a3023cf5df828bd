"""Conflicts page: records the reviewers disagree on at a blind two-reviewer stage, resolved by a named reviewer."""

import streamlit as st

from review.errors import ReviewError
from review.roles import Action
from review.types import Label
from review.webapp import state
from review.webapp.i18n import t

review, reviewer, protocol, stage = state.reviewer_at_stage("Conflicts", "conflict_stage")
state.require_permission(Action.RESOLVE, t("login.leads_resolve"))
settings = protocol.stage(stage)
if settings.reviewers < 2:
    st.info(f"The {state.STAGE_NAMES[stage].lower()} stage has one reviewer per record, so there are no conflicts.")
    st.stop()


def _resolve(record_id: int) -> None:
    try:
        label = st.session_state.get(f"label_{record_id}")
        if label is None:
            raise ReviewError("choose the final label first")
        review.resolve(
            record_id,
            stage,
            reviewer,
            label,
            st.session_state.get(f"reason_{record_id}"),
            st.session_state.get(f"note_{record_id}") or None,
        )
    except ReviewError as error:
        st.session_state["conflict_error"] = str(error)
    else:
        st.session_state["conflict_flash"] = f"Record {record_id} resolved by {reviewer}."


if flash := st.session_state.pop("conflict_flash", None):
    st.success(flash)
if error := st.session_state.pop("conflict_error", None):
    st.error(error)
if stage in state.viewer().hidden_stages(review):
    st.info(
        "This stage is blind and still being screened: conflicts show both reviewers' labels, so they are shown "
        "to the person reconciling them. Revealing them is recorded in the project's audit log."
    )
    st.button("Reveal the labels to reconcile", key="unblind_conflicts", on_click=state.unblind, args=("conflicts",))
    st.stop()
open_conflicts = review.conflicts(stage, state.viewer())
st.caption(
    f"{len(open_conflicts)} open conflicts. Reviewers' labels are shown only once both have decided "
    + ("(blind stage)." if settings.blind else ".")
)
reasons = {reason.key: reason.label.text(state.label_language()) for reason in settings.exclusion_reasons}
for conflict in open_conflicts:
    record_id = conflict.record_id
    with st.container(border=True, key=f"conflict_{record_id}"):
        record = review.record(record_id)
        st.markdown(f"**{record.title or '(no title)'}** ({record.year or 'n.d.'})")
        for who, label in conflict.labels.items():
            reason = reasons.get(conflict.reasons.get(who) or "", conflict.reasons.get(who) or "")
            note = conflict.notes.get(who) or ""
            st.caption(" · ".join(part for part in (f"{who}: {label}", reason, note) if part))
        with st.expander("Abstract"):
            st.write(record.abstract or "(no abstract)")
        columns = st.columns([1, 2, 2, 1])
        columns[0].radio("Final label", [label.value for label in Label], key=f"label_{record_id}", index=None)
        columns[1].selectbox(
            "Reason (for exclusion)", list(reasons), format_func=reasons.get, index=None, key=f"reason_{record_id}"
        )
        columns[2].text_input("Note", key=f"note_{record_id}")
        columns[3].button("Resolve", key=f"resolve_{record_id}", on_click=_resolve, args=(record_id,), type="primary")
