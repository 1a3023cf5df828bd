"""Import page: upload exports (naming a table's columns when they are not recognised), find duplicates as a dry
run, merge, undo a merge run, and decide uncertain pairs with both records side by side."""

import streamlit as st

from review.dedupe import dedupe_runs, duplicate_count, uncertain_pairs
from review.errors import ImportFormatError, Remedy, ReviewError
from review.records import batches
from review.roles import Action
from review.webapp import state
from review.webapp.i18n import t
from review.webapp.tables import number, plain, when

UPLOAD_TYPES = ["ris", "txt", "csv", "tsv", "nbib", "medline", "xlsx", "ciw"]
MAPPED_FIELDS = ("title", "abstract", "authors", "year", "doi", "journal", "keywords")

st.title(t("import.title"))
review = state.require_project()
state.require_permission(Action.IMPORT, t("login.leads_import"))
db = review.db


def _flash(kind: str, text: str) -> None:
    st.session_state.setdefault("import_flash", []).append((kind, text))


def _import(uploads: list[tuple[str, bytes]], mapping: dict[str, str] | None = None) -> None:
    source, force = st.session_state.get("import_source", "").strip() or None, st.session_state.get("import_force")
    try:
        reports = review.import_uploads(uploads, source=source, force=bool(force), mapping=mapping)
    except ImportFormatError as error:
        if error.remedy is Remedy.MAP_COLUMNS and error.columns:
            st.session_state["import_mapping"] = (uploads, error.columns, str(error))
            return
        _flash("error", str(error))
        return
    except ReviewError as error:
        _flash("error", str(error) + (" " + t("import.force_hint") if error.remedy is Remedy.IMPORT_AGAIN else ""))
        return
    st.session_state.pop("import_mapping", None)
    for report in reports:
        key = "import.imported_one" if report.records == 1 else "import.imported"
        _flash("success", t(key, file=report.file, n=report.records, source=report.source, format=report.format))
        for warning in report.warnings:
            _flash("warning", warning)


def _upload_submitted() -> None:
    files = st.session_state.get("import_files") or []
    if files:
        _import([(file.name, file.getvalue()) for file in files])
    else:
        _flash("warning", t("import.no_files"))


def _upload_form() -> None:
    with st.form("import", clear_on_submit=True):
        st.file_uploader(t("import.files"), accept_multiple_files=True, type=UPLOAD_TYPES, key="import_files")
        st.text_input(t("import.source"), placeholder=t("import.source_placeholder"), key="import_source")
        st.checkbox(t("import.force"), key="import_force")
        st.form_submit_button(t("import.submit"), type="primary", on_click=_upload_submitted)


def _mapping_form() -> None:
    uploads, columns, problem = st.session_state["import_mapping"]
    with st.container(border=True):
        st.warning(t("import.map_problem", problem=problem))
        picks = st.columns(4)
        for index, field in enumerate(MAPPED_FIELDS):
            picks[index % 4].selectbox(t(f"import.field_{field}"), columns, index=None, key=f"map_{field}",
                                       placeholder=t("import.not_in_file"))  # fmt: skip
        buttons = st.columns(2)
        buttons[0].button(t("import.map_submit"), type="primary", on_click=_import_mapped, key="import_mapped")
        buttons[1].button(t("import.map_cancel"), on_click=st.session_state.pop, args=("import_mapping", None))


def _import_mapped() -> None:
    uploads = st.session_state["import_mapping"][0]
    mapping = {
        field: st.session_state[f"map_{field}"] for field in MAPPED_FIELDS if st.session_state.get(f"map_{field}")
    }
    if "title" not in mapping:
        _flash("error", t("import.map_title"))
        return
    _import(uploads, mapping)


def _batches() -> None:
    rows = batches(db)
    if not rows:
        st.caption(t("import.nothing"))
        return
    st.dataframe(
        [
            {
                t("import.col_batch"): row["batch_id"],
                t("import.col_file"): row["file_name"],
                t("import.col_source"): row["source"],
                t("import.col_format"): row["format"].upper(),
                t("import.col_records"): row["n_records"],
                t("import.col_when"): when(row["imported_at"]),
            }
            for row in rows
        ],
        hide_index=True,
        width="stretch",
    )


def _dry_run() -> None:
    with st.spinner(t("import.finding")):
        st.session_state["dedupe_result"] = review.find_duplicates()


def _merge() -> None:
    result = st.session_state.pop("dedupe_result", None)
    if result is None:
        return
    try:
        run_id = review.apply_dedupe(result)
    except ReviewError as error:
        _flash("error", str(error))
    else:
        _flash("success", t("import.merged", run=run_id, n=duplicate_count(db)))


def _undo_run(run_id: int) -> None:
    try:
        restored = review.undo_dedupe(run_id)
    except ReviewError as error:
        _flash("error", str(error))
    else:
        _flash("success", t("import.undone", run=run_id, n=restored))


def _titles(record_ids: set[int]) -> dict[int, str]:
    return {record.record_id: record.title or "" for record in review.records(
        "record_id IN (SELECT value FROM json_each(?))", [str(sorted(record_ids))])}  # fmt: skip


