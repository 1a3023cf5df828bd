"""The Full texts page: uploads matched as `review attach` matches, not retrieved with a reason, reports -> studies."""

from __future__ import annotations

import pytest
from fpdf import FPDF

from review.errors import ReviewError
from review.fulltext.studies import linked_studies, report_rows
from tests.apptest import REPO, page

RECORDS = REPO / "tests" / "data" / "screening" / "records.ris"


def pdf_bytes(text: str) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 8, text)
    return bytes(pdf.output())


@pytest.fixture
def sought(review):
    """Records 1-3 included at title/abstract (both reviewers): three reports sought at full text."""
    review.import_files([RECORDS], source="Test")
    for reviewer in ("Anna", "Ben"):
        for record_id in (1, 2, 3):
            review.decide(record_id, "ta", reviewer, "include")
    return review


def submit(at, label: str):
    [button] = [button for button in at.button if button.label == label]
    return button.click().run()


def test_uploads_are_matched_like_attach_and_bad_names_refused(sought):
    report = sought.attach_uploads([("record-2.pdf", pdf_bytes("Report two")), ("nothing-like-it.pdf", b"%PDF")])
    assert report.matched == [(2, "record-2.pdf")] and report.unmatched_files == ["nothing-like-it.pdf"]
    assert {row.record_id: row.fulltext for row in report_rows(sought)} == {1: "missing", 2: "retrieved", 3: "missing"}
    assert (sought.folder / "fulltexts" / "2.pdf").read_bytes().startswith(b"%PDF")
    with pytest.raises(ReviewError, match="same name"):
        sought.attach_uploads([("1.pdf", b"a"), ("dir/1.pdf", b"b")])
    with pytest.raises(ReviewError, match="at least one"):
        sought.attach_uploads([])


def test_page_lists_reports_marks_one_not_retrieved_and_links_two_to_a_study(sought):
    sought.attach_uploads([("1.pdf", pdf_bytes("Integrated care report"))])
    at = page(sought.folder, "fulltexts")
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["Record"]) == [1, 2, 3]
    assert list(table["Full text"]) == ["file attached", "missing", "missing"]
    assert {button.label for button in at.get("download_button")} == {"Download the file"}

    at.selectbox(key="fulltexts_record").set_value(3).run()
    at.text_input(key="why_3").input("Not in any library")
    at = submit(at, "Mark not retrieved")
    assert "Record 3 is marked not retrieved." in [s.value for s in at.success]
    assert sought.flow().not_retrieved == {3}
    assert list(at.dataframe[0].value["Why"])[2] == "Not in any library"

    at.selectbox(key="fulltexts_record").set_value(1).run()
    at.text_input(key="study_1").input("Hansen 2019")
    at.multiselect(key="others_1").set_value([2])
    at = submit(at, "Link to the study")
    assert linked_studies(sought) == {"Hansen 2019": [1, 2]}
    assert list(at.dataframe[0].value["Study"]) == ["Hansen 2019", "Hansen 2019", ""]

    at.text_input(key="rename_new").input("Hansen et al. 2019")
    at = submit(at, "Rename")
    assert linked_studies(sought) == {"Hansen et al. 2019": [1, 2]}


def test_a_bad_request_is_one_line_and_changes_nothing(sought):
    at = page(sought.folder, "fulltexts")
    at.text_input(key="why_1").input("   ")
    at = submit(at, "Mark not retrieved")
    assert [e.value for e in at.error] == ["give a reason why the full text was not retrieved"]
    at.text_input(key="study_1").input("record-9")
    at = submit(at, "Link to the study")
    assert "reserved" in at.error[0].value and linked_studies(sought) == {}
    assert sought.db.execute("SELECT COUNT(*) FROM fulltexts").fetchone()[0] == 0


def test_an_observer_reads_but_cannot_change_anything(sought):
    at = page(sought.folder, "fulltexts", role="observer")
    assert not at.exception and at.dataframe
    assert not [b for b in at.button if b.label in ("Attach", "Mark not retrieved", "Link to the study")]


def test_page_in_danish(sought):
    sought.attach_uploads([("1.pdf", pdf_bytes("Rapport"))])
    sought.link_reports([1], "Hansen 2019")
    at = page(sought.folder, "fulltexts", ui_language="da")
    assert not at.exception
    assert at.title[0].value == "Fuldtekster"
    assert "Studie" in at.dataframe[0].value.columns
    assert {b.label for b in at.button} >= {"Vedhæft", "Markér som ikke fremskaffet", "Knyt til studiet", "Omdøb"}


def test_an_unreadable_upload_waits_until_a_person_confirms_it(sought):
    report = sought.attach_uploads([("2.pdf", b"%PDF-1.4 broken")])
    assert [record_id for record_id, _, _ in report.unreadable] == [2]
    at = page(sought.folder, "fulltexts")
    at.selectbox(key="fulltexts_record").set_value(2).run()
    assert at.warning[0].value.startswith("2.pdf is not a readable PDF")
    at = at.button(key="confirm_2").click().run()
    assert "Record 2: the file counts as retrieved." in [s.value for s in at.success]
    assert list(at.dataframe[0].value["Full text"])[1] == "file attached"
