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

The project workflow (ranked screening, then a random check sample that
`Review.next_records` serves) lives in `review.stopping.project`, the rules by
name in `review.stopping.rules`.

The common heuristic (`consecutive_stop`) stops after N irrelevant records in
a row; it has no guarantee and is reported for comparison.
"""

from __future__ import annotations

from collections.abc import Sequence

from review.stats import ranked_pvalue


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


# The project workflow moved to `review.stopping.project`; these names stay importable from here.
from review.stopping.project import (  # noqa: E402
    StoppingStatus,
    sample_queue,
    screened_in_order,
    start_check_sample,
    stopping_status,
)

__all__ = [
    "StoppingStatus",
    "consecutive_stop",
    "hypergeometric_stop",
    "sample_queue",
    "screened_in_order",
    "start_check_sample",
    "stopping_status",
]
