"""Exports of the coded tables, decisions and records in CSV, Excel, JSON and RIS."""

from __future__ import annotations

import csv
import io
import json

import pytest
import yaml
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from review.coding.codes import import_codes, set_code
from review.errors import ReviewError
from review.export.writers import EXCEL_CELL_LIMIT, ExportWarning, export_table, neutralise_formula, write_csv
from review.screening.blind import Viewer
from tests.test_coding import CODING, seed_project  # noqa: F401  (fixture)

TABLES = ["included", "codes", "evidence-map", "decisions", "records"]


@pytest.fixture
def coded(seed_project):  # noqa: F811
    project_dir, db, protocol = seed_project
    import_codes(db, CODING / "codes.csv")
    return project_dir, db, protocol


ALL = Viewer("coordinator", unblinded=True)


def _csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("value", ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_neutralise_formula(value):
    assert neutralise_formula(value) == "'" + value
    assert neutralise_formula("plain =1") == "plain =1"
    assert neutralise_formula(-3) == -3


def test_included_csv_is_the_wide_coded_table(coded, cli):
    project_dir, _, protocol = coded
    result = cli("export", project_dir, "--table", "included", "--format", "csv", "-o", "-", "--coder", "anna")
    assert result.exit_code == 0, result.output
    rows = _csv(result.output)
    assert list(rows[0])[:4] == ["study", "record_ids", "title", "year"]
    assert list(rows[0])[4:] == [d.key for d in protocol.codebook.dimensions] + ["unreconciled"]
    assert [row["study"] for row in rows] == ["furesoe", "record-3"]
    assert rows[0]["roles"] == "Cross-sector case worker with authority in several areas; Company consultant"
    assert rows[0]["sample-size"] == "120"
    assert rows[1]["title"].startswith("'=HYPERLINK(")  # formula injection neutralised


def test_codes_csv_and_json(coded, cli):
    project_dir, _, _ = coded
    rows = _csv(cli("export", project_dir, "--table", "codes", "--format", "csv", "-o", "-").output)
    assert list(rows[0])[:4] == ["study", "dimension", "value", "coder"]
    assert {"study": "record-3", "dimension": "country", "value": "no", "coder": "bo"}.items() <= next(
        row for row in rows if row["coder"] == "bo" and row["dimension"] == "country" and row["study"] == "record-3"
    ).items()
    data = json.loads(cli("export", project_dir, "--table", "codes", "--format", "json", "-o", "-").output)
    assert len(data) == len(rows)


def test_evidence_map_default_and_chosen_dimensions(coded, cli):
    project_dir, _, _ = coded
    rows = _csv(cli("export", project_dir, "--table", "evidence-map", "-o", "-", "--coder", "anna").output)
    assert list(rows[0])[0] == "Roles \\ Outcomes for citizens"
    pairs = {row["Roles \\ Outcomes for citizens"]: row for row in rows}
    assert pairs["Company consultant"]["Employment and education"] == "1"
    other = _csv(
        cli("export", project_dir, "--table", "evidence-map", "--rows", "country", "--cols", "roles", "-o", "-").output
    )
    denmark = next(row for row in other if row["Country \\ Roles"] == "Denmark")
    assert denmark["studies"] == "1"  # furesoe; record-3's country is unreconciled (anna dk, bo no), so in no cell
    error = cli("export", project_dir, "--table", "evidence-map", "--rows", "nope", "--cols", "roles", "-o", "-")
    assert error.exit_code == 1 and "unknown codebook dimension 'nope'" in error.output


def test_decisions_with_reason_labels(coded, cli):
    project_dir, _, _ = coded
    rows = _csv(cli("export", project_dir, "--table", "decisions", "-o", "-").output)
    assert len(rows) == 9
    excluded = next(row for row in rows if row["stage"] == "ft" and row["label"] == "exclude")
    assert excluded["reason"] == "coordination-only"
    assert excluded["reason_label"] == "Coordination only, not committed collaboration"
    assert excluded["source_id"] == "koordinering"


def test_records_keep_the_contract_columns(coded, cli):
    project_dir, _, _ = coded
    text = cli("export", project_dir, "--table", "records", "--format", "csv", "-o", "-").output
    assert text.splitlines()[0].startswith("record_id,source,source_id,title,year,doi,duplicate_of")


def test_included_as_ris(coded, cli):
    project_dir, _, _ = coded
    text = cli("export", project_dir, "--table", "included", "--format", "ris", "-o", "-").output
    ids = [line.split("-", 1)[1].strip() for line in text.splitlines() if line.startswith("ID  -")]
    assert ids == ["furesoe-a", "furesoe-b", "favrskov"]
    assert "TI  - =HYPERLINK(" in text  # RIS is not a spreadsheet: titles stay verbatim


def test_xlsx_all_sheets_frozen_filtered_and_safe(coded, cli, tmp_path):
    project_dir, db, protocol = coded
    set_code(db, "furesoe", "notes", "=cmd|' /C calc'!A0", "anna", note="@SUM(1+1)")
    out = tmp_path / "coded.xlsx"
    result = cli("export", project_dir, "--table", "all", "--format", "xlsx", "-o", out, "--coder", "anna")
    assert result.exit_code == 0, result.output
    workbook = load_workbook(out)
    assert workbook.sheetnames == TABLES
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == sheet.dimensions
    included = workbook["included"]
    header = [cell.value for cell in included[1]]
    furesoe = dict(zip(header, [cell.value for cell in included[2]]))
    assert furesoe["study"] == "furesoe"
    assert furesoe["sample-size"] == 120
    assert furesoe["country"] == "Denmark"
    assert furesoe["notes"] == "'=cmd|' /C calc'!A0"
    title = included.cell(row=3, column=header.index("title") + 1)
    assert title.data_type == "s" and title.value.startswith("'=HYPERLINK(")
    assert all(cell.data_type != "f" for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row)
    notes = [row for row in workbook["codes"].iter_rows(values_only=True) if row[1] == "notes"]
    assert notes[0][2] == "'=cmd|' /C calc'!A0" and notes[0][4] == "'@SUM(1+1)"
    assert [row[0] for row in workbook["evidence-map"].iter_rows(min_row=2, max_row=3, values_only=True)] == [
        "Family coordinator or one contact person",
        "Cross-sector case worker with authority in several areas",
    ]
    assert workbook["included"].column_dimensions["A"].width >= 10


def test_single_table_xlsx_and_csv_injection(coded, tmp_path):
    _, db, protocol = coded
    set_code(db, "record-3", "notes", "+1-1", "anna")
    path = tmp_path / "included.xlsx"
    export_table(db, ALL, "included", "xlsx", path, coder="anna")
    sheet = load_workbook(path)["included"]
    assert sheet.freeze_panes == "A2"
    column = [cell.value for cell in sheet[1]].index("notes")
    assert sheet.cell(row=3, column=column + 1).value == "'+1-1"
    rows = _csv(export_table(db, ALL, "included", "csv", None, coder="anna"))
    assert rows[1]["notes"] == "'+1-1"


def test_all_as_json(coded):
    _, db, _ = coded
    data = json.loads(export_table(db, ALL, "all", "json", None))
    assert list(data) == TABLES
    assert data["included"][0]["study"] == "furesoe"


def test_default_output_is_exports_folder(coded, cli, tmp_path, monkeypatch):
    project_dir, _, _ = coded
    monkeypatch.chdir(tmp_path)
    result = cli("export", project_dir, "--table", "included", "--format", "xlsx")
    assert result.exit_code == 0
    assert (tmp_path / "exports" / "included.xlsx").is_file()
    result = cli("export", project_dir, "--table", "all", "--format", "csv")
    assert "Wrote 5 files to exports" in result.output
    assert sorted(p.name for p in (tmp_path / "exports").glob("*.csv")) == sorted(f"{t}.csv" for t in TABLES)
    included = _csv((tmp_path / "exports" / "included.csv").read_text(encoding="utf-8"))
    assert included[1]["title"].startswith("'=HYPERLINK(")


@pytest.mark.parametrize("command", ["export", "code", "import-codes", "codes", "coding-agreement"])
def test_commands_have_help_with_example(cli, command):
    result = cli(command, "--help")
    assert result.exit_code == 0 and "Example:" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--table", "codes", "--format", "ris"], "table 'codes' cannot be exported as ris"),
        (["--table", "all", "--format", "ris"], "all tables export as xlsx, json or csv"),
        (["--table", "included", "--format", "xlsx", "-o", "-"], "an Excel workbook cannot go to stdout"),
        (["--table", "all", "--format", "csv", "-o", "-"], "a folder of CSV files cannot go to stdout"),
        (["--table", "records", "--rows", "roles"], "option rows does not apply to table 'records'"),
        (["--table", "included", "--format", "pdf"], "unknown format 'pdf'"),
        (["--table", "studies"], "unknown table 'studies' (known: included, codes, evidence-map"),
        (["--table", "evidence-map", "--rows", "notes", "--cols", "roles"], "evidence maps need choice dimensions"),
    ],
)
def test_nonsense_combinations_are_clear_errors(coded, cli, args, message):
    project_dir, _, _ = coded
    result = cli("export", project_dir, *args)
    assert result.exit_code == 1
    assert f"Error: {message}" in result.output


