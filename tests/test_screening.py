"""Decisions: validation, derived state, undo, blind history, pending records, the append-only log."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from review.errors import ReviewError
from review.project import current_protocol, init_project, store_protocol
from review.records import import_files
from review.screening.conflicts import resolve_conflict
from review.screening.log import (
    final_labels,
    final_reasons,
    history,
    pending_for,
    record_decision,
    record_states,
    screening_candidates,
    screening_counts,
    undo_last,
)
from review.status import project_status

RECORDS = Path(__file__).parent / "data" / "screening" / "records.ris"
REVIEW_SOURCES = Path(__file__).resolve().parents[1] / "review"


@pytest.fixture
def screened(project):
    """The template project (ta: 2 blind reviewers; ft: 1, reason required) with 12 records."""
    project_dir, db = project
    import_files(db, [RECORDS], source="Test")
    return project_dir, db


def single_reviewer(db) -> None:
    """Switch the project's protocol to one reviewer per record at title/abstract."""
    data = json.loads(current_protocol(db).model_dump_json(by_alias=True))
    data["stages"]["ta"].update(reviewers=1, blind=False)
    store_protocol(db, yaml.safe_dump(data), "single.yaml")


def test_single_reviewer_latest_label_is_final(screened):
    _, db = screened
    single_reviewer(db)
    record_decision(db, 1, "ta", "anna", "include")
    record_decision(db, 2, "ta", "anna", "exclude", reason="not-research")
    record_decision(db, 1, "ta", "bo", "exclude")  # a later decision by anyone replaces it
    assert final_labels(db, "ta") == {1: "exclude", 2: "exclude"}
    assert final_reasons(db, "ta") == {1: None, 2: "not-research"}


def test_two_reviewers_agree_wait_or_conflict(screened):
    _, db = screened
    record_decision(db, 1, "ta", "anna", "include")
    assert final_labels(db, "ta") == {}
    assert record_states(db, "ta")[1].status == "waiting"
    record_decision(db, 1, "ta", "bo", "include")
    record_decision(db, 2, "ta", "anna", "exclude", reason="wrong-population")
    record_decision(db, 2, "ta", "bo", "exclude", reason="Not primary research")  # label text maps to its key
    record_decision(db, 3, "ta", "anna", "include")
    record_decision(db, 3, "ta", "bo", "maybe")
    assert final_labels(db, "ta") == {1: "include", 2: "exclude"}
    assert final_reasons(db, "ta")[2] == "not-research"  # the latest agreeing decision's reason
    assert record_states(db, "ta")[3].status == "conflict"
    assert screening_candidates(db, "ft") == [1]


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
    _, db = screened
    with pytest.raises(ReviewError, match=message):
        record_decision(db, record_id, stage, "anna", label, reason=reason)
    assert db.execute("SELECT COUNT(*) FROM decisions").fetchone()[0] == 0


def test_full_text_exclusion_needs_a_reason_from_the_list(screened):
    _, db = screened
    single_reviewer(db)
    record_decision(db, 1, "ta", "anna", "include")
    with pytest.raises(ReviewError, match="needs a reason: wrong-population, wrong-outcome, wrong-design"):
        record_decision(db, 1, "ft", "anna", "exclude")
    with pytest.raises(ReviewError, match="unknown exclusion reason 'not-research'"):
        record_decision(db, 1, "ft", "anna", "exclude", reason="not-research")
    record_decision(db, 1, "ft", "anna", "exclude", reason="wrong-design", note="cross-sectional", score=0.4, rank=3)
    assert final_reasons(db, "ft") == {1: "wrong-design"}
    event = history(db, 1)[-1]
    assert (event["note"], event["score"], event["rank"]) == ("cross-sectional", 0.4, 3)


def test_duplicates_are_not_candidates(screened):
    _, db = screened
    db.execute("UPDATE records SET duplicate_of = 1 WHERE record_id = 2")
    db.conn.commit()
    assert 2 not in screening_candidates(db, "ta")
    with pytest.raises(ReviewError, match="duplicate of record 1"):
        record_decision(db, 2, "ta", "anna", "include")


