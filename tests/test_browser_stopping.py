"""End to end in headless Chromium: the reviewer accepts the stopping advice and is served the random check sample."""

from __future__ import annotations

import pytest

from review.core import Review
from review.stopping.project import sample_queue
from review.store import open_project
from tests import test_browser
from tests.test_browser import (  # noqa: F401  (pytestmark: the same skips as the other browser tests)
    EC,
    REPO,
    By,
    app_server,
    free_port,
    open_page,
    press,
    pytestmark,
    settle,
    shown_record,
    sign_in,
    wait,
    wait_until_serving,
)

TEMPLATE = REPO / "protocols" / "template.yaml"
browsers = test_browser.browsers  # the fixture, shared


def proposed_project(folder, records) -> None:
    """200 records, one reviewer per record; 3 relevant first, then 120 irrelevant: the check sample is due."""
    with Review.create(folder, TEMPLATE) as review:
        review.store_protocol(TEMPLATE.read_text(encoding="utf-8").replace("reviewers: 2", "reviewers: 1"))
        review.import_files([records])
        ids = [row[0] for row in review.db.execute("SELECT record_id FROM records ORDER BY record_id")]
        for number, record_id in enumerate(ids[:123]):
            label = "include" if number < 3 else "exclude"
            review.decide(record_id, "ta", "lead", label, reason=None if label == "include" else "not-research")


@pytest.fixture
def served(tmp_path, data_dir):
    project = tmp_path / "project"
    proposed_project(project, data_dir / "simulate" / "records.ris")
    with app_server(project, tmp_path / "streamlit.log") as url:
        yield url, project


def claimed_by(project, reviewer: str) -> int | None:
    db = open_project(project)
    try:
        row = db.execute("SELECT record_id FROM claims WHERE reviewer = ?", [reviewer]).fetchone()
        return row[0] if row else None
    finally:
        db.close()


def queue_of(project) -> list[int]:
    with Review.open(project) as review:
        return sample_queue(review, "ta")


def test_the_check_sample_is_served_after_accepting_the_advice(served, browsers):
    url, project = served
    driver = browsers()
    sign_in(driver, url, "Tester")
    open_page(driver, "Screening")
    start = "//button[normalize-space()='Start the check sample']"
    wait(driver, 120).until(EC.element_to_be_clickable((By.XPATH, start)))
    page_text = driver.find_element(By.TAG_NAME, "body").text
    assert "review next" not in page_text and "after the check sample" in page_text
    assert queue_of(project) == []
    driver.find_element(By.XPATH, start).click()
    settle(driver)
    queue = queue_of(project)
    assert len(queue) == 77
    wait(driver).until(lambda d: claimed_by(project, "Tester") == queue[0])
    press(driver, "e", shown_record(driver))  # focus is on the button just clicked, outside any field
    wait(driver).until(lambda d: queue_of(project) == queue[1:])
    wait(driver, 60).until(
        lambda d: "Check sample: 1 of its records screened" in d.find_element(By.TAG_NAME, "body").text
    )
    assert claimed_by(project, "Tester") == queue[1]
