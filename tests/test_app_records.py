"""The Records page: search and filters, a record's history under blind mode, changing a decision, bulk marks."""

from __future__ import annotations

import pytest

from review.screening.overview import RecordFilter, find_records
from review.types import Stage
from tests.apptest import REPO, page

RECORDS = REPO / "tests" / "data" / "screening" / "records.ris"


@pytest.fixture
def screening(review):
    """Records 1-2 included by Anna and Ben, 3 waiting for Ben, 4 in conflict (blind title/abstract stage)."""
    review.import_files([RECORDS], source="Test")
    for reviewer in ("Anna", "Ben"):
        review.decide(1, "ta", reviewer, "include")
        review.decide(2, "ta", reviewer, "include")
    review.decide(3, "ta", "Anna", "exclude", note="anna-note")
    review.decide(4, "ta", "Anna", "include")
    review.decide(4, "ta", "Ben", "exclude", note="ben-note")
    return review


def ids(rows) -> list[int]:
    return [row.record_id for row in rows]


def test_filters_combine_and_places_follow_the_log(screening):
    rows, total = find_records(screening, RecordFilter())
    assert total == len(rows) == 12
    assert rows[0].places == {Stage.TA: "include", Stage.FT: "undecided"}
    assert ids(find_records(screening, RecordFilter(decision="conflict"))[0]) == [4]
    assert ids(find_records(screening, RecordFilter(decision="waiting"))[0]) == [3]
    assert ids(find_records(screening, RecordFilter(stage=Stage.FT))[0]) == [1, 2]
    assert ids(find_records(screening, RecordFilter(reviewer="Ben"))[0]) == [1, 2, 4]
    assert ids(find_records(screening, RecordFilter(text="7"))[0]) == [7]
    assert ids(find_records(screening, RecordFilter(text="record 1"))[0]) == [1, 10, 11, 12]
    assert ids(find_records(screening, RecordFilter(year_from=2012, year_to=2013))[0]) == [2, 3]
    assert find_records(screening, RecordFilter(duplicates="duplicate"))[1] == 0
    assert find_records(screening, RecordFilter(text="nothing-matches-this"))[1] == 0


def test_search_opens_a_record_whose_history_keeps_blind_mode(screening):
    at = page(screening.folder, "records", reviewer="Ben")
    assert not at.exception
    assert len(at.dataframe[0].value) == 12 and at.caption[0].value == "12 records"
    at.text_input(key="records_text").input("record 4").run()
    assert list(at.dataframe[0].value["Record"]) == [4] and at.caption[0].value == "1 record"
    history = at.dataframe[1].value
    assert list(history["Reviewer"]) == ["Ben"]  # Anna's label stays hidden while the blind stage is open
    assert list(history["Note"]) == ["ben-note"] and "None" not in history.to_string()
    assert history["When"][0][:2] == "20" and "T" not in history["When"][0]


def test_a_reviewer_changes_an_earlier_decision_and_it_is_appended(screening):
    at = page(screening.folder, "records", reviewer="Ben")
    at.text_input(key="records_text").input("4").run()
    at.selectbox(key="relabel_label").set_value("include")
    at.text_input(key="relabel_note").input("changed my mind")
    [save] = [button for button in at.button if button.label == "Save the change"]
    at = save.click().run()
    assert "Record 4: your decision is now include (added to the log)." in [s.value for s in at.success]
    assert screening.state("ta").finals[4] == "include"
    assert screening.db.execute("SELECT COUNT(*) FROM decisions WHERE record_id = 4").fetchone()[0] == 3
    assert list(at.dataframe[1].value["Note"]) == ["ben-note", "changed my mind"]


def test_an_exclusion_without_a_required_reason_is_refused_in_one_line(screening):
    at = page(screening.folder, "records", reviewer="Anna")
    at.text_input(key="records_text").input("1").run()
    at.selectbox(key="relabel_stage").set_value("ft")
    at.selectbox(key="relabel_label").set_value("exclude")
    [save] = [button for button in at.button if button.label == "Save the change"]
    at = save.click().run()
    assert len(at.error) == 1 and "reason" in at.error[0].value
    assert 1 not in screening.state("ft").finals


def test_bulk_not_retrieved_marks_each_report(screening):
    at = page(screening.folder, "records")
    at.multiselect(key="bulk_ids").set_value([1, 2])
    at.text_input(key="bulk_reason").input("Not in any library")
    [mark] = [button for button in at.button if button.label == "Mark not retrieved"]
    at = mark.click().run()
    assert "2 report(s) marked not retrieved." in [s.value for s in at.success]
    assert screening.flow().not_retrieved == {1, 2}


def test_page_in_danish(screening):
    at = page(screening.folder, "records", ui_language="da")
    assert not at.exception
    assert at.title[0].value == "Poster" and at.caption[0].value == "12 poster"
    assert "Titel/abstract" in at.dataframe[0].value.columns
    assert "inkludér" in list(at.dataframe[0].value["Titel/abstract"])
