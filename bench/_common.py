"""Shared paths and helpers of the bench scripts (run from the repository root or anywhere)."""

from __future__ import annotations

import os
import resource
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# $REVIEW_BENCH_CACHE lets several checkouts share one cache of embeddings and simulation results
CACHE = Path(os.environ.get("REVIEW_BENCH_CACHE") or REPO / "bench" / ".cache")
BENCHMARKS = Path("/work/shared/benchmarks")
LARGE_RIS = CACHE / "large.ris"
IMPORTED_PROJECT = CACHE / "imported-project"

sys.path.insert(0, str(REPO))  # the perturbation generator lives in tests/ (test tooling, not the product)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def benchmark_sets(root: Path = BENCHMARKS) -> list[Path]:
    sets = sorted(path for path in root.iterdir() if (path / "records.ris").is_file())
    if not sets:
        raise SystemExit(f"no benchmark sets under {root}")
    return sets
