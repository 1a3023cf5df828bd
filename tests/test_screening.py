"""Decisions: validation, derived state, undo, blind history, pending records, the append-only log."""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from review.core import Review
from review.errors import BlindStageError, ReviewError
from review.screening.blind import Viewer
from review.screening.log import UndoRefused

RECORDS = Path(__file__).parent / "data" / "screening" / "records.ris"
TEMPLATE = Path(__file__).resolve().parents[1] / "protocols" / "template.yaml"
REVIEW_SOURCES = Path(__file__).resolve().parents[1] / "review"


COORDINATOR = Viewer("coordinator", unblinded=True)


@pytest.fixture
def screened(review):
    """The template project (ta: 2 blind reviewers; ft: 1, reason required) with 12 records."""
    review.import_files([RECORDS], source="Test")
    return review


def single_reviewer(review: Review) -> None:
    """Switch the project's protocol to one reviewer per record at title/abstract."""
    data = json.loads(review.protocol.model_dump_json(by_alias=True))
    data["stages"]["ta"].update(reviewers=1, blind=False)
    review.store_protocol(yaml.safe_dump(data), "single.yaml")


def finals(review: Review, stage: str) -> dict:
    return dict(review.state(stage).finals)


def reasons(review: Review, stage: str) -> dict:
    return dict(review.state(stage).final_reasons)


def test_single_reviewer_latest_label_is_final(screened):
    review = screened
    single_reviewer(review)
    review.decide(1, "ta", "anna", "include")
    review.decide(2, "ta", "anna", "exclude", reason="not-research")
    review.decide(1, "ta", "bo", "exclude")  # a later decision by anyone replaces it
    assert finals(review, "ta") == {1: "exclude", 2: "exclude"}
    assert reasons(review, "ta") == {1: None, 2: "not-research"}


def test_two_reviewers_agree_wait_or_conflict(screened):
    review = screened
    review.decide(1, "ta", "anna", "include")
    assert finals(review, "ta") == {}
    assert review.state("ta").records[1].status == "waiting"
    review.decide(1, "ta", "bo", "include")
    review.decide(2, "ta", "anna", "exclude", reason="wrong-population")
    review.decide(2, "ta", "bo", "exclude", reason="Not primary research")  # label text maps to its key
    review.decide(3, "ta", "anna", "include")
    review.decide(3, "ta", "bo", "maybe")
    assert finals(review, "ta") == {1: "include", 2: "exclude"}
    assert reasons(review, "ta")[2] == "not-research"  # the latest agreeing decision's reason
    assert review.state("ta").records[3].status == "conflict"
    assert list(review.state("ft").candidates) == [1]


@pytest.mark.parametrize(
    ("record_id", "stage", "label", "reason", "message"),
    [
        (99, "ta", "include", None, "no record with id 99"),
        (1, "xx", "include", None, "unknown stage"),
        (1, "ta", "keep", None, "unknown label"),
        (1, "ta", "exclude", "too-old", "unknown exclusion reason 'too-old'"),
        (1, "ta", "include", "not-research", "only recorded with an exclusion"),
        (1, "ft", "include", None, "not a full-text candidate"),
    ],
)
def test_invalid_decisions_are_refused(screened, record_id, stage, label, reason, message):
    review = screened
    with pytest.raises(ReviewError, match=message):
        review.decide(record_id, stage, "anna", label, reason=reason)
    assert review.db.execute("SELECT COUNT(*) FROM decisions").fetchone()[0] == 0


def test_full_text_exclusion_needs_a_reason_from_the_list(screened):
    review = screened
    single_reviewer(review)
    review.decide(1, "ta", "anna", "include")
    with pytest.raises(ReviewError, match="needs a reason"):
        review.decide(1, "ft", "anna", "exclude")
    with pytest.raises(ReviewError, match="unknown exclusion reason 'not-research'"):
        review.decide(1, "ft", "anna", "exclude", reason="not-research")
    review.decide(1, "ft", "anna", "exclude", reason="wrong-design", note="cross-sectional", score=0.4, rank=3)
    assert reasons(review, "ft") == {1: "wrong-design"}
    event = review.history(1, COORDINATOR)[-1]
    assert (event["note"], event["score"], event["rank"]) == ("cross-sectional", 0.4, 3)


