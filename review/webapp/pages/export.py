"""Export page: every table of the export issue as a download, in each format it supports.

While a blind stage is open, a reviewer's downloads hold only their own labels
there; a lead (anyone in single-user mode) may ask for every reviewer's labels,
which is recorded in the audit log each time a file is built.
"""

import tempfile
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from review.core import RAW_TABLES, Review
from review.export.writers import EXPORT_TABLES, TABLE_SPECS
from review.roles import Action
from review.screening.blind import Viewer
from review.webapp import state
from review.webapp.i18n import t

MIME = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "ris": "application/x-research-info-systems",
}
REVEALS_LABELS = ("decisions", "all")  # tables with every reviewer's screening labels
STAGE_KEYS = {"ta": "export.stage_ta", "ft": "export.stage_ft"}


def formats_of(table: str) -> list[str]:
    if table == "all":
        return ["xlsx", "json"]
    return [fmt for fmt in MIME if fmt != "ris" or TABLE_SPECS[table].ris_records is not None]


def exporter(project: Path, viewer: Viewer, table: str, fmt: str, unblind: bool,
             options: dict[str, object]) -> Callable[[], bytes]:  # fmt: skip
    """Builds the file when the button is clicked (on Streamlit's download thread, with its own connection)."""
    language = state.label_language()
    actor = state.actor()

    def build() -> bytes:
        with Review.open(project, actor=actor) as opened, tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"{table}.{fmt}"
            accepted = TABLE_SPECS[table].options if table != "all" else ("language", "rows", "cols")
            given = {name: value for name, value in {**options, "language": language}.items() if name in accepted}
            who = opened.viewer(viewer.name, unblind=True, context=f"export of {table}") if unblind else viewer
            opened.export(table, fmt, path, who, **given)
            return path.read_bytes()

    return build


def _evidence_map_options(review: Review) -> dict[str, object]:
    """The two codebook dimensions the evidence map crosses, chosen on the page (the codebook's default first)."""
    choice = [d for d in review.protocol.codebook.dimensions if d.type in ("single", "multiple")]
    if len(choice) < 2:
        return {}
    keys, names = [d.key for d in choice], {d.key: d.label.text(state.label_language()) for d in choice}
    default = review.protocol.codebook.evidence_map
    rows_default = keys.index(default.rows) if default else 0
    cols_default = keys.index(default.cols) if default else 1
    left, right = st.columns(2)
    rows = left.selectbox(t("export.map_rows"), keys, index=rows_default, format_func=names.get, key="map_rows")
    cols = right.selectbox(t("export.map_cols"), keys, index=cols_default, format_func=names.get, key="map_cols")
    if rows == cols:
        st.warning(t("export.map_same"))
        return {}
    return {"rows": rows, "cols": cols}


def _blind_notice(hidden, viewer: Viewer) -> bool:
    """Explain what the blind stage hides; returns whether a lead asked for every reviewer's labels."""
    stages = " " + t("export.and") + " "
    names = stages.join(t(STAGE_KEYS[stage]).lower() for stage in hidden)
    unblind = False
    if state.may(Action.EXPORT_RAW):
        unblind = st.toggle(t("export.unblind"), key="export_unblind", help=t("export.unblind_help"))
    if unblind:
        st.caption(t("export.unblinded", stages=names))
    elif viewer.name is None:
        st.info(t("export.need_name", stages=names))
    else:
        st.caption(t("export.own_labels", stages=names))
    return unblind


st.title(t("export.title"))
review = state.require_project()
viewer = state.viewer()
st.caption(t("export.intro"))
hidden = viewer.hidden_stages(review)
unblind = _blind_notice(hidden, viewer) if hidden else False
locked = bool(hidden) and viewer.name is None and not unblind
map_options: dict[str, object] = {}  # chosen beside the evidence map, used by it and by "all"
for table in [name for name in EXPORT_TABLES if name not in RAW_TABLES or state.may(Action.EXPORT_RAW)]:
    st.markdown(f"**{table}** — {t(f'export.about_{table}')}")
    if table == "evidence-map":
        map_options = _evidence_map_options(review)
    options = map_options if table in ("evidence-map", "all") else {}
    columns = st.columns(len(MIME))
    for column, fmt in zip(columns, formats_of(table)):
        reveals = table in REVEALS_LABELS
        column.download_button(
            fmt.upper(),
            exporter(state.project_dir(), viewer, table, fmt, unblind and reveals, options),
            file_name=f"{table}.{fmt}",
            mime=MIME[fmt],
            key=f"export_{table}_{fmt}",
            width="stretch",
            on_click="ignore",
            disabled=locked and reveals,
        )
