"""Importing files into a project: batches, one transaction, refusing repeats, round trips."""

from __future__ import annotations

import csv
import io
import json
import shutil

import pytest

from review.core import Review
from review.errors import ImportFormatError, ReviewError
from review.export.writers import export_table
from review.importers.ris import parse_ris_text
from review.records import batches, import_files, import_uploads, iter_records
from review.screening.blind import Viewer


def _count(db, table):
    return db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def test_each_file_is_a_batch_with_source_hash_and_count(project, data_dir):
    _, db = project
    reports = import_files(db, [data_dir / "import" / "scopus.ris", data_dir / "import" / "pubmed.nbib"])
    assert [(r.source, r.records, r.format) for r in reports] == [("scopus", 2, "ris"), ("pubmed", 2, "medline")]
    stored = batches(db)
    assert [b["n_records"] for b in stored] == [2, 2]
    assert all(len(b["file_hash"]) == 64 for b in stored)
    assert _count(db, "records") == 4


def test_source_option_names_the_database(project, data_dir):
    _, db = project
    import_files(db, [data_dir / "import" / "wos.ris"], source="Web of Science")
    (record,) = iter_records(db)
    assert record["source"] == "Web of Science"


def test_failed_import_changes_nothing(project, data_dir):
    _, db = project
    good, bad = data_dir / "import" / "scopus.ris", data_dir / "import" / "broken_tag_outside.ris"
    with pytest.raises(ImportFormatError, match="line 5"):
        import_files(db, [good, bad])
    assert _count(db, "records") == 0 and _count(db, "batches") == 0


def test_failure_while_writing_rolls_back(project, data_dir, monkeypatch):
    _, db = project
    import review.records as records_module

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(records_module, "_record_row", explode)
    with pytest.raises(RuntimeError):
        import_files(db, [data_dir / "import" / "scopus.ris"])
    assert _count(db, "records") == 0 and _count(db, "batches") == 0


def test_same_file_twice_is_refused_unless_forced(project, data_dir, tmp_path):
    _, db = project
    original = data_dir / "import" / "zotero.ris"
    import_files(db, [original])
    renamed = tmp_path / "renamed.ris"
    shutil.copy(original, renamed)
    with pytest.raises(ReviewError, match="already imported"):
        import_files(db, [renamed])
    import_files(db, [renamed], force=True)
    assert _count(db, "batches") == 2


def test_export_records_csv_contract(project, data_dir):
    project_dir, db = project
    import_files(db, [data_dir / "import" / "endnote.ris"], source="EndNote")
    text = export_table(Review(project_dir, db), Viewer(), "records", "csv", None)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0])[:7] == ["record_id", "source", "source_id", "title", "year", "doi", "duplicate_of"]
    assert [(r["source"], r["source_id"], r["duplicate_of"]) for r in rows] == [
        ("EndNote", "123", ""),
        ("EndNote", "124", ""),
    ]


def test_export_ris_round_trips_every_tag(project, data_dir):
    project_dir, db = project
    files = ["scopus.ris", "wos.ris", "endnote.ris", "zotero.ris"]
    import_files(db, [data_dir / "import" / name for name in files])
    exported = export_table(Review(project_dir, db), Viewer(), "records", "ris", None)
    again, _ = parse_ris_text(exported, "export.ris")
    assert [r.raw for r in again] == [r["raw"] for r in iter_records(db)]


def test_non_ris_records_export_as_ris(project, data_dir):
    project_dir, db = project
    import_files(db, [data_dir / "import" / "pubmed.nbib"])
    again, _ = parse_ris_text(export_table(Review(project_dir, db), Viewer(), "records", "ris", None), "export.ris")
    assert again[0].title.startswith("Cross-sector collaboration")
    assert again[0].doi == "10.1186/s12889-019-7000-1"
    assert again[0].authors == ["Madsen, Lars", "Holm, Sofie"]