def test_export_table_rejects_unknown_table(coded):
    _, db, _ = coded
    with pytest.raises(ReviewError, match="unknown table"):
        export_table(db, ALL, "nope", "csv", None)


def test_csv_header_cells_are_neutralised_like_data_cells():
    text = write_csv(["study", "@SUM(1+1)", "=cmd|' /C calc'!A0"], [["a", "=1+1", "x"]], None)
    assert next(csv.reader(io.StringIO(text))) == ["study", "'@SUM(1+1)", "'=cmd|' /C calc'!A0"]


def test_a_codebook_label_that_looks_like_a_formula_is_neutralised_in_the_evidence_map_header(coded, cli, tmp_path):
    project_dir, db, protocol = coded
    data = json.loads(protocol.model_dump_json(by_alias=True, exclude_none=True))
    outcomes = next(d for d in data["codebook"]["dimensions"] if d["key"] == "citizen-outcomes")
    next(v for v in outcomes["values"] if v["label"]["en"] == "Employment and education")["label"]["en"] = "@SUM(1+1)"
    db.store_protocol(yaml.safe_dump(data, allow_unicode=True), "formula-label.yaml")
    text = cli("export", project_dir, "--table", "evidence-map", "-o", "-", "--coder", "anna").output
    header = next(csv.reader(io.StringIO(text)))
    assert "'@SUM(1+1)" in header and "@SUM(1+1)" not in header
    out = tmp_path / "map.xlsx"
    assert cli("export", project_dir, "--table", "evidence-map", "--format", "xlsx", "-o", out).exit_code == 0
    assert "'@SUM(1+1)" in [cell.value for cell in load_workbook(out)["evidence-map"][1]]


