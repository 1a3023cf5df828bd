"""The statistics the toolkit reports, in one place.

- agreement: Cohen's kappa from a counts table or from label pairs, the Jaccard index;
- proportions: the lower Wilson score bound (the earned fusion's weights);
- the hypergeometric tests behind the stopping rule (Callaghan & Mueller-Hansen 2020):
  how many relevant records must be missing for recall to fall below a target, and
  the p-values of "recall < target" from a ranked tail or a uniform random sample.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

ONE_SIDED_95_Z = 1.645


def cohen_kappa(table: dict[str, dict[str, int]]) -> tuple[int, float | None, float | None]:
    """n, observed agreement and Cohen's kappa from a square counts table."""
    labels = list(table)
    n = sum(sum(row.values()) for row in table.values())
    if n == 0:
        return 0, None, None
    observed = sum(table[label][label] for label in labels) / n
    expected = sum(sum(table[label].values()) * sum(table[other][label] for other in labels) for label in labels) / (
        n * n
    )
    kappa = None if expected == 1 else (observed - expected) / (1 - expected)
    return n, observed, kappa


def kappa_from_pairs(pairs: Sequence[tuple[str, str]]) -> float | None:
    """Cohen's kappa of two raters' labels given as (a, b) pairs (None when undefined)."""
    labels = sorted({label for pair in pairs for label in pair})
    table = {a: dict.fromkeys(labels, 0) for a in labels}
    for a, b in pairs:
        table[a][b] += 1
    return cohen_kappa(table)[2]


def jaccard(a: set[str], b: set[str]) -> float:
    """|a & b| / |a | b|; two empty sets agree completely."""
    return 1.0 if not (a or b) else len(a & b) / len(a | b)


def wilson_lower_bound(successes: np.ndarray, n: int, z: float = ONE_SIDED_95_Z) -> np.ndarray:
    """Lower Wilson score bound of a success rate (successes may be fractional: ties count half,
    which is why scipy's integer-only `binomtest(...).proportion_ci` is not used)."""
    rate = successes / n
    centre = rate + z * z / (2 * n)
    spread = z * np.sqrt(rate * (1 - rate) / n + z * z / (4 * n * n))
    return np.maximum(0.0, (centre - spread) / (1 + z * z / n))


def target_missing(found: int, target: float) -> int:
    """The fewest unfound relevant records that would put recall below `target`."""
    return math.floor(found / target) + 1 - found


def ranked_pvalue(labels: Sequence[int], n_total: int, target: float = 0.95) -> float:
    """Smallest p-value for H0 'recall < target' over every tail of the screened sequence.

    `labels` are the 0/1 labels in the order screened; `n_total` is the number
    of records in the screening set.
    """
    from scipy.stats import hypergeom  # imported on use: scipy.stats alone takes seconds to import

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


def random_sample_pvalue(
    found_total: int, found_in_sample: int, sample_size: int, urn_size: int, target: float = 0.95
) -> float:
    """p-value for H0 'recall < target' from a uniform random sample of `urn_size` unscreened records."""
    from scipy.stats import hypergeom

    if sample_size == 0:
        return 1.0
    relevant_in_urn = target_missing(found_total, target) + found_in_sample
    if relevant_in_urn > urn_size:
        return 0.0
    return float(hypergeom.cdf(found_in_sample, urn_size, relevant_in_urn, sample_size))


def sample_size_needed(found_total: int, urn_size: int, target: float = 0.95, confidence: float = 0.95) -> int:
    """How many random records (all irrelevant) would make the random-sample test conclusive."""
    from scipy.stats import hypergeom

    alpha = 1 - confidence
    missing = target_missing(found_total, target)
    if missing > urn_size:
        return 0
    sizes = np.arange(1, urn_size + 1)
    p = hypergeom.cdf(0, urn_size, missing, sizes)
    hits = np.nonzero(p < alpha)[0]
    return int(sizes[hits[0]]) if len(hits) else urn_size
