"""Stopping rules: the hypergeometric test, the consecutive heuristic, and the project workflow."""

from __future__ import annotations

import json

import numpy as np
import pytest

from review.errors import ReviewError
from review.stats import random_sample_pvalue, ranked_pvalue, sample_size_needed, target_missing
from review.stopping.hypergeometric import (
    consecutive_stop,
    hypergeometric_stop,
    sample_queue,
    stopping_status,
)
from review.stopping.rules import StopRule


def test_target_missing():
    assert target_missing(19, 0.95) == 2  # 19 of 20 is 95 %, not below the target: 21 in all is
    assert target_missing(18, 0.95) == 1
    assert target_missing(0, 0.95) == 1


def test_random_sample_pvalue_matches_a_direct_count():
    # urn of 10 with 1 relevant (18 found, target 0.95); a sample of 5 without it: C(9,5)/C(10,5) = 0.5
    assert random_sample_pvalue(18, 0, 5, 10) == pytest.approx(0.5)
    assert random_sample_pvalue(18, 0, 10, 10) == pytest.approx(0.0)
    assert random_sample_pvalue(18, 0, 0, 10) == 1.0


def test_sample_size_needed_is_the_first_conclusive_size():
    n = sample_size_needed(40, 1000)
    assert random_sample_pvalue(40, 0, n, 1000) < 0.05 <= random_sample_pvalue(40, 0, n - 1, 1000)


def test_ranked_pvalue_falls_as_irrelevant_records_accumulate():
    labels = [1] * 20 + [0] * 200
    p_values = [ranked_pvalue(labels[:n], 1000) for n in (20, 100, 220)]
    assert p_values[0] > p_values[1] > p_values[2]
    assert ranked_pvalue([], 1000) == 1.0
    assert ranked_pvalue([1] * 20 + [0] * 980, 1000) < 1e-6


def test_hypergeometric_stop_is_rarely_wrong_on_random_orders():
    rng = np.random.default_rng(0)
    misses = 0
    for _ in range(100):
        labels = rng.permutation([1] * 20 + [0] * 480)
        stop = hypergeometric_stop(list(labels), 500, check_every=5) or 500
        misses += labels[:stop].sum() / 20 < 0.95
    assert misses <= 10  # 5 % nominal; the ranked test is only guaranteed for better-than-random orders


def test_consecutive_heuristic():
    labels = [1, 0, 0, 1, 0, 0, 0, 1]
    assert consecutive_stop(labels, 3) == 7
    assert consecutive_stop(labels, 4) is None
    assert consecutive_stop(labels, 2, start=4) == 6


def test_stop_rule_parsing():
    assert StopRule.parse("consecutive:50").n == 50
    assert str(StopRule.parse("hypergeometric")) == "hypergeometric"
    for bad in ("consecutive", "consecutive:0", "buscar", "hypergeometric:3"):
        with pytest.raises(ReviewError, match="valid"):
            StopRule.parse(bad)


@pytest.fixture
def screened_project(review, data_dir):
    review.import_files([data_dir / "simulate" / "records.ris"])
    ids = [row[0] for row in review.db.execute("SELECT record_id FROM records ORDER BY record_id")]
    for record_id in ids[:3]:
        decide(review, record_id, "include")
    for record_id in ids[3:40]:
        decide(review, record_id, "exclude")
    return review.folder, review, ids


def decide(review, record_id: int, label: str) -> None:
    """A final decision under the template protocol (two reviewers at title/abstract)."""
    for reviewer in ("ann", "bob"):
        review.decide(record_id, "ta", reviewer, label, reason="not-research" if label == "exclude" else None)


def test_project_stopping_opens_a_random_sample_that_next_serves(screened_project):
    project_dir, db, ids = screened_project
    status = stopping_status(db, "ta", start_sample=False)
    assert not status.safe and status.sample is None and status.found == 3 and status.screened == 40
    assert sample_queue(db, "ta") == []
    status = stopping_status(db, "ta", start_sample=True, seed=1)
    assert not status.safe and status.sample["urn_size"] == 160
    needed = int(status.next_step.split("screen ")[1].split(" ")[0])
    queue = sample_queue(db, "ta")
    assert len(queue) == 160 and set(queue) == set(ids[40:])
    served = db.next_records("ta", "ann", 2)
    assert [item.record_id for item in served] == queue[:2] and served[0].phase == "random-sample"
    for record_id in queue[:needed]:
        decide(db, record_id, "exclude")
    status = stopping_status(db, "ta")
    assert status.safe and status.sample["screened"] == needed and status.sample["found"] == 0
    assert status.recall_estimate == 1.0 and status.recall_lower_bound >= 0.95


def test_cli_stopping(cli, screened_project):
    project_dir, _, _ = screened_project
    result = cli("stopping", project_dir, "--check-only", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["safe"] is False and data["sample"] is None and "random sample" in data["next_step"]
    result = cli("stopping", project_dir, "--target", "0.9")
    assert result.exit_code == 0 and "Not yet safe" in result.output
    result = cli("next", project_dir, "--reviewer", "ann", "--json")
    assert json.loads(result.output)[0]["phase"] == "random-sample"
    assert cli("stopping", project_dir, "--target", "2").exit_code == 1


def test_looking_at_the_advice_draws_no_sample_and_names_no_command(screened_project):
    _, review, _ = screened_project
    status = stopping_status(review, "ta")
    assert status.sample is None and sample_queue(review, "ta") == [] and status.phase in ("ranked", "sample-proposed")
    assert status.claimable_recall == pytest.approx(3 / (3 + 160), abs=1e-4)  # any unscreened record could be relevant
    assert status.sample_needed > 0 and status.recall_estimate is None and "review" not in status.next_step


def test_the_advice_follows_the_check_sample_decision_by_decision(screened_project):
    _, review, _ = screened_project
    review.start_check_sample("ta", seed=2)
    queue = sample_queue(review, "ta")
    before = stopping_status(review, "ta")
    assert before.phase == "sample" and before.sample_needed > 0
    decide(review, queue[0], "exclude")
    after = stopping_status(review, "ta")
    assert after.sample_needed == before.sample_needed - 1 and after.sample["screened"] == 1
    assert after.recall_interval is not None and after.recall_interval[0] <= after.recall_estimate <= 1
    history = review.recall_history("ta")
    assert history[-1].screened == 41 and history[-1].claimable >= history[0].claimable


def test_cli_stopping_chart_and_protocol_defaults(cli, screened_project, tmp_path):
    project_dir, _, _ = screened_project
    result = cli("stopping", project_dir, "--check-only", "--chart", tmp_path / "recall.png")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "recall.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "claimed now at 95% confidence" in result.output and "known once the random sample" in result.output
