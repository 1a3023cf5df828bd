"""Full texts: matching files to records, copying them safely into the project, text extraction, bad files."""

from __future__ import annotations

import io
import json
import os
import re

import pytest
import sqlite_utils
from fpdf import FPDF
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfWriter
from pypdf.errors import DependencyError, LimitReachedError

from review.errors import ReviewError
from review.fulltext.attach import (
    attach_fulltexts,
    confirm_fulltexts,
    fulltext_path,
    fulltext_text,
    mark_not_retrieved,
    not_retrieved,
    read_fulltext,
    search_fulltexts,
    unreadable_fulltexts,
)
from review.prisma.counts import prisma_counts
from review.types import FulltextStatus
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
def records(review, tmp_path):
    import_ris(review, tmp_path / "hits.ris", RIS)
    decide(review, [1, 2, 3, 4], "ta", "include")
    return review.folder, review


@pytest.fixture
def source(tmp_path):
    """The folder full texts are attached from."""
    folder = tmp_path / "pdfs"
    folder.mkdir()
    return folder


def test_attach_matches_by_doi_id_source_id_and_title(records, source):
    project_dir, review = records
    db = review.db
    make_pdf(source / "10.1000_abc.1.pdf", "Families with complex needs were interviewed.")
    make_pdf(source / "record-2.pdf", "Municipal social work text.")
    (source / "S3.txt").write_text("Plain text of the trial.", encoding="utf-8")
    make_pdf(source / "Unrelated paper.pdf", "Nothing to do with the review.")
    (source / "notes.docx").write_text("not a full text", encoding="utf-8")

    report = attach_fulltexts(review, source)

    assert sorted(report.matched) == [(1, "10.1000_abc.1.pdf"), (2, "record-2.pdf"), (3, "S3.txt")]
    assert report.unmatched_files == ["Unrelated paper.pdf"]
    assert [name for name, _ in report.skipped] == ["notes.docx"]
    assert report.records_without_file == [4]
    assert "complex needs" in fulltext_text(db, 1)
    assert fulltext_text(db, 3) == "Plain text of the trial."
    assert fulltext_path(db, project_dir, 1) == (project_dir / "fulltexts" / "1.pdf").resolve()
    assert (project_dir / "fulltexts" / "3.txt").is_file()
    again = attach_fulltexts(review, project_dir / "fulltexts")
    assert sorted(again.matched) == [(1, "1.pdf"), (2, "2.pdf"), (3, "3.txt")]
    assert "complex needs" in fulltext_text(db, 1)
    assert db.execute("SELECT n_pages FROM fulltexts WHERE record_id = 1").fetchone()[0] == 1


def test_title_match_and_prefix_of_a_long_title(records, source):
    project_dir, review = records

    make_pdf(source / "Cross-sector collaboration in municipal social work.pdf", "x")
    make_pdf(source / "A randomised trial of case management.pdf", "y")
    report = attach_fulltexts(review, source)
    assert sorted(report.matched) == [
        (2, "Cross-sector collaboration in municipal social work.pdf"),
        (3, "A randomised trial of case management.pdf"),
    ]


def test_file_names_never_become_paths(records, source, tmp_path):
    project_dir, review = records

    make_pdf(source / "..%2f..%2fevil.pdf", "evil")
    make_pdf(source / "10.1000%2fabc.1.pdf", "encoded doi")
    before = set(tmp_path.rglob("*"))

    report = attach_fulltexts(review, source)

    assert report.matched == [(1, "10.1000%2fabc.1.pdf")]
    assert report.unmatched_files == ["..%2f..%2fevil.pdf"]
    created = set(tmp_path.rglob("*")) - before
    assert all(path.resolve().is_relative_to(project_dir.resolve()) for path in created)
    assert [path.parent for path in tmp_path.rglob("*evil*")] == [source]


def test_symlink_pointing_outside_the_folder_is_skipped(records, source, tmp_path):
    project_dir, review = records
    db = review.db
    outside = tmp_path / "secret.pdf"
    make_pdf(outside, "secret")
    os.symlink(outside, source / "record-1.pdf")
    inside = source / "real.pdf"
    make_pdf(inside, "inside the folder")
    os.symlink(inside, source / "record-2.pdf")

    report = attach_fulltexts(review, source)

    assert report.skipped == [("record-1.pdf", "link pointing outside the folder")]
    assert (2, "record-2.pdf") in report.matched
    assert fulltext_path(db, project_dir, 1) is None


