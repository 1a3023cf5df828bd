"""Export page: every table of the export issue as a download, in each format it supports."""

import tempfile
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from review.export.writers import EXPORT_TABLES, TABLE_SPECS, export_table
from review.insights import blind_stages_open
from review.store import open_project
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


def exporter(project: Path, table: str, fmt: str) -> Callable[[], bytes]:
    """Builds the file when the button is clicked (on Streamlit's download thread, with its own connection)."""

    def build() -> bytes:
        connection = open_project(project)
        try:
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / f"{table}.{fmt}"
                export_table(connection, table, fmt, path)
                return path.read_bytes()
        finally:
            connection.close()

    return build


st.title("Export")
db = state.require_project()
st.caption("The same tables as `review export DIR --table NAME --format FORMAT`; each file is built when you click.")
blind = blind_stages_open(db, state.protocol())
if blind:
    st.info(
        "The decision log (and the all-tables file) can be downloaded once the blind "
        + " and ".join(state.STAGE_NAMES[stage].lower() for stage in blind)
        + " stage has no record waiting for its second reviewer or in conflict: it shows every reviewer's labels."
    )
for table in EXPORT_TABLES:
    st.markdown(f"**{table}** — {DESCRIPTIONS.get(table, '')}")
    columns = st.columns(len(MIME))
    for column, fmt in zip(columns, formats_of(table)):
        column.download_button(
            fmt.upper(),
            exporter(state.project_dir(), table, fmt),
            file_name=f"{table}.{fmt}",
            mime=MIME[fmt],
            key=f"export_{table}_{fmt}",
            width="stretch",
            on_click="ignore",
            disabled=bool(blind) and table in REVEALS_LABELS,
        )
