"""`review embed`: the device chosen (and said), resumable chunked caching, docs/s, and the same vectors as ranking."""

from __future__ import annotations

import json

import numpy as np
import pytest

from review.errors import ReviewError
from review.ranking import embeddings
from review.ranking.embeddings import (
    DeviceChoice,
    ModelSpec,
    cache_key,
    choose_device,
    count_cached,
    encode,
    encode_chunks,
    fill_cache,
)
from review.ranking.presets import DEFAULT_PRESET, get_preset
from review.ranking.project import stage_texts
from review.types import Stage

RIS = """TY  - JOUR
TI  - Cross-sector collaboration for families with complex problems
AB  - Case workers from social services and schools shared one plan per family.
ER  - 

TY  - JOUR
TI  - Protein folding in yeast under heat stress
AB  - Chaperones refold proteins after a heat shock in Saccharomyces cerevisiae.
ER  - 

TY  - JOUR
TI  - One contact person for citizens on benefits
AB  - A municipal trial gave each citizen a single case manager across sectors.
ER  - 

TY  - JOUR
TI  - Soil bacteria and nitrogen fixation
AB  - Rhizobia in legume roots fix atmospheric nitrogen.
ER  - 

TY  - JOUR
TI  - Interdisciplinary teams in child protection
AB  - Social workers, teachers and health visitors met weekly about each child.
ER  - 
"""


@pytest.fixture
def small_project(review, tmp_path):
    path = tmp_path / "small.ris"
    path.write_text("Synthetic test records written by tests/test_embed.py\n\n" + RIS, encoding="utf-8")
    review.import_files([path], source="Test")
    return review


def stage_vectors(review) -> tuple[list[str], np.ndarray]:
    """What `review embed` caches for the default ranking: each record's text and its title, with their vectors."""
    texts = get_preset(DEFAULT_PRESET).embedding_inputs(
        stage_texts(review.db, Stage.TA, list(review.state(Stage.TA).candidates))
    )
    key = cache_key("all-MiniLM-L6-v2")
    rows = dict(review.db.execute("SELECT text_hash, vector FROM embeddings WHERE model = ?", [key]).fetchall())
    return texts, np.stack([np.frombuffer(rows[embeddings.text_hash(text)], dtype=np.float32) for text in texts])


def test_auto_picks_the_cpu_here_and_says_why(monkeypatch):
    monkeypatch.setattr(embeddings, "accelerators", lambda: {"cuda": False, "mps": False})
    chosen = choose_device("auto")
    assert (chosen.device, chosen.workers) == ("cpu", 1)
    assert "no CUDA or MPS" in chosen.describe()
    assert choose_device("cpu", workers=2).describe().startswith("cpu, 2 processes")


def test_a_large_cpu_job_gets_one_process_per_core(monkeypatch):
    monkeypatch.setattr(embeddings, "accelerators", lambda: {"cuda": False, "mps": False})
    monkeypatch.setattr(embeddings.os, "cpu_count", lambda: 4)
    assert choose_device("auto", texts=embeddings.PROCESS_MIN_TEXTS).workers == 4
    assert choose_device("auto", texts=embeddings.PROCESS_MIN_TEXTS - 1).workers == 1
    assert choose_device("cpu", workers=2, texts=10**6).workers == 2  # asked for: kept
    assert "one process each for 1,000,000 texts" in choose_device("cpu", texts=10**6).describe()


def test_auto_prefers_cuda_then_mps(monkeypatch):
    monkeypatch.setattr(embeddings, "accelerators", lambda: {"cuda": True, "mps": True})
    assert choose_device("auto").device == "cuda"
    monkeypatch.setattr(embeddings, "accelerators", lambda: {"cuda": False, "mps": True})
    assert choose_device("auto").device == "mps"
    assert choose_device("cpu").device == "cpu"


def test_a_missing_accelerator_or_bad_setting_is_a_review_error(monkeypatch):
    monkeypatch.setattr(embeddings, "accelerators", lambda: {"cuda": False, "mps": False})
    with pytest.raises(ReviewError, match="no CUDA device"):
        choose_device("cuda")
    with pytest.raises(ReviewError, match="unknown device 'tpu'"):
        choose_device("tpu")
    with pytest.raises(ReviewError, match="at least 1"):
        choose_device("cpu", workers=0)
    with pytest.raises(ReviewError, match="CPU only"):
        embeddings.load_model("all-MiniLM-L6-v2", backend="onnx", device="cuda")


def test_the_real_machine_has_no_accelerator_so_auto_is_the_cpu():
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    assert choose_device("auto").device in {"cpu", "mps"}


def test_embed_command_says_the_device_and_caches_every_vector(cli, small_project):
    result = cli("embed", small_project.folder, "--device", "auto")
    assert result.exit_code == 0, result.output
    assert "Device: cpu (torch sees no CUDA or MPS device" in result.output
    assert "Embedded 10 of 10 texts" in result.output and "docs/s" in result.output  # 5 records and their titles
    texts, vectors = stage_vectors(small_project)
    assert np.allclose(vectors, encode(texts), atol=1e-5)
    again = cli("embed", small_project.folder, "--json")
    report = json.loads(again.output[again.output.index("{") :])
    assert (report["computed"], report["cached_before"], report["distinct_texts"]) == (0, 10, 10)


def test_embed_command_refuses_a_device_torch_cannot_see_in_one_line(cli, small_project):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    result = cli("embed", small_project.folder, "--device", "cuda")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: torch sees no CUDA device here (torch built for: {torch.__version__})"
    ]


def interrupt_after(texts: int):
    """A progress callback that interrupts the run once more than `texts` texts were encoded (like Ctrl-C)."""
    done = [0]

    def on_batch(n: int) -> None:
        done[0] += n
        if done[0] > texts:
            raise KeyboardInterrupt

    return on_batch


def test_an_interrupted_run_keeps_its_chunks_and_the_next_one_resumes(small_project):
    texts = stage_texts(small_project.db, Stage.TA, list(small_project.state(Stage.TA).candidates))
    with pytest.raises(KeyboardInterrupt):
        fill_cache(small_project.db, texts, on_batch=interrupt_after(0), chunk=2)
    assert count_cached(small_project.db, texts) == 0  # the chunk in flight when interrupted is not half-written
    with pytest.raises(KeyboardInterrupt):
        fill_cache(small_project.db, texts, ModelSpec(batch_size=1), on_batch=interrupt_after(2), chunk=2)
    assert count_cached(small_project.db, texts) == 2  # the first chunk was committed before the interruption
    resumed = fill_cache(small_project.db, texts, chunk=2)
    assert (resumed.cached_before, resumed.computed) == (2, 3)
    assert count_cached(small_project.db, texts) == 5


def test_rank_uses_the_vectors_embed_cached(cli, small_project, monkeypatch):
    assert cli("embed", small_project.folder).exit_code == 0

    def no_encoding(*args, **kwargs):
        raise AssertionError("review rank computed a vector review embed had cached")

    monkeypatch.setattr(embeddings, "encode_chunks", no_encoding)
    result = small_project.rank(Stage.TA)
    assert result.model == "all-MiniLM-L6-v2"


def test_worker_processes_give_the_same_vectors():
    texts = [line for line in RIS.splitlines() if line.startswith(("TI", "AB"))]
    alone = encode(texts)
    chunks = [texts[:5], texts[5:]]
    found = dict(encode_chunks(chunks, ModelSpec(), DeviceChoice("cpu", workers=2)))
    together = np.vstack([found[0], found[1]])
    assert np.min(np.sum(alone * together, axis=1)) >= 0.9999