def pdf_bytes(*pages: str) -> bytes:
    pdf = FPDF()
    for text in pages:
        pdf.add_page()
        pdf.set_font("Helvetica", size=12)
        pdf.multi_cell(0, 8, text)
    return bytes(pdf.output())


def encrypted_pdf(path, text: str, user_password: str) -> None:
    """AES-256, as publishers ship them: usually no password to open, an owner password to edit."""
    writer = PdfWriter(clone_from=io.BytesIO(pdf_bytes(text)))
    writer.encrypt(user_password=user_password, owner_password="publisher", algorithm="AES-256")
    with path.open("wb") as out:
        writer.write(out)


BROKEN_PDFS = {
    "empty": (b"", "is empty"),
    "not-a-pdf": (b"%PDF-1.4 this is not really a pdf", "is not a readable PDF"),
    # pypdf's LimitReachedError: the cross-reference table declares more entries than the file can hold
    "xref-limit": (re.sub(rb"xref\n0 \d+", b"xref\n0 99999999", pdf_bytes("text")), "exceeds allowed limit"),
    # every page's content stream names a filter pypdf does not know (NotImplementedError)
    "bad-filter": (pdf_bytes("one", "two").replace(b"/FlateDecode", b"/FlateDecodX"), "none of whose pages"),
}


@pytest.mark.parametrize("kind", sorted(BROKEN_PDFS))
def test_broken_pdf_is_flagged_unreadable_in_one_line_and_the_others_proceed(records, source, kind, caplog):
    project_dir, review = records
    db = review.db
    data, problem = BROKEN_PDFS[kind]
    (source / "record-1.pdf").write_bytes(data)
    make_pdf(source / "record-2.pdf", "A readable full text.")

    report = attach_fulltexts(review, source)

    assert report.matched == [(1, "record-1.pdf"), (2, "record-2.pdf")]
    [(record_id, name, why)] = report.unreadable
    assert (record_id, name) == (1, "record-1.pdf") and problem in why and "\n" not in why
    assert report.warnings == []
    assert unreadable_fulltexts(db) == {1: f"record-1.pdf {why}"}
    assert fulltext_text(db, 1) is None and fulltext_path(db, project_dir, 1) is None
    assert report.records_without_file == [1, 3, 4]  # an unreadable file is not a retrieved report
    assert "readable full text" in fulltext_text(db, 2)
    assert [record.name for record in caplog.records if record.name.startswith("pypdf")] == []  # no repair log


@pytest.mark.parametrize("error", [AssertionError, LimitReachedError, RecursionError, TypeError, DependencyError])
def test_any_exception_from_pypdf_flags_the_file_and_never_stops_the_run(records, source, monkeypatch, error):
    project_dir, review = records
    db = review.db
    make_pdf(source / "record-1.pdf", "pypdf chokes on this one")
    (source / "record-2.txt").write_text("Plain text survives.", encoding="utf-8")

    def choke(self, stream, *args, **kwargs):
        raise error("damaged\nacross lines")

    monkeypatch.setattr("pypdf.PdfReader.__init__", choke)
    report = attach_fulltexts(review, source)
    assert report.unreadable == [(1, "record-1.pdf", "is not a readable PDF (damaged across lines)")]
    assert fulltext_text(db, 2) == "Plain text survives."


def test_partly_damaged_pdf_keeps_the_text_of_its_readable_pages(records, source):
    project_dir, review = records
    db = review.db
    damaged = pdf_bytes("first page", "second page about families").replace(b"/FlateDecode", b"/FlateDecodX", 1)
    (source / "record-1.pdf").write_bytes(damaged)
    report = attach_fulltexts(review, source)
    assert report.unreadable == []
    assert report.warnings == ["record-1.pdf has pages whose text cannot be extracted: 1"]
    assert fulltext_text(db, 1) == "second page about families"


def test_aes_encrypted_pdfs_are_retrieved(records, source):
    project_dir, review = records
    db = review.db
    encrypted_pdf(source / "record-1.pdf", "Families with complex needs, encrypted.", user_password="")
    encrypted_pdf(source / "record-2.pdf", "Behind a password.", user_password="secret")

    report = attach_fulltexts(review, source)

    assert report.matched == [(1, "record-1.pdf"), (2, "record-2.pdf")]
    assert report.unreadable == []
    assert "complex needs, encrypted" in fulltext_text(db, 1)
    assert report.warnings == ["record-2.pdf is encrypted with a password, so its text cannot be extracted"]
    assert fulltext_path(db, project_dir, 2) is not None  # retrieved, text not extractable
    assert not fulltext_text(db, 2)
    assert report.records_without_file == [3, 4]


