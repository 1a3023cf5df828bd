"""Screening through the CLI entry point: agreement on independent labels, and `review next` serving.

The template's title/abstract stage is blind with two reviewers per record.
"""

from __future__ import annotations

import json

import pytest

from review.audit import AuditAction, audit_entries
from tests.apptest import REPO

RECORDS = REPO / "tests" / "data" / "screening" / "records.ris"
# a 2x2 table with kappa defined and 0: Anna and Bo agree on half the records, each includes half of them
INDEPENDENT = {
    1: ("include", "include"),
    2: ("include", "exclude"),
    3: ("exclude", "include"),
    4: ("exclude", "exclude"),
}


@pytest.fixture
def records(review, monkeypatch):
    monkeypatch.delenv("REVIEW_REVIEWER", raising=False)
    review.import_files([RECORDS], source="Test")
    return review


def decide(cli, review, record_id: int, label: str, reviewer: str) -> None:
    result = cli("decide", review.folder, record_id, f"--{label}", "--reviewer", reviewer)
    assert result.exit_code == 0, result.output


def ta_pair(cli, review, *viewer: str) -> dict:
    result = cli("agreement", review.folder, "--json", *viewer)
    assert result.exit_code == 0, result.output
    [pair] = [pair for pair in json.loads(result.output)["pairs"] if pair["stage"] == "ta"]
    return pair


def test_agreement_stays_on_the_first_labels_when_a_reviewer_redecides_after_reading_the_conflict(records, cli):
    review = records
    for record_id, (anna, bo) in INDEPENDENT.items():
        decide(cli, review, record_id, anna, "anna")
        decide(cli, review, record_id, bo, "bo")
    before = ta_pair(cli, review, "--unblind", "--reviewer", "carl")
    assert (before["n"], before["agreement"], before["kappa"], before["changed_after"]) == (4, 0.5, 0.0, 0)

    conflicts = json.loads(cli("conflicts", review.folder, "--unblind", "--reviewer", "anna", "--json").output)
    assert [(c["record_id"], c["labels"]["bo"]) for c in conflicts] == [(2, "exclude"), (3, "include")]
    decide(cli, review, 2, "exclude", "anna")  # anna has seen bo's label and follows it
    assert review.state("ta").finals[2] == "exclude"
    after = ta_pair(cli, review, "--unblind", "--reviewer", "carl")
    assert (after["n"], after["agreement"], after["kappa"], after["changed_after"]) == (4, 0.5, 0.0, 1)
    assert after["table"] == before["table"]

    decide(cli, review, 3, "include", "anna")  # every record reconciled: the stage is no longer open
    audited = len(audit_entries(review.db, AuditAction.UNBLIND))
    reconciled = ta_pair(cli, review, "--reviewer", "anna")
    assert (reconciled["kappa"], reconciled["changed_after"]) == (0.0, 2)
    assert len(audit_entries(review.db, AuditAction.UNBLIND)) == audited  # nothing hidden, nothing audited
    table = cli("agreement", review.folder, "--reviewer", "anna").output
    assert "0.000" in table and "50.0%" in table


def served(cli, review, reviewer: str, n: int = 12) -> list[dict]:
    result = cli("next", review.folder, "--reviewer", reviewer, "-n", n, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def served_ids(cli, review, reviewer: str) -> list[int]:
    return [row["record_id"] for row in served(cli, review, reviewer)]


def test_next_never_serves_a_record_the_reviewer_has_decided(records, cli):
    review = records
    decided = []
    for _ in range(4):  # screening as `review next` serves: each time a record anna has not decided
        [row] = served(cli, review, "anna", n=1)
        assert row["record_id"] not in decided
        decided.append(row["record_id"])
        decide(cli, review, row["record_id"], "exclude", "anna")
    assert set(served_ids(cli, review, "anna")) == set(range(1, 13)) - set(decided)

    bo_agrees, bo_disagrees = decided[:2]
    bo_alone = next(record_id for record_id in range(12, 0, -1) if record_id not in decided)
    decide(cli, review, bo_agrees, "exclude", "bo")  # final
    decide(cli, review, bo_disagrees, "include", "bo")  # a conflict: served to nobody
    decide(cli, review, bo_alone, "include", "bo")  # waits for anna
    for_anna, for_bo = served_ids(cli, review, "anna"), served_ids(cli, review, "bo")
    assert not set(for_anna) & set(decided) and bo_alone in for_anna
    assert set(for_bo) == set(range(1, 13)) - {bo_agrees, bo_disagrees, bo_alone}  # incl. anna's waiting ones

    stopping = cli("stopping", review.folder, "--json")  # not safe to stop: a random sample opens
    assert stopping.exit_code == 0 and not json.loads(stopping.output)["safe"]
    sample = served(cli, review, "anna")
    assert {row["phase"] for row in sample} == {"random-sample"}
    assert not {row["record_id"] for row in sample} & set(decided)

    assert cli("undo", review.folder, "--reviewer", "anna").exit_code == 0  # her last decision comes back
    assert decided[-1] in served_ids(cli, review, "anna")


def test_next_on_a_stage_without_candidates_says_nothing_is_left(records, cli):
    result = cli("next", records.folder, "--stage", "ft", "--reviewer", "anna")  # nothing included yet
    assert result.exit_code == 0
    assert "Nothing left to screen at stage ft" in result.output
