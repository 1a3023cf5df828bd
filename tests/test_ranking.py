"""The ranking core on small data: features, presets, classifiers, active learning, embeddings."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from review.errors import ReviewError
from review.ranking.classifiers import CLASSIFIERS, balance_weights, fit_relevance, make_classifier
from review.ranking.features import TfidfFeatures, build_features, cosine_to_query, record_text, title_line
from review.ranking.presets import DEFAULT_PRESET, PRESETS, Component, Preset, get_preset
from review.ranking.ranker import Ranker
from review.ranking.scoring import (
    component_weights,
    due_for_retraining,
    earned_weights,
    rank_scores,
    standing,
    zero_shot_scores,
)
from review.stats import wilson_lower_bound

RELEVANT = [f"collaboration between social services and schools for families case{i}" for i in range(6)]
IRRELEVANT = [f"protein folding kinetics in yeast cells experiment{i}" for i in range(14)]
TEXTS = RELEVANT + IRRELEVANT
TRUTH = np.array([1] * len(RELEVANT) + [0] * len(IRRELEVANT))


def features(query: str | None = None):
    return build_features(TEXTS, query=query)


def test_record_text_uses_full_text_when_given():
    assert record_text("T", "A") == "T\nA"
    assert record_text("T", "A", "full text") == "T\nfull text"
    assert record_text(None, None) == ""


def test_tfidf_rows_are_normalised_and_cosine_finds_the_match():
    matrix = TfidfFeatures().fit_transform(TEXTS)
    assert np.allclose(np.sqrt(matrix.multiply(matrix).sum(axis=1)), 1.0)
    similarity = cosine_to_query(matrix, matrix[3])
    assert int(np.argmax(similarity)) == 3


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_presets_round_trip_through_dict(name):
    preset = get_preset(name)
    assert Preset.from_dict(preset.to_dict()) == preset


def test_unknown_names_list_the_valid_ones():
    with pytest.raises(ReviewError, match="valid: .*tfidf-svm"):
        get_preset("nope")
    with pytest.raises(ReviewError, match="valid: knn, logistic, nb, rocchio, sgd, svm"):
        make_classifier("forest")
    with pytest.raises(ReviewError, match="valid: tfidf, embedding, title-embedding, chars"):
        Component("bm25", "svm")


def test_without_embeddings_keeps_the_tfidf_part():
    assert get_preset("ensemble").uses_embeddings()
    assert not get_preset("ensemble").without_embeddings().uses_embeddings()
    assert get_preset("embedding-logistic").without_embeddings().components[0].features == "tfidf"


def test_the_default_embeds_each_title_too_and_ranks_without_either_embedding_until_both_are_ready():
    preset = get_preset(DEFAULT_PRESET)
    assert preset.uses_title_embeddings() and preset.views() == ("chars",)
    texts = ["A trial\nIts abstract.", "Only a title"]
    assert [title_line(text) for text in texts] == ["A trial", "Only a title"]
    assert preset.embedding_inputs(texts) == [*texts, "A trial", "Only a title"]
    assert get_preset("ensemble-chars").embedding_inputs(texts) == texts
    vectors = np.arange(8.0).reshape(4, 2)
    text_vectors, title_vectors = preset.embedding_outputs(vectors, len(texts))
    assert text_vectors.tolist() == vectors[:2].tolist() and title_vectors.tolist() == vectors[2:].tolist()
    assert get_preset("ensemble-chars").embedding_outputs(vectors[:2], 2)[1] is None
    tfidf_part = preset.without_embeddings()
    assert not tfidf_part.uses_embeddings() and not tfidf_part.uses_title_embeddings()
    assert [c.features for c in tfidf_part.components] == ["tfidf", "chars"]


def test_the_title_embedding_is_a_view_of_its_own_that_earns_its_weight():
    rng = np.random.default_rng(0)
    titles = np.vstack([rng.normal(1, 0.1, (6, 8)), rng.normal(-1, 0.1, (14, 8))]).astype(np.float32)
    feats = build_features(TEXTS, title_embedding=titles)
    assert feats.matrix("title-embedding") is titles and feats.rows(5).matrix("title-embedding").shape == (5, 8)
    preset = Preset("titles", (Component("tfidf", "svm"), Component("title-embedding", "logistic")), fusion="validated")
    ranker = Ranker(feats, range(20), preset)
    for row in (0, 10, 1, 11, 2, 12, 13, 14):
        ranker.update(row, int(TRUTH[row]))
    ranked = [record_id for record_id, _, _ in ranker.ranking()]
    assert set(ranked[:3]) == {3, 4, 5} and set(ranker.fusion_weights()) == {"tfidf/svm", "title-embedding/logistic"}


def fixed(*weights: float) -> Preset:
    return Preset("fixed", get_preset("ensemble-chars").components, fusion="rank-average", weights=weights)


def test_fixed_weights_are_used_as_given_and_kept_with_their_components():
    preset = fixed(2, 1, 0)
    assert component_weights(preset).tolist() == [2, 1, 0]
    assert component_weights(replace(preset, weights=())).tolist() == [1, 1, 1]
    assert Preset.from_dict(preset.to_dict()) == preset
    older_run = {key: value for key, value in preset.to_dict().items() if key != "weights"}
    assert Preset.from_dict(older_run).weights == ()
    assert preset.without_embeddings().weights == (2, 0) and preset.without("chars/svm").weights == (2, 1)
    assert fixed(0, 1, 0).without_embeddings().weights == ()  # nothing left with weight: equal weights


def test_fixed_weights_rank_as_the_component_they_put_all_weight_on():
    feats = build_features(TEXTS)
    components = (Component("tfidf", "svm"), Component("tfidf", "nb"))
    labelled = [0, 1, 10, 11]

    def scores(preset: Preset) -> np.ndarray:
        return rank_scores(feats, preset, labelled, TRUTH[labelled])

    alone = [scores(Preset("alone", (component,))) for component in components]
    assert not np.allclose(alone[0], alone[1])  # the two disagree, so a fusion that ignored the weights would show
    assert np.allclose(scores(Preset("fixed", components, weights=(1, 0))), alone[0])
    assert np.allclose(scores(Preset("fixed", components, weights=(0, 1))), alone[1])


@pytest.mark.parametrize(
    "weights, fusion",
    [((1, 1), "rank-average"), ((1, -1, 1), "rank-average"), ((0, 0, 0), "rank-average"), ((1, 1, 1), "validated")],
)
def test_fixed_weights_need_one_per_component_not_all_zero_and_an_end_under_a_learned_fusion(weights, fusion):
    with pytest.raises(ReviewError, match="fixed weights"):
        Preset("bad", get_preset("ensemble-chars").components, fusion=fusion, weights=weights)


@pytest.mark.parametrize("name", sorted(CLASSIFIERS))
def test_every_classifier_scores_relevant_records_higher(name):
    matrix = features().tfidf
    train = [0, 1, 6, 7, 8, 9]
    scores = fit_relevance(name, {}, matrix[train], TRUTH[train], matrix)
    assert scores[2:6].min() > scores[10:].max()


@pytest.mark.parametrize("ratio", [1.0, 9.8])
def test_balance_weights_give_the_relevant_class_ratio_times_the_weight(ratio):
    y = np.array([1, 1, 0, 0, 0, 0, 0, 0, 0, 0])
    weights = balance_weights(y, ratio)
    assert weights.mean() == pytest.approx(1.0)
    assert weights[y == 1].sum() / weights[y == 0].sum() == pytest.approx(ratio)


def test_zero_shot_ranks_by_similarity_to_the_query():
    scores = zero_shot_scores(features("families and social services collaboration"))
    assert set(np.argsort(-scores)[:6]) == set(range(6))


def test_rank_scores_falls_back_to_zero_shot_with_one_class():
    feats = features("social services")
    assert np.allclose(rank_scores(feats, get_preset("tfidf-svm"), [10], [0]), zero_shot_scores(feats))
    trained = rank_scores(feats, get_preset("tfidf-svm"), [0, 10], [1, 0])
    assert trained[1:6].min() > trained[11:].max()


def test_rank_scores_averages_components_when_embeddings_exist():
    rng = np.random.default_rng(0)
    feats = features()
    feats.embedding = np.vstack([rng.normal(1, 0.1, (6, 8)), rng.normal(-1, 0.1, (14, 8))]).astype(np.float32)
    scores = rank_scores(feats, get_preset("ensemble"), [0, 1, 10, 11], [1, 1, 0, 0])
    assert scores.shape == (20,) and scores.min() > 0 and scores.max() <= 1
    assert scores[2:6].min() > scores[12:].max()


def test_retraining_schedule_every_label_early_then_growing():
    preset = get_preset("tfidf-svm")
    assert due_for_retraining(preset, 10, 1, False)
    assert not due_for_retraining(preset, 10, 0, False)
    assert not due_for_retraining(preset, 1000, 10, False)
    assert due_for_retraining(preset, 1000, 10, True)
    assert due_for_retraining(preset, 1000, 50, False)


@pytest.mark.parametrize("background", [False, True])
def test_ranker_serves_unscreened_records_and_learns(background):
    ids = [100 + i for i in range(len(TEXTS))]
    ranker = Ranker(features(), ids, get_preset("tfidf-svm"), background=background)
    ranker.update(100, 1)
    ranker.update(110, 0)
    ranker.wait()
    picked = ranker.next_ids(5)
    assert len(picked) == 5 and not {100, 110} & set(picked)
    assert set(picked) <= {101, 102, 103, 104, 105}
    ranker.skip(101)
    assert 101 not in ranker.next_ids(20)
    ranker.update(110, None)
    assert 110 in [record_id for record_id, _, _ in ranker.ranking()]
    assert ranker.labels() == {100: 1}
    ranks = [rank for _, _, rank in ranker.ranking()]
    assert ranks == list(range(1, len(ranks) + 1))


def test_embeddings_load_bundled_model_and_are_cached(project):
    from review.ranking.embeddings import cache_key, cached_embeddings, count_cached, resolve_model

    _, db = project
    assert resolve_model("sentence-transformers/all-MiniLM-L6-v2") == resolve_model("all-MiniLM-L6-v2")
    assert resolve_model("my/other-model") == "my/other-model"
    texts = ["family services collaboration", "yeast protein folding", "family services collaboration"]
    vectors = cached_embeddings(db, texts)
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    assert np.allclose(vectors[0], vectors[2])
    assert count_cached(db, texts) == 2
    assert (
        db.execute("SELECT COUNT(*) FROM embeddings WHERE model = ?", [cache_key("all-MiniLM-L6-v2")]).fetchone()[0]
        == 2
    )
    again = cached_embeddings(db, texts + ["new text"], on_batch=lambda n: None)
    assert np.allclose(again[:3], vectors, atol=1e-6)
    assert count_cached(db, texts + ["new text"]) == 3


def test_earned_weights_start_with_the_base_and_grow_with_credits():
    assert earned_weights(2, []).tolist() == [1.0, 0.0]
    # two wins in three: lower one-sided 95 % Wilson bound, worked by hand
    assert earned_weights(2, [(1.0,), (1.0,), (0.0,)]) == pytest.approx([1 - 0.2535, 0.2535], abs=1e-4)
    assert earned_weights(1, []).tolist() == [1.0]


def test_standing_is_each_components_mid_rank_percentile_among_unscreened_records():
    base = np.array([0.9, 0.5, 0.1, 0.3])
    higher, equal, lower = np.array([0.1, 0.9, 0.5, 0.3]), base.copy(), np.array([0.9, 0.0, 0.5, 0.3])
    unscreened = np.array([True, True, True, False])
    # record 1 among records 0-2: base middle (1/3 below + half of itself), higher top, lower bottom
    assert standing([base, higher, equal, lower], unscreened, 1) == pytest.approx(
        (0.5, 2 / 3 + 1 / 6, 0.5, 1 / 6), abs=1e-6
    )
    assert standing([base, None], unscreened, 1) == pytest.approx((0.5, 0.0), abs=1e-6)


def embedding_features(helpful: bool) -> object:
    """TF-IDF of TEXTS plus 2-d embeddings that separate the classes, or (not helpful) carry no information."""
    feats = features()
    vectors = np.where(TRUTH[:, None] == 1, [1.0, 0.0], [0.0, 1.0]) if helpful else np.zeros((len(TEXTS), 2))
    feats.embedding = vectors.astype(np.float32)
    return feats


def screen_all(ranker: Ranker) -> None:
    while ranker.next_ids(1):
        record_id = ranker.next_ids(1)[0]
        ranker.update(record_id, int(TRUTH[record_id]))


def test_earned_fusion_gives_no_weight_to_a_component_that_never_helps():
    ensemble = Ranker(embedding_features(helpful=False), range(len(TEXTS)), get_preset("ensemble"))
    tfidf_only = Ranker(features(), range(len(TEXTS)), get_preset("tfidf-svm"))
    for ranker in (ensemble, tfidf_only):
        ranker.update(0, 1)
        ranker.update(10, 0)
    for _ in range(8):
        record_id = tfidf_only.next_ids(1)[0]
        assert ensemble.next_ids(1)[0] == record_id
        for ranker in (ensemble, tfidf_only):
            ranker.update(record_id, int(TRUTH[record_id]))
    credits = ensemble.credits()
    relevant = [value for record_id, value in credits.items() if TRUTH[record_id]]
    assert len(relevant) >= 3 and all(value[1] < value[0] for value in relevant)
    assert ensemble.fusion_weights() == {"tfidf/svm": 1.0, "embedding/logistic": 0.0}


def test_earned_fusion_credits_a_component_that_ranks_relevant_records_higher():
    ranker = Ranker(embedding_features(helpful=True), range(len(TEXTS)), get_preset("ensemble"))
    ranker.update(0, 1)
    ranker.update(10, 0)
    screen_all(ranker)
    relevant = {record_id: value for record_id, value in ranker.credits().items() if TRUTH[record_id]}
    assert set(relevant) == set(range(1, 6)) and all(value[1] >= value[0] for value in relevant.values())
    weights = ranker.fusion_weights()
    wins = sum((np.sign(value[1] - value[0]) + 1) / 2 for value in relevant.values())
    expected = float(wilson_lower_bound(np.array([wins]), len(relevant))[0])
    assert weights["embedding/logistic"] == pytest.approx(expected, abs=1e-3) and expected > 0.15
    assert sum(weights.values()) == pytest.approx(1.0)


def test_ranker_credits_are_seeded_by_record_id_kept_on_a_new_label_and_dropped_when_unlabelled():
    ids = [100 + row for row in range(len(TEXTS))]
    seeded = {101: [0.4, 0.9], 999: [1.0, 1.0]}
    ranker = Ranker(embedding_features(helpful=True), ids, get_preset("ensemble"), credits=seeded)
    assert ranker.credits() == {101: (0.4, 0.9)} and ranker.has_credit(101)
    ranker.update(101, 1, refit=False)
    assert ranker.fusion_weights()["embedding/logistic"] > 0  # one win over the base on a relevant record
    ranker.update(101, 0, refit=False)  # the standing was taken before any label, so it stays valid
    assert ranker.credits() == {101: (0.4, 0.9)} and ranker.fusion_weights()["embedding/logistic"] == 0
    ranker.update(101, None)
    assert ranker.credits() == {}


def test_rank_average_presets_ignore_credits():
    feats = embedding_features(helpful=True)
    preset = get_preset("ensemble-average")
    assert np.allclose(
        rank_scores(feats, preset, [0, 10], [1, 0], [(1, (0.0, 1.0))]), rank_scores(feats, preset, [0, 10], [1, 0])
    )


@pytest.mark.parametrize("name", ["svm", "logistic", "sgd"])
def test_classifiers_are_seeded_so_the_same_decisions_give_the_same_ranking(name):
    assert make_classifier(name).random_state == 0
    assert make_classifier(name, seed=7).random_state == 7


def test_wilson_lower_bound_is_cautious_with_little_evidence():
    one_win, ten_wins, even = (float(wilson_lower_bound(np.array([k]), n)[0]) for k, n in ((1, 1), (10, 10), (5, 10)))
    assert (one_win, ten_wins, even) == pytest.approx((0.2698, 0.7870, 0.2692), abs=1e-4)  # worked by hand
    assert float(wilson_lower_bound(np.array([0.0]), 5)[0]) == 0.0


def test_early_weights_hold_for_their_labels_then_the_fusion_learns():
    validated = replace(get_preset("ensemble-chars"), early_weights=(0, 3, 0), early_until=3)
    evidence = [(1, (0.9, 0.1, 0.9)), (0, (0.2, 0.8, 0.1)), (1, (0.8, 0.2, 0.95)), (0, (0.1, 0.9, 0.3))]
    assert component_weights(validated, evidence[:2]).tolist() == [0, 3, 0]
    learned = component_weights(validated, evidence)
    assert learned.tolist() == component_weights(get_preset("ensemble-chars"), evidence).tolist() != [0, 3, 0]
    assert Preset.from_dict(validated.to_dict()) == validated
    late_fixed = replace(fixed(1, 0, 2), early_weights=(0, 3, 0), early_until=3)
    assert component_weights(late_fixed, evidence[:2]).tolist() == [0, 3, 0]
    assert component_weights(late_fixed, evidence).tolist() == [1, 0, 2]
    assert validated.without_embeddings().early_weights == () and validated.without_embeddings().early_until == 0
    with pytest.raises(ReviewError, match="early weights"):
        replace(validated, early_until=0)


def test_early_weights_end_after_their_labels_under_fixed_weights_too():
    # the ranker keeps each label's standing, the count the early weights end by, even without a learned fusion
    components = (Component("tfidf", "svm"), Component("tfidf", "nb"))
    preset = Preset("p", components, weights=(1, 0), early_weights=(0, 1), early_until=3)
    ranker = Ranker(build_features(TEXTS), range(len(TEXTS)), preset)
    for row in (0, 10, 1, 11):
        ranker.update(row, int(TRUTH[row]))
    assert ranker.fusion_weights() == {"tfidf/svm": 0.0, "tfidf/nb": 1.0}
    ranker.update(2, 1)
    assert ranker.fusion_weights() == {"tfidf/svm": 1.0, "tfidf/nb": 0.0}