def test_missing_aes_support_leaves_the_file_retrieved_without_text(records, source, monkeypatch):
    project_dir, review = records
    db = review.db
    encrypted_pdf(source / "record-1.pdf", "Encrypted.", user_password="")

    def no_backend(self, password):
        raise DependencyError("cryptography is required for AES algorithm")

    monkeypatch.setattr("pypdf.PdfReader.decrypt", no_backend)
    report = attach_fulltexts(review, source)
    assert report.unreadable == []
    assert report.warnings == [
        "record-1.pdf is encrypted and cannot be decrypted (cryptography is required for AES algorithm), "
        "so its text cannot be extracted"
    ]
    assert fulltext_path(db, project_dir, 1) is not None


def test_empty_text_file_is_unreadable_and_a_non_utf8_one_is_kept_with_a_warning(records, source):
    project_dir, review = records
    db = review.db
    (source / "record-1.txt").write_text("  \n", encoding="utf-8")
    (source / "record-2.txt").write_bytes("Ærø and more".encode() + b" \xff end")
    report = attach_fulltexts(review, source)
    assert report.unreadable == [(1, "record-1.txt", "contains no text")]
    assert report.warnings == [
        "record-2.txt is not valid UTF-8 (first bad byte at offset 15); undecodable bytes were replaced"
    ]
    assert fulltext_text(db, 2) == "Ærø and more \ufffd end"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 10_000), st.binary(max_size=12), st.integers(0, 16)), min_size=1, max_size=6))
def test_mutated_pdfs_always_give_an_extraction(tmp_path_factory, edits):
    data = bytearray(FUZZ_BASE)
    for at, insert, delete in edits:
        at %= len(data) + 1
        data[at : at + delete] = insert
    path = tmp_path_factory.mktemp("fuzz") / "mutated.pdf"
    path.write_bytes(bytes(data))
    extraction = read_fulltext(path)
    assert extraction.status in (FulltextStatus.RETRIEVED, FulltextStatus.UNREADABLE)
    assert extraction.problem is None or "\n" not in extraction.problem


FUZZ_BASE = pdf_bytes("Families with complex needs " * 10, "Second page")


def prisma_reports(review) -> tuple[int, int, int]:
    counts = prisma_counts(review)
    return counts.dbr_sought_reports, counts.dbr_notretrieved_reports, counts.dbr_assessed


def test_unreadable_file_counts_as_retrieved_only_once_confirmed(records, source, cli):
    project_dir, review = records
    db = review.db
    (source / "record-1.pdf").write_bytes(b"")
    (source / "record-2.pdf").write_bytes(b"%PDF-1.4 garbage")
    attach_fulltexts(review, source)
    assert prisma_reports(review) == (4, 0, 0)  # neither retrieved nor 'not retrieved': waiting for a person

    listed = cli("confirm-fulltext", project_dir, "--json")
    assert [row["record_id"] for row in json.loads(listed.output)] == [1, 2]
    with pytest.raises(ReviewError, match="record 3 has no full text"):
        confirm_fulltexts(db, [1, 3])
    assert set(unreadable_fulltexts(db)) == {1, 2}  # all or nothing

    result = cli("confirm-fulltext", project_dir, 1)
    assert result.exit_code == 0 and "Confirmed 1" in result.output
    assert fulltext_path(db, project_dir, 1) == (project_dir / "fulltexts" / "1.pdf").resolve()
    mark_not_retrieved(review, 2, "The publisher's file is damaged")
    assert unreadable_fulltexts(db) == {}
    assert prisma_reports(review) == (4, 1, 0)
    decide(review, [1], "ft", "include")
    assert prisma_reports(review) == (4, 1, 1)
    again = cli("confirm-fulltext", project_dir, 1)
    assert again.exit_code == 1 and "record 1 is retrieved; only a file flagged unreadable" in again.output


def test_cli_attach_lists_unreadable_files(records, source, cli):
    project_dir, _ = records
    (source / "record-1.pdf").write_bytes(b"")
    result = cli("attach", project_dir, "--dir", source)
    assert result.exit_code == 0, result.output
    assert "Unreadable, not counted as retrieved until confirmed" in result.output
    assert "record 1: record-1.pdf is empty" in result.output


