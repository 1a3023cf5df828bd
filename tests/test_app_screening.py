"""AppTest: the Screening page records decisions with the right reviewer and stage, undoes, needs reasons, stays blind."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from review.project import store_protocol
from review.records import import_files
from review.screening.log import record_decision

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = REPO / "protocols" / "template.yaml"
RECORDS = REPO / "tests" / "data" / "screening" / "records.ris"


@pytest.fixture
def screening_project(project):
    project_dir, db = project
    import_files(db, [RECORDS], source="Test")
    return project_dir, db


def screening_page(project_dir: Path, reviewer: str, stage: str = "ta") -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.session_state["project_dir"] = str(project_dir)
    at.session_state["reviewer"] = reviewer
    at.session_state["stage"] = stage
    at.switch_page("review/webapp/pages/screening.py")
    return at.run()


def shown_record(at: AppTest) -> int:
    return at.session_state["shown_record"]


def decisions(db) -> list[tuple]:
    return db.execute(
        "SELECT record_id, stage, reviewer, kind, label, reason, note, rank FROM decisions ORDER BY event_id"
    ).fetchall()


def test_include_is_recorded_with_reviewer_stage_note_and_rank_then_the_next_record_shows(screening_project):
    project_dir, db = screening_project
    at = screening_page(project_dir, "Anna")
    assert not at.exception
    first = shown_record(at)
    at.text_input(key="note").set_value("clearly in scope")
    at.button(key="decide_include").click().run()
    assert decisions(db) == [(first, "ta", "Anna", "screen", "include", None, "clearly in scope", 1)]
    assert shown_record(at) != first
    assert at.text_input(key="note").value == ""


def test_undo_cancels_the_last_decision_and_shows_that_record_again(screening_project):
    project_dir, db = screening_project
    at = screening_page(project_dir, "Anna")
    first = shown_record(at)
    at.button(key="decide_exclude").click().run()
    assert shown_record(at) != first
    at.button(key="undo_last").click().run()
    assert shown_record(at) == first
    assert [row[3] for row in decisions(db)] == ["screen", "undo"]
    assert "Undid your last decision" in at.success[0].value


def test_undo_with_nothing_to_undo_says_so(screening_project):
    project_dir, _ = screening_project
    at = screening_page(project_dir, "Anna")
    at.button(key="undo_last").click().run()
    assert at.error[0].value == "Nothing to undo at this stage."


def test_full_text_exclusion_needs_a_reason(screening_project):
    project_dir, db = screening_project
    for reviewer in ("Anna", "Ben"):
        record_decision(db, 3, "ta", reviewer, "include")
    at = screening_page(project_dir, "Anna", stage="ft")
    assert shown_record(at) == 3
    at.button(key="decide_exclude").click().run()
    assert "needs a reason" in at.error[0].value
    assert decisions(db)[-1][1] == "ta"  # nothing recorded at full text
    at.selectbox(key="reason").set_value("wrong-outcome")
    at.button(key="decide_exclude").click().run()
    assert decisions(db)[-1][:6] == (3, "ft", "Anna", "screen", "exclude", "wrong-outcome")
    assert any("Nothing left for you" in box.value for box in at.success)


def test_blind_stage_hides_the_other_reviewers_label_until_reconciled(screening_project):
    project_dir, db = screening_project
    anna = screening_page(project_dir, "Anna")
    record_id = shown_record(anna)
    anna.text_input(key="note").set_value("anna-was-here")
    anna.button(key="decide_exclude").click().run()
    ben = screening_page(project_dir, "Ben")
    assert shown_record(ben) == record_id  # the second reviewer still has to screen it
    assert not ben.expander  # no decision of Anna's is visible
    assert "anna-was-here" not in str(ben.main)
    ben.button(key="decide_include").click().run()  # now a conflict: still not final, still hidden
    again = screening_page(project_dir, "Ben")
    assert shown_record(again) != record_id


def test_single_screening_sessions_of_two_reviewers_get_different_records(screening_project):
    project_dir, db = screening_project
    store_protocol(db, TEMPLATE.read_text(encoding="utf-8").replace("reviewers: 2", "reviewers: 1"))
    first, second = screening_page(project_dir, "Anna"), screening_page(project_dir, "Ben")
    assert shown_record(first) != shown_record(second)


def test_without_a_reviewer_name_nothing_can_be_decided(screening_project):
    project_dir, _ = screening_project
    at = screening_page(project_dir, "")
    assert "Enter your name" in at.warning[0].value
    assert not [button for button in at.button if button.key == "decide_include"]


def test_stopping_advice_is_computed_in_the_background_and_then_shown(screening_project):
    project_dir, _ = screening_project
    at = screening_page(project_dir, "Anna")
    for _ in range(300):  # the first answer comes from a fresh worker process
        if any(metric.label == "Estimated recall" for metric in at.metric):
            break
        time.sleep(0.1)
        at.run()
    assert next(metric.value for metric in at.metric if metric.label == "Estimated recall") == "not yet known"
    assert "Not yet safe to stop" in at.info[-1].value
    at.button(key="decide_exclude").click().run()  # the log grew: the last answer stays on screen meanwhile
    assert any(metric.label == "Estimated recall" for metric in at.metric)