def test_duplicates_are_not_candidates(screened):
    review = screened
    review.db.execute("UPDATE records SET duplicate_of = 1 WHERE record_id = 2")
    review.db.conn.commit()
    assert 2 not in list(review.state("ta").candidates)
    with pytest.raises(ReviewError, match="duplicate of record 1"):
        review.decide(2, "ta", "anna", "include")


def test_full_text_candidates_follow_the_latest_title_abstract_label(screened):
    review = screened
    single_reviewer(review)
    review.decide(1, "ta", "anna", "include")
    review.decide(1, "ft", "anna", "include")
    assert finals(review, "ft") == {1: "include"}
    review.decide(1, "ta", "anna", "exclude")
    assert list(review.state("ft").candidates) == []
    assert finals(review, "ft") == {}  # no longer a candidate, so no final full-text label


def test_undo_cancels_the_reviewers_latest_active_decision(screened):
    review = screened
    single_reviewer(review)
    review.decide(1, "ta", "anna", "include")
    review.decide(2, "ta", "anna", "include")
    review.decide(2, "ta", "anna", "exclude")
    review.decide(3, "ta", "bo", "include")
    assert review.undo("ta", "anna") == 2
    assert finals(review, "ta") == {1: "include", 2: "include", 3: "include"}
    assert review.undo("ta", "anna") == 2
    assert review.undo("ta", "anna") == 1
    assert review.undo("ta", "anna") is None
    assert review.undo("ft", "anna") is None
    assert finals(review, "ta") == {3: "include"}
    kinds = [row[0] for row in review.db.execute("SELECT kind FROM decisions ORDER BY event_id")]
    assert kinds == ["screen"] * 4 + ["undo"] * 3  # history kept, nothing rewritten


def test_blind_history_hides_other_reviewers_until_reconciled(screened, cli):
    review = screened
    project_dir = review.folder
    review.decide(1, "ta", "anna", "include", note="anna's note")
    review.decide(1, "ta", "bo", "exclude", reason="not-research", note="bo's note")

    def seen_by(viewer):
        output = cli("history", project_dir, 1, "--reviewer", viewer, "--json").output
        return json.loads(output), output

    for viewer, other in (("anna", "bo"), ("bo", "anna"), ("carl", None)):
        events, output = seen_by(viewer)
        assert {event["reviewer"] for event in events} <= {viewer}
        assert other is None or f"{other}'s note" not in output
        assert review.history(1, Viewer(viewer)) == events
    with pytest.raises(BlindStageError):
        review.history(1, Viewer())  # nobody in particular: refused while the stage is open
    assert len(review.history(1, COORDINATOR)) == 2

    review.resolve(1, "ta", "carl", "include")
    events, _ = seen_by("anna")
    assert [event["reviewer"] for event in events] == ["anna", "bo", "carl"]


def test_blind_views_never_show_another_reviewers_label(screened, cli):
    """Before reconciliation nothing a reviewer can ask for carries the other's label."""
    review = screened
    for record_id in (1, 2, 3):
        review.decide(record_id, "ta", "anna", "exclude", reason="wrong-population", note=f"secret-{record_id}")
    assert review.state("ta").pending_for("bo", range(1, 13)) == list(range(1, 13))
    for record_id in range(1, 13):
        for view in (
            review.history(record_id, Viewer("bo")),
            json.loads(cli("history", review.folder, record_id, "--reviewer", "bo", "--json").output),
        ):
            assert all(event["reviewer"] == "bo" for event in view)
    assert "secret" not in cli("conflicts", review.folder, "--stage", "ta", "--reviewer", "bo", "--json").output
    assert "secret" not in cli("export", review.folder, "--table", "decisions", "--reviewer", "bo", "-o", "-").output


def test_full_text_stage_is_not_blind(screened):
    review = screened
    single_reviewer(review)
    review.decide(1, "ta", "anna", "include")
    review.decide(1, "ft", "anna", "include")
    assert [event["reviewer"] for event in review.history(1, Viewer("bo"))] == ["anna", "anna"]


