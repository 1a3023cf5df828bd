"""Serving records to concurrent reviewers: claims never double-serve a record, and belong to the reviewer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from review.screening.claims import claim_next, release_claims, servable

RECORDS = Path(__file__).parent / "data" / "screening" / "records.ris"
ORDER = [4, 2, 7, 1, 3, 5, 6, 8, 9, 10, 11, 12]


@pytest.fixture
def screened(review):
    review.import_files([RECORDS], source="Test")
    return review


def single_screening(review) -> None:
    data = json.loads(review.protocol.model_dump_json(by_alias=True))
    data["stages"]["ta"].update(reviewers=1, blind=False)
    review.store_protocol(yaml.safe_dump(data), "single.yaml")


def test_single_screening_reviewers_never_share_a_record(screened):
    review = screened
    single_screening(review)
    assert claim_next(review, "ta", "anna", ORDER) == 4
    assert claim_next(review, "ta", "bo", ORDER) == 2
    assert claim_next(review, "ta", "anna", ORDER) == 4  # a reload or a second tab finds anna's record again
    review.decide(4, "ta", "anna", "include")
    assert claim_next(review, "ta", "anna", ORDER) == 7
    release_claims(review, "ta", "bo")
    assert claim_next(review, "ta", "carl", ORDER) == 2


def test_a_record_shown_again_after_an_undo_comes_first(screened):
    review = screened
    single_screening(review)
    assert claim_next(review, "ta", "anna", ORDER) == 4
    review.decide(4, "ta", "anna", "include")
    assert claim_next(review, "ta", "anna", ORDER) == 2
    review.undo("ta", "anna")
    assert claim_next(review, "ta", "anna", ORDER, first=4) == 4


def test_expired_claims_are_served_again(screened):
    review = screened
    single_screening(review)
    assert claim_next(review, "ta", "anna", ORDER, ttl_seconds=-1) == 4
    assert claim_next(review, "ta", "bo", ORDER) == 4


def test_two_reviewers_per_record_share_a_record_but_not_with_a_third(screened):
    review = screened  # template: two reviewers per record at ta
    assert claim_next(review, "ta", "anna", ORDER) == 4
    assert claim_next(review, "ta", "bo", ORDER) == 4  # the other reviewer is not blocked
    assert claim_next(review, "ta", "carl", ORDER) == 2  # 4 already has two reviewers at work
    review.decide(4, "ta", "anna", "include")
    assert claim_next(review, "ta", "anna", ORDER) == 2  # anna is done with 4; 2 still needs a second reviewer
    review.decide(4, "ta", "bo", "include")
    assert claim_next(review, "ta", "dana", ORDER) == 7


def test_servable_lists_what_next_would_serve_without_claiming(screened):
    review = screened
    single_screening(review)
    claim_next(review, "ta", "bo", ORDER)
    assert servable(review, review.state("ta"), "anna", ORDER, limit=3) == [2, 7, 1]
    assert review.db.execute("SELECT COUNT(*) FROM claims WHERE reviewer = 'anna'").fetchone()[0] == 0


def test_nothing_left(screened):
    review = screened
    single_screening(review)
    for record_id in ORDER:
        review.decide(record_id, "ta", "anna", "exclude")
    assert claim_next(review, "ta", "anna", ORDER) is None
    assert claim_next(review, "ft", "anna", ORDER) is None
