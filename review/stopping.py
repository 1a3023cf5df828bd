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

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import hypergeom

from review.errors import ReviewError


def target_missing(found: int, target: float) -> int:
    """The fewest unfound relevant records that would put recall below `target`."""
    return math.floor(found / target) + 1 - found


def ranked_pvalue(labels: Sequence[int], n_total: int, target: float = 0.95) -> float:
    """Smallest p-value for H0 'recall < target' over every tail of the screened sequence.

    `labels` are the 0/1 labels in the order screened; `n_total` is the number
    of records in the screening set.
    """
    seq = np.asarray(labels, dtype=np.int64)
    n_seen = len(seq)
    if n_seen == 0:
        return 1.0
    found = int(seq.sum())
    missing = target_missing(found, target)
    tail_found = np.cumsum(seq[::-1])[::-1]  # relevant from position i to the end
    sample_sizes = np.arange(n_seen, 0, -1)
    urn_sizes = n_total - n_seen + sample_sizes
    relevant_in_urn = missing + tail_found
    feasible = relevant_in_urn <= urn_sizes
    if not feasible.any():
        return 0.0
    p = hypergeom.cdf(tail_found[feasible], urn_sizes[feasible], relevant_in_urn[feasible], sample_sizes[feasible])
    return float(np.min(p))


def random_sample_pvalue(found_total: int, found_in_sample: int, sample_size: int, urn_size: int,
                         target: float = 0.95) -> float:
    """p-value for H0 'recall < target' from a uniform random sample of `urn_size` unscreened records."""
    if sample_size == 0:
        return 1.0
    relevant_in_urn = target_missing(found_total, target) + found_in_sample
    if relevant_in_urn > urn_size:
        return 0.0
    return float(hypergeom.cdf(found_in_sample, urn_size, relevant_in_urn, sample_size))


def sample_size_needed(found_total: int, urn_size: int, target: float = 0.95, confidence: float = 0.95) -> int:
    """How many random records (all irrelevant) would make the random-sample test conclusive."""
    alpha = 1 - confidence
    missing = target_missing(found_total, target)
    if missing > urn_size:
        return 0
    sizes = np.arange(1, urn_size + 1)
    p = hypergeom.cdf(0, urn_size, missing, sizes)
    hits = np.nonzero(p < alpha)[0]
    return int(sizes[hits[0]]) if len(hits) else urn_size


def consecutive_stop(labels: Sequence[int], n: int, start: int = 0) -> int | None:
    """Records screened when `n` irrelevant records in a row first occur after position `start`."""
    run = 0
    for position, label in enumerate(labels[start:], start + 1):
        run = 0 if label else run + 1
        if run >= n:
            return position
    return None


def hypergeometric_stop(labels: Sequence[int], n_total: int, target: float = 0.95, confidence: float = 0.95,
                        start: int = 0, check_every: int = 1) -> int | None:
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
