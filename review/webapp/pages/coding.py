"""Coding page: a form generated from the codebook for each included study, saved under the reviewer's name."""

import streamlit as st

from review.coding.codes import coded_table, current_codes
from review.errors import ReviewError
from review.protocol import Dimension
from review.roles import Action
from review.webapp import state
from review.webapp.i18n import t

st.title("Coding")
review = state.require_project()
coder = state.require_reviewer()
state.require_permission(Action.CODE, t("login.coders_only"))
protocol = review.protocol
language = state.label_language()
dimensions = protocol.codebook.dimensions
studies = review.included_studies()
if not dimensions:
    st.info("The protocol has no codebook dimensions.")
    st.stop()
if not studies:
    st.info("No study is included yet: studies appear here once their reports are included at full text.")
    st.stop()

mine = {code.study for code in current_codes(review, coder=coder)}
study = st.selectbox(
    "Study", sorted(studies), key="coding_study", format_func=lambda name: f"{'✓ ' if name in mine else ''}{name}"
)
st.caption(f"{len(mine & set(studies))} of {len(studies)} studies coded by {coder}.")
for record_id in studies[study]:
    record = review.record(record_id)
    st.markdown(f"**{record.title or '(no title)'}** ({record.year or 'n.d.'}, {record.journal or ''})")
current = {code.dimension: code.values for code in current_codes(review, study=study, coder=coder)}


def _field(dimension: Dimension, values: tuple[str, ...]) -> object:
    label, key = dimension.label.text(language), f"code_{study}_{dimension.key}"
    options = {value.key: value.label.text(language) for value in dimension.values}
    if dimension.type == "single":
        return st.selectbox(
            label,
            list(options),
            format_func=options.get,
            key=key,
            help=dimension.description,
            index=list(options).index(values[0]) if values else None,
        )
    if dimension.type == "multiple":
        return st.multiselect(
            label, list(options), default=list(values), format_func=options.get, key=key, help=dimension.description
        )
    if dimension.type == "number":
        return st.number_input(label, value=float(values[0]) if values else None, key=key, help=dimension.description)
    return st.text_area(label, value=values[0] if values else "", key=key, help=dimension.description)


with st.form(f"coding_{study}"):
    entered = {dimension.key: _field(dimension, current.get(dimension.key, ())) for dimension in dimensions}
    note = st.text_input("Note", key=f"code_note_{study}")
    if st.form_submit_button("Save codes", type="primary"):
        try:
            review.set_codes(study, entered, coder, note or None)
        except ReviewError as error:
            st.error(str(error))
        else:
            st.success(f"Saved {len(entered)} codes for {study} as {coder}.")

with st.expander("All included studies, coded (wide table)"):
    header, rows = coded_table(review, language=language)
    st.dataframe([dict(zip(header, row)) for row in rows], hide_index=True)
