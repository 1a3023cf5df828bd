"""AppTest: the Screening page records decisions with the right reviewer and stage, undoes, needs reasons, stays blind."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import REPO, page

TEMPLATE = REPO / "protocols" / "template.yaml"
RECORDS = REPO / "tests" / "data" / "screening" / "records.ris"


@pytest.fixture
def screening_project(review):
    """The screening records with their embeddings cached, so the page ranks with the protocol's full preset."""
    review.import_files([RECORDS], source="Test")
    review.rank("ta")
    return review


def screening_page(project_dir: Path, reviewer: str, stage: str = "ta") -> AppTest:
    return page(project_dir, "screening", reviewer, stage=stage)


def shown_record(at: AppTest) -> int:
    return at.session_state["shown_record"]


def decisions(db) -> list[tuple]:
    return db.execute(
        "SELECT record_id, stage, reviewer, kind, label, reason, note, rank FROM decisions ORDER BY event_id"
    ).fetchall()


def test_include_is_recorded_with_reviewer_stage_note_and_rank_then_the_next_record_shows(screening_project):
    review = screening_project
    at = screening_page(review.folder, "Anna")
    assert not at.exception
    first = shown_record(at)
    assert first == review.next_records("ta", "Anna")[0].record_id  # the top of the stage's ranking
    at.text_input(key="note").set_value("clearly in scope")
    at.button(key="decide_include").click().run()
    assert decisions(review.db) == [(first, "ta", "Anna", "screen", "include", None, "clearly in scope", 1)]
    assert shown_record(at) != first
    assert at.text_input(key="note").value == ""


def test_undo_cancels_the_last_decision_and_shows_that_record_again(screening_project):
    review = screening_project
    at = screening_page(review.folder, "Anna")
    first = shown_record(at)
    at.button(key="decide_exclude").click().run()
    assert shown_record(at) != first
    at.button(key="undo_last").click().run()
    assert shown_record(at) == first
    assert [row[3] for row in decisions(review.db)] == ["screen", "undo"]
    assert f"Undid your decision on record {first}" in at.success[0].value


def test_undo_with_nothing_to_undo_says_so(screening_project):
    at = screening_page(screening_project.folder, "Anna")
    at.button(key="undo_last").click().run()
    assert at.error[0].value.startswith("Nothing to undo: only decisions made in this browser session")


def test_full_text_exclusion_needs_a_reason(screening_project):
    review = screening_project
    for reviewer in ("Anna", "Ben"):
        review.decide(3, "ta", reviewer, "include")
    at = screening_page(review.folder, "Anna", stage="ft")
    assert shown_record(at) == 3
    at.button(key="decide_exclude").click().run()
    assert "needs a reason" in at.error[0].value
    assert decisions(review.db)[-1][1] == "ta"  # nothing recorded at full text
    at.radio(key="reason").set_value("wrong-outcome")
    at.button(key="decide_exclude").click().run()
    assert decisions(review.db)[-1][:6] == (3, "ft", "Anna", "screen", "exclude", "wrong-outcome")
    assert any("Nothing left for you" in box.value for box in at.success)


def test_blind_stage_hides_the_other_reviewers_label_until_reconciled(screening_project):
    review = screening_project
    anna = screening_page(review.folder, "Anna")
    record_id = shown_record(anna)
    anna.text_input(key="note").set_value("anna-was-here")
    anna.button(key="decide_exclude").click().run()
    ben = screening_page(review.folder, "Ben")
    assert shown_record(ben) == record_id  # the second reviewer still has to screen it
    assert not ben.expander  # no decision of Anna's is visible
    assert "anna-was-here" not in str(ben.main)
    ben.button(key="decide_include").click().run()  # now a conflict: still not final, still hidden
    again = screening_page(review.folder, "Ben")
    assert shown_record(again) != record_id


