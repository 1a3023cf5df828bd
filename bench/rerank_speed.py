"""Milliseconds per re-rank after one decision, at 2k, 20k and 100k records, features cached.

Records are drawn (with replacement) from the benchmark titles and abstracts
with their MiniLM embeddings cached by `bench/simulate_all.py` (sets without
a cache are skipped); only the refit and scoring are timed. With 500 decisions (50 relevant) on
record, one more decision is added and we time:

- `refit`: the synchronous refit (train on the labelled rows, score every
  record, sort): what the next ranking costs;
- `next`: `Ranker.update()` + `next_ids(1)` with `background=True`, i.e. how
  long the reviewer waits for the next record while the refit runs behind.

Example:
    python bench/rerank_speed.py --sizes 2000,20000,100000 --repeats 5
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from review.importers import read_file
from review.ranking.embeddings import DEFAULT_MODEL
from review.ranking.features import RecordFields, build_features, record_text
from review.ranking.ranker import Ranker

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ranking_candidates import resolve_preset  # noqa: E402  (presets and bench-only candidates by name)
from simulate_all import embeddings_path  # noqa: E402  (the cache simulate_all.py fills)

HERE = Path(__file__).resolve().parent


def corpus(benchmarks: Path) -> tuple[list[str], np.ndarray, np.ndarray, list[dict]]:
    """Texts, embeddings of the texts and of the titles, and fields of every set whose vectors are cached."""
    texts, vectors, title_vectors, fields = [], [], [], []
    for path in sorted(benchmarks.glob("*/records.ris")):
        cached = embeddings_path(path.parent.name, DEFAULT_MODEL)
        cached_titles = embeddings_path(path.parent.name, DEFAULT_MODEL, titles=True)
        if cached.exists() and cached_titles.exists():
            records = read_file(path).records
            texts += [record_text(r.title, r.abstract) for r in records]
            fields += [{"keywords": r.keywords, "authors": r.authors, "journal": r.journal} for r in records]
            vectors.append(np.load(cached))
            title_vectors.append(np.load(cached_titles))
    if not texts:
        raise SystemExit("no cached embeddings of texts and titles: run bench/simulate_all.py first")
    return texts, np.vstack(vectors), np.vstack(title_vectors), fields


def measure(corpus_: tuple, n: int, preset_name: str, repeats: int, seed: int = 0) -> dict:
    texts, vectors, title_vectors, fields = corpus_
    rng = np.random.default_rng(seed)
    picked = rng.integers(0, len(texts), n)
    preset = resolve_preset(preset_name)
    start = time.perf_counter()
    features = build_features(
        [texts[i] for i in picked],
        embedding=vectors[picked],
        query="randomised trial of drug efficacy",
        fields=RecordFields.from_records([fields[i] for i in picked]),
        views=preset.views(),
        title_embedding=title_vectors[picked],
    )
    build = time.perf_counter() - start
    labelled = rng.choice(n, 500 + repeats, replace=False)
    ranker = Ranker(features, range(n), preset)
    for i, row in enumerate(labelled[:500]):
        ranker.update(int(row), int(i % 10 == 0), refit=False)
    ranker.refit()
    refits, waits = [], []
    for row in labelled[500:]:
        ranker.update(int(row), 0, refit=False)
        start = time.perf_counter()
        ranker.refit()
        ranker.next_ids(1)
        refits.append(time.perf_counter() - start)
    ranker.background = True
    for row in rng.choice(np.setdiff1d(np.arange(n), labelled), repeats, replace=False):
        start = time.perf_counter()
        ranker.update(int(row), 1)
        ranker.next_ids(1)
        waits.append(time.perf_counter() - start)
        ranker.wait()
    return {
        "records": n,
        "preset": preset_name,
        "features_s": round(build, 1),
        "refit_ms": round(1000 * statistics.median(refits), 1),
        "next_ms": round(1000 * statistics.median(waits), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--benchmarks", type=Path, default=HERE.parent.parent / "shared" / "benchmarks")
    parser.add_argument("--sizes", default="2000,20000,100000")
    parser.add_argument("--presets", default="ensemble,tfidf-svm")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    corpus_ = corpus(args.benchmarks)
    print("| records | preset | features built (s) | refit after one decision (ms, median) | next record (ms) |")
    print("|---:|---|---:|---:|---:|")
    for n in map(int, args.sizes.split(",")):
        for preset in args.presets.split(","):
            row = measure(corpus_, n, preset, args.repeats)
            print(
                f"| {row['records']} | {row['preset']} | {row['features_s']} | {row['refit_ms']} | {row['next_ms']} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
