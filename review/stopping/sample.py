"""The check-sample rule: ranked screening, then a random sample of what is left, with an exact test.

Why a sample at all. Whatever a rule assumes about the ranking, a relevant
record the ranking put last can only be found by looking at it. Take any rule
and any run of it that stops having seen `r` relevant records and left a share
`u` of the irrelevant records unseen. Turn `K = target_missing(r)` of those
unseen records into relevant ones: the run sees exactly the same labels, so it
stops in the same place with recall below the target. Averaged over every
choice of the `K` records, a rule that errs at most `alpha` of the time
against every placement needs E[u ** K] <= alpha, so by Jensen's inequality
E[u] <= alpha ** (1 / K): it must look at a share of at least
`1 - alpha ** (1 / K)` of the irrelevant records, ranked or sampled. With
95 % confidence that is 95 % when fewer than 19 relevant records are found
(no miss allowed), 78 % at 19-37, 63 % at 38-56 and 31 % at 133-151.
`minimum_share` computes it. No ranking quality can lower it; a uniform sample
of the unscreened records is what reaches it without assumptions.

The rule. Screen in ranked order until the ranked test of Callaghan &
Mueller-Hansen (2020) gives p < `switch` (0.5: the ranked evidence makes it
at least as likely as not that the target is reached; this only decides
*when* to sample and plays no part in the guarantee). Then draw a uniform
random sample, without replacement, from the `M` records still unscreened and
screen it one record at a time. With `r0` relevant records found before the
sample, `k` in the `n` sample records screened so far and
`T_k = target_missing(r0 + k) + k` (the fewest relevant records the urn must
hold for recall to be below the target once `k` have been found), stop at the
first `n` where the hypergeometric P(X <= k | M, T_k, n) < alpha_k.

The guarantee. Stopping with `k` found implies that the first `n_k` draws
(`n_k` the first size at which the bound holds for `k`) held at most `k`
relevant records; when recall is below the target the urn holds at least
`T_k`, so this has probability below `alpha_k`. The sample's levels spend
`alpha` over k = 0, 1, 2, ... (`spent`: 90 % on k = 0, then halving), so the
chance of stopping below the target is at most the sum, `alpha`, for every
order, ranking and placement of the relevant records. Checking after every
draw is therefore allowed (no optional-stopping inflation), and a sample that
runs through the whole urn knows recall exactly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from review.stats import target_missing

FIRST_LOOK_SHARE = 0.9  # of alpha, for the sample finding no relevant record (the common case)
DEFAULT_SWITCH = 0.5


def spent(alpha: float, look: int) -> float:
    """The level of the test after `look` relevant sample records: 0.9 alpha, then 0.05, 0.025 ... alpha."""
    if look == 0:
        return FIRST_LOOK_SHARE * alpha
    return (1 - FIRST_LOOK_SHARE) * alpha * 0.5**look


def minimum_share(found: int, target: float = 0.95, confidence: float = 0.95) -> float:
    """The least share of the irrelevant records any rule valid for every placement must look at."""
    return 1 - (1 - confidence) ** (1 / target_missing(found, target))


def _log_choose(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def hypergeom_cdf(k: int, urn: int, relevant: int, drawn: int) -> float:
    """P(X <= k) for X relevant among `drawn` records drawn without replacement from an `urn` holding `relevant`."""
    if relevant > urn:
        return 0.0
    low, high = max(0, drawn - (urn - relevant)), min(drawn, relevant)
    if k < low:
        return 0.0
    if k >= high:
        return 1.0
    total = _log_choose(urn, drawn)
    terms = [_log_choose(relevant, i) + _log_choose(urn - relevant, drawn - i) - total for i in range(low, k + 1)]
    return float(min(1.0, np.exp(terms).sum()))


@lru_cache(maxsize=4096)
def draws_needed(found_before: int, found_in_sample: int, urn: int, target: float, alpha: float) -> int:
    """Sample size at which the test passes with `found_in_sample` relevant sample records (the urn if never)."""
    relevant = target_missing(found_before + found_in_sample, target) + found_in_sample
    level = spent(alpha, found_in_sample)
    if relevant > urn or hypergeom_cdf(found_in_sample, urn, relevant, urn) >= level:
        return urn
    low, high = found_in_sample, urn  # the bound falls as the sample grows: bisect for the first passing size
    while low < high:
        middle = (low + high) // 2
        if hypergeom_cdf(found_in_sample, urn, relevant, middle) < level:
            high = middle
        else:
            low = middle + 1
    return low


@dataclass(frozen=True)
class SampleCheck:
    """Where a check sample stands: `urn` records unscreened when it was drawn, `drawn` screened, `found` relevant."""

    found_before: int
    urn: int
    drawn: int = 0
    found: int = 0

    def needed(self, target: float, alpha: float) -> int:
        """Sample records to screen in all (at the current count of relevant ones) before the test can pass."""
        return draws_needed(self.found_before, self.found, self.urn, target, alpha)

    def passed(self, target: float, alpha: float) -> bool:
        return self.drawn >= self.urn or self.drawn >= self.needed(target, alpha)

    def more(self, target: float, alpha: float) -> int:
        """Further sample records, all irrelevant, after which the test passes."""
        return max(0, self.needed(target, alpha) - self.drawn)

    def claimable(self, alpha: float) -> float:
        """The highest recall the sample supports at confidence 1 - alpha (whole percent, as the test is run)."""
        supported = 0.0
        for percent in range(1, 100):
            if self.passed(percent / 100, alpha):
                supported = percent / 100
        found = self.found_before + self.found
        if self.drawn >= self.urn:
            return 1.0
        return max(supported, found / (found + self.urn - self.drawn) if found else 0.0)

    def estimate(self, confidence: float) -> tuple[float, float, float] | None:
        """Recall estimated from the sample, with a two-sided interval at `confidence` (None before any draw)."""
        found = self.found_before + self.found
        if self.drawn == 0 or not found:
            return None
        missing = self.found * (self.urn - self.drawn) / self.drawn
        tail = (1 - confidence) / 2
        most, least = _missing_bound(self, tail, upper=True), _missing_bound(self, tail, upper=False)
        return found / (found + missing), found / (found + most), found / (found + least)


def _missing_bound(check: SampleCheck, tail: float, upper: bool) -> int:
    """Most (upper) or fewest unfound relevant records that a one-sided test at level `tail` does not reject."""
    left = check.urn - check.drawn

    def plausible(missing: int) -> bool:
        relevant = missing + check.found
        if upper:
            return hypergeom_cdf(check.found, check.urn, relevant, check.drawn) >= tail
        return 1 - hypergeom_cdf(check.found - 1, check.urn, relevant, check.drawn) >= tail

    low, high = 0, left  # plausible(missing) falls (upper) or rises (lower) with missing: bisect
    while low < high:
        if upper:
            middle = (low + high + 1) // 2
            low, high = (middle, high) if plausible(middle) else (low, middle - 1)
        else:
            middle = (low + high) // 2
            low, high = (low, middle) if plausible(middle) else (middle + 1, high)
    return low


def ranked_pvalue_fast(found_positions: Sequence[int], screened: int, total: int, target: float) -> float:
    """The ranked test's p-value (`review.stats.ranked_pvalue`) where it is below 0.5, else a value >= 0.5.

    `found_positions` are the 0-based positions of the relevant records among
    the `screened` ones. P(X <= k) falls as a tail grows at fixed k, so among
    tails holding k relevant records the longest wins: the one starting right
    after the (k+1)-th relevant record from the end; only those r + 1 tails
    are candidates. A tail holding more relevant records than its expected
    count plus one has P(X <= k) >= 0.5 (the hypergeometric median lies within
    one of the mean) and is skipped, which keeps the test cheap enough to run
    after every record of thousands of simulated orders.
    """
    if screened == 0:
        return 1.0
    found = len(found_positions)
    missing = target_missing(found, target)
    starts = np.concatenate([[0], np.asarray(found_positions, dtype=np.int64) + 1])  # 0-based tail starts
    sizes = screened - starts
    in_tail = found - np.arange(found + 1)
    urns = total - starts
    relevant = missing + in_tail
    keep = (sizes > 0) & (relevant <= urns) & (in_tail < relevant * sizes / np.maximum(urns, 1) + 1)
    if relevant[0] > urns[0]:  # more relevant records than records: recall cannot be below the target
        return 0.0
    if not keep.any():
        return 1.0
    return float(hypergeom_cdf_many(in_tail[keep], urns[keep], relevant[keep], sizes[keep]).min())


def first_ranked_pass(labels: np.ndarray, total: int, target: float, level: float, start: int = 0) -> int | None:
    """Records screened when the ranked test first gives p < `level` (<= 0.5), checked after every record.

    Between two relevant records every tail only grows with the same count,
    so p falls: one test at the end of each run of irrelevant records says
    whether the run crosses, and a bisection finds where.
    """
    positions = np.flatnonzero(labels)
    ends = np.append(positions, len(labels))  # screened counts just before each relevant record, and the end
    run_start = max(1, start)
    for run, end in enumerate(ends):
        first = max(run_start, int(positions[run - 1]) + 1 if run else 1)
        if end < first:
            continue
        found = positions[:run]

        def passes(screened: int, found: np.ndarray = found) -> bool:
            return ranked_pvalue_fast(found, screened, total, target) < level - 1e-9  # summation error

        if passes(int(end)):
            low, high = first, int(end)
            while low < high:
                middle = (low + high) // 2
                low, high = (low, middle) if passes(middle) else (middle + 1, high)
            return low
    return None


def hypergeom_cdf_many(k: np.ndarray, urn: np.ndarray, relevant: np.ndarray, drawn: np.ndarray) -> np.ndarray:
    """Vectorised P(X <= k) of hypergeometric variables, summing the log-space pmf (scipy's per-call cost is
    milliseconds, too slow for a test run after every record of thousands of simulated orders)."""
    from scipy.special import gammaln

    k, urn, relevant, drawn = (np.asarray(a, dtype=np.int64) for a in (k, urn, relevant, drawn))
    low = np.maximum(0, drawn - (urn - relevant))
    counts = np.maximum(0, np.minimum(k, np.minimum(drawn, relevant)) - low + 1)
    owner = np.repeat(np.arange(len(k)), counts)
    i = low[owner] + np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    u, r, d = urn[owner], relevant[owner], drawn[owner]
    log_pmf = (
        gammaln(r + 1) - gammaln(i + 1) - gammaln(r - i + 1)
        + gammaln(u - r + 1) - gammaln(d - i + 1) - gammaln(u - r - d + i + 1)
        - gammaln(u + 1) + gammaln(d + 1) + gammaln(u - d + 1)
    )  # fmt: skip
    return np.minimum(1.0, np.bincount(owner, weights=np.exp(log_pmf), minlength=len(k)))