def test_cli_import_json_and_errors(cli, project, data_dir):
    project_dir, _ = project
    result = cli("import", project_dir, data_dir / "import" / "scopus.ris", "--source", "Scopus", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["records"] == 2
    again = cli("import", project_dir, data_dir / "import" / "scopus.ris")
    assert again.exit_code == 1
    assert again.output.startswith("Error:") and "--force" in again.output
    broken = cli("import", project_dir, data_dir / "import" / "broken_tag_outside.ris")
    assert broken.exit_code == 1
    assert "broken_tag_outside.ris, line 5" in broken.output
    assert "Traceback" not in broken.output


def test_cli_status_counts_per_source(cli, project, data_dir):
    project_dir, _ = project
    cli("import", project_dir, data_dir / "import" / "scopus.ris", "--source", "Scopus")
    cli("import", project_dir, data_dir / "import" / "pubmed.nbib", "--source", "PubMed")
    status = json.loads(cli("status", project_dir, "--json").output)
    assert status["records_imported"] == 4
    assert status["records_per_source"] == {"PubMed": 2, "Scopus": 2}


def test_a_bad_last_file_leaves_no_batch_no_record_and_no_staging(project, data_dir, tmp_path):
    _, db = project
    bad = tmp_path / "bad.ris"
    bad.write_bytes(b"TY  - JOUR\nTI  - fine\nER  - \n" * 500 + b"AU  - Orphan\nER  - \n")
    files = [data_dir / "import" / "scopus.ris", data_dir / "import" / "embase.csv", bad]
    with pytest.raises(ImportFormatError, match="bad.ris, line 1501"):
        import_files(db, files)
    assert _count(db, "records") == 0 and _count(db, "batches") == 0
    assert not db.conn.in_transaction
    assert db.execute("SELECT COUNT(*) FROM temp.sqlite_master WHERE name = 'import_staging'").fetchone()[0] == 0
    import_files(db, files[:2])  # the same connection imports normally afterwards
    assert _count(db, "batches") == 2


def test_parsing_holds_no_write_lock_on_the_project(project, data_dir, monkeypatch):
    project_dir, db = project
    import sqlite3

    import review.records as records_module
    from review.store import db_path

    real_stream = records_module.stream_bytes
    writes = []

    def stream_while_someone_writes(*args, **kwargs):
        stream = real_stream(*args, **kwargs)
        records = stream.records

        def interleaved():
            for record in records:
                other = sqlite3.connect(db_path(project_dir), timeout=0)  # fails at once if the lock were held
                other.execute("BEGIN IMMEDIATE")
                other.execute("INSERT INTO meta (key, value) VALUES (?, 'x')", [f"writer-{len(writes)}"])
                other.commit()
                other.close()
                writes.append(record.title)
                yield record

        stream.records = interleaved()
        return stream

    monkeypatch.setattr(records_module, "stream_bytes", stream_while_someone_writes)
    import_files(db, [data_dir / "import" / "scopus.ris"])
    assert len(writes) == 2
    assert _count(db, "records") == 2


def test_excel_and_web_of_science_files_import(project, data_dir, tmp_path):
    import openpyxl

    _, db = project
    book = openpyxl.Workbook()
    book.active.append(["Title", "Authors", "Publication Year"])
    book.active.append(["Synthetic record: from Excel", "Hansen, M; Berg, A", 2021])
    workbook = tmp_path / "export.xlsx"
    book.save(workbook)
    reports = import_files(db, [workbook, data_dir / "import" / "wos_plain.txt"])
    assert [(r.format, r.records) for r in reports] == [("xlsx", 1), ("wos", 2)]
    first = next(iter_records(db))
    assert (first["title"], first["authors"], first["year"]) == (
        "Synthetic record: from Excel",
        ["Hansen, M", "Berg, A"],
        2021,
    )


def test_cli_import_sheet_option(cli, project, tmp_path):
    import openpyxl

    project_dir, _ = project
    book = openpyxl.Workbook()
    book.active.append(["About this export"])
    sheet = book.create_sheet("Records")
    sheet.append(["Title", "Year"])
    sheet.append(["Synthetic record: on the second sheet", 2020])
    workbook = tmp_path / "two-sheets.xlsx"
    book.save(workbook)
    refused = cli("import", project_dir, workbook)
    assert refused.exit_code == 1 and "no title column" in refused.output and "--map" in refused.output
    missing = cli("import", project_dir, workbook, "--sheet", "Nope")
    assert missing.exit_code == 1 and "has no sheet 'Nope'" in missing.output and "Traceback" not in missing.output
    result = cli("import", project_dir, workbook, "--sheet", "Records", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["records"] == 1


def test_cli_names_what_is_not_a_file(cli, project, tmp_path):
    project_dir, _ = project
    result = cli("import", project_dir, tmp_path)
    assert result.exit_code == 1
    assert f"{tmp_path}: is a folder, not a file" in result.output and "Traceback" not in result.output


def test_uploads_import_from_memory_and_name_the_upload(project):
    import openpyxl

    _, db = project
    book = openpyxl.Workbook()
    book.active.append(["Title"])
    book.active.append(["Synthetic record: uploaded"])
    content = io.BytesIO()
    book.save(content)
    (report,) = import_uploads(db, [("folder/uploaded.xlsx", content.getvalue())], source="Upload")
    assert (report.file, report.format, report.records) == ("uploaded.xlsx", "xlsx", 1)
    assert batches(db)[0]["file_name"] == "uploaded.xlsx"
    with pytest.raises(ImportFormatError, match=r"^broken\.ris, line 1: tag AU outside a record"):
        import_uploads(db, [("broken.ris", b"AU  - Orphan\nER  - \n")])