def test_an_attach_that_fails_half_way_leaves_fulltexts_as_it_was(records, source, monkeypatch):
    project_dir, review = records
    db = review.db
    (source / "record-1.txt").write_text("first version", encoding="utf-8")
    attach_fulltexts(review, source)
    before = {path.name: path.read_bytes() for path in (project_dir / "fulltexts").iterdir()}
    (source / "record-1.txt").write_text("second version", encoding="utf-8")
    make_pdf(source / "record-2.pdf", "new file")

    def failing_upsert(self, *args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(sqlite_utils.db.Table, "upsert_all", failing_upsert)
    with pytest.raises(OSError, match="disk full"):
        attach_fulltexts(review, source)
    after = {path.name: path.read_bytes() for path in (project_dir / "fulltexts").iterdir()}
    assert after == before  # no orphan copy of record-2.pdf, no staging folder, record 1 untouched
    assert fulltext_text(db, 1) == "first version"


def test_a_file_replaced_under_another_name_leaves_no_orphan(records, source, tmp_path):
    project_dir, review = records
    db = review.db
    (source / "record-1.txt").write_text("text version", encoding="utf-8")
    attach_fulltexts(review, source)
    newer = tmp_path / "newer"
    newer.mkdir()
    make_pdf(newer / "record-1.pdf", "PDF version")
    attach_fulltexts(review, newer)
    assert sorted(path.name for path in (project_dir / "fulltexts").iterdir()) == ["1.pdf"]
    assert "PDF version" in fulltext_text(db, 1)


def test_a_staging_folder_left_by_a_killed_run_is_not_attached(records):
    project_dir, review = records
    leftover = project_dir / "fulltexts" / ".attach-killed"
    leftover.mkdir(parents=True)
    (leftover / "1.txt").write_text("half-way copy", encoding="utf-8")
    report = attach_fulltexts(review, project_dir / "fulltexts")
    assert report.matched == []


def test_not_retrieved_needs_a_reason_and_a_record(records):
    _, review = records
    db = review.db
    with pytest.raises(ReviewError, match="reason"):
        mark_not_retrieved(review, 1, "  ")
    with pytest.raises(ReviewError, match="no record"):
        mark_not_retrieved(review, 99, "gone")
    decide(review, [3], "ft", "include")
    with pytest.raises(ReviewError, match="was assessed at full text"):
        mark_not_retrieved(review, 3, "gone")
    mark_not_retrieved(review, 2, "Not held by any library")
    assert not_retrieved(db) == {2: "Not held by any library"}
    assert fulltext_text(db, 2) is None


def test_not_retrieved_checks_and_writes_in_one_transaction(records):
    """The full-text decision is read under the write lock, so none can land between check and write."""
    _, review = records
    db = review.db
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    try:
        mark_not_retrieved(review, 2, "Not held by any library")
    finally:
        db.conn.set_trace_callback(None)
    begin = statements.index("BEGIN IMMEDIATE")
    reads = [at for at, sql in enumerate(statements) if "FROM decisions" in sql or "FROM records" in sql]
    assert reads and min(reads) > begin
    assert statements[-1] == "COMMIT"


def test_stored_path_outside_the_project_is_refused(records):
    project_dir, review = records
    db = review.db
    db.execute(
        "INSERT INTO fulltexts (record_id, status, file_name, updated_at) "
        "VALUES (1, 'retrieved', '../../etc/passwd', 'now')"
    )
    with pytest.raises(ReviewError, match="outside the project"):
        fulltext_path(db, project_dir, 1)


def test_cli_attach_and_not_retrieved(records, source, tmp_path, cli):
    project_dir, review = records
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
    project_dir, review = records
    db = review.db
    make_pdf(source / "record-1.pdf", "Families with COMPLEX needs met case managers.")
    (source / "record-2.txt").write_text("Sektorsamarbejde om borgere med komplekse behov.", encoding="utf-8")
    attach_fulltexts(review, source)
    assert [hit[0] for hit in search_fulltexts(db, "complex needs")] == [1]
    assert search_fulltexts(db, "KOMPLEKSE borgere")[0][0] == 2
    assert "komplekse behov" in search_fulltexts(db, "komplekse")[0][1]
    assert search_fulltexts(db, "complex trial") == []
    with pytest.raises(ReviewError, match="at least one word"):
        search_fulltexts(db, "  ")
    result = cli("search-fulltext", project_dir, "needs", "--json")
    assert [hit["record_id"] for hit in json.loads(result.output)] == [1]
