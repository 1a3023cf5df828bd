"""Export page: every table of the export issue as a download, in each format it supports."""

import tempfile
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from review.core import RAW_TABLES, Review
from review.export.writers import EXPORT_TABLES, TABLE_SPECS
from review.roles import Action
from review.screening.blind import Viewer
from review.webapp import state

MIME = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "ris": "application/x-research-info-systems",
}
REVEALS_LABELS = ("decisions", "all")  # tables with every reviewer's screening labels
DESCRIPTIONS = {
    "included": "Included studies with their coded values (wide).",
    "codes": "Every code per study, dimension and coder (long).",
    "evidence-map": "Studies counted by two codebook dimensions.",
    "decisions": "The full decision log, with reason labels.",
    "records": "Every imported record, with what it was merged into.",
    "all": "All tables in one file (an Excel sheet or a JSON key each).",
}


def formats_of(table: str) -> list[str]:
    if table == "all":
        return ["xlsx", "json"]
    return [fmt for fmt in MIME if fmt != "ris" or TABLE_SPECS[table].ris_records is not None]


def exporter(project: Path, viewer: Viewer, table: str, fmt: str) -> Callable[[], bytes]:
    """Builds the file when the button is clicked (on Streamlit's download thread, with its own connection)."""

    language = state.label_language()
    actor = state.actor()

    def build() -> bytes:
        with Review.open(project, actor=actor) as opened, tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"{table}.{fmt}"
            takes_language = table == "all" or "language" in TABLE_SPECS[table].options
            opened.export(table, fmt, path, viewer, language=language if takes_language else None)
            return path.read_bytes()

    return build


st.title("Export")
review = state.require_project()
viewer = state.viewer()
st.caption("The same tables as the command line's export; each file is built when you click.")
hidden = viewer.hidden_stages(review)
if hidden and viewer.name is None:
    st.info(
        "Screening at the blind "
        + " and ".join(state.STAGE_NAMES[stage].lower() for stage in hidden)
        + " stage is not reconciled yet: enter your name in the sidebar to download the decision log with your own "
        "labels."
    )
elif hidden:
    st.caption(
        "While the blind " + " and ".join(state.STAGE_NAMES[stage].lower() for stage in hidden) + " stage is being "
        "screened, the decision log holds only your own labels there."
    )
for table in [name for name in EXPORT_TABLES if name not in RAW_TABLES or state.may(Action.EXPORT_RAW)]:
    st.markdown(f"**{table}** — {DESCRIPTIONS.get(table, '')}")
    columns = st.columns(len(MIME))
    for column, fmt in zip(columns, formats_of(table)):
        column.download_button(
            fmt.upper(),
            exporter(state.project_dir(), viewer, table, fmt),
            file_name=f"{table}.{fmt}",
            mime=MIME[fmt],
            key=f"export_{table}_{fmt}",
            width="stretch",
            on_click="ignore",
            disabled=bool(hidden) and viewer.name is None and table in REVEALS_LABELS,
        )
