"""Insights page: recall curve (relevant found against records screened), screening speed, agreement."""

import streamlit as st

from review.insights import recall_curve, screening_speed
from review.reviewers import agreement
from review.stopping import screened_in_order
from review.webapp import state

STAGE_NAMES = {"ta": "Title/abstract", "ft": "Full text"}

st.title("Insights")
db = state.require_project()
protocol = state.protocol()
stage = st.segmented_control("Stage", list(STAGE_NAMES), format_func=STAGE_NAMES.get, key="insights_stage",
                             default="ta") or "ta"

st.subheader("Recall curve")
labels = [label for _, label in screened_in_order(db, stage, protocol)]
if labels:
    points = recall_curve(labels)
    st.line_chart({"relevant found": [found for _, found in points]}, x_label="records screened",
                  y_label="relevant records found")
    st.caption(f"{sum(labels)} relevant (included or maybe) among the first {len(labels)} records screened. "
               "A curve that rises steeply and then flattens means the ranking found the relevant records first.")
else:
    st.caption("No final decisions at this stage yet.")

st.subheader("Screening speed")
speeds = screening_speed(db, stage)
if speeds:
    st.dataframe([{"reviewer": s.reviewer, "decisions": s.decisions, "median seconds per record": s.median_seconds,
                   "records per hour": s.per_hour} for s in speeds], hide_index=True)
    st.caption("Gaps of more than 10 minutes between two decisions count as pauses.")
else:
    st.caption("Nobody has screened at this stage yet.")

st.subheader("Agreement")
pairs = [pair for pair in agreement(db, protocol) if pair.stage == stage]
if pairs:
    st.dataframe([{"reviewers": f"{p.reviewer_a} & {p.reviewer_b}", "records": p.n,
                   "agreement": None if p.agreement is None else round(p.agreement, 3),
                   "Cohen's kappa": None if p.kappa is None else round(p.kappa, 3)} for p in pairs], hide_index=True)
else:
    st.caption("Agreement needs records screened by two reviewers at this stage.")
