"""Screening page: one record at a time in the model's order, decided with buttons or the keyboard."""

import streamlit as st

from review.errors import ReviewError
from review.fulltext.attach import fulltext_path, fulltext_text
from review.roles import Action
from review.screening.claims import release_claims, servable
from review.screening.log import UndoRefused
from review.screening.session import embedding_progress
from review.types import RecordStatus
from review.webapp import state
from review.webapp.components.stopping import stopping_panel
from review.webapp.highlight import EXCLUDE_STYLE, INCLUDE_STYLE, highlight
from review.webapp.i18n import t
from review.webapp.pdfview import show_fulltext_file

BUTTONS = {"include": "decide_include", "exclude": "decide_exclude", "maybe": "decide_maybe"}
# Streamlit has no key bindings: a listener on the page clicks the keyed button (class st-key-<key>) or the
# N-th exclusion reason. Keys typed into a text field are left alone; Enter or Escape in the note gives the
# keys back to the page (the field keeps its text), and a chosen reason never holds the focus.
KEYBOARD = """<script>
const doc = window.parent.document;
if (doc.__reviewKeys) doc.removeEventListener("keydown", doc.__reviewKeys);
const typing = (t) => t && (t.isContentEditable || ["TEXTAREA", "SELECT"].includes(t.tagName)
  || (t.tagName === "INPUT" && !["radio", "checkbox", "button"].includes(t.type)));
const release = () => setTimeout(() => doc.activeElement && doc.activeElement.blur(), 0);
doc.__reviewKeys = (event) => {
  const target = event.target;
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (typing(target)) {
    if (["Enter", "Escape"].includes(event.key) && target.closest(".st-key-note")) release();
    return;
  }
  if (/^[1-9]$/.test(event.key)) {
    const option = doc.querySelectorAll(".st-key-reason [role=radiogroup] label")[Number(event.key) - 1];
    if (option) { event.preventDefault(); option.click(); release(); }
    return;
  }
  const key = {i: "decide_include", e: "decide_exclude", m: "decide_maybe", u: "undo_last"}[event.key.toLowerCase()];
  const button = key && doc.querySelector(`.st-key-${key} button`);
  if (button && !button.disabled) { event.preventDefault(); button.click(); }
};
doc.addEventListener("keydown", doc.__reviewKeys);
doc.__reviewRelease = doc.__reviewRelease || ((event) => {
  if (event.target.closest && event.target.closest(".st-key-reason [role=radiogroup]")) release();
});
doc.removeEventListener("change", doc.__reviewRelease);
doc.addEventListener("change", doc.__reviewRelease);
</script>"""

review, reviewer, protocol, stage = state.reviewer_at_stage(t("screening.title"), "stage")
state.require_permission(Action.SCREEN, t("login.screeners_only"))
settings = protocol.stage(stage)
session = state.screening_session(stage)
# event ids are per project: what this session may undo is kept per project, so opening another project in
# the same tab can never undo an earlier session's decision there that happens to have the same id
session.decided = st.session_state.setdefault(f"decided_{review.project_id}_{stage}", [])
terms = (protocol.highlight.include, protocol.highlight.exclude)


def _give_back_the_stage_left() -> None:
    """A reviewer who switches stage gives back the record they were shown at the stage they left, so that
    others are served it meanwhile; coming back claims the stage's next record afresh."""
    left = st.session_state.get("screening_stage")
    if left is not None and left != stage.value:
        release_claims(review, left, reviewer)
    st.session_state["screening_stage"] = stage.value


def _stage_name() -> str:
    return t(f"screening.stage_{stage}")


def _decide(label: str) -> None:
    record_id = st.session_state["shown_record"]
    try:
        session.decide(record_id, label, st.session_state.get("reason"), st.session_state.get("note"))
    except ReviewError as error:
        st.session_state["screen_error"] = str(error)
        return
    flash = t("screening.decided", record_id=record_id, label=t(f"screening.label_{label}"))
    st.session_state.update(reason=None, note="", revisit=None, screen_flash=flash)


def _undo() -> None:
    try:
        record_id = session.undo()
    except UndoRefused as refused:
        why = str(refused)
        st.session_state["screen_error"] = t("screening.undo_refused", reason=why[:1].upper() + why[1:])
        return
    if record_id is None:
        st.session_state["screen_error"] = t("screening.nothing_to_undo")
        return
    title = review.record(record_id).title or t("screening.no_title")
    st.session_state.update(revisit=record_id, screen_flash=t("screening.undone", record_id=record_id, title=title))


def _fresh_form(record_id: int | None) -> None:
    """Reason and note belong to one record at one stage: a different record or stage starts them empty."""
    if st.session_state.get("screen_form_for") != (stage, record_id):
        st.session_state.update(reason=None, note="", screen_form_for=(stage, record_id))


def _legend() -> str:
    include = f'<mark style="{INCLUDE_STYLE}">{t("screening.legend_include")}</mark>'
    exclude = f'<mark style="{EXCLUDE_STYLE}">{t("screening.legend_exclude")}</mark>'
    return t("screening.legend", include=include, exclude=exclude)


