"""The stopping rule on a project: ranked screening, then a random check sample that `next_records` serves.

`stopping_status` reads the decisions in the order first screened and the
open check sample, if any, and says where the stage stands:

- `phase`: `ranked` (keep screening in ranked order), `sample-proposed` (the
  ranked test gives p < the rule's switch level: time to draw the check
  sample), `sample` (a check sample is open: screen it), `safe` (the target is
  reached at the protocol's confidence);
- `claimable_recall`: the recall that can be claimed now at that confidence
  without any assumption about the ranking (before a sample: every unscreened
  record could be relevant), `ranked_recall`: what the ranked test supports if
  the ranking is better than random, `recall_estimate` with `recall_interval`
  from the sample once it has records, `sample_needed`: check-sample records
  still to screen if none of them is relevant.

The sample is drawn only when asked (`start_sample=True`, or
`start_check_sample` when the reviewer accepts the advice), never as a side
effect of looking at the advice. The test is `review.stopping.sample`'s; with
the `hypergeometric` rule the ranked test alone may also declare it safe.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from review.errors import ReviewError
from review.stats import ranked_pvalue
from review.stopping.sample import DEFAULT_SWITCH, SampleCheck, draws_needed, ranked_pvalue_fast
from review.store import get_setting, now, set_setting

if TYPE_CHECKING:
    from review.core import Review

Phase = Literal["ranked", "sample-proposed", "sample", "safe"]


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
    recall_lower_bound: (
        float | None
    )  # highest recall either test supports at `confidence` (ranked: if better than random)
    recall_estimate: float | None  # point estimate from the check sample, when it has records
    sample: dict | None
    safe: bool
    next_step: str
    rule: str = "sample"
    phase: Phase = "ranked"
    claimable_recall: float = 0.0  # valid for any ranking
    ranked_recall: float | None = None  # the ranked test's bound, valid only if the ranking is better than random
    recall_interval: tuple[float, float] | None = None
    sample_needed: int = 0  # check-sample records still to screen (if none is relevant) before it can be safe


def _sample_progress(review: Review, stage: str, screened: dict[int, int]) -> dict | None:
    sample = get_setting(review.db, _sample_key(stage))
    if not sample:
        return None
    done = [record_id for record_id in sample["record_ids"] if record_id in screened]
    return {**sample, "screened": len(done), "found": sum(screened[r] for r in done)}


def _check(sample: dict | None) -> SampleCheck | None:
    if sample is None:
        return None
    return SampleCheck(sample["found_before"], sample["urn_size"], sample["screened"], sample["found"])


def _ranked_recall(labels: list[int], total: int, alpha: float) -> float | None:
    """Highest whole-percent recall (50-99 %) the ranked test supports."""
    positions = np.flatnonzero(labels)
    supported = None
    for percent in range(50, 100):
        if ranked_pvalue_fast(positions, len(labels), total, percent / 100) < alpha:
            supported = percent / 100
    return supported


def start_check_sample(review: Review, stage: str, seed: int = 0) -> dict:
    """Draw the check sample from the records unscreened now (the reviewer accepted the advice); idempotent."""
    screened = dict(screened_in_order(review, stage))
    existing = _sample_progress(review, stage, screened)
    if existing is not None:
        return existing
    unscreened = [record_id for record_id in review.state(stage).candidates if record_id not in screened]
    if not unscreened:
        raise ReviewError(f"every record at stage {stage} is screened: there is nothing to sample")
    sample = {
        "started_at": now(),
        "seed": seed,
        "urn_size": len(unscreened),
        "found_before": sum(screened.values()),
        "record_ids": [int(r) for r in np.random.default_rng(seed).permutation(unscreened)],
    }
    set_setting(review.db, _sample_key(stage), sample)
    return {**sample, "screened": 0, "found": 0}


def stopping_status(
    review: Review,
    stage: str,
    target: float | None = None,
    confidence: float | None = None,
    start_sample: bool = False,
    seed: int = 0,
) -> StoppingStatus:
    """Where `stage` stands against the protocol's stopping rule (target and confidence default to the protocol's).

    With `start_sample`, a check sample is drawn now if none is open and it is not yet safe.
    """
    settings = review.protocol.stopping
    target = settings.target if target is None else target
    confidence = settings.confidence if confidence is None else confidence
    if not 0 < target < 1 or not 0 < confidence < 1:
        raise ReviewError("the recall target and the confidence must be between 0 and 1")
    alpha = 1 - confidence
    order = screened_in_order(review, stage)
    screened = dict(order)
    labels = [label for _, label in order]
    total = len(review.state(stage).candidates)
    found = sum(labels)
    p_ranked = ranked_pvalue(labels, total, target)
    sample = _sample_progress(review, stage, screened)
    ranked_ok = settings.rule == "hypergeometric" and p_ranked < alpha
    check = _check(sample)
    safe = len(labels) >= total or ranked_ok or (check is not None and check.passed(target, alpha))
    if not safe and sample is None and start_sample:
        sample = start_check_sample(review, stage, seed)
        check = _check(sample)
    return _status(review, stage, labels, total, found, p_ranked, sample, check, safe, target, confidence)


def _status(
    review: Review,
    stage: str,
    labels: list[int],
    total: int,
    found: int,
    p_ranked: float,
    sample: dict | None,
    check: SampleCheck | None,
    safe: bool,
    target: float,
    confidence: float,
) -> StoppingStatus:
    alpha = 1 - confidence
    unscreened = total - len(labels)
    ranked = _ranked_recall(labels, total, alpha)
    if check is None:
        claimable = 1.0 if not unscreened else (found / (found + unscreened) if found else 0.0)
        needed = draws_needed(found, 0, unscreened, target, alpha) if unscreened else 0
        phase: Phase = "safe" if safe else ("sample-proposed" if p_ranked < DEFAULT_SWITCH else "ranked")
    else:
        claimable, needed = check.claimable(alpha), check.more(target, alpha)
        phase = "safe" if safe else "sample"
    estimate = check.estimate(confidence) if check is not None else None
    status = StoppingStatus(
        target,
        confidence,
        total,
        len(labels),
        found,
        round(p_ranked, 6),
        max(v for v in (claimable, ranked or 0.0)) or None,
        None if estimate is None else round(estimate[0], 4),
        None if sample is None else {k: v for k, v in sample.items() if k != "record_ids"},
        safe,
        "",
        review.protocol.stopping.rule,
        phase,
        round(claimable, 4),
        ranked,
        None if estimate is None else (round(estimate[1], 4), round(estimate[2], 4)),
        0 if safe else needed,
    )
    status.next_step = next_step(status)
    return status


def next_step(status: StoppingStatus) -> str:
    """The advice in one sentence, naming no command (each front end says how to act on it)."""
    if status.phase == "safe":
        return f"Safe to stop: recall is at least {status.target:.0%} with {status.confidence:.0%} confidence."
    if status.phase == "sample":
        return (
            f"Not yet safe to stop: screen {status.sample_needed} more records of the random sample; "
            "stop if none of them is relevant."
        )
    if status.phase == "sample-proposed":
        return (
            f"The ranked screening suggests the target is reached. Not yet safe to stop: screen {status.sample_needed} "
            "records of a random sample of the unscreened records to confirm it."
        )
    return (
        "Not yet safe to stop: keep screening in ranked order. A random sample of about "
        f"{status.sample_needed} records will be proposed to confirm the target once the ranked screening suggests "
        "it is reached."
    )


def sample_queue(review: Review, stage: str) -> list[int]:
    """The check-sample records still to screen, in the order to serve them (empty when no sample is open)."""
    sample = get_setting(review.db, _sample_key(stage))
    if not sample:
        return []
    screened = review.state(stage).finals
    return [record_id for record_id in sample["record_ids"] if record_id not in screened]


@dataclass(frozen=True)
class HistoryPoint:
    screened: int
    found: int
    claimable: float  # valid for any ranking
    ranked: float | None  # if the ranking is better than random


def recall_history(review: Review, stage: str, points: int = 40) -> list[HistoryPoint]:
    """The recall that could be claimed at the protocol's confidence after each stretch of the screening so far."""
    order = screened_in_order(review, stage)
    labels = [label for _, label in order]
    total = len(review.state(stage).candidates)
    alpha = 1 - review.protocol.stopping.confidence
    sample = get_setting(review.db, _sample_key(stage))
    in_sample = set(sample["record_ids"]) if sample else set()
    started = next((i for i, (record_id, _) in enumerate(order) if record_id in in_sample), len(order))
    marks = sorted({int(x) for x in np.linspace(1, len(labels), min(points, len(labels)))} | {started})
    history = []
    for n in marks:
        if n == 0:
            continue
        found = sum(labels[:n])
        if sample and n > started:
            drawn = labels[started:n]
            check = SampleCheck(sample["found_before"], sample["urn_size"], len(drawn), sum(drawn))
            claimable = check.claimable(alpha)
        else:
            claimable = found / (found + total - n) if found and total > n else float(n >= total)
        ranked = None if sample and n > started else _ranked_recall(labels[:n], total, alpha)
        history.append(HistoryPoint(n, found, round(claimable, 4), ranked))
    return history
