"""Conflicts, their resolution, and Cohen's kappa against hand-computed examples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sklearn.metrics import cohen_kappa_score

from review.errors import ReviewError
from review.records import import_files
from review.screening.conflicts import agreement, cohen_kappa, conflicts, resolve_conflict
from review.screening.log import final_labels, history, record_decision, record_states, undo_last


def write_ris(path: Path, n: int) -> Path:
    path.write_text(
        "".join(f"TY  - JOUR\nID  - K{i}\nTI  - Kappa record {i}\nPY  - 2015\nER  - \n\n" for i in range(1, n + 1)),
        encoding="utf-8",
    )
    return path


@pytest.fixture
def fifty(project, tmp_path):
    project_dir, db = project
    import_files(db, [write_ris(tmp_path / "fifty.ris", 50)], source="Test")
    return project_dir, db


def test_kappa_hand_computed(fifty, cli):
    """50 records; anna/bo: include/include 20, include/exclude 5, exclude/include 10, exclude/exclude 15.

    Observed agreement (20 + 15) / 50 = 0.70. anna includes 25/50 = 0.5, bo 30/50 = 0.6, so chance
    agreement is 0.5 * 0.6 + 0.5 * 0.4 = 0.50 and kappa = (0.70 - 0.50) / (1 - 0.50) = 0.40.
    """
    project_dir, db = fifty
    pairs = (
        [("include", "include")] * 20
        + [("include", "exclude")] * 5
        + [("exclude", "include")] * 10
        + [("exclude", "exclude")] * 15
    )
    for record_id, (a, b) in enumerate(pairs, 1):
        record_decision(db, record_id, "ta", "anna", a)
        record_decision(db, record_id, "ta", "bo", b)
    [pair] = agreement(db)
    assert (pair.stage, pair.reviewer_a, pair.reviewer_b, pair.n) == ("ta", "anna", "bo", 50)
    assert pair.agreement == pytest.approx(0.70)
    assert pair.kappa == pytest.approx(0.40)
    assert pair.table["include"] == {"include": 20, "exclude": 5, "maybe": 0}
    assert pair.table["exclude"] == {"include": 10, "exclude": 15, "maybe": 0}
    shown = json.loads(cli("agreement", project_dir, "--json").output)
    assert shown[0]["kappa"] == pytest.approx(0.40) and shown[0]["n"] == 50
    assert "0.400" in cli("agreement", project_dir).output


def test_kappa_three_labels_hand_computed():
    """Rows: a's label, columns: b's. n = 20, observed (6 + 5 + 2) / 20 = 0.65.

    Row totals 8, 8, 4; column totals 9, 7, 4: chance (72 + 56 + 16) / 400 = 0.36;
    kappa = (0.65 - 0.36) / 0.64 = 0.453125.
    """
    table = {
        "include": {"include": 6, "exclude": 1, "maybe": 1},
        "exclude": {"include": 2, "exclude": 5, "maybe": 1},
        "maybe": {"include": 1, "exclude": 1, "maybe": 2},
    }
    assert cohen_kappa(table) == (20, pytest.approx(0.65), pytest.approx(0.453125))
    a = [row for row, counts in table.items() for column, n in counts.items() for _ in range(n)]
    b = [column for row, counts in table.items() for column, n in counts.items() for _ in range(n)]
    assert cohen_kappa_score(a, b) == pytest.approx(0.453125)


def test_kappa_undefined_when_everyone_gives_one_label():
    table = {"include": {"include": 4, "exclude": 0}, "exclude": {"include": 0, "exclude": 0}}
    assert cohen_kappa(table) == (4, 1.0, None)
    assert cohen_kappa({"include": {"include": 0}}) == (0, None, None)


def test_agreement_per_reviewer_pair(fifty):
    _, db = fifty
    record_decision(db, 1, "ta", "anna", "include")
    record_decision(db, 1, "ta", "bo", "include")
    record_decision(db, 2, "ta", "anna", "exclude")
    record_decision(db, 2, "ta", "carl", "include")
    record_decision(db, 3, "ta", "dana", "include")  # one reviewer only: no pair
    result = {(pair.reviewer_a, pair.reviewer_b): (pair.n, pair.agreement) for pair in agreement(db)}
    assert result == {("anna", "bo"): (1, 1.0), ("anna", "carl"): (1, 0.0)}


def test_conflict_listed_then_resolved_by_a_named_reviewer(fifty, cli):
    project_dir, db = fifty
    record_decision(db, 1, "ta", "anna", "include")
    record_decision(db, 1, "ta", "bo", "exclude", reason="not-research")
    record_decision(db, 2, "ta", "anna", "include")
    assert conflicts(db, "ta") == [
        {"record_id": 1, "title": "Kappa record 1", "labels": {"anna": "include", "bo": "exclude"}}
    ]
    assert json.loads(cli("conflicts", project_dir, "--stage", "ta", "--json").output)[0]["record_id"] == 1
    with pytest.raises(ReviewError, match="no conflict to resolve"):
        resolve_conflict(db, 2, "ta", "carl", "include")
    result = cli(
        "resolve", project_dir, 1, "--stage", "ta", "--exclude", "--reason", "not-research", "--reviewer", "carl"
    )
    assert result.exit_code == 0, result.output
    assert conflicts(db, "ta") == []
    assert final_labels(db, "ta") == {1: "exclude"}
    state = record_states(db, "ta")[1]
    assert (state.resolved_by, state.reason) == ("carl", "not-research")
    assert [(event["reviewer"], event["kind"]) for event in history(db, 1)] == [
        ("anna", "screen"),
        ("bo", "screen"),
        ("carl", "resolve"),
    ]
    resolve_conflict(db, 1, "ta", "dana", "include", note="discussed at meeting")  # a later resolution wins
    assert final_labels(db, "ta") == {1: "include"}
    undo_last(db, "dana", "ta")
    assert final_labels(db, "ta") == {1: "exclude"}


def test_resolve_needs_a_reviewer_and_one_label(fifty, cli):
    project_dir, db = fifty
    record_decision(db, 1, "ta", "anna", "include")
    record_decision(db, 1, "ta", "bo", "exclude")
    result = cli("resolve", project_dir, 1, "--stage", "ta", "--include")
    assert result.exit_code == 1 and "--reviewer" in result.output
    assert cli("resolve", project_dir, 1, "--stage", "ta", "--reviewer", "carl").exit_code == 1
    assert cli("conflicts", project_dir, "--stage", "ta").output.count("anna: include, bo: exclude") == 1