def test_pending_for_in_the_given_order(screened):
    review = screened
    order = [5, 3, 1, 2, 4]
    review.decide(3, "ta", "anna", "include")
    review.decide(1, "ta", "anna", "include")
    review.decide(1, "ta", "bo", "include")
    review.decide(2, "ta", "anna", "include")
    review.decide(2, "ta", "bo", "exclude")
    assert review.state("ta").pending_for("anna", order) == [5, 4]
    assert review.state("ta").pending_for("bo", order) == [5, 3, 4]
    assert review.state("ft").pending_for("anna", [1, 2, 3]) == [1]


def test_status_counts_screening_per_stage(screened, cli):
    review = screened
    review.decide(1, "ta", "anna", "include")
    review.decide(1, "ta", "bo", "include")
    review.decide(2, "ta", "anna", "exclude")
    review.decide(2, "ta", "bo", "exclude")
    review.decide(3, "ta", "anna", "maybe")
    review.decide(3, "ta", "bo", "include")
    review.decide(4, "ta", "anna", "include")
    expected_ta = {
        "candidates": 12,
        "decided": 2,
        "included": 1,
        "excluded": 1,
        "maybe": 0,
        "conflicts": 1,
        "undecided": 9,
        "waiting": 1,
        "reviewers": 2,
    }
    assert review.status()["screening_ta"] == expected_ta
    status = json.loads(cli("status", review.folder, "--json").output)
    assert status["screening_ta"] == expected_ta
    assert status["screening_ft"]["candidates"] == 1


def test_state_is_updated_event_by_event_and_shared_by_every_review_of_the_project(screened):
    review = screened
    review.decide(1, "ta", "anna", "include")
    first = review.state("ta")
    assert review.state("ta") is first  # same log version: the same snapshot
    with Review.open(review.folder) as other:  # another connection (a second session or process-like)
        other.decide(1, "ta", "bo", "include")
        assert other.state("ta").finals == {1: "include"}
    later = review.state("ta")
    assert later.version > first.version and later.finals == {1: "include"}
    assert first.finals == {} and first.records[1].status == "waiting"  # an old snapshot never changes


def test_the_log_refuses_update_and_delete(screened):
    review = screened
    review.decide(1, "ta", "anna", "include")
    for statement in ("UPDATE decisions SET label = 'exclude'", "DELETE FROM decisions"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            review.db.execute(statement)
    assert review.db.execute("SELECT label FROM decisions").fetchall() == [("include",)]


def test_no_code_updates_or_deletes_decisions():
    pattern = re.compile(
        r"\b(UPDATE|DELETE\s+FROM|REPLACE\s+INTO|INSERT\s+OR\s+REPLACE\s+INTO)\s+[\"'`]?decisions\b", re.IGNORECASE
    )
    sources = list(REVIEW_SOURCES.rglob("*.py"))
    assert any(path.name == "log.py" for path in sources)
    offenders = [
        f"{path}: {match.group(0)}" for path in sources for match in pattern.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
    assert not re.search(
        r"\.table\(\s*[\"']decisions|\[\s*[\"']decisions[\"']\s*\]\s*\.(update|delete|upsert)",
        "\n".join(path.read_text(encoding="utf-8") for path in sources),
    )


def test_cli_decide_undo_and_errors(screened, cli, monkeypatch):
    review = screened
    project_dir = review.folder
    monkeypatch.setenv("REVIEW_REVIEWER", "dana")
    result = cli("decide", project_dir, 3, "--stage", "ta", "--include", "--note", "looks relevant")
    assert result.exit_code == 0 and "by dana" in result.output
    assert review.history(3, COORDINATOR)[0]["reviewer"] == "dana"
    result = cli("decide", project_dir, 3, "--stage", "ta", "--include", "--exclude")
    assert result.exit_code == 1 and "exactly one of" in result.output
    result = cli("decide", project_dir, 3, "--stage", "ft", "--include")
    assert result.exit_code == 1 and result.output.startswith("Error: record 3 is not a full-text candidate")
    assert cli("undo", project_dir, "--stage", "ta").exit_code == 0
    assert dict(review.state("ta").records) == {}
    result = cli("undo", project_dir, "--stage", "ta")
    assert result.exit_code == 1 and "no decision to undo" in result.output


@pytest.mark.parametrize(
    "command", ["decide", "undo", "history", "import-decisions", "conflicts", "resolve", "agreement"]
)
def test_every_command_has_help_with_an_example(cli, command):
    result = cli(command, "--help")
    assert result.exit_code == 0
    assert "Example" in result.output and f"review {command}" in result.output


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["anna", "bo", "carl"]),
            st.integers(1, 4),
            st.sampled_from(["include", "exclude", "maybe", "undo", "resolve"]),
        ),
        max_size=25,
    ),
    last=st.tuples(st.sampled_from(["anna", "bo"]), st.integers(1, 4), st.sampled_from(["include", "exclude"])),
)
def test_a_decision_then_undo_restores_the_state(tmp_path_factory, steps, last):
    review = Review.create(tmp_path_factory.mktemp("undo") / "project", TEMPLATE)
    review.import_files([RECORDS], source="Test")
    for reviewer, record_id, action in steps:
        if action == "undo":
            with contextlib.suppress(UndoRefused):  # a resolved record's decisions stay (see the undo guard test)
                review.undo("ta", reviewer)
        elif action == "resolve":
            state = review.state("ta").records.get(record_id)
            if state is not None and state.status == "conflict":
                review.resolve(record_id, "ta", reviewer, "include")
        else:
            review.decide(record_id, "ta", reviewer, action)

    def current(records) -> dict:  # independent labels, once given, are history and outlive an undo by design
        return {record_id: replace(state, independent={}) for record_id, state in records.items()}

    before = current(review.state("ta").records)
    reviewer, record_id, label = last
    review.decide(record_id, "ta", reviewer, label)
    if review.state("ta").records[record_id].resolved_by:
        with pytest.raises(UndoRefused):
            review.undo("ta", reviewer)
        return
    assert review.undo("ta", reviewer) == record_id
    assert current(review.state("ta").records) == before
    review.close()


