"""The optional ONNX Runtime backend for embeddings: cache keys, errors, and (when installed) its vectors."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from review.errors import ReviewError
from review.ranking.embeddings import cache_key, count_cached, load_model, onnx_cache_dir, require_onnx


def test_fp32_onnx_shares_the_torch_cache_key():
    assert cache_key("all-MiniLM-L6-v2", backend="onnx") == cache_key("all-MiniLM-L6-v2") == "all-MiniLM-L6-v2@256"


def test_int8_onnx_has_its_own_cache_key():
    keys = {
        cache_key("all-MiniLM-L6-v2"),
        cache_key("all-MiniLM-L6-v2", quantize=True),
        cache_key("all-MiniLM-L6-v2", quantize=True, backend="onnx"),
    }
    assert len(keys) == 3
    assert cache_key("all-MiniLM-L6-v2", quantize=True, backend="onnx") == "all-MiniLM-L6-v2@256+int8+onnx"


def test_unknown_backend_is_a_review_error(project):
    _, db = project
    with pytest.raises(ReviewError, match="unknown embedding backend 'openvino'"):
        cache_key("all-MiniLM-L6-v2", backend="openvino")
    with pytest.raises(ReviewError, match="torch, onnx"):
        load_model("all-MiniLM-L6-v2", backend="openvino")
    with pytest.raises(ReviewError):
        count_cached(db, ["some text"], backend="openvino")


def test_missing_onnxruntime_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # makes `import onnxruntime` fail
    with pytest.raises(ReviewError, match=r"pip install 'review-screening\[onnx\]'"):
        require_onnx()
    with pytest.raises(ReviewError, match="onnxruntime"):
        load_model("all-MiniLM-L6-v2", 64, backend="onnx")  # a size no other test has loaded (lru_cache)


def test_onnx_export_goes_to_the_user_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = onnx_cache_dir("sentence-transformers/all-MiniLM-L6-v2")
    assert folder == tmp_path / "review" / "onnx" / "all-MiniLM-L6-v2"
    assert onnx_cache_dir("/models/my model").parent == folder.parent


def test_onnx_vectors_match_torch_without_touching_the_model_folder(monkeypatch, tmp_path):
    pytest.importorskip("onnxruntime")
    pytest.importorskip("optimum.onnxruntime")
    from review.ranking.embeddings import encode, resolve_model

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    model_folder = Path(resolve_model("all-MiniLM-L6-v2"))
    bundled = sorted(model_folder.rglob("*"))
    texts = ["family services collaboration", "yeast protein folding under heat stress " * 10, "x"]
    torch_vectors = encode(texts)
    onnx_vectors = encode(texts, backend="onnx")
    assert np.mean(np.sum(torch_vectors * onnx_vectors, axis=1)) >= 0.999
    assert (tmp_path / "review" / "onnx" / "all-MiniLM-L6-v2" / "onnx" / "model.onnx").exists()
    assert sorted(model_folder.rglob("*")) == bundled