def test_full_text_candidates_follow_the_latest_title_abstract_label(screened):
    _, db = screened
    single_reviewer(db)
    record_decision(db, 1, "ta", "anna", "include")
    record_decision(db, 1, "ft", "anna", "include")
    assert final_labels(db, "ft") == {1: "include"}
    record_decision(db, 1, "ta", "anna", "exclude")
    assert screening_candidates(db, "ft") == []
    assert final_labels(db, "ft") == {}  # no longer a candidate, so no final full-text label


def test_undo_cancels_the_reviewers_latest_active_decision(screened):
    _, db = screened
    single_reviewer(db)
    record_decision(db, 1, "ta", "anna", "include")
    record_decision(db, 2, "ta", "anna", "include")
    record_decision(db, 2, "ta", "anna", "exclude")
    record_decision(db, 3, "ta", "bo", "include")
    assert undo_last(db, "anna", "ta") == 2
    assert final_labels(db, "ta") == {1: "include", 2: "include", 3: "include"}
    assert undo_last(db, "anna", "ta") == 2
    assert undo_last(db, "anna", "ta") == 1
    assert undo_last(db, "anna", "ta") is None
    assert undo_last(db, "anna", "ft") is None
    assert final_labels(db, "ta") == {3: "include"}
    kinds = [row[0] for row in db.execute("SELECT kind FROM decisions ORDER BY event_id")]
    assert kinds == ["screen"] * 4 + ["undo"] * 3  # history kept, nothing rewritten


def test_blind_history_hides_other_reviewers_until_reconciled(screened, cli):
    project_dir, db = screened
    record_decision(db, 1, "ta", "anna", "include", note="anna's note")
    record_decision(db, 1, "ta", "bo", "exclude", reason="not-research", note="bo's note")

    def seen_by(viewer):
        output = cli("history", project_dir, 1, "--reviewer", viewer, "--json").output
        return json.loads(output), output

    for viewer, other in (("anna", "bo"), ("bo", "anna"), ("carl", None)):
        events, output = seen_by(viewer)
        assert {event["reviewer"] for event in events} <= {viewer}
        assert other is None or f"{other}'s note" not in output
        assert history(db, 1, viewer=viewer) == events
    assert len(history(db, 1)) == 2  # the coordinator's view (no viewer) shows all

    resolve_conflict(db, 1, "ta", "carl", "include")
    events, _ = seen_by("anna")
    assert [event["reviewer"] for event in events] == ["anna", "bo", "carl"]


def test_blind_views_never_show_another_reviewers_label(screened, cli):
    """Before reconciliation nothing a reviewer can ask for carries the other's label."""
    project_dir, db = screened
    for record_id in (1, 2, 3):
        record_decision(db, record_id, "ta", "anna", "exclude", reason="wrong-population", note=f"secret-{record_id}")
    assert pending_for(db, "ta", "bo", list(range(1, 13))) == list(range(1, 13))
    for record_id in range(1, 13):
        for view in (
            history(db, record_id, viewer="bo"),
            json.loads(cli("history", project_dir, record_id, "--reviewer", "bo", "--json").output),
        ):
            assert all(event["reviewer"] == "bo" for event in view)
    assert "secret" not in cli("conflicts", project_dir, "--stage", "ta", "--json").output


def test_full_text_stage_is_not_blind(screened):
    _, db = screened
    single_reviewer(db)
    record_decision(db, 1, "ta", "anna", "include")
    record_decision(db, 1, "ft", "anna", "include")
    assert [event["reviewer"] for event in history(db, 1, viewer="bo")] == ["anna", "anna"]


def test_pending_for_in_the_given_order(screened):
    _, db = screened
    order = [5, 3, 1, 2, 4]
    record_decision(db, 3, "ta", "anna", "include")
    record_decision(db, 1, "ta", "anna", "include")
    record_decision(db, 1, "ta", "bo", "include")
    record_decision(db, 2, "ta", "anna", "include")
    record_decision(db, 2, "ta", "bo", "exclude")
    assert pending_for(db, "ta", "anna", order) == [5, 4]
    assert pending_for(db, "ta", "bo", order) == [5, 3, 4]
    assert pending_for(db, "ft", "anna", [1, 2, 3]) == [1]


