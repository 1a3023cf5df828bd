"""Replay every benchmark set's two-stage labels through decision import and check PRISMA.

For each set in the benchmarks folder: a new project (template protocol), its
records.ris imported, a decisions CSV made from labels.csv, the decisions
imported, PRISMA counted. Prints a table; exits 1 if any count differs from the
labels or the flow does not add up.

    python bench/replay_benchmarks.py [BENCHMARKS_DIR] [--protocol FILE]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from review.simulation.replay import replay_set

REPO = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("benchmarks", nargs="?", type=Path, default=REPO.parent / "shared" / "benchmarks")
    parser.add_argument("--protocol", type=Path, default=REPO / "protocols" / "template.yaml")
    args = parser.parse_args(argv)
    sets = sorted(path for path in args.benchmarks.iterdir() if (path / "labels.csv").is_file())
    if not sets:
        print(f"no benchmark sets in {args.benchmarks}", file=sys.stderr)
        return 1
    header = (
        f"{'set':<36} {'records':>8} {'screened':>8} {'passed ta':>9} {'assessed':>8} "
        f"{'included':>8} {'reports':>8} {'studies':>8} {'seconds':>7}  ok"
    )
    print(header)
    failures = 0
    for set_dir in sets:
        started = time.perf_counter()
        with tempfile.TemporaryDirectory() as work:
            result = replay_set(set_dir, work, args.protocol)
        e, c = result.expected, result.counts
        failures += not result.ok
        print(
            f"{result.name:<36} {e['records_screened']:>8} {c['records_screened']:>8} {e['dbr_assessed']:>9} "
            f"{c['dbr_assessed']:>8} {e['new_reports']:>8} {c['new_reports']:>8} {c['new_studies']:>8} "
            f"{time.perf_counter() - started:>7.1f}  {'yes' if result.ok else 'NO'}"
        )
        for problem in result.problems:
            print(f"    {problem}")
    print(f"{len(sets) - failures}/{len(sets)} sets match their labels")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
