"""`review embed --ray`: a Ray Data job on a local Ray instance gives the local path's vectors, into the project."""

from __future__ import annotations

import numpy as np
import pytest

from review.ranking.embeddings import cache_key, encode, text_hash
from review.ranking.presets import DEFAULT_PRESET, get_preset
from review.ranking.project import stage_texts
from review.ranking.ray_embed import RayPool, plan_pool
from review.types import Stage

TOPICS = [
    ("Cross-sector collaboration for families", "Case workers and schools shared one plan per family."),
    ("Protein folding in yeast", "Chaperones refold proteins after a heat shock."),
    ("One contact person for citizens", "Each citizen had a single case manager across sectors."),
    ("Soil bacteria and nitrogen", "Rhizobia in legume roots fix atmospheric nitrogen."),
    ("Teams in child protection", "Social workers, teachers and health visitors met weekly."),
]


@pytest.fixture(scope="module")
def local_ray():
    ray = pytest.importorskip("ray", reason="the Ray extra (pip install 'review-screening[ray]') is not installed")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.fixture
def corpus_project(review, tmp_path):
    lines = ["Synthetic test records written by tests/test_ray_embed.py", ""]
    for n in range(24):  # enough texts for several Ray batches (batch size 2 x 4 per actor call)
        title, abstract = TOPICS[n % len(TOPICS)]
        lines += ["TY  - JOUR", f"TI  - {title}, report {n}", f"AB  - {abstract}", "ER  - ", ""]
    path = tmp_path / "records.ris"
    path.write_text("\n".join(lines), encoding="utf-8")
    review.import_files([path], source="Test")
    return review


def test_pool_takes_one_actor_per_gpu_else_shares_the_cpus():
    assert plan_pool({"CPU": 16.0, "GPU": 2.0}) == RayPool(2, 1.0, 1.0)
    assert plan_pool({"CPU": 2.0}) == RayPool(1, 0.0, 1.0)
    assert plan_pool({"CPU": 9.0}, cpus_per_actor=4) == RayPool(2, 0.0, 4.0)
    assert plan_pool({"CPU": 16.0, "GPU": 2.0}).device == "cuda"


@pytest.mark.ray
def test_ray_job_writes_the_local_paths_vectors_into_the_project(local_ray, corpus_project, cli):
    result = cli("embed", corpus_project.folder, "--ray", "local", "--batch-size", "2")
    assert result.exit_code == 0, result.output
    assert "Device: Ray at local: 1 Ray actor on cpu (1 CPUs each)" in result.output
    assert "Embedded 48 of 48 texts" in result.output  # 24 records' texts and their titles
    texts = get_preset(DEFAULT_PRESET).embedding_inputs(
        stage_texts(corpus_project.db, Stage.TA, list(corpus_project.state(Stage.TA).candidates))
    )
    rows = dict(
        corpus_project.db.execute(
            "SELECT text_hash, vector FROM embeddings WHERE model = ?", [cache_key("all-MiniLM-L6-v2")]
        ).fetchall()
    )
    from_ray = np.stack([np.frombuffer(rows[text_hash(text)], dtype=np.float32) for text in texts])
    local = encode(texts, device="cpu")
    assert np.min(np.sum(from_ray * local, axis=1)) >= 0.9999
    again = corpus_project.embed(Stage.TA, ray_address="local")
    assert (again.cached_before, again.computed) == (48, 0)
