"""Simulation: metrics on hand-made orders, the replay, and `review simulate` on a benchmark subset."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from review.errors import ReviewError
from review.ranking.features import build_features
from review.ranking.presets import DEFAULT_PRESET, get_preset
from review.simulation.simulate import (
    load_labelled,
    normalised_loss,
    order_metrics,
    recall_at,
    resolve_ranking,
    screened_to_recall,
    simulate,
    wss,
)


def test_metrics_of_perfect_and_worst_orders():
    perfect = np.array([1] * 5 + [0] * 95)
    worst = perfect[::-1].copy()
    assert normalised_loss(perfect) == 0.0
    assert normalised_loss(worst) == 1.0
    assert screened_to_recall(perfect, 0.95) == 5
    assert wss(perfect) == pytest.approx(0.90)
    assert wss(worst) == pytest.approx(-0.05)
    assert recall_at(perfect, 0.1) == 1.0
    assert recall_at(worst, 0.1) == 0.0


def test_metrics_of_a_mixed_order():
    order = np.array([1, 0, 1, 0, 0, 0, 0, 0, 0, 1] + [0] * 10)
    metrics = order_metrics(order)
    assert metrics["screened_to_95%"] == 10 and metrics["screened_to_100%"] == 10
    assert metrics["recall@10%"] == pytest.approx(1 / 3, abs=1e-4)  # 2 records screened
    assert metrics["wss@95"] == pytest.approx(10 / 20 - 0.05, abs=1e-4)
    assert 0 < metrics["loss"] < 1


def test_load_labelled_matches_ris_ids(data_dir):
    data = load_labelled(data_dir / "simulate" / "records.ris", data_dir / "simulate" / "labels.csv")
    assert len(data.ris_ids) == 200 and data.labels.sum() == 10
    with pytest.raises(ReviewError, match="needs columns"):
        load_labelled(data_dir / "simulate" / "records.ris", data_dir / "simulate" / "labels.csv", "nope")


def test_simulation_screens_every_record_once_and_beats_random(data_dir):
    data = load_labelled(data_dir / "simulate" / "records.ris", data_dir / "simulate" / "labels.csv")
    priors = [int(np.flatnonzero(data.labels == 1)[0]), int(np.flatnonzero(data.labels == 0)[0])]
    result = simulate(build_features(data.texts), data.labels, get_preset("tfidf-svm"), priors)
    assert sorted(result.order) == list(range(200)) and result.order[:2] == priors
    assert normalised_loss(result.labels) < 0.35  # a random order averages 0.5


def test_the_character_ngram_ensemble_ranks_every_record_through_the_cli(cli, data_dir, tmp_path):
    summary, rows = run(cli, data_dir, tmp_path, "--prior-ids", "28,2", "--model", "ensemble-chars")
    assert summary["records"] == 200 and sorted(int(row["position"]) for row in rows) == list(range(1, 201))
    assert summary["loss"] < 0.35  # a random order averages 0.5


def test_model_option_takes_a_preset_or_an_embedding_model():
    assert resolve_ranking("tfidf-nb")[0].name == "tfidf-nb"
    preset, model = resolve_ranking("intfloat/multilingual-e5-small")
    assert preset.name == DEFAULT_PRESET and model == "intfloat/multilingual-e5-small"


def run(cli, data_dir, tmp_path, *extra):
    order = tmp_path / "order.csv"
    result = cli(
        "simulate",
        data_dir / "simulate" / "records.ris",
        "--labels",
        data_dir / "simulate" / "labels.csv",
        "--order-out",
        order,
        "--json",
        *extra,
    )
    assert result.exit_code == 0, result.output
    with order.open() as handle:
        return json.loads(result.output), list(csv.DictReader(handle))


def test_cli_simulate_contract(cli, data_dir, tmp_path):
    summary, rows = run(cli, data_dir, tmp_path, "--prior-ids", "28,2", "--seed", "1", "--model", "tfidf-svm")
    for key in ("records", "inclusions", "wss@95", "recall@10%", "screened_to_95%", "screened_to_100%", "seconds"):
        assert key in summary
    assert summary["records"] == 200 and summary["inclusions"] == 10
    assert [row["position"] for row in rows] == [str(i) for i in range(1, 201)]
    assert [row["ris_id"] for row in rows[:2]] == ["28", "2"]
    assert len({row["ris_id"] for row in rows}) == 200
    assert summary["screened_to_100%"] == max(int(r["position"]) for r in rows if r["label"] == "1")


def test_cli_simulate_stop_rule_ends_the_order(cli, data_dir, tmp_path):
    summary, rows = run(
        cli, data_dir, tmp_path, "--prior-ids", "28,2", "--model", "tfidf-svm", "--stop-rule", "consecutive:20"
    )
    stop = summary["stop"]
    assert len(rows) == stop["stopped_at"] < 200
    found = sum(int(row["label"]) for row in rows)
    assert stop["recall_at_stop"] == pytest.approx(found / 10)
    assert stop["reached_target"] == (found / 10 >= 0.95)
    assert all(row["label"] == "0" for row in rows[-20:])


def test_cli_simulate_errors(cli, data_dir, tmp_path):
    base = (
        "simulate",
        data_dir / "simulate" / "records.ris",
        "--labels",
        data_dir / "simulate" / "labels.csv",
        "--order-out",
        tmp_path / "o.csv",
    )
    result = cli(*base, "--prior-ids", "999999")
    assert result.exit_code == 1 and "999999" in result.output
    result = cli(*base, "--stop-rule", "sometimes")
    assert result.exit_code == 1 and "consecutive:N" in result.output
