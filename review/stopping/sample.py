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
`minimum_share` computes it. No ranking quality can lower it. A rule that
ranks first cannot reach it either: its ranked phase is the same whichever of
the records it leaves unscreened hold the misses, so against misses placed
there only what it looks at afterwards counts, and it must sample a share
`1 - alpha ** (1 / K)` of what the ranking left (`bench/stopping_eval.py`
reports the best this kind can do, switching at the best point in hindsight).

The rule. Screen in ranked order until the ranked test of Callaghan &
Mueller-Hansen (2020) gives p < `switch` (0.5: the ranked evidence makes it
at least as likely as not that the target is reached; this only decides
*when* to sample and plays no part in the guarantee). Then draw a uniform
random sample, without replacement, from the `M` records still unscreened and
screen it one record at a time. With `r0` relevant records found before the
sample, the plan fixes sizes n_0 <= n_1 <= ... : stop at the first draw `n`
with n >= n_k, `k` the relevant sample records so far.

The guarantee. Let the urn hold `D` relevant records and
`T_c = c + target_missing(r0 + c)`: stopping with `c` found misses the target
exactly when D >= T_c. The counts only grow and the sizes only grow, so the
plan stops with a count <= c exactly when X(n_k) <= k for some k <= c (X(n)
the relevant records among the first n draws). For D in [T_c, T_c+1) a miss
is therefore the event U_c = {X(n_k) <= k for some k <= c}, whose chance falls
as D grows (an urn with one more relevant record gives every draw sequence at
least the same counts). So the plan errs at most `alpha` for every urn, every
ranking and every switch point exactly when P(U_c | D = T_c) <= alpha for each
c, and `draws_needed` chooses each n_c as the smallest size meeting that, with
n_0..n_c-1 fixed. P(U_c) is computed exactly by following the count's
distribution from one planned size to the next (hypergeometric steps, the
counts that have stopped taken out). One plan therefore holds at one level
whatever the sample meets, where spending the error over the counts would
shrink the level after each relevant find.
Checking after every draw is allowed (no optional-stopping inflation), and a
sample that runs through the whole urn knows recall exactly.

The margin. Such a plan errs at almost exactly its level whenever the urn
holds more relevant records than the target allows, since every such urn is
within one record of some T_c: a check of 70 orders per condition would then
show more than `alpha` in about half the hard conditions by chance alone. The
plan is therefore built at `PLAN_LEVEL_SHARE` of `alpha` (a worst case of
2.5 % at 95 % confidence), which costs about two points of the share screened
(`bench/stopping_eval.py --plan-share 1` measures the plan at the full level).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from review.stats import target_missing

DEFAULT_SWITCH = 0.5
PLAN_LEVEL_SHARE = 0.5  # of alpha, the plan's error at its worst urn (see the module's guarantee)


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


@lru_cache(maxsize=65536)
def draws_needed(found_before: int, found_in_sample: int, urn: int, target: float, alpha: float) -> int:
    """The plan's size n_c for c = `found_in_sample`: the sample size at which the rule may stop (the urn if never)."""
    c = found_in_sample
    plan = [draws_needed(found_before, k, urn, target, alpha) for k in range(c)]  # cached: each computed once
    drawn = plan[-1] if plan else 0  # the previous look's size
    least = max(drawn, c)
    relevant = c + target_missing(found_before + c, target)  # T_c, the worst urn for this look
    if least >= urn or relevant > urn:
        return min(least, urn)
    stopped, exactly_c = _earlier_stops(plan, urn, relevant)
    budget = PLAN_LEVEL_SHARE * alpha - stopped
    if budget <= 0:
        return urn

    def errs(size: int) -> bool:
        return exactly_c * _none_drawn(urn - drawn, relevant - c, size - drawn) > budget

    low, high = least, urn  # the chance of meeting no relevant record falls as the sample grows: bisect
    while low < high:
        middle = (low + high) // 2
        low, high = (middle + 1, high) if errs(middle) else (low, middle)
    return low


def _earlier_stops(plan: list[int], urn: int, relevant: int) -> tuple[float, float]:
    """With `relevant` in the urn: the chance the plan stopped at its sizes so far, and of holding exactly c after them.

    c = len(plan). After look k only counts k+1..c are followed: lower ones have
    stopped, higher ones can stop neither at these looks nor at the next one.
    """
    c = len(plan)
    if c == 0:
        return 0.0, 1.0
    chances = _hypergeom_pmf(np.arange(c + 1), urn, relevant, plan[0])
    stopped = float(chances[0])
    for look in range(1, c):
        counts = np.arange(look, c + 1)  # the counts still followed after look - 1
        step, left = plan[look] - plan[look - 1], urn - plan[look - 1]
        moves = _hypergeom_pmf(counts[None, :] - counts[:, None], left, relevant - counts[:, None], step)
        chances = chances[1:] @ moves  # chances[0] (count look - 1) stopped at the previous look
        stopped += float(chances[0])
    return stopped, float(chances[-1])


def _hypergeom_pmf(
    found: np.ndarray, urn: np.ndarray | int, relevant: np.ndarray | int, drawn: np.ndarray | int
) -> np.ndarray:
    """P(X = found) for X relevant among `drawn` records drawn from an `urn` holding `relevant` (arrays broadcast)."""
    from scipy.special import gammaln

    f, u, r, d = np.broadcast_arrays(*(np.asarray(a, dtype=np.int64) for a in (found, urn, relevant, drawn)))
    possible = (f >= 0) & (f <= r) & (f <= d) & (d - f <= u - r)
    f, r = np.where(possible, f, 0), np.where(possible, r, 0)
    log_pmf = (
        gammaln(r + 1) - gammaln(f + 1) - gammaln(r - f + 1)
        + gammaln(u - r + 1) - gammaln(d - f + 1) - gammaln(np.maximum(u - r - d + f, 0) + 1)
        - gammaln(u + 1) + gammaln(d + 1) + gammaln(np.maximum(u - d, 0) + 1)
    )  # fmt: skip
    return np.where(possible, np.exp(log_pmf), 0.0)


def _none_drawn(urn: int, relevant: int, drawn: int) -> float:
    """P(no relevant record among `drawn` drawn from an `urn` holding `relevant`)."""
    if drawn <= 0:
        return 1.0
    if drawn > urn - relevant:
        return 0.0
    return math.exp(_log_choose(urn - relevant, drawn) - _log_choose(urn, drawn))


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
        if self.drawn >= self.urn:
            return 1.0
        low, high = 0, 99  # a higher target asks for a larger sample at every count: bisect the whole percents
        while low < high:
            middle = (low + high + 1) // 2
            low, high = (middle, high) if self.passed(middle / 100, alpha) else (low, middle - 1)
        supported = low / 100
        found = self.found_before + self.found
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
    k, urn, relevant, drawn = (np.asarray(a, dtype=np.int64) for a in (k, urn, relevant, drawn))
    low = np.maximum(0, drawn - (urn - relevant))
    counts = np.maximum(0, np.minimum(k, np.minimum(drawn, relevant)) - low + 1)
    owner = np.repeat(np.arange(len(k)), counts)
    i = low[owner] + np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    chances = _hypergeom_pmf(i, urn[owner], relevant[owner], drawn[owner])
    return np.minimum(1.0, np.bincount(owner, weights=chances, minlength=len(k)))
