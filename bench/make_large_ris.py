"""Write a large RIS file (100,000 to 1,000,000+ records) from the 14 benchmark sets, with perturbed duplicates.

Every paper of the benchmark corpora (one per PubMed id) appears once as
itself, then as several other databases would export it (see
`review/synthetic/duplicates.py`), plus look-alikes that are different papers.
The benchmark sets hold about 17,000 papers, so a file of more than about
`--max-copies` + 1 records per paper also gets synthetic papers: each one's
title and abstract are spliced from three benchmark papers (first, middle and
last third), with the authors of a fourth, a year, and PubMed id and DOI of
its own, so its words are real vocabulary while the paper is new, and it is
copied and perturbed like the others. Every size then has the same mix: by
default every paper has copies (7.4 records per paper, as the 100,000-record
file always had); `bench/scale.py` asks for a living map's mix instead
(`--duplicate-share 0.5 --max-copies 1`: half the papers found twice, 1.6
records per paper, so 1M records hold about 620,000 papers).

Written block by block (20,000 papers at a time), so memory stays flat
whatever the size. Seeded, so the file is the same on every run. Record ids
(`ID`) encode the true paper, so `bench/bench_dedupe.py` can score the
result. The file's first line says it is synthetic (the importer skips it with
a warning).

    python bench/make_large_ris.py [--records 100000] [--seed 2006] [--out bench/.cache/large.ris]
    python bench/make_large_ris.py --records 1000000 --out large-1000000.ris
"""

from __future__ import annotations

import argparse
import math
import random
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from _common import BENCHMARKS, LARGE_RIS, benchmark_sets

from review.synthetic.duplicates import Paper, labelled_set, read_papers, ris_record

LOOKALIKE_SHARE = 0.1
BLOCK_PAPERS = 20_000
SYNTHETIC_PMID_BASE = 90_000_000  # far above the benchmark sets' PubMed ids


def benchmark_papers(root: Path) -> list[Paper]:
    papers, seen = [], set()
    for folder in benchmark_sets(root):
        for paper in read_papers(folder / "records.ris"):
            if paper.truth not in seen:
                seen.add(paper.truth)
                papers.append(paper)
    return papers


def _third(text: str | None, part: int) -> list[str]:
    words = (text or "").split()
    size = math.ceil(len(words) / 3)
    return words[part * size : (part + 1) * size]


def spliced_paper(papers: list[Paper], number: int, rng: random.Random) -> Paper:
    """A new synthetic paper whose title and abstract are thirds of three benchmark papers."""
    parts = rng.sample(papers, 3)
    title = " ".join(word for part, paper in enumerate(parts) for word in _third(paper.title, part))
    abstract = " ".join(word for part, paper in enumerate(parts) for word in _third(paper.abstract, part))
    key = f"syn{number}"
    return Paper(
        id=key,
        truth=key,
        title=title or parts[0].title,
        authors=list(rng.choice(papers).authors),
        year=rng.randint(1975, 2026),
        pmid=str(SYNTHETIC_PMID_BASE + number),
        abstract=abstract or None,
    )


def paper_pool(papers: list[Paper], records: int, max_copies: float, seed: int, share: float = 1.0) -> list[Paper]:
    """The benchmark papers, plus spliced ones when `records` would need more than `max_copies` copies of
    a `share` of them."""
    per_paper = 1 + share * max_copies + LOOKALIKE_SHARE
    wanted = math.ceil(records / per_paper)
    rng = random.Random(seed)
    return papers + [spliced_paper(papers, n, rng) for n in range(max(0, wanted - len(papers)))]


def generate(pool: list[Paper], records: int, seed: int, share: float = 1.0) -> Iterator[Paper]:
    """`records` records of the pool's papers and their copies, block by block (each block shuffled).

    A pool of the benchmark papers alone is one block, so the 100,000-record file is the one it always was.
    """
    mean_copies = max(1.0, (records / len(pool) - 1 - LOOKALIKE_SHARE) / share)
    written = 0
    for block, start in enumerate(range(0, len(pool), BLOCK_PAPERS)):
        part = pool[start : start + BLOCK_PAPERS]
        labelled = labelled_set(
            part, seed=seed + block, duplicate_share=share, mean_copies=mean_copies, lookalike_share=LOOKALIKE_SHARE
        )
        for paper in labelled:
            if written == records:
                return
            written += 1
            yield paper
    if written < records:  # the copies fell short of the mean: top up with further copies of the first papers
        yield from (replace(paper, id=f"{paper.id}#copy{90 + n}") for n, paper in enumerate(pool[: records - written]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2006)
    parser.add_argument("--max-copies", type=float, default=6.3, help="mean copies per paper before papers are added")
    parser.add_argument(
        "--duplicate-share", type=float, default=1.0, help="share of the papers exported more than once"
    )
    parser.add_argument("--benchmarks", type=Path, default=BENCHMARKS)
    parser.add_argument("--out", type=Path, default=LARGE_RIS)
    args = parser.parse_args()
    started = time.perf_counter()
    papers = benchmark_papers(args.benchmarks)
    pool = paper_pool(papers, args.records, args.max_copies, args.seed, args.duplicate_share)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    header = (
        f"Synthetic benchmark file made by bench/make_large_ris.py (seed {args.seed}): "
        f"perturbed copies and look-alikes\n\n"
    )
    count = 0
    with args.out.open("w", encoding="utf-8") as out:
        out.write(header)
        for paper in generate(pool, args.records, args.seed, args.duplicate_share):
            out.write(ris_record(paper) + "\n")
            count += 1
    size_mb = args.out.stat().st_size / 1e6
    print(
        f"{len(papers)} benchmark + {len(pool) - len(papers)} spliced papers -> {count} records ({size_mb:.0f} MB) "
        f"in {args.out} ({time.perf_counter() - started:.1f} s)"
    )


if __name__ == "__main__":
    main()
