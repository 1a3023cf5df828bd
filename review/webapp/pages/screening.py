"""Screening page: one record at a time in the model's order, decided with buttons or the keyboard."""

import streamlit as st

from review.errors import ReviewError
from review.fulltext.attach import fulltext_path, fulltext_text
from review.screening.session import embedding_progress
from review.webapp import state
from review.webapp.components.stopping import stopping_panel
from review.webapp.highlight import highlight

BUTTONS = {
    "include": ("decide_include", "Include", "I"),
    "exclude": ("decide_exclude", "Exclude", "E"),
    "maybe": ("decide_maybe", "Maybe", "M"),
}
# Streamlit has no key bindings: a listener on the page clicks the keyed button (class st-key-<key>);
# keys typed into a text field or picker are left alone.
KEYBOARD = """<script>
const doc = window.parent.document;
if (doc.__reviewKeys) doc.removeEventListener("keydown", doc.__reviewKeys);
doc.__reviewKeys = (event) => {
  const target = event.target;
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (target && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName))) return;
  const key = {i: "decide_include", e: "decide_exclude", m: "decide_maybe", u: "undo_last"}[event.key.toLowerCase()];
  const button = key && doc.querySelector(`.st-key-${key} button`);
  if (button && !button.disabled) { event.preventDefault(); button.click(); }
};
doc.addEventListener("keydown", doc.__reviewKeys);
</script>"""

review, reviewer, protocol, stage = state.reviewer_at_stage("Screening", "stage")
settings = protocol.stage(stage)
session = state.screening_session(stage)


def _decide(label: str) -> None:
    record_id = st.session_state["shown_record"]
    try:
        session.decide(record_id, label, st.session_state.get("reason"), st.session_state.get("note"))
    except ReviewError as error:
        st.session_state["screen_error"] = str(error)
        return
    st.session_state.update(reason=None, note="", revisit=None, screen_flash=f"Record {record_id}: {label}")


def _undo() -> None:
    record_id = session.undo()
    if record_id is None:
        st.session_state["screen_error"] = "Nothing to undo at this stage."
        return
    st.session_state.update(revisit=record_id, screen_flash=f"Undid your last decision (record {record_id})")


def _show_record(record_id: int) -> None:
    record = review.record(record_id)
    score, rank = session.score_rank(record_id)
    terms = (protocol.highlight.include, protocol.highlight.exclude)
    st.markdown(f"### {highlight(record.title or '(no title)', *terms)}", unsafe_allow_html=True)
    st.caption(" · ".join(str(part) for part in (record.authors_line, record.year, record.journal) if part))
    if score is not None:
        left = len(review.state(stage).unscreened())
        st.caption(f"Record {record_id} · model rank {rank} of the {left} records still to decide")
    if stage == "ft":
        path = fulltext_path(review.db, review.folder, record_id)
        text = highlight(
            fulltext_text(review.db, record_id) or record.abstract or "(no full text and no abstract)", *terms
        )
        if path is None:
            st.caption("No full-text file is attached to this record; showing its extracted text or abstract.")
            with st.container(height=480):
                st.markdown(text, unsafe_allow_html=True)
        else:
            pdf, extracted = st.tabs(["Full-text file", "Extracted text"])
            pdf.iframe(path, height=640)
            with extracted, st.container(height=480):
                st.markdown(text, unsafe_allow_html=True)
    else:
        st.markdown(highlight(record.abstract or "(no abstract)", *terms), unsafe_allow_html=True)
    visible = review.history(record_id, state.viewer())
    if visible:
        with st.expander(f"Decisions on this record you may see ({len(visible)})"):
            st.dataframe(
                [
                    {key: event[key] for key in ("stage", "reviewer", "kind", "label", "reason", "note", "created_at")}
                    for event in visible
                ],
                hide_index=True,
            )


def _show_embedding_progress() -> None:
    job = embedding_progress(review, stage)
    if job is None or (job.finished and job.error is None and session.ranker.model is not None):
        return
    if job.error:
        st.caption(f"Embeddings could not be computed ({job.error}); ranking by TF-IDF.")
    elif not job.finished:
        st.progress(job.done / job.total if job.total else 0.0, text=f"Embedding records for the ranking: "
                    f"{job.done} of {job.total} (ranking by TF-IDF meanwhile)")  # fmt: skip
    else:
        st.caption("Embeddings are ready; the ranking switches to them in a moment.")


def _show_progress() -> None:
    _show_embedding_progress()
    progress = review.state(stage).progress
    st.progress(
        progress.final / progress.candidates if progress.candidates else 0.0,
        text=f"{progress.final} of {progress.candidates} records decided at this stage",
    )
    metrics = st.columns(3)
    metrics[0].metric("Included", progress.included)
    metrics[1].metric("Conflicts", progress.conflicts)
    metrics[2].metric("Waiting", progress.waiting, help="Decided by one reviewer, waiting for the second")
    stopping_panel(stage)


record_id = session.current(first=st.session_state.get("revisit"))
st.session_state["shown_record"] = record_id
record_column, panel = st.columns([2, 1], gap="large")
with panel:
    if flash := st.session_state.pop("screen_flash", None):
        st.success(flash)
    if error := st.session_state.pop("screen_error", None):
        st.error(error)
    for label, (key, text, shortcut) in BUTTONS.items():
        st.button(
            f"{text} ({shortcut})",
            key=key,
            on_click=_decide,
            args=(label,),
            disabled=record_id is None,
            type="primary" if label == "include" else "secondary",
            width="stretch",
        )
    reasons = {reason.key: reason.label.text(state.label_language()) for reason in settings.exclusion_reasons}
    st.selectbox(
        "Exclusion reason" + (" (required)" if settings.reason_required else ""),
        list(reasons),
        format_func=reasons.get,
        index=None,
        key="reason",
        placeholder="Choose a reason to exclude",
    )
    st.text_input("Note", key="note", placeholder="Optional, saved with the decision")
    st.button("Undo last (U)", key="undo_last", on_click=_undo, width="stretch")
    st.caption("Keys: **I** include · **E** exclude · **M** maybe · **U** undo (not while typing in a field).")
    st.divider()
st.html(KEYBOARD, unsafe_allow_javascript=True)
with record_column:  # the record is drawn before the slower progress and stopping figures
    if record_id is None:
        st.success(f"Nothing left for you to screen at the {state.STAGE_NAMES[stage].lower()} stage.")
    else:
        _show_record(record_id)
with panel:
    _show_progress()
