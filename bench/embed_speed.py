"""Embedding throughput (docs/s) of the bundled all-MiniLM-L6-v2: plain fp32 vs the optimised settings.

Variants, each on the same sample of benchmark titles + abstracts:

- `fp32 plain`: `SentenceTransformer.encode`, batch 32, the model's own limit (256 word pieces), torch's default threads;
- `fp32 sorted`: `review.ranking.embeddings.encode` (length-sorted batches, all cores);
- `fp32 128`: the same, truncated at 128 word pieces;
- `int8`: dynamic int8 quantisation of the linear layers (`quantize=True`), 256 word pieces.

Quality: mean cosine similarity of each variant's vectors to the plain fp32 ones.

Example:
    python bench/embed_speed.py --docs 512
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from review.importers import read_file
from review.ranking.embeddings import encode, load_model
from review.ranking.features import record_text

HERE = Path(__file__).resolve().parent


def sample_texts(benchmarks: Path, n: int, seed: int = 0) -> list[str]:
    texts = []
    for path in sorted(benchmarks.glob("*/records.ris")):
        texts += [record_text(r.title, r.abstract) for r in read_file(path).records]
    rng = np.random.default_rng(seed)
    return [texts[i] for i in rng.choice(len(texts), n, replace=False)]


def timed(run) -> tuple[np.ndarray, float]:
    start = time.perf_counter()
    vectors = run()
    return vectors, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--benchmarks", type=Path, default=HERE.parent.parent / "shared" / "benchmarks")
    parser.add_argument("--docs", type=int, default=512)
    args = parser.parse_args()
    texts = sample_texts(args.benchmarks, args.docs)
    plain_model = load_model("all-MiniLM-L6-v2")
    load_model("all-MiniLM-L6-v2", 128)
    load_model("all-MiniLM-L6-v2", 256, True)
    encode(texts[:32])  # warm-up
    variants = {
        "fp32 plain": lambda: plain_model.encode(texts, batch_size=32, normalize_embeddings=True,
                                                 convert_to_numpy=True, show_progress_bar=False),
        "fp32 sorted": lambda: encode(texts),
        "fp32 128": lambda: encode(texts, max_length=128),
        "int8": lambda: encode(texts, quantize=True),
    }
    reference = None
    print(f"| variant | docs/s ({len(texts)} docs) | mean cosine to fp32 plain |")
    print("|---|---:|---:|")
    for name, run in variants.items():
        vectors, seconds = timed(run)
        reference = vectors if reference is None else reference
        cosine = float(np.mean(np.sum(vectors * reference, axis=1)))
        print(f"| {name} | {len(texts) / seconds:.1f} | {cosine:.4f} |", flush=True)


if __name__ == "__main__":
    main()
