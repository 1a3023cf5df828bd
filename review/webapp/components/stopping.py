"""The stopping advice beside the record on the Screening page, and the recall chart of the Insights page.

The advice is computed in a worker process (`state.stopping_advice`); while it
lags behind the decision log, the panel re-polls every second as a fragment,
so it is current shortly after each decision without a reload. The reviewer
starts the random check sample with a button; `Review.next_records` and the
screening session then serve its records first.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from review.roles import Action
from review.screening.claims import release_claims
from review.stopping.project import StoppingStatus
from review.webapp import state
from review.webapp.i18n import t


def stopping_panel(stage: str) -> None:
    """The advice at `stage`: estimated recall, what can be claimed, what to screen next (one call from a page)."""
    advice, current = state.stopping_advice(stage)
    if current and advice is not None:
        _show(advice, stage)
    else:
        st.fragment(run_every=1.0)(_poll)(stage)


def _poll(stage: str) -> None:
    advice, current = state.stopping_advice(stage)
    if advice is None:
        st.caption(t("stopping.pending"))
        return
    _show(advice, stage)
    if not current:
        st.caption(t("stopping.updating", screened=advice.screened))


def _percent(value: float) -> str:
    return f"{value:.0%}"


def _show(advice: StoppingStatus, stage: str) -> None:
    confidence = _percent(advice.confidence)
    if advice.recall_estimate is not None and advice.recall_interval is not None:
        low, high = advice.recall_interval
        st.metric(
            t("stopping.estimated_recall"),
            f"{advice.recall_estimate:.0%}",
            help=t("stopping.recall_help_sample", drawn=advice.sample["screened"], low=_percent(low),
                   high=_percent(high), confidence=confidence),
        )  # fmt: skip
    else:
        st.metric(
            t("stopping.estimated_recall"),
            t("stopping.recall_when"),
            help=t("stopping.recall_help_before", needed=advice.sample_needed),
        )
    st.caption(t("stopping.claimable", confidence=confidence, claimable=_percent(advice.claimable_recall)))
    if advice.ranked_recall:
        st.caption(t("stopping.ranked", ranked=_percent(advice.ranked_recall)))
    _advice(advice, stage)


def _advice(advice: StoppingStatus, stage: str) -> None:
    target, confidence = _percent(advice.target), _percent(advice.confidence)
    if advice.phase == "safe":
        st.success(t("stopping.safe", target=target, confidence=confidence))
    elif advice.phase == "sample":
        sample = advice.sample or {}
        st.info(t("stopping.sample_phase", drawn=sample.get("screened", 0), found=sample.get("found", 0),
                  needed=advice.sample_needed))  # fmt: skip
    else:
        proposed = advice.phase == "sample-proposed"
        message = "stopping.proposed_phase" if proposed else "stopping.ranked_phase"
        st.info(t(message, target=target, needed=advice.sample_needed))
        start = t("stopping.start_sample" if proposed else "stopping.start_early")
        if state.may(Action.SCREEN) and st.button(start, key="stopping_start_sample", type="primary" if proposed
                                                  else "secondary"):  # fmt: skip
            state.review().start_check_sample(stage)
            release_claims(state.review(), stage, state.reviewer())  # serve the sample from this record on
            st.session_state["stopping_flash"] = t("stopping.started")
            st.rerun()  # the whole page, also from inside the polling fragment: the record shown must change
    if flash := st.session_state.pop("stopping_flash", None):
        st.success(flash)


def history_chart(stage: str) -> None:
    """The recall claimable at the protocol's confidence over the screening history (Insights page)."""
    opened = state.review()
    history = opened.recall_history(stage)
    if not history:
        return
    st.subheader(t("stopping.chart_title"))
    frame = pd.DataFrame(
        {
            t("stopping.chart_screened"): [point.screened for point in history],
            t("stopping.chart_claimable"): [point.claimable for point in history],
            t("stopping.chart_ranked"): [point.ranked for point in history],
        }
    )
    st.line_chart(frame, x=t("stopping.chart_screened"))
    confidence = _percent(opened.protocol.stopping.confidence)
    st.caption(t("stopping.chart_caption", confidence=confidence))
