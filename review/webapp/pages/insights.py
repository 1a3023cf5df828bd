"""Insights page: recall curve (relevant found against records screened), screening speed, agreement."""

import pandas as pd
import streamlit as st

from review.insights import recall_curve, screening_speed
from review.screening.conflicts import agreement
from review.stopping.hypergeometric import screened_in_order
from review.webapp import state

st.title("Insights")
db = state.require_project()
protocol = state.protocol()
stage = state.stage_picker("insights_stage")

st.subheader("Recall curve")
labels = [label for _, label in screened_in_order(db, stage, protocol)]
if labels:
    curve = pd.DataFrame(recall_curve(labels), columns=["records screened", "relevant found"])
    st.line_chart(curve, x="records screened", y="relevant found")
    st.caption(
        f"{sum(labels)} relevant (included or maybe) among the first {len(labels)} records screened. "
        "A curve that rises steeply and then flattens means the ranking found the relevant records first."
    )
else:
    st.caption("No final decisions at this stage yet.")

st.subheader("Screening speed")
speeds = screening_speed(db, stage)
if speeds:
    st.dataframe(
        [
            {
                "reviewer": s.reviewer,
                "decisions": s.decisions,
                "median seconds per record": s.median_seconds,
                "records per hour": s.per_hour,
            }
            for s in speeds
        ],
        hide_index=True,
    )
    st.caption(
        "Gaps of more than 10 minutes between two decisions count as pauses; gaps under a second are "
        "decisions imported in bulk, so imported decision logs show no speed."
    )
else:
    st.caption("Nobody has screened at this stage yet.")

st.subheader("Agreement")
pairs = [pair for pair in agreement(db, protocol) if pair.stage == stage]
if pairs:
    st.dataframe(
        [
            {
                "reviewers": f"{p.reviewer_a} & {p.reviewer_b}",
                "records": p.n,
                "agreement": None if p.agreement is None else round(p.agreement, 3),
                "Cohen's kappa": None if p.kappa is None else round(p.kappa, 3),
            }
            for p in pairs
        ],
        hide_index=True,
    )
else:
    st.caption("Agreement needs records screened by two reviewers at this stage.")
