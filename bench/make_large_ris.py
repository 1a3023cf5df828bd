"""Write a 100,000-record RIS file from the 14 benchmark sets, with realistic perturbed duplicates.

Every paper of the benchmark corpora (one per PubMed id) appears once as
itself, then as several other databases would export it (see
`tests/dedupe_perturb.py`), plus look-alikes that are different papers.
Seeded, so the file is the same on every run. Record ids (`ID`) encode the
true paper, so `bench/bench_dedupe.py` can score the result. The file's first
line says it is synthetic (the importer skips it with a warning).

    python bench/make_large_ris.py [--records 100000] [--seed 2006] [--out bench/.cache/large.ris]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from _common import BENCHMARKS, LARGE_RIS, benchmark_sets

from review.synthetic.duplicates import labelled_set, read_papers, to_ris

LOOKALIKE_SHARE = 0.1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2006)
    parser.add_argument("--benchmarks", type=Path, default=BENCHMARKS)
    parser.add_argument("--out", type=Path, default=LARGE_RIS)
    args = parser.parse_args()
    started = time.perf_counter()
    papers, seen = [], set()
    for folder in benchmark_sets(args.benchmarks):
        for paper in read_papers(folder / "records.ris"):
            if paper.truth not in seen:
                seen.add(paper.truth)
                papers.append(paper)
    mean_copies = (args.records / len(papers)) - 1 - LOOKALIKE_SHARE
    records = labelled_set(
        papers, seed=args.seed, duplicate_share=1.0, mean_copies=mean_copies, lookalike_share=LOOKALIKE_SHARE
    )[: args.records]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    header = f"Synthetic benchmark file made by bench/make_large_ris.py (seed {args.seed}): perturbed copies and look-alikes\n\n"
    args.out.write_text(header + to_ris(records), encoding="utf-8")
    size_mb = args.out.stat().st_size / 1e6
    print(
        f"{len(papers)} papers -> {len(records)} records ({size_mb:.0f} MB) in {args.out} "
        f"({time.perf_counter() - started:.1f} s)"
    )


if __name__ == "__main__":
    main()
