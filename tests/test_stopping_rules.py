"""The stopping rules by name: the check-sample rule's exact test, the fast ranked test, the target method, replays."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.stats import hypergeom

from review.errors import ReviewError
from review.stats import ranked_pvalue, target_missing
from review.stopping.rules import StopRule, replay
from review.stopping.sample import (
    PLAN_LEVEL_SHARE,
    SampleCheck,
    draws_needed,
    first_ranked_pass,
    hypergeom_cdf,
    hypergeom_cdf_many,
    minimum_share,
    ranked_pvalue_fast,
)


def test_hypergeometric_cdfs_match_scipy():
    rng = np.random.default_rng(3)
    k = rng.integers(0, 30, 300)
    urn = rng.integers(100, 5000, 300)
    relevant = np.minimum(urn, k + rng.integers(0, 60, 300))
    drawn = rng.integers(1, 100, 300)
    assert np.allclose(hypergeom_cdf_many(k, urn, relevant, drawn), hypergeom.cdf(k, urn, relevant, drawn), atol=1e-10)
    assert hypergeom_cdf(2, 500, 7, 90) == pytest.approx(hypergeom.cdf(2, 500, 7, 90))


def test_fast_ranked_test_equals_the_full_one_below_one_half():
    rng = np.random.default_rng(1)
    for _ in range(200):
        n = int(rng.integers(50, 400))
        labels = (rng.random(n) < rng.uniform(0.01, 0.3)).astype(int)
        screened = int(rng.integers(1, n + 1))
        full = ranked_pvalue(labels[:screened], n)
        fast = ranked_pvalue_fast(np.flatnonzero(labels[:screened]), screened, n, 0.95)
        assert min(full, 0.5) == pytest.approx(min(fast, 0.5), abs=1e-9)


def test_first_ranked_pass_is_the_first_record_where_the_test_passes():
    rng = np.random.default_rng(2)
    for _ in range(20):
        labels = np.zeros(300, dtype=int)
        labels[np.sort(rng.choice(int(rng.integers(20, 300)), 12, replace=False))] = 1
        stop = first_ranked_pass(labels, 300, 0.95, 0.0437)
        p = [ranked_pvalue(labels[:n], 300) for n in range(1, 301)]
        expected = next((n for n, value in enumerate(p, 1) if value < 0.0437), None)
        assert stop == expected


def test_the_first_look_spends_the_whole_alpha():
    n = draws_needed(40, 0, 1000, 0.95, 0.05)
    relevant = target_missing(40, 0.95)
    level = PLAN_LEVEL_SHARE * 0.05
    assert hypergeom.pmf(0, 1000, relevant, n) <= level < hypergeom.pmf(0, 1000, relevant, n - 1)
    plan = [draws_needed(40, k, 1000, 0.95, 0.05) for k in range(30)]
    assert plan == sorted(plan) and plan[1] > n  # a relevant sample record asks for more, never for less
    assert draws_needed(5, 0, 30, 0.95, 0.05) == 30  # no miss allowed and 1/30 > 2.5 %: screen the whole urn


def miss_chance(found: int, urn: int, in_urn: int, target: float = 0.95, alpha: float = 0.05) -> float:
    """The plan's exact chance of stopping below the target, followed draw by draw (independent of its own sums)."""
    plan = [draws_needed(found, count, urn, target, alpha) for count in range(in_urn + 1)]
    chances = {0: 1.0}  # relevant sample records so far -> chance of having drawn them and not stopped
    missed = 0.0
    for drawn in range(urn + 1):
        for count in list(chances):
            if drawn >= plan[count]:
                if (found + count) / (found + in_urn) < target:
                    missed += chances[count]
                del chances[count]
        following: dict[int, float] = {}
        for count, chance in chances.items():
            relevant_left, left = in_urn - count, urn - drawn
            if left == 0:
                continue
            hit = relevant_left / left
            if hit:
                following[count + 1] = following.get(count + 1, 0.0) + chance * hit
            following[count] = following.get(count, 0.0) + chance * (1 - hit)
        chances = following
    return missed


@pytest.mark.parametrize(("found", "urn"), [(10, 200), (40, 300), (120, 250), (400, 200)])
def test_the_check_sample_errs_at_most_alpha_whatever_the_urn_holds(found, urn):
    least = target_missing(found, 0.95)
    misses = [miss_chance(found, urn, in_urn) for in_urn in range(least, least + 12)]
    level = PLAN_LEVEL_SHARE * 0.05
    assert max(misses) <= level + 1e-9
    assert (
        misses[0] > 0.75 * level
    )  # exact, not merely safe: the worst urn errs close to the level (small urns are coarse)


