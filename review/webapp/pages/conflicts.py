"""Conflicts page: records the reviewers disagree on at a blind two-reviewer stage, resolved by a named reviewer."""

import streamlit as st

from review.errors import ReviewError
from review.records import get_record
from review.screening.conflicts import conflicts, resolve_conflict
from review.screening.log import LABELS
from review.webapp import state

db, reviewer, protocol, stage = state.reviewer_at_stage("Conflicts", "conflict_stage")
settings = protocol.stage(stage)
if settings.reviewers < 2:
    st.info(f"The {state.STAGE_NAMES[stage].lower()} stage has one reviewer per record, so there are no conflicts.")
    st.stop()


def _resolve(record_id: int) -> None:
    try:
        resolve_conflict(
            db,
            record_id,
            stage,
            reviewer,
            st.session_state[f"label_{record_id}"],
            st.session_state.get(f"reason_{record_id}"),
            st.session_state.get(f"note_{record_id}") or None,
            protocol,
        )
    except ReviewError as error:
        st.session_state["conflict_error"] = str(error)
    else:
        st.session_state["conflict_flash"] = f"Record {record_id} resolved by {reviewer}."


if flash := st.session_state.pop("conflict_flash", None):
    st.success(flash)
if error := st.session_state.pop("conflict_error", None):
    st.error(error)
open_conflicts = conflicts(db, stage, protocol)
st.caption(
    f"{len(open_conflicts)} open conflicts. Reviewers' labels are shown only once both have decided "
    + ("(blind stage)." if settings.blind else ".")
)
reasons = {reason.key: reason.label.en for reason in settings.exclusion_reasons}
for conflict in open_conflicts:
    record_id = conflict["record_id"]
    with st.container(border=True, key=f"conflict_{record_id}"):
        record = get_record(db, record_id)
        st.markdown(f"**{record['title'] or '(no title)'}** ({record['year'] or 'n.d.'})")
        st.caption(" · ".join(f"{who}: {label}" for who, label in conflict["labels"].items()))
        with st.expander("Abstract"):
            st.write(record["abstract"] or "(no abstract)")
        columns = st.columns([1, 2, 2, 1])
        columns[0].radio("Final label", LABELS, key=f"label_{record_id}", horizontal=False)
        columns[1].selectbox(
            "Reason (for exclusion)", list(reasons), format_func=reasons.get, index=None, key=f"reason_{record_id}"
        )
        columns[2].text_input("Note", key=f"note_{record_id}")
        columns[3].button("Resolve", key=f"resolve_{record_id}", on_click=_resolve, args=(record_id,), type="primary")