def test_undo_is_refused_with_the_reason_for_a_resolved_record_or_one_with_full_text_decisions(screened, cli):
    review = screened
    review.decide(1, "ta", "anna", "include")
    review.decide(1, "ta", "bo", "exclude")
    review.resolve(1, "ta", "carl", "include")
    for reviewer in ("anna", "bo"):  # a screening decision under a resolution stays
        with pytest.raises(UndoRefused, match="record 1 cannot be undone: its conflict has been resolved"):
            review.undo("ta", reviewer)
    assert review.state("ta").finals[1] == "include"
    review.decide(2, "ta", "anna", "include")
    review.decide(2, "ta", "bo", "include")
    review.decide(2, "ft", "anna", "include")
    with pytest.raises(UndoRefused, match="record 2 cannot be undone: it has full-text decisions"):
        review.undo("ta", "bo")
    result = cli("undo", review.folder, "--stage", "ta", "--reviewer", "bo")
    assert result.exit_code == 1 and "record 2 cannot be undone" in result.output
    assert "Traceback" not in result.output
    assert review.db.execute("SELECT COUNT(*) FROM decisions WHERE kind = 'undo'").fetchone()[0] == 0


def test_cli_decide_records_the_models_score_and_rank(screened, cli):
    """Score and rank come from the stage's latest ranking; the rank is among records still without a final decision."""
    from review.ranking.results import save_ranking

    review = screened
    project_dir = review.folder
    assert cli("decide", project_dir, 1, "--stage", "ta", "--include", "--reviewer", "anna").exit_code == 0
    ranking = [(2, 0.91, 1), (3, 0.5, 2), (1, 0.35, 3)]
    save_ranking(review.db, "ta", ranking, {"model": "test"}, n_labelled=0, n_relevant=0, seconds=0.1)
    assert cli("decide", project_dir, 2, "--stage", "ta", "--include", "--reviewer", "anna").exit_code == 0
    for reviewer in ("anna", "bo"):  # record 2 becomes final: it no longer counts in the ranks of others
        review.decide(2, "ta", reviewer, "include")
    assert cli("decide", project_dir, 3, "--stage", "ta", "--include", "--reviewer", "anna").exit_code == 0
    events = [event for r in (1, 2, 3) for event in review.history(r, COORDINATOR) if event["reviewer"] == "anna"]
    assert [(event["score"], event["rank"]) for event in events][:2] == [(None, None), (0.91, 1)]
    assert (events[-1]["score"], events[-1]["rank"]) == (0.5, 1)