def test_many_relevant_sample_records_keep_the_plan_cheap_and_safe():
    """A plan followed through 60 relevant sample records stays below the urn, and safe at low targets too."""
    plan = [draws_needed(1000, k, 20000, 0.95, 0.05) for k in range(60)]
    assert plan == sorted(plan) and plan[-1] < 20000
    assert miss_chance(30, 120, target_missing(30, 0.95) + 20) <= PLAN_LEVEL_SHARE * 0.05
    low_target = SampleCheck(400, 99000, drawn=20000, found=30)
    assert 0.6 < low_target.claimable(0.05) < 0.8  # every lower target passes too: the claim is not lost


def test_sample_check_figures():
    check = SampleCheck(found_before=40, urn=1000)
    assert check.estimate(0.95) is None and not check.passed(0.95, 0.05)
    assert check.claimable(0.05) == pytest.approx(40 / 1040)  # nothing known about the unscreened yet
    done = SampleCheck(40, 1000, drawn=check.needed(0.95, 0.05))
    assert done.passed(0.95, 0.05) and done.more(0.95, 0.05) == 0 and done.claimable(0.05) >= 0.95
    estimate, low, high = SampleCheck(40, 1000, drawn=500, found=2).estimate(0.95)
    assert low < estimate < high <= 1 and estimate == pytest.approx(42 / 44)


def test_minimum_share_is_the_lower_bound_of_every_valid_rule():
    assert minimum_share(15) == pytest.approx(0.95)  # no miss allowed below 19 relevant
    assert minimum_share(40) == pytest.approx(1 - 0.05 ** (1 / 3))


def test_rule_parsing():
    assert StopRule.parse("sample").switch == 0.5 and str(StopRule.parse("sample:0.2")) == "sample:0.2"
    assert StopRule.parse("target").targets_needed() == 59
    assert StopRule.parse("target", 0.8, 0.9).targets_needed() == 11
    for bad in ("sample:2", "sample:x", "target:3", "consecutive:0", "buscar"):
        with pytest.raises(ReviewError, match="valid"):
            StopRule.parse(bad)
    with pytest.raises(ReviewError, match="between 0 and 1"):
        StopRule.parse("sample", target=1.2)


def hidden_cluster(n: int, relevant: int, hidden: int, rng: np.random.Generator) -> np.ndarray:
    labels = np.zeros(n, dtype=int)
    labels[np.sort(rng.choice(n // 10, relevant - hidden, replace=False))] = 1
    labels[n - hidden :] = 1
    return labels


def test_the_sample_rule_finds_a_hidden_cluster_where_the_ranked_test_does_not():
    rng = np.random.default_rng(5)
    sample, ranked = StopRule.parse("sample"), StopRule.parse("hypergeometric")
    sample_misses = ranked_misses = 0
    for seed in range(40):
        labels = hidden_cluster(1000, 40, 4, rng)
        sample_misses += not replay(sample, labels, seed=seed).summary()["reached_target"]
        ranked_misses += not replay(ranked, labels, seed=seed).summary()["reached_target"]
    assert ranked_misses == 40  # the ranked test stops before the cluster every time
    assert sample_misses <= 6  # 5 % nominal; 6 of 40 would already be evidence against it


def test_a_replay_counts_every_record_screened():
    labels = np.zeros(2000, dtype=int)
    labels[:40] = 1
    followed = replay(StopRule.parse("sample"), labels, n_priors=2, seed=1)
    summary = followed.summary()
    assert summary["stopped_at"] == len(followed.screened) == len(set(followed.screened))
    assert summary["ranked_screened"] + summary["sample_screened"] == summary["stopped_at"]
    assert summary["share_screened"] == pytest.approx(summary["stopped_at"] / 2000, abs=1e-4)
    assert summary["sample_screened"] > 0 and summary["reached_target"] and summary["rule"] == "sample"
    target = replay(StopRule.parse("target"), labels, seed=1).summary()
    assert target["stopped_at"] == 2000  # 40 relevant cannot fill a target set of 59: everything is screened


def test_cli_simulate_follows_the_check_sample_and_help_lists_the_rules(cli, data_dir, tmp_path):
    base = ("simulate", data_dir / "simulate" / "records.ris", "--labels", data_dir / "simulate" / "labels.csv")
    help_text = cli(*base[:1], "--help").output
    assert all(name in help_text for name in ("sample", "target", "hypergeometric", "consecutive", "default"))
    order = tmp_path / "order.csv"
    result = cli(*base, "--order-out", order, "--prior-ids", "28,2", "--model", "tfidf-svm", "--stop-rule",
                 "default", "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    stop = json.loads(result.output)["stop"]
    assert stop["rule"] == "sample" and stop["stopped_at"] == stop["ranked_screened"] + stop["sample_screened"]
    assert len(order.read_text().splitlines()) == stop["stopped_at"] + 1
    assert stop["share_screened"] == pytest.approx(stop["stopped_at"] / 200, abs=1e-4)
