"""Insights page: recall curve (relevant found against records screened), screening speed, agreement."""

import pandas as pd
import streamlit as st

from review.insights import recall_curve, screening_speed
from review.stopping.project import screened_in_order
from review.webapp import state
from review.webapp.components.stopping import history_chart
from review.webapp.i18n import t

st.title(t("insights.title"))
review = state.require_project()
stage = state.stage_picker("insights_stage")

st.subheader(t("insights.recall_curve"))
labels = [label for _, label in screened_in_order(review, stage)]
if labels:
    screened, found = t("insights.records_screened"), t("insights.relevant_found")
    curve = pd.DataFrame(recall_curve(labels), columns=[screened, found])
    st.line_chart(curve, x=screened, y=found)
    st.caption(t("insights.curve_caption", relevant=sum(labels), screened=len(labels)))
    history_chart(stage)
else:
    st.caption(t("insights.no_finals"))

st.subheader(t("insights.speed"))
speeds = screening_speed(review.db, stage)
if speeds:
    st.dataframe(
        [
            {
                t("insights.reviewer"): s.reviewer,
                t("insights.decisions"): s.decisions,
                t("insights.median_seconds"): s.median_seconds,
                t("insights.per_hour"): s.per_hour,
            }
            for s in speeds
        ],
        hide_index=True,
    )
    st.caption(t("insights.speed_caption"))
else:
    st.caption(t("insights.nobody"))

st.subheader(t("insights.agreement"))
viewer = state.viewer()
hidden = viewer.hidden_stages(review)
pairs = [] if hidden and viewer.name is None else [p for p in review.agreement(viewer).pairs if p.stage == stage]
if stage in hidden:
    st.caption(t("insights.blind"))
elif hidden and viewer.name is None:
    st.caption(t("insights.enter_name"))
elif pairs:
    st.dataframe(
        [
            {
                t("insights.reviewers"): f"{p.reviewer_a} & {p.reviewer_b}",
                t("insights.records"): p.n,
                t("insights.agreement_share"): None if p.agreement is None else round(p.agreement, 3),
                t("insights.kappa"): None if p.kappa is None else round(p.kappa, 3),
                t("insights.changed_after"): p.changed_after,
            }
            for p in pairs
        ],
        hide_index=True,
    )
else:
    st.caption(t("insights.no_pairs"))