def _show_text(record_id: int, abstract: str | None) -> None:
    if stage != "ft":
        st.markdown(highlight(abstract or t("screening.no_abstract"), *terms), unsafe_allow_html=True)
        return
    path = fulltext_path(review.db, review.folder, record_id)
    text = highlight(fulltext_text(review.db, record_id) or abstract or t("screening.no_text"), *terms)
    if path is None:
        st.caption(t("screening.no_file"))
        with st.container(height=480):
            st.markdown(text, unsafe_allow_html=True)
    else:
        pdf, extracted = st.tabs([t("screening.tab_file"), t("screening.tab_text")])
        with pdf:
            show_fulltext_file(path, f"screening_{record_id}")
        with extracted, st.container(height=480):
            st.markdown(text, unsafe_allow_html=True)


def _show_record(record_id: int) -> None:
    record = review.record(record_id)
    score, rank = session.score_rank(record_id)
    st.markdown(f"### {highlight(record.title or t('screening.no_title'), *terms)}", unsafe_allow_html=True)
    st.caption(" · ".join(str(part) for part in (record.authors_line, record.year, record.journal) if part))
    if score is not None:
        left = len(review.state(stage).unscreened())
        st.caption(t("screening.rank", record_id=record_id, rank=rank, left=left), help=t("screening.rank_help"))
    if terms[0] or terms[1]:
        st.caption(_legend(), unsafe_allow_html=True)
    _show_text(record_id, record.abstract)
    visible = review.history(record_id, state.viewer())
    if visible:
        with st.expander(t("screening.history", count=len(visible))):
            st.dataframe(
                [
                    {key: event[key] for key in ("stage", "reviewer", "kind", "label", "reason", "note", "created_at")}
                    for event in visible
                ],
                hide_index=True,
            )


def _nothing_left() -> None:
    """Say that nothing is left for this reviewer, and why the stage is not finished when it is not."""
    st.success(t("screening.nothing_left", stage=_stage_name()))
    current = review.state(stage)
    mine = [r for r in current.with_status(RecordStatus.WAITING) if reviewer in r.labels]
    held = len(current.pending_for(reviewer, current.candidates)) - len(
        servable(review, current, reviewer, current.candidates, limit=len(current.candidates))
    )
    for key, count in (
        ("screening.left_for_second", len(mine)),
        ("screening.left_in_conflict", current.progress.conflicts),
        ("screening.left_claimed", held),
    ):
        if count:
            st.caption(t(key, count=count))


def _show_embedding_progress() -> None:
    job = embedding_progress(review, stage)
    if job is None or (job.finished and job.error is None and session.ranker.model is not None):
        return
    if job.error:
        st.caption(t("screening.embeddings_failed", error=job.error))
    elif not job.finished:
        st.progress(job.done / job.total if job.total else 0.0, text=t("screening.embedding", done=job.done,
                                                                        total=job.total))  # fmt: skip
    else:
        st.caption(t("screening.embeddings_ready"))


def _show_progress() -> None:
    _show_embedding_progress()
    progress = review.state(stage).progress
    st.progress(
        progress.final / progress.candidates if progress.candidates else 0.0,
        text=t("screening.progress", final=progress.final, candidates=progress.candidates),
    )
    metrics = st.columns(4)
    mine = progress.by_reviewer.get(reviewer, 0)
    metrics[0].metric(t("screening.you_screened"), mine, help=t("screening.you_screened_help"))
    metrics[1].metric(t("screening.included"), progress.included)
    metrics[2].metric(t("screening.conflicts"), progress.conflicts)
    metrics[3].metric(t("screening.waiting"), progress.waiting, help=t("screening.waiting_help"))
    if settings.reviewers > 1 and progress.waiting:
        st.caption(t("screening.why_waiting", required=settings.reviewers, waiting=progress.waiting))


def _reason_chooser() -> None:
    reasons = {reason.key: reason.label.text(state.label_language()) for reason in settings.exclusion_reasons}
    numbered = {key: f"{number} · {text}" for number, (key, text) in enumerate(reasons.items(), 1)}
    st.radio(
        t("screening.reason_required" if settings.reason_required else "screening.reason"),
        list(numbered),
        format_func=numbered.get,
        index=None,
        key="reason",
    )


_give_back_the_stage_left()
record_id = session.current(first=st.session_state.get("revisit"))
st.session_state["shown_record"] = record_id
_fresh_form(record_id)
record_column, panel = st.columns([2, 1], gap="large")
with panel:
    if flash := st.session_state.pop("screen_flash", None):
        st.success(flash)
    if error := st.session_state.pop("screen_error", None):
        st.error(error)
    for label, key in BUTTONS.items():
        st.button(
            t(f"screening.{label}"), key=key, on_click=_decide, args=(label,), disabled=record_id is None,
            width="stretch",
        )  # fmt: skip
    if settings.exclusion_reasons:
        _reason_chooser()
    st.text_input(t("screening.note"), key="note", placeholder=t("screening.note_placeholder"))
    st.button(t("screening.undo"), key="undo_last", on_click=_undo, width="stretch")
    st.caption(t("screening.keys"))
    st.divider()
st.html(KEYBOARD, unsafe_allow_javascript=True)
with record_column:  # the record is drawn before the slower progress and stopping figures
    if record_id is None:
        _nothing_left()
    else:
        _show_record(record_id)
with panel:
    _show_progress()
    stopping_panel(stage)
