"""Records page: search and filter every imported record, open one with its full history, change a decision."""

import streamlit as st

from review.errors import ReviewError
from review.roles import Action
from review.screening.overview import PLACES, RecordFilter, find_records, reviewers, sources
from review.types import STAGES, Stage
from review.webapp import state
from review.webapp.i18n import t
from review.webapp.tables import number, plain, short, when

STAGE_KEYS = {Stage.TA: "records.stage_ta", Stage.FT: "records.stage_ft"}
LIMIT = 500

st.title(t("records.title"))
review = state.require_project()


def _filters() -> RecordFilter:
    top = st.columns([3, 1, 1, 1])
    text = top[0].text_input(t("records.search"), key="records_text", placeholder=t("records.search_placeholder"))
    stage = top[1].selectbox(t("records.stage"), list(STAGES), index=None, key="records_stage",
                             format_func=lambda s: t(STAGE_KEYS[s]), placeholder=t("records.any"))  # fmt: skip
    decision = top[2].selectbox(t("records.decision"), PLACES, index=None, key="records_decision",
                                format_func=lambda p: t(f"records.place_{p}"), placeholder=t("records.any"))  # fmt: skip
    who = top[3].selectbox(t("records.reviewer"), reviewers(review), index=None, key="records_reviewer",
                           placeholder=t("records.any"))  # fmt: skip
    more = st.columns([1, 1, 2, 2])
    year_from = more[0].number_input(t("records.year_from"), value=None, step=1, key="records_from")
    year_to = more[1].number_input(t("records.year_to"), value=None, step=1, key="records_to")
    source = more[2].selectbox(t("records.source"), sources(review), index=None, key="records_source",
                               placeholder=t("records.any"))  # fmt: skip
    duplicates = more[3].selectbox(t("records.duplicates"), ["unique", "duplicate"], index=None, key="records_dups",
                                   format_func=lambda d: t(f"records.dup_{d}"), placeholder=t("records.any"))  # fmt: skip
    return RecordFilter(text or "", stage, decision, who, _year(year_from), _year(year_to), source, duplicates)


def _year(value: float | None) -> int | None:
    return None if value is None else int(value)


def _shown_place(value: str) -> str:
    return t(f"records.place_{value}") if value else "—"


def _results(rows, total: int) -> None:
    shown = t("records.found_one") if total == 1 else t("records.found", n=total)
    st.caption(shown + (" " + t("records.first", n=LIMIT) if total > LIMIT else ""))
    st.dataframe(
        [
            {
                t("records.col_id"): row.record_id,
                t("records.col_title"): short(row.title, 100),
                t("records.col_authors"): short("; ".join(row.authors), 40),
                t("records.col_year"): number(row.year),
                t("records.col_source"): row.source,
                t("records.col_ta"): _shown_place(row.places[Stage.TA]),
                t("records.col_ft"): _shown_place(row.places[Stage.FT]),
                t("records.col_duplicate"): str(row.duplicate_of) if row.duplicate_of else "",
                t("records.col_reviewers"): ", ".join(row.reviewers),
            }
            for row in rows
        ],
        hide_index=True,
        width="stretch",
    )


def _details(record_id: int) -> None:
    record = review.record(record_id)
    st.markdown(f"#### {record_id} · {plain(record.title) or t('records.no_title')}")
    facts = (record.authors_line, number(record.year), record.journal, record.doi, record.source)
    st.caption(" · ".join(part for part in facts if part))
    if record.duplicate_of:
        st.info(t("records.is_duplicate", of=record.duplicate_of))
    st.text(record.abstract or t("records.no_abstract"))
    _history(record_id)


def _history(record_id: int) -> None:
    try:
        events = review.history(record_id, state.viewer())
    except ReviewError as error:
        st.info(t("records.history_blind", why=str(error)))
        return
    if not events:
        st.caption(t("records.no_history"))
        return
    st.dataframe(
        [
            {
                t("records.h_when"): when(event["created_at"]),
                t("records.h_stage"): t(STAGE_KEYS[Stage(event["stage"])]),
                t("records.h_reviewer"): event["reviewer"],
                t("records.h_kind"): t(f"records.kind_{event['kind']}"),
                t("records.h_label"): t(f"records.place_{event['label']}") if event["label"] else "",
                t("records.h_reason"): _reason(event["stage"], event["reason"]),
                t("records.h_note"): event["note"] or "",
                t("records.h_rank"): number(event["rank"]),
            }
            for event in events
        ],
        hide_index=True,
        width="stretch",
    )


