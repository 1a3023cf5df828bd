"""Insights page: recall curve (relevant found against records screened), screening speed, agreement."""

import pandas as pd
import streamlit as st

from review.insights import recall_curve, screening_speed
from review.stopping.project import screened_in_order
from review.webapp import state
from review.webapp.components.stopping import history_chart

st.title("Insights")
review = state.require_project()
stage = state.stage_picker("insights_stage")

st.subheader("Recall curve")
labels = [label for _, label in screened_in_order(review, stage)]
if labels:
    curve = pd.DataFrame(recall_curve(labels), columns=["records screened", "relevant found"])
    st.line_chart(curve, x="records screened", y="relevant found")
    st.caption(
        f"{sum(labels)} relevant (included or maybe) among the first {len(labels)} records screened. "
        "A curve that rises steeply and then flattens means the ranking found the relevant records first."
    )
    history_chart(stage)
else:
    st.caption("No final decisions at this stage yet.")

st.subheader("Screening speed")
speeds = screening_speed(review.db, stage)
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
viewer = state.viewer()
hidden = viewer.hidden_stages(review)
pairs = [] if hidden and viewer.name is None else [p for p in review.agreement(viewer).pairs if p.stage == stage]
if stage in hidden:
    st.caption("This stage is blind and still being screened: agreement is shown once every record is reconciled.")
elif hidden and viewer.name is None:
    st.caption("Enter your name in the sidebar to see agreement while a blind stage is being screened.")
elif pairs:
    st.dataframe(
        [
            {
                "reviewers": f"{p.reviewer_a} & {p.reviewer_b}",
                "records": p.n,
                "agreement": None if p.agreement is None else round(p.agreement, 3),
                "Cohen's kappa": None if p.kappa is None else round(p.kappa, 3),
                "changed after both decided": p.changed_after,
            }
            for p in pairs
        ],
        hide_index=True,
    )
else:
    st.caption("Agreement needs records screened by two reviewers at this stage.")
