"""Conflicts page: screening conflicts at a blind two-reviewer stage, and coded values two coders gave differently.

Both are reconciled by a named person: a screening conflict gets a final
label (nothing is preselected), a coding conflict its agreed value (recorded
as the `consensus` coder).
"""

import streamlit as st

from review.coding.codes import AgreedValue, coding_conflicts, reconcile_code
from review.errors import ReviewError
from review.roles import Action
from review.screening.conflicts import Conflict
from review.types import Label, Stage
from review.webapp import state
from review.webapp.highlight import highlight
from review.webapp.i18n import t

WHAT = ("ta", "ft", "coding")

st.title(t("conflicts.title"))
review, reviewer = state.require_project(), state.require_reviewer()
state.require_permission(Action.RESOLVE, t("login.leads_resolve"))
protocol = review.protocol
st.session_state.setdefault("conflict_stage", "ta")
what = (
    st.segmented_control(
        t("conflicts.what"),
        WHAT,
        format_func=lambda key: t("conflicts.coding" if key == "coding" else f"conflicts.stage_{key}"),
        key="conflict_stage",
    )
    or "ta"
)
language = state.label_language()


def _flash() -> None:
    if flash := st.session_state.pop("conflict_flash", None):
        st.success(flash)
    if error := st.session_state.pop("conflict_error", None):
        st.error(error)


def _resolve(stage: Stage, record_id: int) -> None:
    try:
        label = st.session_state.get(f"label_{record_id}")
        if label is None:
            raise ReviewError(t("conflicts.choose_label"))
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
        st.session_state["conflict_flash"] = t("conflicts.resolved", record_id=record_id, reviewer=reviewer)


def _reviewer_line(conflict: Conflict, who: str, label: str, reasons: dict[str, str]) -> str:
    reason_key = conflict.reasons.get(who)
    parts = [t("conflicts.reviewer_label", reviewer=who, label=t(f"conflicts.label_{label}"))]
    if reason_key:
        parts.append(t("conflicts.reason_note", reason=reasons.get(reason_key, reason_key)))
    if note := conflict.notes.get(who):
        parts.append(t("conflicts.note", note=note))
    return " · ".join(parts)


def _screening_conflict(stage: Stage, conflict: Conflict, reasons: dict[str, str]) -> None:
    record_id = conflict.record_id
    terms = (protocol.highlight.include, protocol.highlight.exclude)
    with st.container(border=True, key=f"conflict_{record_id}"):
        record = review.record(record_id)
        title = highlight(record.title or t("conflicts.no_title"), *terms)
        st.markdown(f"**{title}** ({record.year or t('conflicts.no_year')})", unsafe_allow_html=True)
        for who, label in conflict.labels.items():
            st.caption(_reviewer_line(conflict, who, label, reasons))
        with st.container(height=220):
            st.markdown(highlight(record.abstract or t("conflicts.no_abstract"), *terms), unsafe_allow_html=True)
        columns = st.columns([1, 2, 2, 1])
        columns[0].radio(
            t("conflicts.final_label"),
            [label.value for label in Label],
            format_func=lambda value: t(f"conflicts.label_{value}"),
            key=f"label_{record_id}",
            index=None,
        )
        columns[1].selectbox(
            t("conflicts.reason"), list(reasons), format_func=reasons.get, index=None, key=f"reason_{record_id}"
        )
        columns[2].text_input(t("conflicts.resolution_note"), key=f"note_{record_id}")
        columns[3].button(
            t("conflicts.resolve"), key=f"resolve_{record_id}", on_click=_resolve, args=(stage, record_id),
            type="primary",
        )  # fmt: skip


def screening_conflicts(stage: Stage) -> None:
    settings = protocol.stage(stage)
    stage_name = t(f"conflicts.stage_{stage}")
    if settings.reviewers < 2:
        st.info(t("conflicts.single_reviewer", stage=stage_name))
        return
    _flash()
    if stage in state.viewer().hidden_stages(review):
        st.info(t("conflicts.blind"))
        st.button(t("conflicts.reveal"), key="unblind_conflicts", on_click=state.unblind, args=("conflicts",))
        return
    open_conflicts = review.conflicts(stage, state.viewer())
    st.caption(t("conflicts.count_blind" if settings.blind else "conflicts.count", count=len(open_conflicts)))
    reasons = {reason.key: reason.label.text(language) for reason in settings.exclusion_reasons}
    for conflict in open_conflicts:
        _screening_conflict(stage, conflict, reasons)


def _shown(dimension_key: str, values: tuple[str, ...]) -> str:
    dimension = protocol.codebook.dimension(dimension_key)
    labels = {value.key: value.label.text(language) for value in dimension.values}
    return "; ".join(labels.get(value, value) for value in values) or t("conflicts.empty_value")


def _reconcile(item: AgreedValue, key: str) -> None:
    chosen = st.session_state.get(key)
    try:
        if chosen is None:
            raise ReviewError(t("conflicts.choose_value"))
        multiple = protocol.codebook.dimension(item.dimension).type == "multiple"
        reconcile_code(review, item.study, item.dimension, list(chosen) if multiple else chosen[0], reviewer)
    except ReviewError as error:
        st.session_state["conflict_error"] = str(error)
    else:
        label = protocol.codebook.dimension(item.dimension).label.text(language)
        st.session_state["conflict_flash"] = t(
            "conflicts.reconciled", study=item.study, dimension=label, reviewer=reviewer
        )


def _coding_conflict(item: AgreedValue, may_reconcile: bool) -> None:
    dimension = protocol.codebook.dimension(item.dimension)
    with st.container(border=True, key=f"coding_conflict_{item.study}_{item.dimension}"):
        st.markdown(f"**{item.study}** · {dimension.label.text(language)}")
        for coder, values in sorted(item.by_coder.items()):
            st.caption(f"{coder}: {_shown(item.dimension, values)}")
        if not may_reconcile:
            return
        key = f"agreed_{item.study}_{item.dimension}"
        options = sorted(set(item.by_coder.values()))
        left, right = st.columns([4, 1])
        left.radio(
            t("conflicts.agreed_value"),
            options,
            format_func=lambda values: _shown(item.dimension, values),
            index=None,
            key=key,
            horizontal=True,
        )
        right.button(
            t("conflicts.reconcile"), key=f"reconcile_{item.study}_{item.dimension}", on_click=_reconcile,
            args=(item, key), type="primary",
        )  # fmt: skip


def coding_view() -> None:
    _flash()
    conflicts = coding_conflicts(review)
    if not conflicts:
        st.caption(t("conflicts.coding_none"))
        return
    st.caption(t("conflicts.coding_count", count=len(conflicts)))
    may_reconcile = state.may(Action.RESOLVE)
    if not may_reconcile:
        st.info(t("conflicts.lead_only"))
    for item in conflicts:
        _coding_conflict(item, may_reconcile)


if what == "coding":
    coding_view()
else:
    screening_conflicts(Stage(what))