def _reason(stage: str, key: str | None) -> str:
    if not key:
        return ""
    labels = {r.key: r.label.text(state.label_language()) for r in review.protocol.stage(stage).exclusion_reasons}
    return labels.get(key, key)


def _change(record_id: int) -> None:
    stages = [stage for stage in STAGES if record_id in review.state(stage).candidate_set]
    if not stages or not state.may(Action.SCREEN):
        return
    name = state.reviewer()
    with st.form(f"relabel_{record_id}", clear_on_submit=True):
        st.markdown(f"**{t('records.change_heading')}**")
        if not name:
            st.caption(t("records.need_name"))
        cols = st.columns([1, 1, 2, 2])
        cols[0].selectbox(t("records.stage"), stages, format_func=lambda s: t(STAGE_KEYS[s]), key="relabel_stage")
        cols[1].selectbox(t("records.new_label"), ["include", "exclude", "maybe"], key="relabel_label",
                          format_func=lambda p: t(f"records.place_{p}"))  # fmt: skip
        reasons = {r.key: r.label.text(state.label_language()) for s in stages
                   for r in review.protocol.stage(s).exclusion_reasons}  # fmt: skip
        cols[2].selectbox(t("records.reason"), list(reasons), index=None, format_func=reasons.get,
                          key="relabel_reason", placeholder=t("records.reason_placeholder"))  # fmt: skip
        cols[3].text_input(t("records.note"), key="relabel_note")
        st.form_submit_button(t("records.save"), on_click=_relabel, args=(record_id,), disabled=not name)


def _relabel(record_id: int) -> None:
    values = st.session_state
    stage, label = values.get("relabel_stage"), values.get("relabel_label")
    try:
        review.decide(record_id, stage, state.reviewer(), label, values.get("relabel_reason"),
                      values.get("relabel_note") or None)  # fmt: skip
    except ReviewError as error:
        values["records_flash"] = ("error", str(error))
    else:
        values["records_flash"] = ("success", t("records.saved", record=record_id, label=t(f"records.place_{label}")))


def _bulk_not_retrieved(rows) -> None:
    candidates = [row.record_id for row in rows if row.places[Stage.FT] == "undecided"]
    if not candidates or not state.may(Action.IMPORT):
        return
    with st.expander(t("records.bulk_heading")), st.form("bulk_not_retrieved", clear_on_submit=True):
        st.multiselect(t("records.bulk_records"), candidates, key="bulk_ids")
        st.text_input(t("records.bulk_reason"), key="bulk_reason", placeholder=t("records.bulk_placeholder"))
        st.form_submit_button(t("records.bulk_mark"), on_click=_mark_not_retrieved)


def _mark_not_retrieved() -> None:
    ids, reason = st.session_state.get("bulk_ids") or [], st.session_state.get("bulk_reason", "")
    marked = []
    try:
        for record_id in ids:
            review.mark_not_retrieved(record_id, reason)
            marked.append(record_id)
    except ReviewError as error:
        st.session_state["records_flash"] = ("error", t("records.bulk_stopped", n=len(marked), why=str(error)))
        return
    st.session_state["records_flash"] = ("success", t("records.bulk_done", n=len(marked)))


if flash := st.session_state.pop("records_flash", None):
    getattr(st, flash[0])(flash[1])
rows, total = find_records(review, _filters(), limit=LIMIT)
_results(rows, total)
_bulk_not_retrieved(rows)
if rows:
    titles = {row.record_id: short(row.title, 90) for row in rows}
    chosen = st.selectbox(t("records.open"), list(titles), key="records_open",
                          format_func=lambda r: f"{r} · {titles[r]}")  # fmt: skip
    if chosen is not None:
        with st.container(border=True):
            _details(chosen)
            _change(chosen)