def test_status_counts_screening_per_stage(screened, cli):
    project_dir, db = screened
    record_decision(db, 1, "ta", "anna", "include")
    record_decision(db, 1, "ta", "bo", "include")
    record_decision(db, 2, "ta", "anna", "exclude")
    record_decision(db, 2, "ta", "bo", "exclude")
    record_decision(db, 3, "ta", "anna", "maybe")
    record_decision(db, 3, "ta", "bo", "include")
    record_decision(db, 4, "ta", "anna", "include")
    expected_ta = {
        "candidates": 12,
        "decided": 2,
        "included": 1,
        "excluded": 1,
        "maybe": 0,
        "conflicts": 1,
        "undecided": 9,
    }
    assert screening_counts(db, "ta") == expected_ta
    status = json.loads(cli("status", project_dir, "--json").output)
    assert status["screening_ta"] == expected_ta
    assert project_status(db)["screening_ft"]["candidates"] == 1


def test_the_log_refuses_update_and_delete(screened):
    _, db = screened
    record_decision(db, 1, "ta", "anna", "include")
    for statement in ("UPDATE decisions SET label = 'exclude'", "DELETE FROM decisions"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute(statement)
    assert db.execute("SELECT label FROM decisions").fetchall() == [("include",)]


def test_no_code_updates_or_deletes_decisions():
    pattern = re.compile(
        r"\b(UPDATE|DELETE\s+FROM|REPLACE\s+INTO|INSERT\s+OR\s+REPLACE\s+INTO)\s+[\"'`]?decisions\b", re.IGNORECASE
    )
    sources = list(REVIEW_SOURCES.rglob("*.py"))
    assert any(path.name == "screening.py" for path in sources)
    offenders = [
        f"{path}: {match.group(0)}" for path in sources for match in pattern.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
    assert not re.search(
        r"\.table\(\s*[\"']decisions|\[\s*[\"']decisions[\"']\s*\]\s*\.(update|delete|upsert)",
        "\n".join(path.read_text(encoding="utf-8") for path in sources),
    )


def test_cli_decide_undo_and_errors(screened, cli, monkeypatch):
    project_dir, db = screened
    monkeypatch.setenv("REVIEW_REVIEWER", "dana")
    result = cli("decide", project_dir, 3, "--stage", "ta", "--include", "--note", "looks relevant")
    assert result.exit_code == 0 and "by dana" in result.output
    assert history(db, 3)[0]["reviewer"] == "dana"
    result = cli("decide", project_dir, 3, "--stage", "ta", "--include", "--exclude")
    assert result.exit_code == 1 and "exactly one of" in result.output
    result = cli("decide", project_dir, 3, "--stage", "ft", "--include")
    assert result.exit_code == 1 and result.output.startswith("Error: record 3 is not a full-text candidate")
    assert cli("undo", project_dir, "--stage", "ta").exit_code == 0
    assert record_states(db, "ta") == {}
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
    db = init_project(
        tmp_path_factory.mktemp("undo") / "project", Path(__file__).parents[1] / "protocols" / "template.yaml"
    )
    import_files(db, [RECORDS], source="Test")
    for reviewer, record_id, action in steps:
        if action == "undo":
            undo_last(db, reviewer, "ta")
        elif action == "resolve":
            state = record_states(db, "ta", record_ids=[record_id]).get(record_id)
            if state is not None and state.status == "conflict":
                resolve_conflict(db, record_id, "ta", reviewer, "include")
        else:
            record_decision(db, record_id, "ta", reviewer, action)
    before = record_states(db, "ta")
    reviewer, record_id, label = last
    record_decision(db, record_id, "ta", reviewer, label)
    assert undo_last(db, reviewer, "ta") == record_id
    assert record_states(db, "ta") == before
    db.close()


def test_cli_decide_records_the_models_score_and_rank(screened, cli):
    from review.ranking.results import save_ranking

    project_dir, db = screened
    assert cli("decide", project_dir, 1, "--stage", "ta", "--include", "--reviewer", "anna").exit_code == 0
    save_ranking(db, "ta", [(2, 0.91, 1), (1, 0.35, 2)], {"model": "test"}, n_labelled=1, n_relevant=1, seconds=0.1)
    assert cli("decide", project_dir, 2, "--stage", "ta", "--include", "--reviewer", "anna").exit_code == 0
    assert [(event["score"], event["rank"]) for event in history(db, 1) + history(db, 2)] == [(None, None), (0.91, 1)]
