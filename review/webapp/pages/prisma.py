"""PRISMA page: the live PRISMA 2020 flow diagram and its counts, with SVG, PNG and CSV downloads."""

import streamlit as st

from review.prisma import render_prisma
from review.webapp import state

COUNTS = [
    ("database_results", "Records identified"),
    ("duplicates", "Duplicates removed"),
    ("records_screened", "Records screened"),
    ("records_excluded", "Records excluded"),
    ("records_undecided", "Records awaiting a decision"),
    ("dbr_sought_reports", "Reports sought"),
    ("dbr_notretrieved_reports", "Reports not retrieved"),
    ("dbr_assessed", "Reports assessed"),
    ("dbr_excluded", "Reports excluded"),
    ("new_studies", "Studies included"),
]

st.title("PRISMA 2020 flow")
review = state.require_project()
counts, problems = review.prisma(allow_incomplete=True)
if problems:
    st.warning("Draft: screening is not finished, so the flow does not add up yet — " + "; ".join(problems))

columns = st.columns(5)
for index, (key, label) in enumerate(COUNTS):
    with columns[index % 5], st.container(key=f"prisma_{key}"):
        st.metric(label, getattr(counts, key))
if counts.dbr_excluded_reasons:
    st.caption("Reports excluded: " + "; ".join(f"{reason} ({n})" for reason, n in counts.dbr_excluded_reasons.items()))

downloads = st.columns(3)
for column, (fmt, mime) in zip(downloads, (("svg", "image/svg+xml"), ("png", "image/png"), ("csv", "text/csv"))):
    column.download_button(
        f"Download {fmt.upper()}",
        render_prisma(counts, fmt, problems=problems),
        file_name=f"prisma.{fmt}",
        mime=mime,
        width="stretch",
        key=f"download_{fmt}",
    )
st.image(render_prisma(counts, "svg", problems=problems), width="stretch")
