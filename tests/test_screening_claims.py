"""Serving records to concurrent sessions: claims never double-serve a record."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from review.project import current_protocol, store_protocol
from review.records import import_files
from review.screening.claims import claim_next, release_claims
from review.screening.log import record_decision

RECORDS = Path(__file__).parent / "data" / "screening" / "records.ris"
ORDER = [4, 2, 7, 1, 3, 5, 6, 8, 9, 10, 11, 12]


@pytest.fixture
def screened(project):
    project_dir, db = project
    import_files(db, [RECORDS], source="Test")
    return db


def single_screening(db) -> None:
    data = json.loads(current_protocol(db).model_dump_json(by_alias=True))
    data["stages"]["ta"].update(reviewers=1, blind=False)
    store_protocol(db, yaml.safe_dump(data), "single.yaml")


def test_single_screening_sessions_never_share_a_record(screened):
    db = screened
    single_screening(db)
    assert claim_next(db, "ta", "anna", ORDER) == 4
    assert claim_next(db, "ta", "bo", ORDER) == 2
    assert claim_next(db, "ta", "anna", ORDER, session="anna-tab-2") == 7
    assert claim_next(db, "ta", "anna", ORDER) == 4  # the session keeps its record until it decides
    record_decision(db, 4, "ta", "anna", "include")
    assert claim_next(db, "ta", "anna", ORDER) == 1
    release_claims(db, "ta", "bo")
    assert claim_next(db, "ta", "carl", ORDER) == 2


def test_expired_claims_are_served_again(screened):
    db = screened
    single_screening(db)
    assert claim_next(db, "ta", "anna", ORDER, ttl_seconds=-1) == 4
    assert claim_next(db, "ta", "bo", ORDER) == 4


def test_two_reviewers_claims_block_only_the_same_reviewers_other_sessions(screened):
    db = screened  # template: two reviewers per record at ta
    assert claim_next(db, "ta", "anna", ORDER, session="a1") == 4
    assert claim_next(db, "ta", "bo", ORDER, session="b1") == 4  # the other reviewer is not blocked
    assert claim_next(db, "ta", "anna", ORDER, session="a2") == 2  # anna's second tab gets another record
    assert claim_next(db, "ta", "carl", ORDER) == 2  # 4 already has two reviewers at work
    record_decision(db, 4, "ta", "anna", "include")
    record_decision(db, 4, "ta", "bo", "include")
    assert claim_next(db, "ta", "anna", ORDER, session="a1") == 7
    assert claim_next(db, "ta", "dana", ORDER, session="d1") == 7


def test_nothing_left(screened):
    db = screened
    single_screening(db)
    for record_id in ORDER:
        record_decision(db, record_id, "ta", "anna", "exclude")
    assert claim_next(db, "ta", "anna", ORDER) is None
    assert claim_next(db, "ft", "anna", ORDER) is None
