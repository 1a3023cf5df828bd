"""Reports and studies: linking reports, naming unlinked ones, counting studies once."""

from __future__ import annotations

import json

import pytest

from review.errors import ReviewError
from review.fulltext.studies import included_studies, link_reports, report_flow, study_of
from tests.test_prisma import decide, import_ris, ris


@pytest.fixture
def screened(review, tmp_path):
    """Six records: 1-5 included at title/abstract, 1-4 included at full text, 5 excluded, 6 undecided."""
    import_ris(review, tmp_path / "hits.ris", ris(range(1, 7)))
    decide(review, [1, 2, 3, 4, 5], "ta", "include")
    decide(review, [1, 2, 3, 4], "ft", "include")
    decide(review, [5], "ft", "exclude", "wrong-design")
    return review


def test_unlinked_included_reports_are_their_own_study(screened):
    db = screened
    assert included_studies(db) == {"record-1": [1], "record-2": [2], "record-3": [3], "record-4": [4]}
    assert study_of(db, 5) == "record-5"


def test_linked_reports_count_once(screened):
    db = screened
    link_reports(db, [1, 3], "Hansen 2019")
    link_reports(db, [5], "Hansen 2019")  # excluded reports do not make a study included
    assert included_studies(db) == {"Hansen 2019": [1, 3], "record-2": [2], "record-4": [4]}
    assert study_of(db, 3) == "Hansen 2019"


def test_relinking_moves_a_report(screened):
    db = screened
    link_reports(db, [1, 2], "A")
    link_reports(db, [2], "B")
    assert included_studies(db)["A"] == [1]
    assert included_studies(db)["B"] == [2]


@pytest.mark.parametrize(
    "ids, study, message",
    [
        ([1, 99], "A", "no record with id 99"),
        ([1], "  ", "the study needs a name"),
        ([1], "record-7", "reserved"),
        ([], "A", "at least one record"),
    ],
)
def test_link_rejects_bad_input(screened, ids, study, message):
    db = screened
    with pytest.raises(ReviewError, match=message):
        link_reports(db, ids, study)


def test_report_flow_partitions_the_records(screened):
    db = screened
    flow = report_flow(db)
    assert flow.sought == {1, 2, 3, 4, 5}
    assert flow.records_undecided == {6}
    assert flow.excluded == {5: "wrong-design"}
    assert flow.included == {1, 2, 3, 4}
    assert flow.assessed == {1, 2, 3, 4, 5}


def test_cli_link_and_studies(screened, cli):
    project_dir = screened.folder
    result = cli("link", project_dir, 2, 4, "--study", "Nordic trial")
    assert result.exit_code == 0, result.output
    result = cli("studies", project_dir, "--json")
    assert json.loads(result.output) == {"Nordic trial": [2, 4], "record-1": [1], "record-3": [3]}
    result = cli("studies", project_dir)
    assert "3 studies, 4 reports" in result.output
    result = cli("link", project_dir, 42, "--study", "X")
    assert result.exit_code == 1
    assert "Error: no record with id 42" in result.output