def test_text_too_long_for_an_excel_cell_is_cut_with_a_marker_and_a_warning(coded, cli, tmp_path):
    project_dir, db, protocol = coded
    set_code(db, "furesoe", "notes", "n" * 40_000, "anna")
    set_code(db, "record-3", "notes", "\N{GRINNING FACE}" * 20_000, "anna")  # 40,000 UTF-16 units
    out = tmp_path / "long.xlsx"
    notes: list[str] = []

    export_table(db, ALL, "included", "xlsx", out, on_warning=notes.append, coder="anna")

    sheet = load_workbook(out)["included"]
    column = [cell.value for cell in sheet[1]].index("notes") + 1
    cut = [sheet.cell(row=row, column=column).value for row in (2, 3)]
    assert all(len(value.encode("utf-16-le")) // 2 <= EXCEL_CELL_LIMIT for value in cut)
    assert cut[0].startswith("nnn") and cut[0].endswith("the CSV or JSON export has the full text]")
    assert "[CUT: 40,000 characters do not fit in an Excel cell" in cut[0]
    assert cut[1].startswith("\N{GRINNING FACE}") and "[CUT: 40,000" in cut[1]
    letter = get_column_letter(column)
    assert notes == [
        f"sheet 'included': 2 cell(s) longer than Excel's 32,767 characters were cut and marked [CUT: ...] "
        f"({letter}2, {letter}3); the CSV or JSON export has the full text"
    ]
    assert _csv(export_table(db, ALL, "included", "csv", None, coder="anna"))[0]["notes"] == "n" * 40_000

    with pytest.warns(ExportWarning, match="sheet 'included': 2 cell"):
        export_table(db, ALL, "included", "xlsx", out, coder="anna")
    result = cli("export", project_dir, "--table", "all", "--format", "xlsx", "-o", out)
    assert result.exit_code == 0
    assert "Warning: sheet 'included': 2 cell(s)" in result.output
    assert "Warning: sheet 'codes': 2 cell(s)" in result.output


def test_text_that_fits_an_excel_cell_is_kept_whole(coded, tmp_path):
    _, db, protocol = coded
    set_code(db, "furesoe", "notes", "n" * EXCEL_CELL_LIMIT, "anna")
    out = tmp_path / "fits.xlsx"
    export_table(db, ALL, "included", "xlsx", out, on_warning=pytest.fail, coder="anna")
    sheet = load_workbook(out)["included"]
    column = [cell.value for cell in sheet[1]].index("notes") + 1
    assert sheet.cell(row=2, column=column).value == "n" * EXCEL_CELL_LIMIT
