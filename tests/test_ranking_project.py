"""Ranking a project: one stage ranker for every front end, stored runs, next records, credits, the CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest

from review.ranking import latest_scores
from review.ranking.presets import get_preset
from review.ranking.project import StageRanker, stage_texts
from review.store import now, transaction


@pytest.fixture
def ranked_project(review, data_dir):
    review.import_files([data_dir / "simulate" / "records.ris"])
    return review


def decide(review, record_id: int, label: str, stage: str = "ta") -> None:
    for reviewer in ("ann", "bob"):
        review.decide(record_id, stage, reviewer, label, reason="not-research" if label == "exclude" else None)


def test_zero_shot_ranking_is_stored_and_read_back(ranked_project):
    review = ranked_project
    assert latest_scores(review.db, "ta") == {}
    result = review.rank("ta", preset="tfidf-svm")
    assert result.n_labelled == 0 and len(result.ranking) == 200
    scores = latest_scores(review.db, "ta")
    assert len(scores) == 200
    first, score, rank = result.ranking[0]
    assert scores[first] == (pytest.approx(score), 1) and rank == 1
    run = review.db.execute("SELECT n_labelled, config FROM model_runs ORDER BY run_id DESC").fetchone()
    assert run[0] == 0 and json.loads(run[1])["preset"]["name"] == "tfidf-svm"


def test_decisions_train_the_ranking_and_maybe_is_screened_but_not_a_label(ranked_project):
    review = ranked_project
    relevant = [row[0] for row in review.db.execute("SELECT record_id FROM records WHERE source_id IN ('28', '199')")]
    decide(review, relevant[0], "include")
    decide(review, 1, "exclude")
    decide(review, 2, "maybe")
    result = review.rank("ta", preset="tfidf-svm")
    ranked = [record_id for record_id, _, _ in result.ranking]
    assert result.n_labelled == 2 and result.n_relevant == 1
    assert not {relevant[0], 1, 2} & set(ranked) and len(ranked) == 197


def test_a_record_waiting_for_its_second_reviewer_stays_in_the_ranking(ranked_project):
    review = ranked_project
    review.decide(5, "ta", "ann", "include")
    ranked = [record_id for record_id, _, _ in review.rank("ta", preset="tfidf-svm").ranking]
    assert 5 in ranked and len(ranked) == 200


def test_next_reuses_the_stored_ranking_until_a_decision(ranked_project):
    review = ranked_project
    first = review.next_records("ta", "ann", 3)
    runs = review.db.execute("SELECT COUNT(*) FROM model_runs").fetchone()[0]
    assert [item.rank for item in first] == [1, 2, 3] and first[0].phase == "ranked"
    assert review.next_records("ta", "ann", 3) == first
    assert review.db.execute("SELECT COUNT(*) FROM model_runs").fetchone()[0] == runs
    decide(review, first[0].record_id, "exclude")
    after = review.next_records("ta", "ann", 1)
    assert after[0].record_id != first[0].record_id and after[0].rank == 1
    assert review.db.execute("SELECT COUNT(*) FROM model_runs").fetchone()[0] == runs + 1


def test_next_serves_a_reviewer_only_records_they_have_not_decided(ranked_project):
    review = ranked_project
    top = review.next_records("ta", "ann", 2)
    review.decide(top[0].record_id, "ta", "ann", "include")  # waits for the second reviewer
    assert top[0].record_id not in [item.record_id for item in review.next_records("ta", "ann", 5)]
    assert review.next_records("ta", "bob", 1)[0].record_id == top[0].record_id


def test_the_stage_ranker_learns_from_decisions_made_anywhere(ranked_project):
    review = ranked_project
    ranker = StageRanker(review, "ta")
    top = ranker.order()[0]
    decide(review, top, "exclude")  # e.g. from the CLI, while the app's ranker is live
    assert ranker.sync(review) and top not in ranker.order()
    assert not ranker.sync(review)  # nothing new
    fresh = StageRanker(review, "ta")
    assert fresh.order() == ranker.order()  # the same log gives the same ranking


def test_full_text_stage_ranks_by_extracted_text(ranked_project):
    review = ranked_project
    decide(review, 5, "include")
    decide(review, 6, "include")
    with transaction(review.db):
        review.db.execute(
            "INSERT INTO fulltexts (record_id, status, text, updated_at) VALUES (5, 'retrieved', ?, ?)",
            ["the full report text", now()],
        )
    texts = stage_texts(review.db, "ft", [5, 6])
    assert texts[0].endswith("the full report text") and "the full report text" not in texts[1]
    result = review.rank("ft", preset="tfidf-svm")
    assert sorted(record_id for record_id, _, _ in result.ranking) == [5, 6]


def test_cli_rank_and_next(cli, ranked_project):
    project_dir = ranked_project.folder
    result = cli("rank", project_dir, "--preset", "tfidf-svm", "--json")
    assert result.exit_code == 0, result.output
    ranking = json.loads(result.output)["ranking"]
    assert len(ranking) == 200 and ranking[0]["rank"] == 1
    result = cli("next", project_dir, "--stage", "ta", "--reviewer", "ann", "--json")
    assert json.loads(result.output)[0]["record_id"] == ranking[0]["record_id"]
    result = cli("rank", project_dir, "--preset", "tfidf-svm", "--top", "3")
    assert result.exit_code == 0 and "Ranked 200 unscreened of 200" in result.output
    assert cli("rank", project_dir, "--stage", "xx").exit_code != 0
    assert cli("rank", project_dir, "--preset", "nope").exit_code == 1


@pytest.mark.parametrize("command", ["rank", "next", "simulate", "stopping"])
def test_help_has_an_example(cli, command):
    result = cli(command, "--help")
    assert result.exit_code == 0 and "Example:" in result.output


def fake_vectors(texts, *args, **kwargs):
    """Deterministic 8-d unit vectors per text, standing in for the sentence-transformer."""
    rows = [np.random.default_rng(sum(map(ord, text))).normal(size=8) for text in texts]
    return np.asarray([row / np.linalg.norm(row) for row in rows], dtype=np.float32)


def test_fusion_standings_are_replayed_once_and_stored_for_every_front_end(ranked_project, monkeypatch):
    import review.ranking.project as project
    import review.ranking.scoring as scoring

    review = ranked_project
    monkeypatch.setattr(project, "cached_embeddings", lambda db, texts, *args, **kwargs: fake_vectors(texts))
    monkeypatch.setattr(project, "encode", fake_vectors)
    fits, fit = [], scoring.component_scores
    monkeypatch.setattr(scoring, "component_scores", lambda *args: fits.append(1) or fit(*args))
    relevant = [
        row[0]
        for row in review.db.execute(
            "SELECT record_id FROM records WHERE source_id IN ('28', '199', '282') ORDER BY record_id"
        )
    ]
    decide(review, relevant[0], "include")
    decide(review, 1, "exclude")
    decide(review, 2, "exclude")
    decide(review, relevant[1], "include")
    decide(review, relevant[2], "include")
    first = review.rank("ta", preset="ensemble")
    stored = {row[0] for row in review.db.execute("SELECT record_id FROM fusion_credits WHERE preset = 'ensemble'")}
    # refits before each later decision (the schedule refits every decision early); the one before record 1
    # sees one class only, so ranks zero-shot and credits nothing
    assert first.preset == "ensemble" and stored == {2, *relevant[1:]}
    assert len(fits) == 4  # three replayed fits with both classes, then the ranking itself
    fits.clear()
    second = review.rank("ta", preset="ensemble")
    assert len(fits) == 1 and second.ranking == first.ranking
    assert set(second.weights) == {component.label for component in get_preset("ensemble").components}
    assert sum(second.weights.values()) == pytest.approx(1.0, abs=0.005)  # shares are rounded to 3 decimals


def test_the_default_ranks_by_the_title_embeddings_once_texts_and_titles_are_cached(ranked_project, monkeypatch):
    import review.ranking.project as project

    review = ranked_project
    embedded: list[list[str]] = []
    monkeypatch.setattr(
        project, "cached_embeddings", lambda db, texts, *args, **kwargs: embedded.append(texts) or fake_vectors(texts)
    )
    monkeypatch.setattr(project, "encode", fake_vectors)
    decide(review, 1, "exclude")
    decide(
        review, int(review.db.execute("SELECT record_id FROM records WHERE source_id = '28'").fetchone()[0]), "include"
    )
    texts = stage_texts(review.db, "ta", list(review.state("ta").candidates))
    monkeypatch.setattr(project, "count_cached", lambda db, wanted, *args, **kwargs: len(set(texts)))
    assert StageRanker(review, "ta").preset.name == "ensemble-titles-tfidf"  # the titles' vectors are missing
    assert not embedded
    monkeypatch.setattr(project, "count_cached", lambda db, wanted, *args, **kwargs: len(set(wanted)))
    ranker = StageRanker(review, "ta")
    assert ranker.preset.name == "ensemble-titles" and ranker.model is not None
    assert embedded == [[*texts, *(text.partition("\n")[0] for text in texts)]]
    assert "title-embedding/logistic" in ranker.ranker.fusion_weights()
