"""Import throughput: the large RIS file into a fresh project, timed, with peak memory.

    python bench/make_large_ris.py      # once
    python bench/bench_import.py [--ris bench/.cache/large.ris]

Prints wall-clock and CPU time (the process's user + system time, which a
machine shared with other jobs inflates less than the wall clock), records per
second of each, and the peak resident memory of the whole process.
Leaves the project in bench/.cache/imported-project for bench/bench_dedupe.py.
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

from _common import IMPORTED_PROJECT, LARGE_RIS, REPO, peak_rss_mb

from review.core import Review
from review.records import import_files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ris", type=Path, default=LARGE_RIS)
    parser.add_argument("--project", type=Path, default=IMPORTED_PROJECT)
    args = parser.parse_args()
    if not args.ris.is_file():
        raise SystemExit(f"{args.ris} is missing; run bench/make_large_ris.py first")
    shutil.rmtree(args.project, ignore_errors=True)
    db = Review.create(args.project, REPO / "protocols" / "template.yaml").db
    started, cpu_started = time.perf_counter(), time.process_time()
    reports = import_files(db, [args.ris], source="bench")
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    records = sum(report.records for report in reports)
    size_mb = args.ris.stat().st_size / 1e6
    print(
        f"import: {records:,} records ({size_mb:,.0f} MB) in {seconds:.1f} s = {records / seconds:,.0f} records/s; "
        f"CPU {cpu_seconds:.1f} s = {records / cpu_seconds:,.0f} records/CPU-s; peak RSS {peak_rss_mb():,.0f} MB"
    )


if __name__ == "__main__":
    main()