def test_history_expander_shows_a_reviewer_only_their_own_labels_in_an_open_blind_stage(screening_project):
    review = screening_project
    top = review.next_records("ta", "Anna")[0].record_id
    review.decide(top, "ta", "Ben", "include", note="ben-was-here")  # Ben first, from elsewhere
    anna = screening_page(review.folder, "Anna")
    assert shown_record(anna) == top
    assert not anna.expander and "ben-was-here" not in str(anna.main)
    anna.button(key="decide_exclude").click().run()  # a conflict now
    anna.button(key="undo_last").click().run()  # the record comes back, with Anna's own history
    assert shown_record(anna) == top
    [expander] = anna.expander
    rows = expander.dataframe[0].value
    assert set(rows["reviewer"]) == {"Anna"} and list(rows["kind"]) == ["screen", "undo"]
    assert "ben-was-here" not in str(anna.main) and "Ben" not in str(anna.main)


def test_a_reload_keeps_the_reviewers_claim(screening_project):
    review = screening_project
    review.store_protocol(TEMPLATE.read_text(encoding="utf-8").replace("reviewers: 2", "reviewers: 1"))
    first = screening_page(review.folder, "Anna")
    reloaded = screening_page(review.folder, "Anna")  # a new browser session of the same reviewer
    assert shown_record(reloaded) == shown_record(first)
    assert shown_record(screening_page(review.folder, "Ben")) != shown_record(first)


def test_single_screening_sessions_of_two_reviewers_get_different_records(screening_project):
    review = screening_project
    review.store_protocol(TEMPLATE.read_text(encoding="utf-8").replace("reviewers: 2", "reviewers: 1"))
    first, second = screening_page(review.folder, "Anna"), screening_page(review.folder, "Ben")
    assert shown_record(first) != shown_record(second)


def test_switching_stage_gives_back_the_record_claimed_at_the_stage_left(screening_project):
    review = screening_project
    review.store_protocol(TEMPLATE.read_text(encoding="utf-8").replace("reviewers: 2", "reviewers: 1"))
    anna = screening_page(review.folder, "Anna")
    held = shown_record(anna)
    assert shown_record(screening_page(review.folder, "Ben")) != held
    anna.session_state["stage"] = "ft"
    anna.run()
    assert shown_record(screening_page(review.folder, "Carl")) == held


def test_without_a_reviewer_name_nothing_can_be_decided(screening_project):
    at = screening_page(screening_project.folder, "")
    assert "Enter your name" in at.warning[0].value
    assert not [button for button in at.button if button.key == "decide_include"]


def test_stopping_advice_is_computed_in_the_background_and_then_shown(screening_project):
    at = screening_page(screening_project.folder, "Anna")
    for _ in range(300):  # the first answer comes from a fresh worker process
        if any(metric.label == "Estimated recall" for metric in at.metric):
            break
        time.sleep(0.1)
        at.run()
    assert next(metric.value for metric in at.metric if metric.label == "Estimated recall") == "after the check sample"
    assert "Keep screening in ranked order" in at.info[-1].value
    at.button(key="decide_exclude").click().run()  # the log grew: the last answer stays on screen meanwhile
    assert any(metric.label == "Estimated recall" for metric in at.metric)


def test_a_stage_without_candidates_has_nothing_left_to_screen(screening_project):
    at = screening_page(screening_project.folder, "Anna", stage="ft")  # nothing included at title/abstract yet
    assert not at.exception
    assert any("Nothing left for you" in box.value for box in at.success)


def _radio_labels(at: AppTest, key: str) -> list[str]:
    return list(at.radio(key=key).options)  # as shown: AppTest holds the formatted options


def test_reasons_are_numbered_for_the_keys_and_reason_and_note_never_carry_over(screening_project):
    review = screening_project
    at = screening_page(review.folder, "Anna")
    first = shown_record(at)
    assert _radio_labels(at, "reason")[0] == "1 · Wrong population" and at.radio(key="reason").value is None
    at.radio(key="reason").set_value("wrong-population")
    at.text_input(key="note").set_value("half typed").run()
    at.session_state["stage"] = "ft"
    at.run()  # another stage: the form starts empty
    assert at.text_input(key="note").value == "" and at.session_state["reason"] is None
    at.session_state["stage"] = "ta"
    at.run()
    assert shown_record(at) == first
    assert at.text_input(key="note").value == "" and at.radio(key="reason").value is None


