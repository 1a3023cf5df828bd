"""The stopping advice in the app: current after each decision, the check sample started by the reviewer and served."""

from __future__ import annotations

import time

import pytest
from streamlit.testing.v1 import AppTest

from review.stopping.project import sample_queue
from tests.apptest import REPO, page

TEMPLATE = REPO / "protocols" / "template.yaml"


def build_proposed_project(review, data_dir):
    """200 records, one reviewer per record; 3 relevant found first, then 120 irrelevant: the sample is due."""
    review.store_protocol(TEMPLATE.read_text(encoding="utf-8").replace("reviewers: 2", "reviewers: 1"))
    review.import_files([data_dir / "simulate" / "records.ris"])
    ids = [row[0] for row in review.db.execute("SELECT record_id FROM records ORDER BY record_id")]
    for number, record_id in enumerate(ids[:123]):
        label = "include" if number < 3 else "exclude"
        review.decide(record_id, "ta", "lead", label, reason=None if label == "include" else "not-research")
    return review


@pytest.fixture
def proposed_project(review, data_dir):
    return build_proposed_project(review, data_dir)


def wait_for_advice(at: AppTest, text: str) -> AppTest:
    for _ in range(300):  # the first answer comes from a fresh worker process
        if any(text in box.value for box in at.info):
            return at
        time.sleep(0.1)
        at.run()
    raise AssertionError(f"no advice saying {text!r}: {[box.value for box in at.info]}")


def test_accepting_the_advice_starts_the_sample_and_serves_it(proposed_project):
    review = proposed_project
    at = wait_for_advice(page(review.folder, "screening", "Anna", stage="ta"), "random check sample")
    recall = next(metric for metric in at.metric if metric.label == "Estimated recall")
    assert recall.value == "after the check sample"
    assert not any("review next" in box.value for box in [*at.info, *at.caption])  # no CLI wording in the app
    assert sample_queue(review, "ta") == []  # looking at the advice draws nothing
    at.button(key="stopping_start_sample").click().run()
    queue = sample_queue(review, "ta")
    assert len(queue) == 77 and at.session_state["shown_record"] == queue[0]
    at.button(key="decide_exclude").click().run()
    at = wait_for_advice(at, "Check sample: 1 of its records screened")
    assert at.session_state["shown_record"] == queue[1]


def test_the_insights_page_charts_the_claimable_recall(proposed_project):
    at = page(proposed_project.folder, "insights", "Anna", insights_stage="ta")
    assert not at.exception
    assert any(header.value == "Recall over the screening" for header in at.subheader)
