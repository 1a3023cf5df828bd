"""Import page: upload RIS/CSV/nbib files with a source name, then review uncertain duplicates."""

import streamlit as st

from review.errors import ReviewError
from review.records import batches, import_uploads
from review.webapp import state

st.title("Import")
db = state.require_project()

with st.form("import", clear_on_submit=True):
    files = st.file_uploader("Search exports", accept_multiple_files=True,
                             type=["ris", "txt", "csv", "tsv", "nbib", "medline"])
    source = st.text_input("Source database", placeholder="e.g. Scopus (default: the file name)")
    force = st.checkbox("Import again even if the same file was imported before")
    submitted = st.form_submit_button("Import", type="primary")
if submitted:
    if not files:
        st.warning("Choose at least one file.")
    else:
        try:
            reports = import_uploads(db, [(file.name, file.getvalue()) for file in files],
                                     source=source.strip() or None, force=force)
        except ReviewError as error:
            st.error(str(error))
        else:
            for report in reports:
                st.success(f"{report.file}: {report.records} records from {report.source} "
                           f"({report.format}, {report.encoding})")
                for warning in report.warnings:
                    st.warning(warning)

st.subheader("Batches")
rows = batches(db)
if rows:
    st.dataframe([{key: row[key] for key in ("batch_id", "file_name", "source", "format", "n_records", "imported_at")}
                  for row in rows], hide_index=True, width="stretch")
else:
    st.caption("Nothing imported yet.")
