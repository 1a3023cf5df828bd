"""Full texts: matching files to records, copying them safely into the project, text extraction."""

from __future__ import annotations

import json
import os

import pytest
from fpdf import FPDF

from review.errors import ReviewError
from review.fulltext.attach import (
    attach_fulltexts,
    fulltext_path,
    fulltext_text,
    mark_not_retrieved,
    not_retrieved,
    search_fulltexts,
)
from tests.test_prisma import decide, import_ris

RIS = """TY  - JOUR
ID  - S1
TI  - Integrated care for families with complex needs
DO  - 10.1000/abc.1
ER  - 

TY  - JOUR
ID  - S2
TI  - Cross-sector collaboration in municipal social work
ER  - 

TY  - JOUR
ID  - S3
TI  - A randomised trial of case management for frequent service users
ER  - 

TY  - JOUR
ID  - S4
TI  - Something nobody attaches
ER  - 
"""


def make_pdf(path, text: str) -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 8, text)
    pdf.output(str(path))


@pytest.fixture
def records(project, tmp_path):
    project_dir, db = project
    import_ris(db, tmp_path / "hits.ris", RIS)
    decide(db, [1, 2, 3, 4], "ta", "include")
    return project_dir, db


@pytest.fixture
def source(tmp_path):
    """The folder full texts are attached from."""
    folder = tmp_path / "pdfs"
    folder.mkdir()
    return folder


def test_attach_matches_by_doi_id_source_id_and_title(records, source):
    project_dir, db = records
    make_pdf(source / "10.1000_abc.1.pdf", "Families with complex needs were interviewed.")
    make_pdf(source / "record-2.pdf", "Municipal social work text.")
    (source / "S3.txt").write_text("Plain text of the trial.", encoding="utf-8")
    make_pdf(source / "Unrelated paper.pdf", "Nothing to do with the review.")
    (source / "notes.docx").write_text("not a full text", encoding="utf-8")

    report = attach_fulltexts(db, project_dir, source)

    assert sorted(report.matched) == [(1, "10.1000_abc.1.pdf"), (2, "record-2.pdf"), (3, "S3.txt")]
    assert report.unmatched_files == ["Unrelated paper.pdf"]
    assert [name for name, _ in report.skipped] == ["notes.docx"]
    assert report.records_without_file == [4]
    assert "complex needs" in fulltext_text(db, 1)
    assert fulltext_text(db, 3) == "Plain text of the trial."
    assert fulltext_path(db, project_dir, 1) == (project_dir / "fulltexts" / "1.pdf").resolve()
    assert (project_dir / "fulltexts" / "3.txt").is_file()
    again = attach_fulltexts(db, project_dir, project_dir / "fulltexts")
    assert sorted(again.matched) == [(1, "1.pdf"), (2, "2.pdf"), (3, "3.txt")]
    assert "complex needs" in fulltext_text(db, 1)
    assert db.execute("SELECT n_pages FROM fulltexts WHERE record_id = 1").fetchone()[0] == 1


def test_title_match_and_prefix_of_a_long_title(records, source):
    project_dir, db = records
    make_pdf(source / "Cross-sector collaboration in municipal social work.pdf", "x")
    make_pdf(source / "A randomised trial of case management.pdf", "y")
    report = attach_fulltexts(db, project_dir, source)
    assert sorted(report.matched) == [
        (2, "Cross-sector collaboration in municipal social work.pdf"),
        (3, "A randomised trial of case management.pdf"),
    ]


def test_file_names_never_become_paths(records, source, tmp_path):
    project_dir, db = records
    make_pdf(source / "..%2f..%2fevil.pdf", "evil")
    make_pdf(source / "10.1000%2fabc.1.pdf", "encoded doi")
    before = set(tmp_path.rglob("*"))

    report = attach_fulltexts(db, project_dir, source)

    assert report.matched == [(1, "10.1000%2fabc.1.pdf")]
    assert report.unmatched_files == ["..%2f..%2fevil.pdf"]
    created = set(tmp_path.rglob("*")) - before
    assert all(path.resolve().is_relative_to(project_dir.resolve()) for path in created)
    assert [path.parent for path in tmp_path.rglob("*evil*")] == [source]


def test_symlink_pointing_outside_the_folder_is_skipped(records, source, tmp_path):
    project_dir, db = records
    outside = tmp_path / "secret.pdf"
    make_pdf(outside, "secret")
    os.symlink(outside, source / "record-1.pdf")
    inside = source / "real.pdf"
    make_pdf(inside, "inside the folder")
    os.symlink(inside, source / "record-2.pdf")

    report = attach_fulltexts(db, project_dir, source)

    assert report.skipped == [("record-1.pdf", "link pointing outside the folder")]
    assert (2, "record-2.pdf") in report.matched
    assert fulltext_path(db, project_dir, 1) is None


def test_unreadable_pdf_is_attached_with_a_warning(records, source):
    project_dir, db = records
    (source / "record-1.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    report = attach_fulltexts(db, project_dir, source)
    assert report.matched == [(1, "record-1.pdf")]
    assert report.warnings and "record-1.pdf" in report.warnings[0]
    assert fulltext_text(db, 1) is None


def test_not_retrieved_needs_a_reason_and_a_record(records):
    _, db = records
    with pytest.raises(ReviewError, match="reason"):
        mark_not_retrieved(db, 1, "  ")
    with pytest.raises(ReviewError, match="no record"):
        mark_not_retrieved(db, 99, "gone")
    decide(db, [3], "ft", "include")
    with pytest.raises(ReviewError, match="was assessed at full text"):
        mark_not_retrieved(db, 3, "gone")
    mark_not_retrieved(db, 2, "Not held by any library")
    assert not_retrieved(db) == {2: "Not held by any library"}
    assert fulltext_text(db, 2) is None


def test_stored_path_outside_the_project_is_refused(records):
    project_dir, db = records
    db.execute(
        "INSERT INTO fulltexts (record_id, status, file_name, updated_at) "
        "VALUES (1, 'retrieved', '../../etc/passwd', 'now')"
    )
    with pytest.raises(ReviewError, match="outside the project"):
        fulltext_path(db, project_dir, 1)


def test_cli_attach_and_not_retrieved(records, source, tmp_path, cli):
    project_dir, db = records
    make_pdf(source / "record-1.pdf", "one")
    result = cli("attach", project_dir, "--dir", source, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["matched"] == [[1, "record-1.pdf"]]
    assert report["records_without_file"] == [2, 3, 4]
    result = cli("not-retrieved", project_dir, 4, "--reason", "Paywalled")
    assert result.exit_code == 0, result.output
    result = cli("attach", project_dir, "--dir", tmp_path / "missing")
    assert result.exit_code == 1
    assert "no such folder" in result.output


def test_search_finds_records_with_every_word(records, source, cli):
    project_dir, db = records
    make_pdf(source / "record-1.pdf", "Families with COMPLEX needs met case managers.")
    (source / "record-2.txt").write_text("Sektorsamarbejde om borgere med komplekse behov.", encoding="utf-8")
    attach_fulltexts(db, project_dir, source)
    assert [hit[0] for hit in search_fulltexts(db, "complex needs")] == [1]
    assert search_fulltexts(db, "KOMPLEKSE borgere")[0][0] == 2
    assert "komplekse behov" in search_fulltexts(db, "komplekse")[0][1]
    assert search_fulltexts(db, "complex trial") == []
    with pytest.raises(ReviewError, match="at least one word"):
        search_fulltexts(db, "  ")
    result = cli("search-fulltext", project_dir, "needs", "--json")
    assert [hit["record_id"] for hit in json.loads(result.output)] == [1]
