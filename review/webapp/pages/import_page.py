"""Import page: upload RIS/CSV/nbib files with a source name, then review uncertain duplicates."""

import streamlit as st

from review.dedupe import duplicate_count, uncertain_pairs
from review.errors import ReviewError
from review.records import batches
from review.roles import Action
from review.webapp import state
from review.webapp.i18n import t

st.title("Import")
review = state.require_project()
state.require_permission(Action.IMPORT, t("login.leads_import"))
db = review.db

with st.form("import", clear_on_submit=True):
    files = st.file_uploader(
        "Search exports",
        accept_multiple_files=True,
        type=["ris", "txt", "csv", "tsv", "nbib", "medline", "xlsx", "ciw"],
    )
    source = st.text_input("Source database", placeholder="e.g. Scopus (default: the file name)")
    force = st.checkbox("Import again even if the same file was imported before")
    submitted = st.form_submit_button("Import", type="primary")
if submitted:
    if not files:
        st.warning("Choose at least one file.")
    else:
        try:
            reports = review.import_uploads(
                [(file.name, file.getvalue()) for file in files], source=source.strip() or None, force=force
            )
        except ReviewError as error:
            st.error(str(error))
        else:
            for report in reports:
                st.success(
                    f"{report.file}: {report.records} records from {report.source} ({report.format}, {report.encoding})"
                )
                for warning in report.warnings:
                    st.warning(warning)

st.subheader("Batches")
rows = batches(db)
if rows:
    st.dataframe(
        [
            {key: row[key] for key in ("batch_id", "file_name", "source", "format", "n_records", "imported_at")}
            for row in rows
        ],
        hide_index=True,
        width="stretch",
    )
else:
    st.caption("Nothing imported yet.")

st.subheader("Duplicates")
if st.button(
    "Find and merge duplicates",
    key="find_duplicates",
    help="Certain matches (same DOI/PMID, near-identical records) are merged, reversibly; "
    "uncertain pairs wait below for a person.",
):
    result = review.find_duplicates()
    run_id = review.apply_dedupe(result)
    st.success(f"Run {run_id}: {duplicate_count(db)} records are now marked as duplicates.")

reviewer = state.reviewer()


def _resolve(pair_id: int, merge: bool) -> None:
    try:
        review.resolve_duplicate(pair_id, merge, reviewer)
    except ReviewError as error:
        st.session_state["dedupe_error"] = str(error)


if error := st.session_state.pop("dedupe_error", None):
    st.error(error)
pairs = uncertain_pairs(db)
st.caption(f"{len(pairs)} uncertain pairs: is it the same paper?")
if pairs and not reviewer:
    st.warning("Enter your name in the sidebar to decide pairs: it is recorded with each decision.")
for pair in pairs:
    with st.container(border=True, key=f"pair_{pair['pair_id']}"):
        st.caption(
            "Evidence: " + "; ".join(pair["evidence"]) + (f" (score {pair['score']:.2f})" if pair["score"] else "")
        )
        sides = st.columns(2)
        for column, record in zip(sides, (pair["record"], pair["other"])):
            column.markdown(f"**{record['title'] or '(no title)'}**")
            column.caption(
                " · ".join(
                    str(part)
                    for part in (
                        "; ".join(record["authors"] or []),
                        record["year"],
                        record["journal"],
                        record["doi"],
                        record["source"],
                    )
                    if part
                )
            )
        buttons = st.columns(2)
        buttons[0].button(
            "Same paper: merge",
            key=f"merge_{pair['pair_id']}",
            on_click=_resolve,
            args=(pair["pair_id"], True),
            disabled=not reviewer,
        )
        buttons[1].button(
            "Different papers",
            key=f"keep_{pair['pair_id']}",
            on_click=_resolve,
            args=(pair["pair_id"], False),
            disabled=not reviewer,
        )
