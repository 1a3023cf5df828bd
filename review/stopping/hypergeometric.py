"""When is it safe to stop screening? Statistical and heuristic stopping rules.

The statistical rule is the hypergeometric test of Callaghan & Mueller-Hansen
(2020, "Statistical stopping criteria for automated screening in systematic
reviews", Systematic Reviews 9:273). Having found `r` relevant records, recall
is below the target `t` only if at least `K_tar = floor(r / t) + 1 - r`
relevant records are still unscreened. If a sample of `n` records, drawn
without replacement from an urn of `M` unscreened records, holds `k`
relevant ones, the p-value for H0 "recall < t" is the hypergeometric
P(X <= k) with `K_tar + k` relevant records in the urn. We stop when p < 1 - confidence.

Two ways to get the sample:

- *ranked* (`ranked_pvalue`): the records screened in priority order since
  some point are treated as the sample, over every such point (as in the
  authors' `buscar` package). A model better than random puts relevant records
  first, so this is conservative when the ranking is informative.
- *random* (`random_sample_pvalue`): a uniform random sample of the records
  unscreened when sampling began; valid without any assumption about the
  model, at the cost of screening the sample. `review stopping` on a project
  uses this when the ranked test is not yet conclusive.

The common heuristic (`consecutive_stop`) stops after N irrelevant records in
a row; it has no guarantee and is reported for comparison.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import sqlite_utils

from review.errors import ReviewError
from review.stats import random_sample_pvalue, ranked_pvalue, sample_size_needed
from review.store import get_setting, now, set_setting

if TYPE_CHECKING:
    from review.core import Review


def consecutive_stop(labels: Sequence[int], n: int, start: int = 0) -> int | None:
    """Records screened when `n` irrelevant records in a row first occur after position `start`."""
    run = 0
    for position, label in enumerate(labels[start:], start + 1):
        run = 0 if label else run + 1
        if run >= n:
            return position
    return None


def hypergeometric_stop(
    labels: Sequence[int],
    n_total: int,
    target: float = 0.95,
    confidence: float = 0.95,
    start: int = 0,
    check_every: int = 1,
) -> int | None:
    """Records screened when the ranked hypergeometric test first rejects 'recall < target'."""
    alpha = 1 - confidence
    for position in range(max(1, start), len(labels) + 1, check_every):
        if ranked_pvalue(labels[:position], n_total, target) < alpha:
            return position
    if ranked_pvalue(labels, n_total, target) < alpha:
        return len(labels)
    return None


@dataclass(frozen=True)
class StopRule:
    """A parsed `--stop-rule`: `hypergeometric` or `consecutive:N`."""

    kind: str
    n: int = 0
    target: float = 0.95
    confidence: float = 0.95

    @classmethod
    def parse(cls, text: str, target: float = 0.95, confidence: float = 0.95) -> StopRule:
        kind, _, arg = text.partition(":")
        if kind == "hypergeometric" and not arg:
            return cls("hypergeometric", 0, target, confidence)
        if kind == "consecutive" and arg.isdigit() and int(arg) > 0:
            return cls("consecutive", int(arg), target, confidence)
        raise ReviewError(f"unknown stop rule '{text}' (valid: hypergeometric, consecutive:N with N > 0)")

    def __str__(self) -> str:
        return f"consecutive:{self.n}" if self.kind == "consecutive" else self.kind

    def stop_position(self, labels: Sequence[int], n_total: int, start: int = 0) -> int | None:
        """Records screened (counting `start` prior records) when the rule says stop; None = never."""
        if self.kind == "consecutive":
            return consecutive_stop(labels, self.n, start)
        step = max(1, n_total // 500)
        return hypergeometric_stop(labels, n_total, self.target, self.confidence, start, step)


# --- On a project: the ranked test over decisions so far, then a random sample. ---


def _sample_key(stage: str) -> str:
    return f"stopping_sample_{stage}"


def screened_in_order(review: Review, stage: str) -> list[tuple[int, int]]:
    """(record id, 0/1) per record with a final decision, in the order first screened ('maybe' counts as relevant)."""
    labels = review.state(stage).finals
    first = review.db.execute(
        "SELECT record_id, MIN(event_id) FROM decisions WHERE stage = ? AND kind = 'screen' "
        "GROUP BY record_id ORDER BY MIN(event_id)",
        [stage],
    )
    return [(record_id, int(labels[record_id] != "exclude")) for record_id, _ in first if record_id in labels]


@dataclass
class StoppingStatus:
    target: float
    confidence: float
    total: int
    screened: int
    found: int
    p_ranked: float
    recall_lower_bound: float | None  # highest recall the data support at `confidence`
    recall_estimate: float | None  # point estimate from the random sample, when there is one
    sample: dict | None
    safe: bool
    next_step: str


def _recall_bound(labels: list[int], total: int, confidence: float, sample: dict | None, found: int) -> float | None:
    supported = None
    for percent in range(50, 100):
        t = percent / 100
        p = ranked_pvalue(labels, total, t)
        if sample and sample["screened"]:
            p = min(p, random_sample_pvalue(found, sample["found"], sample["screened"], sample["urn_size"], t))
        if p < 1 - confidence:
            supported = t
    return supported


def _sample_progress(db: sqlite_utils.Database, stage: str, screened: dict[int, int]) -> dict | None:
    sample = get_setting(db, _sample_key(stage))
    if not sample:
        return None
    done = [record_id for record_id in sample["record_ids"] if record_id in screened]
    return {**sample, "screened": len(done), "found": sum(screened[r] for r in done)}


def stopping_status(
    review: Review,
    stage: str,
    target: float = 0.95,
    confidence: float = 0.95,
    start_sample: bool = True,
    seed: int = 0,
) -> StoppingStatus:
    """Is it safe to stop at `stage`? If not, what to screen next to find out.

    Safe when the ranked test over the decisions so far, or the random-sample
    test, rejects 'recall < target' at `confidence`. Otherwise a random sample
    of the unscreened records is drawn (and stored, unless `start_sample` is
    False) for `review next` to serve, with the number of records it needs.
    """
    if not 0 < target < 1 or not 0 < confidence < 1:
        raise ReviewError("the recall target and the confidence must be between 0 and 1")
    db = review.db
    order = screened_in_order(review, stage)
    screened = dict(order)
    labels = [label for _, label in order]
    total = len(review.state(stage).candidates)
    found = sum(labels)
    alpha = 1 - confidence
    p_ranked = ranked_pvalue(labels, total, target)
    sample = _sample_progress(db, stage, screened)
    p_sample = (
        random_sample_pvalue(found, sample["found"], sample["screened"], sample["urn_size"], target) if sample else 1.0
    )
    safe = len(labels) >= total or min(p_ranked, p_sample) < alpha
    estimate = None
    if sample and sample["screened"]:
        unseen = sample["urn_size"] - sample["screened"]
        estimate = found / (found + sample["found"] / sample["screened"] * unseen) if found else 0.0
    if safe:
        step = f"Safe to stop: recall is at least {target:.0%} with {confidence:.0%} confidence."
    else:
        unscreened = [record_id for record_id in review.state(stage).candidates if record_id not in screened]
        if sample is None and start_sample:
            rng = np.random.default_rng(seed)
            sample = {
                "started_at": now(),
                "seed": seed,
                "urn_size": len(unscreened),
                "found_before": found,
                "record_ids": [int(r) for r in rng.permutation(unscreened)],
            }
            set_setting(db, _sample_key(stage), sample)
            sample = {**sample, "screened": 0, "found": 0}
        if sample is None:
            more = sample_size_needed(found, len(unscreened), target, confidence)
        else:
            more = _more_needed(found, sample, target, alpha)
        step = (
            f"Not yet safe to stop: screen {more} more records of a random sample of the unscreened "
            f"records (`review next` serves them); stop if none of them is relevant."
        )
    return StoppingStatus(
        target,
        confidence,
        total,
        len(labels),
        found,
        round(p_ranked, 6),
        _recall_bound(labels, total, confidence, sample, found),
        None if estimate is None else round(estimate, 4),
        None if sample is None else {k: v for k, v in sample.items() if k != "record_ids"},
        safe,
        step,
    )


def _more_needed(found: int, sample: dict, target: float, alpha: float) -> int:
    """Further sample records, all irrelevant, after which the random-sample test would reject."""
    left = sample["urn_size"] - sample["screened"]
    for more in range(1, left + 1):
        if random_sample_pvalue(found, sample["found"], sample["screened"] + more, sample["urn_size"], target) < alpha:
            return more
    return left


def sample_queue(review: Review, stage: str) -> list[int]:
    """The random-sample records still to screen, in the order to serve them (empty when no sample is on)."""
    sample = get_setting(review.db, _sample_key(stage))
    if not sample:
        return []
    screened = review.state(stage).finals
    return [record_id for record_id in sample["record_ids"] if record_id not in screened]
