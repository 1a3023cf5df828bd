"""Dedupe time and peak memory on the imported large project, and its precision/recall.

    python bench/bench_import.py        # once: builds bench/.cache/imported-project
    python bench/bench_dedupe.py

Works on a copy of the imported project, so it can be run again.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from _common import IMPORTED_PROJECT, peak_rss_mb

from review.dedupe import apply_dedupe, find_duplicates
from review.store import DB_NAME, connect, open_project
from review.synthetic.duplicates import pair_precision_recall, truth_key


def copy_project(source: Path, target: Path) -> None:
    """A consistent copy of a WAL-mode project database."""
    connect(source / DB_NAME).execute("PRAGMA wal_checkpoint(TRUNCATE)")
    target.mkdir(parents=True)
    shutil.copy(source / DB_NAME, target / DB_NAME)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, default=IMPORTED_PROJECT)
    args = parser.parse_args()
    if not (args.project / DB_NAME).is_file():
        raise SystemExit(f"no project at {args.project}; run bench/bench_import.py first")
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "project"
        copy_project(args.project, copy)
        db = open_project(copy)
        started = time.perf_counter()
        result = find_duplicates(db)
        found = time.perf_counter() - started
        apply_dedupe(db, result)
        total = time.perf_counter() - started
        rows = db.execute("SELECT record_id, source_id, duplicate_of FROM records").fetchall()
        db.close()
    records = len(rows)
    print(
        f"dedupe: {records} records in {total:.1f} s (find {found:.1f} s, apply {total - found:.1f} s) = "
        f"{records / total:,.0f} records/s; peak RSS {peak_rss_mb():,.0f} MB"
    )
    scores = pair_precision_recall(
        {source_id: target or record_id for record_id, source_id, target in rows},
        {source_id: truth_key(source_id) for _, source_id, _ in rows},
    )
    truth_of = {record_id: truth_key(source_id) for record_id, source_id, _ in rows}
    uncertain = result.uncertain_pairs
    true_share = sum(truth_of[pair.record_id] == truth_of[pair.duplicate_of] for pair in uncertain) / max(
        1, len(uncertain)
    )
    print(
        f"  {result.n_duplicates} duplicates merged; pairwise precision {scores['precision']:.4f}, "
        f"recall {scores['recall']:.4f} ({scores['correct_pairs']} of {scores['true_pairs']} true pairs); "
        f"pairs for a person: {len(uncertain)}, share true duplicates {true_share:.0%}"
    )


if __name__ == "__main__":
    main()