def test_a_reviewer_sees_what_they_screened_and_why_records_wait(screening_project):
    review = screening_project
    at = screening_page(review.folder, "Anna")
    for _ in range(2):
        at.button(key="decide_include").click().run()
    screened = next(metric for metric in at.metric if metric.label == "You have screened")
    assert screened.value == "2"
    assert any("2 records wait for a second reviewer" in caption.value for caption in at.caption)


def test_nothing_left_says_why_the_stage_is_not_finished(screening_project):
    review = screening_project
    for reviewer in ("Anna", "Ben"):
        review.decide(3, "ta", reviewer, "include")
    ben = screening_page(review.folder, "Ben", stage="ft")  # Ben is shown (and holds) the only full-text record
    assert shown_record(ben) == 3
    anna = screening_page(review.folder, "Anna", stage="ft")
    assert any("Nothing left for you" in box.value for box in anna.success)
    assert any("1 records are being screened by other reviewers" in caption.value for caption in anna.caption)
    ben_again = screening_page(review.folder, "Ben", stage="ft")  # a reload: Ben's own claim finds him the record
    assert shown_record(ben_again) == 3 and not any("Nothing left" in box.value for box in ben_again.success)


def test_undo_names_the_record_refuses_a_resolved_one_and_never_reaches_an_earlier_session(screening_project):
    review = screening_project
    earlier = review.next_records("ta", "Anna", n=3)[2].record_id
    review.decide(earlier, "ta", "Anna", "exclude")  # from an earlier session
    at = screening_page(review.folder, "Anna")
    first = shown_record(at)
    at.button(key="decide_include").click().run()
    second = shown_record(at)
    at.button(key="decide_include").click().run()
    review.decide(second, "ta", "Ben", "exclude")
    review.resolve(second, "ta", "Carla", "include")
    at.button(key="undo_last").click().run()
    assert at.error[0].value.startswith(f"Record {second} cannot be undone: its conflict has been resolved")
    assert "Press U again" in at.error[0].value
    at.button(key="undo_last").click().run()
    title = review.record(first).title
    assert at.success[0].value == f"Undid your decision on record {first} ({title}); it is shown again."
    assert shown_record(at) == first
    at.button(key="undo_last").click().run()
    assert at.error[0].value.startswith("Nothing to undo")
    assert review.state("ta").records[earlier].labels == {"Anna": "exclude"}
    assert review.state("ta").finals[second] == "include"


def test_the_rank_is_called_a_rank_and_highlight_colours_have_a_legend(screening_project):
    review = screening_project
    protocol = TEMPLATE.read_text(encoding="utf-8").replace(
        "  include: []\n  exclude: []", "  include: [collaborat*]\n  exclude: [protocol]"
    )
    review.store_protocol(protocol)
    at = screening_page(review.folder, "Anna")
    [rank] = [caption for caption in at.caption if "model rank" in caption.value]
    assert "not a probability" in rank.help
    assert not any("relevance" in caption.value for caption in at.caption)
    assert any("inclusion term" in caption.value and "#c8f0c8" in caption.value for caption in at.caption)
    assert not any(button.type == "primary" for button in at.button)  # Include is not red beside red exclude terms


def test_the_screening_page_speaks_danish(screening_project):
    at = page(screening_project.folder, "screening", "Anna", stage="ta", ui_language="da")
    assert not at.exception
    assert at.title[0].value == "Screening"
    assert at.button(key="decide_include").label.startswith(":green[**Inkludér**]")
    assert at.text_input(key="note").label == "Note"
    assert any(metric.label == "Du har screenet" for metric in at.metric)


def test_undo_never_reaches_a_decision_in_another_project_opened_in_the_same_tab(screening_project, tmp_path):
    from review.core import Review

    with Review.create(tmp_path / "other", TEMPLATE) as other:
        other.import_files([RECORDS], source="Test")
        other.decide(1, "ta", "Anna", "include")  # an earlier session's decision: event 1 there
    at = screening_page(screening_project.folder, "Anna")
    at.button(key="decide_include").click().run()  # event 1 in this project
    at.session_state["project_dir"] = str(tmp_path / "other")
    at.run()
    at.button(key="undo_last").click().run()
    assert at.error[0].value.startswith("Nothing to undo")
    with Review.open(tmp_path / "other") as other:
        assert other.state("ta").records[1].labels == {"Anna": "include"}