def _dry_run_result() -> None:
    result = st.session_state.get("dedupe_result")
    if result is None:
        return
    merges = result.merge_pairs
    with st.container(border=True, key="dedupe_dry_run"):
        st.markdown(t("import.dry_run_summary", merge=len(merges), uncertain=len(result.uncertain_pairs),
                      after=result.n_duplicates))  # fmt: skip
        titles = _titles({pair.record_id for pair in merges[:200]} | {pair.duplicate_of for pair in merges[:200]})
        if merges:
            st.dataframe(
                [
                    {
                        t("import.col_record"): pair.record_id,
                        t("import.col_title"): titles.get(pair.record_id, ""),
                        t("import.col_into"): pair.duplicate_of,
                        t("import.col_into_title"): titles.get(pair.duplicate_of, ""),
                        t("import.col_method"): pair.method,
                        t("import.col_score"): f"{pair.score:.2f}",
                    }
                    for pair in merges[:200]
                ],  # fmt: skip
                hide_index=True,
                width="stretch",
            )
        buttons = st.columns(2)
        buttons[0].button(t("import.merge"), type="primary", on_click=_merge, key="dedupe_merge",
                          disabled=not result.pairs)  # fmt: skip
        buttons[1].button(t("import.discard"), on_click=st.session_state.pop, args=("dedupe_result", None))


def _runs() -> None:
    runs = dedupe_runs(db)
    if not runs:
        return
    st.markdown(f"**{t('import.runs')}**")
    for run in runs:
        columns = st.columns([4, 1])
        status = t("import.run_undone", when=when(run["undone_at"])) if run["undone_at"] else ""
        columns[0].caption(t("import.run_line", run=run["run_id"], when=when(run["created_at"]), merged=run["n_merged"],
                             uncertain=run["n_uncertain"]) + status)  # fmt: skip
        if not run["undone_at"] and state.may(Action.DEDUPE):
            columns[1].button(t("import.undo_run", run=run["run_id"]), key=f"undo_run_{run['run_id']}",
                              on_click=_undo_run, args=(run["run_id"],))  # fmt: skip


def _resolve(pair_ids: list[int], merge: bool) -> None:
    done = 0
    try:
        for pair_id in pair_ids:
            review.resolve_duplicate(pair_id, merge, state.reviewer())
            done += 1
    except ReviewError as error:
        _flash("error", str(error))
    if done:
        _flash("success", t("import.resolved_merge" if merge else "import.resolved_apart", n=done))


def _selected_apart() -> None:
    picked = [int(key.removeprefix("pick_")) for key, value in st.session_state.items()
              if str(key).startswith("pick_") and value]  # fmt: skip
    if not picked:
        _flash("warning", t("import.none_selected"))
        return
    _resolve(sorted(picked), merge=False)
    for pair_id in picked:
        st.session_state.pop(f"pick_{pair_id}", None)


def _side(column, record: dict) -> None:
    column.markdown(f"**{plain(record['title']) or t('import.no_title')}**")
    parts = (
        "; ".join(record["authors"] or []),
        number(record["year"]),
        record["journal"],
        record["doi"],
        record["source"],
    )
    column.caption(" · ".join(str(part) for part in parts if part))
    with column.container(height=160):
        st.text(record.get("abstract") or t("import.no_abstract"))


def _pairs() -> None:
    pairs = uncertain_pairs(db)
    st.caption(t("import.pairs_one") if len(pairs) == 1 else t("import.pairs", n=len(pairs)))
    if not pairs:
        return
    name = state.reviewer()
    if not name:
        st.warning(t("import.need_name"))
    allowed = bool(name) and state.may(Action.DEDUPE)
    for pair in pairs:
        pair_id = pair["pair_id"]
        with st.container(border=True, key=f"pair_{pair_id}"):
            score = f" ({t('import.score')} {pair['score']:.2f})" if pair["score"] else ""
            st.caption(t("import.evidence") + "; ".join(pair["evidence"]) + score)
            sides = st.columns(2)
            for column, record in zip(sides, (pair["record"], pair["other"])):
                _side(column, record)
            buttons = st.columns([1, 1, 2])
            buttons[0].button(t("import.same"), key=f"merge_{pair_id}", on_click=_resolve, args=([pair_id], True),
                              disabled=not allowed)  # fmt: skip
            buttons[1].button(t("import.different"), key=f"keep_{pair_id}", on_click=_resolve,
                              args=([pair_id], False), disabled=not allowed)  # fmt: skip
            buttons[2].checkbox(t("import.select"), key=f"pick_{pair_id}", disabled=not allowed)
    st.button(t("import.different_selected"), key="keep_selected", on_click=_selected_apart, disabled=not allowed)


def _duplicates() -> None:
    st.subheader(t("import.duplicates"))
    if state.may(Action.DEDUPE):
        st.button(t("import.find"), key="find_duplicates", on_click=_dry_run, help=t("import.find_help"))
        _dry_run_result()
    _runs()
    _pairs()


st.session_state.setdefault("import_flash", [])
for kind, text in st.session_state.pop("import_flash"):
    getattr(st, kind)(text)
_upload_form()
if "import_mapping" in st.session_state:
    _mapping_form()
st.subheader(t("import.batches"))
_batches()
_duplicates()
