"""Embedding throughput (docs/s) of the bundled all-MiniLM-L6-v2: plain fp32 vs the optimised settings.

Variants, each on the same sample of benchmark titles + abstracts:

- `fp32 plain`: `SentenceTransformer.encode`, batch 32, the model's own limit (256 word pieces), torch's default threads;
- `fp32 sorted`: `review.ranking.embeddings.encode` (length-sorted batches, all cores);
- `fp32 128`: the same, truncated at 128 word pieces;
- `int8`: dynamic int8 quantisation of the linear layers (`quantize=True`), 256 word pieces;
- `onnx`: the same length-sorted batches in ONNX Runtime (`backend="onnx"`, extra `review-screening[onnx]`);
- `onnx int8`: ONNX Runtime's dynamic int8 quantisation (`backend="onnx", quantize=True`);
- one row per device `review embed` can use here: `cpu, N processes` (the cores split between N
  encoding processes, `--workers N`; timed once the processes have loaded the model), and `cuda` /
  `mps` when torch sees one, so the same script measures a GPU where there is one.

`--devices-only` runs just `fp32 plain`, `fp32 sorted` (the CPU in one process) and the device rows.

The ONNX rows are skipped, with a note, when onnxruntime is not installed. All variants run
`--repeats` rounds and each one's fastest run counts, which damps the noise of a busy machine;
the load average is printed because docs/s only compare within one run.

Quality: mean cosine similarity of each variant's vectors to the plain fp32 ones.

Example:
    python bench/embed_speed.py --docs 512
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import numpy as np

from review.importers import read_file
from review.ranking.embeddings import ModelSpec, accelerators, encode, load_model, worker_encode, worker_start
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


def best_runs(variants: dict, repeats: int) -> dict[str, tuple[np.ndarray, float]]:
    """The fastest of `repeats` runs per variant; each round runs every variant, so load swings hit all alike."""
    best: dict[str, tuple[np.ndarray, float]] = {}
    for _ in range(repeats):
        for name, run in variants.items():
            vectors, seconds = timed(run)
            if name not in best or seconds < best[name][1]:
                best[name] = (vectors, seconds)
    return best


def onnx_variants(texts: list[str]) -> dict:
    if importlib.util.find_spec("onnxruntime") is None:
        print("note: onnxruntime is not installed, skipping the onnx rows (pip install 'review-screening[onnx]')")
        return {}
    load_model("all-MiniLM-L6-v2", backend="onnx")
    load_model("all-MiniLM-L6-v2", quantize=True, backend="onnx")
    return {
        "onnx": lambda: encode(texts, backend="onnx"),
        "onnx int8": lambda: encode(texts, quantize=True, backend="onnx"),
    }


def device_variants(texts: list[str], pools: list[ProcessPoolExecutor]) -> dict:
    """`cpu, N processes` for N = 2 up to the cores (pools warmed up first), and each accelerator torch sees."""
    variants = {}
    cores = os.cpu_count() or 1
    for workers in range(2, cores + 1, max(1, cores // 4)):
        pool = ProcessPoolExecutor(workers, get_context("spawn"), initializer=worker_start,
                                   initargs=(ModelSpec(), max(1, cores // workers)))  # fmt: skip
        list(pool.map(worker_encode, [ModelSpec()] * workers, [texts[:8]] * workers))  # every worker loads the model
        pools.append(pool)
        variants[f"cpu, {workers} processes"] = lambda pool=pool, workers=workers: _split(pool, texts, workers)
    for device, seen in accelerators().items():
        if seen:
            load_model("all-MiniLM-L6-v2", device=device)
            variants[device] = lambda device=device: encode(texts, device=device)
    if len(variants) == sum(1 for name in variants if name.startswith("cpu")):
        print("note: torch sees no CUDA or MPS device here, so the device rows are the CPU's")
    return variants


def _split(pool: ProcessPoolExecutor, texts: list[str], workers: int) -> np.ndarray:
    size = -(-len(texts) // (workers * 4))
    chunks = [texts[start : start + size] for start in range(0, len(texts), size)]
    return np.vstack(list(pool.map(worker_encode, [ModelSpec()] * len(chunks), chunks)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--benchmarks", type=Path, default=HERE.parent.parent / "shared" / "benchmarks")
    parser.add_argument("--docs", type=int, default=512)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--devices-only", action="store_true", help="only the reference rows and the device rows")
    args = parser.parse_args()
    texts = sample_texts(args.benchmarks, args.docs)
    plain_model = load_model("all-MiniLM-L6-v2")
    load_model("all-MiniLM-L6-v2", 128)
    load_model("all-MiniLM-L6-v2", 256, True)
    encode(texts[:32])  # warm-up
    variants = {
        "fp32 plain": lambda: plain_model.encode(
            texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        ),
        "fp32 sorted": lambda: encode(texts, device="cpu"),
    }
    if not args.devices_only:
        variants |= {
            "fp32 128": lambda: encode(texts, max_length=128),
            "int8": lambda: encode(texts, quantize=True),
            **onnx_variants(texts),
        }
    pools: list[ProcessPoolExecutor] = []
    variants |= device_variants(texts, pools)
    print(f"load average before: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores")
    results = best_runs(variants, args.repeats)
    for pool in pools:
        pool.shutdown()
    reference, plain_seconds = results["fp32 plain"]
    print(f"| variant | docs/s ({len(texts)} docs) | relative to fp32 plain | mean cosine to fp32 plain |")
    print("|---|---:|---:|---:|")
    for name, (vectors, seconds) in results.items():
        cosine = float(np.mean(np.sum(vectors * reference, axis=1)))
        print(f"| {name} | {len(texts) / seconds:.1f} | {plain_seconds / seconds:.2f}x | {cosine:.4f} |")
    print(f"load average after: {os.getloadavg()[0]:.2f} (1 min)")


if __name__ == "__main__":
    main()
