"""Ranking a project: stored runs, latest_scores, next, the full-text stage and the CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest

from review.ranking import latest_scores
from review.ranking.presets import get_preset
from review.ranking.project import next_records, rank_project, stage_texts, training_labels
from review.records import import_files
from review.screening.log import record_decision
from review.store import now, transaction


@pytest.fixture
def ranked_project(project, data_dir):
    project_dir, db = project
    import_files(db, [data_dir / "simulate" / "records.ris"])
    from review.project import current_protocol

    return project_dir, db, current_protocol(db)


def decide(db, record_id: int, label: str, stage: str = "ta") -> None:
    for reviewer in ("ann", "bob"):
        record_decision(db, record_id, stage, reviewer, label, reason="not-research" if label == "exclude" else None)


def test_zero_shot_ranking_is_stored_and_read_back(ranked_project):
    _, db, protocol = ranked_project
    assert latest_scores(db, "ta") == {}
    result = rank_project(db, protocol, "ta", preset="tfidf-svm")
    assert result.n_labelled == 0 and len(result.ranking) == 200
    scores = latest_scores(db, "ta")
    assert len(scores) == 200
    first, score, rank = result.ranking[0]
    assert scores[first] == (pytest.approx(score), 1) and rank == 1
    run = db.execute("SELECT n_labelled, config FROM model_runs ORDER BY run_id DESC").fetchone()
    assert run[0] == 0 and json.loads(run[1])["preset"]["name"] == "tfidf-svm"


def test_decisions_train_the_ranking_and_maybe_is_unlabelled(ranked_project):
    _, db, protocol = ranked_project
    relevant = [row[0] for row in db.execute("SELECT record_id FROM records WHERE source_id IN ('28', '199')")]
    decide(db, relevant[0], "include")
    decide(db, 1, "exclude")
    decide(db, 2, "maybe")
    assert training_labels(db, "ta", protocol) == {relevant[0]: 1, 1: 0}
    result = rank_project(db, protocol, "ta", preset="tfidf-svm")
    ranked = [record_id for record_id, _, _ in result.ranking]
    assert result.n_labelled == 2 and result.n_relevant == 1
    assert not {relevant[0], 1, 2} & set(ranked) and len(ranked) == 197


def test_next_reuses_the_stored_ranking_until_a_decision(ranked_project):
    _, db, protocol = ranked_project
    first = next_records(db, protocol, "ta", 3)
    runs = db.execute("SELECT COUNT(*) FROM model_runs").fetchone()[0]
    assert [item.rank for item in first] == [1, 2, 3] and first[0].phase == "ranked"
    assert next_records(db, protocol, "ta", 3) == first
    assert db.execute("SELECT COUNT(*) FROM model_runs").fetchone()[0] == runs
    decide(db, first[0].record_id, "exclude")
    after = next_records(db, protocol, "ta", 1)
    assert after[0].record_id != first[0].record_id
    assert db.execute("SELECT COUNT(*) FROM model_runs").fetchone()[0] == runs + 1


def test_full_text_stage_ranks_by_extracted_text(ranked_project):
    _, db, protocol = ranked_project
    decide(db, 5, "include")
    decide(db, 6, "include")
    with transaction(db):
        db.execute(
            "INSERT INTO fulltexts (record_id, status, text, updated_at) VALUES (5, 'retrieved', ?, ?)",
            ["the full report text", now()],
        )
    texts = stage_texts(db, "ft", [5, 6])
    assert texts[0].endswith("the full report text") and "the full report text" not in texts[1]
    result = rank_project(db, protocol, "ft", preset="tfidf-svm")
    assert sorted(record_id for record_id, _, _ in result.ranking) == [5, 6]


def test_cli_rank_and_next(cli, ranked_project):
    project_dir, _, _ = ranked_project
    result = cli("rank", project_dir, "--preset", "tfidf-svm", "--json")
    assert result.exit_code == 0, result.output
    ranking = json.loads(result.output)["ranking"]
    assert len(ranking) == 200 and ranking[0]["rank"] == 1
    result = cli("next", project_dir, "--stage", "ta", "--json")
    assert json.loads(result.output)[0]["record_id"] == ranking[0]["record_id"]
    result = cli("rank", project_dir, "--preset", "tfidf-svm", "--top", "3")
    assert result.exit_code == 0 and "Ranked 200 unscreened of 200" in result.output
    assert cli("rank", project_dir, "--stage", "xx").exit_code == 1
    assert cli("rank", project_dir, "--preset", "nope").exit_code == 1


@pytest.mark.parametrize("command", ["rank", "next", "simulate", "stopping"])
def test_help_has_an_example(cli, command):
    result = cli(command, "--help")
    assert result.exit_code == 0 and "Example:" in result.output


def fake_vectors(texts, *args, **kwargs):
    """Deterministic 8-d unit vectors per text, standing in for the sentence-transformer."""
    rows = [np.random.default_rng(sum(map(ord, text))).normal(size=8) for text in texts]
    return np.asarray([row / np.linalg.norm(row) for row in rows], dtype=np.float32)


def test_fusion_standings_are_replayed_once_and_saved_with_the_run(ranked_project, monkeypatch):
    import review.ranking.project as project
    import review.ranking.scoring as scoring

    _, db, protocol = ranked_project
    monkeypatch.setattr(project, "cached_embeddings", lambda db, texts, *args, **kwargs: fake_vectors(texts))
    monkeypatch.setattr(project, "encode", fake_vectors)
    fits, fit = [], scoring.component_scores
    monkeypatch.setattr(scoring, "component_scores", lambda *args: fits.append(1) or fit(*args))
    relevant = [
        row[0]
        for row in db.execute(
            "SELECT record_id FROM records WHERE source_id IN ('28', '199', '282') ORDER BY record_id"
        )
    ]
    decide(db, relevant[0], "include")
    decide(db, 1, "exclude")
    decide(db, 2, "exclude")
    decide(db, relevant[1], "include")
    decide(db, relevant[2], "include")
    first = rank_project(db, protocol, "ta", preset="ensemble")
    credits = json.loads(db.execute("SELECT config FROM model_runs ORDER BY run_id DESC").fetchone()[0])["credits"]
    # refits before each later decision (the schedule refits every decision early); the one before record 1
    # sees one class only, so ranks zero-shot and credits nothing
    assert first.preset == "ensemble" and set(map(int, credits)) == {2, *relevant[1:]}
    assert len(fits) == 4  # three replayed fits with both classes, then the ranking itself
    fits.clear()
    second = rank_project(db, protocol, "ta", preset="ensemble")
    assert len(fits) == 1 and second.ranking == first.ranking
    assert set(second.weights) == {component.label for component in get_preset("ensemble").components}
    assert sum(second.weights.values()) == pytest.approx(1.0, abs=0.005)  # shares are rounded to 3 decimals
