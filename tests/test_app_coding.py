"""AppTest: the Coding page (a second coder never blanks the first, drafts survive switching studies, the texts
beside the form) and coding conflicts reconciled on the Conflicts page."""

from __future__ import annotations

import pytest

from review.coding.codes import coded_table, current_codes
from tests.apptest import REPO, page

RECORDS = REPO / "tests" / "data" / "screening" / "records.ris"


@pytest.fixture
def included(review, tmp_path):
    """Records 1 and 2 included at both stages (studies record-1, record-2); record 1 has an extracted full text."""
    review.import_files([RECORDS], source="Test")
    for record_id in (1, 2):
        for reviewer in ("Anna", "Ben"):
            review.decide(record_id, "ta", reviewer, "include")
        review.decide(record_id, "ft", "Anna", "include")
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "1.txt").write_text("Synthetic full text: the municipality ran a joint unit.", encoding="utf-8")
    review.attach(texts)
    return review


def coding_page(review, coder: str, **state: object):
    return page(review.folder, "coding", reviewer=coder, **state)


def row_of(review, study: str) -> dict:
    header, rows = coded_table(review)
    return next(dict(zip(header, row)) for row in rows if row[0] == study)


def test_a_second_coder_saving_one_dimension_writes_only_it_and_blanks_nothing(included):
    review = included
    review.set_codes("record-1", {"country": "dk", "sample-size": 73, "design": ["qualitative"]}, "Anna")
    at = coding_page(review, "Newcomer")
    assert at.selectbox(key="coding_study").value == "record-1"
    at.multiselect(key="code_record-1_design").set_value(["qualitative", "rct"]).run()
    at.button(key="save_codes").click().run()
    assert at.success[0].value == "Saved 1 codes for record-1 as Newcomer."
    assert [(c.dimension, c.values) for c in current_codes(review, coder="Newcomer")] == [
        ("design", ("rct", "qualitative"))
    ]
    row = row_of(review, "record-1")
    assert row["country"] == "Denmark" and row["sample-size"] == 73  # the first coder's codes stay
    assert row["design"] == "[unreconciled] Anna: Qualitative | Newcomer: Randomised trial; Qualitative"
    at.button(key="save_codes").click().run()
    assert at.success[0].value == "Nothing changed: no code was written."


def test_unsaved_entries_survive_switching_studies_and_are_named(included):
    review = included
    at = coding_page(review, "Anna")
    at.selectbox(key="code_record-1_country").set_value("no").run()
    at.selectbox(key="coding_study").set_value("record-2").run()
    assert "Not saved yet: record-1" in at.warning[0].value
    assert at.selectbox(key="code_record-2_country").value is None
    at.selectbox(key="coding_study").set_value("record-1").run()
    assert at.selectbox(key="code_record-1_country").value == "no"  # the draft came back
    at.button(key="save_codes").click().run()
    assert [(c.dimension, c.values) for c in current_codes(review, coder="Anna")] == [("country", ("no",))]
    assert not at.warning


def test_discarding_returns_the_form_to_the_saved_codes(included):
    review = included
    review.set_codes("record-1", {"country": "dk"}, "Anna")
    at = coding_page(review, "Anna")
    at.selectbox(key="code_record-1_country").set_value("no").run()
    at.button(key="discard_codes").click().run()
    assert at.selectbox(key="code_record-1_country").value == "dk"


def test_the_studys_abstract_and_full_text_sit_beside_the_form(included):
    review = included
    at = coding_page(review, "Anna")
    assert [tab.label for tab in at.tabs] == ["Abstract", "Extracted text", "Full-text file"]
    texts = [element.value for element in at.markdown]
    assert review.record(1).abstract in texts
    assert "Synthetic full text: the municipality ran a joint unit." in texts


def test_coding_conflicts_are_listed_and_reconciled_into_the_agreed_value(included):
    review = included
    review.set_codes("record-1", {"country": "dk", "sample-size": 73}, "Anna")
    review.set_codes("record-1", {"country": "no", "sample-size": 73}, "Ben")
    assert row_of(review, "record-1")["country"] == "[unreconciled] Anna: Denmark | Ben: Norway"
    at = page(review.folder, "conflicts", reviewer="Carla", conflict_stage="coding")
    assert not at.exception
    assert "1 coded values differ between coders" in at.caption[0].value
    assert {"Anna: Denmark", "Ben: Norway"} <= {caption.value for caption in at.caption}
    radio = at.radio(key="agreed_record-1_country")
    assert radio.value is None and list(radio.options) == ["Denmark", "Norway"]
    at.button(key="reconcile_record-1_country").click().run()
    assert at.error[0].value == "Choose the agreed value first."
    at.radio(key="agreed_record-1_country").set_value(("no",))
    at.button(key="reconcile_record-1_country").click().run()
    assert at.success[0].value == "record-1 · Country: reconciled by Carla."
    row = row_of(review, "record-1")
    assert row["country"] == "Norway" and row["unreconciled"] == ""
    assert "No coded value differs" in at.caption[0].value


def test_an_observer_is_kept_from_coding_conflicts(included):
    review = included
    review.set_codes("record-1", {"country": "dk"}, "Anna")
    review.set_codes("record-1", {"country": "no"}, "Ben")
    at = page(review.folder, "conflicts", reviewer="Olga", conflict_stage="coding", role="observer")
    assert "Only a lead resolves conflicts" in at.info[0].value
    assert "dk" not in " ".join(element.value for element in at.markdown)
    assert not [button for button in at.button if button.key.startswith("reconcile_")]


def test_coding_and_conflicts_pages_speak_danish(included):
    review = included
    review.set_codes("record-1", {"country": "dk"}, "Anna")
    review.set_codes("record-1", {"country": "no"}, "Ben")
    coding = coding_page(review, "Anna", ui_language="da")
    assert not coding.exception and coding.title[0].value == "Kodning"
    assert coding.button(key="save_codes").label == "Gem koder"
    conflicts = page(review.folder, "conflicts", reviewer="Carla", conflict_stage="coding", ui_language="da")
    assert not conflicts.exception and conflicts.title[0].value == "Konflikter"
    assert "kodede værdier er forskellige" in conflicts.caption[0].value
