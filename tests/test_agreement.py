"""Conflicts, their resolution, and Cohen's kappa on independent labels against hand-computed examples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sklearn.metrics import cohen_kappa_score

from review.errors import BlindStageError, ReviewError
from review.screening.blind import Viewer
from review.stats import cohen_kappa

LEAD = Viewer("carl", unblinded=True)


def write_ris(path: Path, n: int) -> Path:
    path.write_text(
        "".join(f"TY  - JOUR\nID  - K{i}\nTI  - Kappa record {i}\nPY  - 2015\nER  - \n\n" for i in range(1, n + 1)),
        encoding="utf-8",
    )
    return path


@pytest.fixture
def fifty(review, tmp_path):
    review.import_files([write_ris(tmp_path / "fifty.ris", 50)], source="Test")
    return review


def test_kappa_hand_computed(fifty, cli):
    """50 records; anna/bo: include/include 20, include/exclude 5, exclude/include 10, exclude/exclude 15.

    Observed agreement (20 + 15) / 50 = 0.70. anna includes 25/50 = 0.5, bo 30/50 = 0.6, so chance
    agreement is 0.5 * 0.6 + 0.5 * 0.4 = 0.50 and kappa = (0.70 - 0.50) / (1 - 0.50) = 0.40.
    """
    review = fifty
    pairs = (
        [("include", "include")] * 20
        + [("include", "exclude")] * 5
        + [("exclude", "include")] * 10
        + [("exclude", "exclude")] * 15
    )
    for record_id, (a, b) in enumerate(pairs, 1):
        review.decide(record_id, "ta", "anna", a)
        review.decide(record_id, "ta", "bo", b)
    for record_id in range(21, 36):  # reconcile the 15 conflicts so the blind stage is no longer open
        review.resolve(record_id, "ta", "carl", "include")
    [pair] = review.agreement(Viewer("anna")).pairs
    assert (pair.stage, pair.reviewer_a, pair.reviewer_b, pair.n) == ("ta", "anna", "bo", 50)
    assert pair.agreement == pytest.approx(0.70)
    assert pair.kappa == pytest.approx(0.40)
    assert pair.table["include"] == {"include": 20, "exclude": 5, "maybe": 0}
    assert pair.table["exclude"] == {"include": 10, "exclude": 15, "maybe": 0}
    shown = json.loads(cli("agreement", review.folder, "--json").output)
    assert shown["pairs"][0]["kappa"] == pytest.approx(0.40) and shown["pairs"][0]["n"] == 50
    assert "0.400" in cli("agreement", review.folder).output


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
    review = fifty
    review.decide(1, "ta", "anna", "include")
    review.decide(1, "ta", "bo", "include")
    review.decide(2, "ta", "anna", "exclude")
    review.decide(2, "ta", "carl", "include")
    review.decide(3, "ta", "dana", "include")  # one reviewer only: no pair
    report = review.agreement(LEAD)
    result = {(pair.reviewer_a, pair.reviewer_b): (pair.n, pair.agreement) for pair in report.pairs}
    assert result == {("anna", "bo"): (1, 1.0), ("anna", "carl"): (1, 0.0)}


def test_agreement_is_withheld_while_a_blind_stage_is_open_unless_unblinded(fifty):
    review = fifty
    review.decide(1, "ta", "anna", "include")
    review.decide(1, "ta", "bo", "exclude")
    report = review.agreement(Viewer("anna"))
    assert report.pairs == [] and report.hidden_stages == ["ta"]
    with pytest.raises(BlindStageError):
        review.agreement(Viewer())
    assert len(review.agreement(LEAD).pairs) == 1


def test_agreement_uses_the_labels_given_before_seeing_the_other(fifty):
    """Re-deciding to match the other reviewer after seeing a conflict changes the log, not the agreement."""
    review = fifty
    for record_id, (a, b) in enumerate([("include", "exclude"), ("exclude", "include")] * 2, 1):
        review.decide(record_id, "ta", "anna", "include" if a == "include" else "exclude")
        review.decide(record_id, "ta", "bo", b)
    before = review.agreement(LEAD).pairs[0]
    assert before.kappa == pytest.approx(-1.0) and before.changed_after == 0
    review.decide(1, "ta", "anna", "exclude")  # anna changes her mind to match bo
    review.decide(2, "ta", "bo", "exclude")  # and bo matches anna on record 2
    after = review.agreement(LEAD).pairs[0]
    assert after.kappa == pytest.approx(before.kappa) and after.table == before.table
    assert after.changed_after == 2
    assert review.state("ta").finals == {1: "exclude", 2: "exclude"}


def test_a_label_changed_before_the_second_reviewer_decides_is_still_independent(fifty):
    review = fifty
    review.decide(1, "ta", "anna", "include")
    review.decide(1, "ta", "anna", "exclude")  # changed her mind before bo decided: still her own judgement
    review.decide(1, "ta", "bo", "exclude")
    assert review.state("ta").records[1].independent == {"anna": "exclude", "bo": "exclude"}


def test_conflict_listed_then_resolved_by_a_named_reviewer(fifty, cli):
    review = fifty
    review.decide(1, "ta", "anna", "include")
    review.decide(1, "ta", "bo", "exclude", reason="not-research", note="a review article")
    review.decide(2, "ta", "anna", "include")
    [conflict] = review.conflicts("ta", LEAD)
    assert (conflict.record_id, conflict.title, conflict.labels) == (
        1, "Kappa record 1", {"anna": "include", "bo": "exclude"}
    )  # fmt: skip
    assert conflict.reasons == {"anna": None, "bo": "not-research"} and conflict.notes["bo"] == "a review article"
    shown = cli("conflicts", review.folder, "--stage", "ta", "--unblind", "--reviewer", "carl", "--json")
    assert json.loads(shown.output)[0]["record_id"] == 1
    with pytest.raises(ReviewError, match="no conflict to resolve"):
        review.resolve(2, "ta", "carl", "include")
    result = cli(
        "resolve", review.folder, 1, "--stage", "ta", "--exclude", "--reason", "not-research", "--reviewer", "carl"
    )
    assert result.exit_code == 0, result.output
    assert review.conflicts("ta", LEAD) == []
    assert dict(review.state("ta").finals) == {1: "exclude"}
    state = review.state("ta").records[1]
    assert (state.resolved_by, state.reason) == ("carl", "not-research")
    assert [(event["reviewer"], event["kind"]) for event in review.history(1, LEAD)] == [
        ("anna", "screen"),
        ("bo", "screen"),
        ("carl", "resolve"),
    ]
    review.resolve(1, "ta", "dana", "include", note="discussed at meeting")  # a later resolution wins
    assert dict(review.state("ta").finals) == {1: "include"}
    review.undo("ta", "dana")
    assert dict(review.state("ta").finals) == {1: "exclude"}


def test_conflicts_of_an_open_blind_stage_need_an_audited_unblind(fifty, cli):
    review = fifty
    review.decide(1, "ta", "anna", "include")
    review.decide(1, "ta", "bo", "exclude")
    with pytest.raises(BlindStageError):
        review.conflicts("ta", Viewer("anna"))
    result = cli("conflicts", review.folder, "--stage", "ta", "--reviewer", "anna")
    assert result.exit_code == 1 and "blind" in result.output and "--unblind" in result.output
    before = review.db.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'unblind'").fetchone()[0]
    assert cli("conflicts", review.folder, "--stage", "ta", "--unblind", "--reviewer", "carl").exit_code == 0
    actor, detail = review.db.execute("SELECT actor, detail FROM audit_log WHERE action = 'unblind'").fetchone()
    assert before == 0 and actor == "carl" and "review conflicts" in detail


def test_resolve_needs_a_reviewer_and_one_label(fifty, cli):
    review = fifty
    review.decide(1, "ta", "anna", "include")
    review.decide(1, "ta", "bo", "exclude")
    result = cli("resolve", review.folder, 1, "--stage", "ta", "--include")
    assert result.exit_code == 1 and "--reviewer" in result.output
    assert cli("resolve", review.folder, 1, "--stage", "ta", "--reviewer", "carl").exit_code == 1
    shown = cli("conflicts", review.folder, "--stage", "ta", "--unblind", "--reviewer", "carl").output
    assert shown.count("anna: include, bo: exclude") == 1
