"""Replaying a benchmark slice's two-stage labels gives PRISMA counts equal to the label counts."""

from __future__ import annotations

import json

from review.simulation.replay import expected_counts, labels_to_decisions, read_labels, replay_set, write_decisions
from tests.conftest import TEMPLATE_PROTOCOL

FIXTURE = "prisma"


def test_labels_become_one_decision_per_reviewer(review):
    protocol = review.protocol
    labels = [
        {"ris_id": "7", "label_abstract": "1", "label_included": "0"},
        {"ris_id": "8", "label_abstract": "0", "label_included": "0"},
    ]
    rows = labels_to_decisions(labels, protocol)
    ta = [row for row in rows if row["stage"] == "ta"]
    ft = [row for row in rows if row["stage"] == "ft"]
    assert len(ta) == 2 * protocol.stage("ta").reviewers
    assert [(row["source_id"], row["label"], row["reason"]) for row in ft] == [("7", "exclude", "wrong-population")]


def test_replay_through_the_cli_matches_the_labels(review, data_dir, cli, tmp_path):
    project_dir = review.folder
    fixture = data_dir / FIXTURE
    labels = read_labels(fixture / "labels.csv")
    decisions = write_decisions(labels_to_decisions(labels, review.protocol), tmp_path / "decisions.csv")
    assert cli("import", project_dir, fixture / "records.ris", "--source", "MEDLINE").exit_code == 0
    result = cli("import-decisions", project_dir, decisions)
    assert result.exit_code == 0, result.output
    result = cli("prisma", project_dir, "--format", "json")
    assert result.exit_code == 0, result.output
    counts = json.loads(result.output)
    assert expected_counts(labels) == {"records_screened": 150, "dbr_assessed": 39, "new_reports": 6}
    for key, n in expected_counts(labels).items():
        assert counts[key] == n
    assert counts["database_specific_results"] == {"MEDLINE": 150}
    assert counts["records_excluded"] == 111 and counts["dbr_excluded"] == 33 and counts["new_studies"] == 6


def test_replay_set_reports_a_match(data_dir, tmp_path):
    result = replay_set(data_dir / FIXTURE, tmp_path, TEMPLATE_PROTOCOL)
    assert result.ok, (result.problems, result.counts)
    result.counts["new_reports"] += 1
    assert not result.ok
