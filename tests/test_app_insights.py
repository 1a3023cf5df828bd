"""Progress, recall-curve and speed data behind the Insights and Project pages."""

from __future__ import annotations

import pytest

from review.insights import recall_curve, screening_speed
from review.screening.blind import open_blind_stages
from review.screening.log import append_event
from review.store import transaction
from review.types import EventKind, Label, Stage


@pytest.fixture
def records(review, data_dir):
    review.import_files([data_dir / "screening" / "records.ris"], source="Test")
    return review


def test_recall_curve_counts_relevant_found_after_each_record():
    assert recall_curve([1, 0, 1, 0]) == [(0, 0), (1, 1), (2, 1), (3, 2), (4, 2)]
    assert recall_curve([]) == [(0, 0)]


def test_stage_progress_counts_states_and_reviewers(records):
    review = records
    review.decide(1, "ta", "Anna", "include")
    review.decide(1, "ta", "Ben", "exclude")
    review.decide(2, "ta", "Anna", "maybe")
    progress = review.state("ta").progress
    assert (progress.candidates, progress.final, progress.conflicts, progress.waiting) == (12, 0, 1, 1)
    assert progress.by_reviewer == {"Anna": 2, "Ben": 1}
    assert progress.remaining == 12


def test_speed_leaves_pauses_and_bulk_imports_out(records):
    db = records.db
    stamps = [
        "2026-01-01T10:00:00+00:00",
        "2026-01-01T10:00:20+00:00",
        "2026-01-01T10:00:50+00:00",
        "2026-01-01T12:00:00+00:00",
        "2026-01-01T12:00:00.200+00:00",
    ]
    with transaction(db):
        for record_id, stamp in enumerate(stamps, 1):
            append_event(db, record_id, Stage.TA, "Anna", EventKind.SCREEN, Label.EXCLUDE, created_at=stamp)
    [speed] = screening_speed(db, "ta")
    assert (speed.reviewer, speed.decisions, speed.median_seconds) == ("Anna", 5, 25.0)
    assert speed.per_hour == 144.0  # two records in 50 seconds of screening


def test_a_blind_stage_is_open_while_a_record_waits_or_conflicts(records):
    review = records
    assert open_blind_stages(review) == []
    review.decide(1, "ta", "Anna", "include")
    assert open_blind_stages(review) == [Stage.TA]
    review.decide(1, "ta", "Ben", "exclude")
    assert open_blind_stages(review) == [Stage.TA]  # a conflict keeps it open
    review.resolve(1, "ta", "Carla", "include")
    assert open_blind_stages(review) == []
