"""PRISMA page: the live PRISMA 2020 flow diagram and its counts, with SVG, PNG and CSV downloads."""

import streamlit as st

from review.prisma import render_prisma
from review.prisma.diagram import LABELS
from review.webapp import state
from review.webapp.i18n import LANGUAGES, language, t

COUNTS = ("database_results", "duplicates", "records_screened", "records_excluded", "records_undecided",
          "dbr_sought_reports", "dbr_notretrieved_reports", "dbr_assessed", "dbr_excluded", "new_studies")  # fmt: skip
DIAGRAM_LANGUAGES = [code for code in LANGUAGES if code in LABELS]

st.title(t("prisma.title"))
review = state.require_project()
st.session_state.setdefault("prisma_language", language() if language() in DIAGRAM_LANGUAGES else "en")
chosen = st.segmented_control(t("prisma.language"), DIAGRAM_LANGUAGES, format_func=LANGUAGES.get,
                              key="prisma_language") or "en"  # fmt: skip
counts, problems = review.prisma(chosen, allow_incomplete=True)
if problems:
    st.warning(t("prisma.draft", problems="; ".join(problems)))

columns = st.columns(5)
for index, key in enumerate(COUNTS):
    with columns[index % 5], st.container(key=f"prisma_{key}"):
        st.metric(t(f"prisma.{key}"), getattr(counts, key))
if counts.dbr_excluded_reasons:
    reasons = "; ".join(f"{reason} ({n})" for reason, n in counts.dbr_excluded_reasons.items())
    st.caption(t("prisma.reasons", reasons=reasons))

downloads = st.columns(3)
for column, (fmt, mime) in zip(downloads, (("svg", "image/svg+xml"), ("png", "image/png"), ("csv", "text/csv"))):
    column.download_button(
        t("prisma.download", format=fmt.upper()),
        render_prisma(counts, fmt, language=chosen, problems=problems),
        file_name=f"prisma-{chosen}.{fmt}",
        mime=mime,
        width="stretch",
        key=f"download_{fmt}",
    )
st.image(render_prisma(counts, "svg", language=chosen, problems=problems), width="stretch")
