"""A stage's vectors computed where the hardware is, into the project's cache (`review embed`).

`embed_stage` reads the texts the stage ranks by, and their titles where the
preset embeds them (the same `Preset.embedding_inputs` of `stage_texts` that
`review rank` and the app embed, under the same cache key), skips those
already cached and computes the rest on this machine (`choose_device`: CUDA,
MPS or the CPU) or on a Ray cluster (`ray_address`, see `ray_embed`), storing
them chunk by chunk: an interrupted run keeps its chunks and the next run
computes only what is left. `review rank` and the Screening page then find
every vector cached and rank with the embeddings at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from review.ranking.embeddings import ModelSpec, choose_device, fill_cache, load_model, missing_texts, store_vectors
from review.ranking.project import choose, stage_texts
from review.types import Stage

if TYPE_CHECKING:
    from review.core import Review

OnDevice = Callable[[str], None]
OnProgress = Callable[[int, int], None]


@dataclass(frozen=True)
class EmbedReport:
    """What `review embed` did: where, how many texts, and how fast."""

    stage: str
    model: str
    device: str  # what ran the model, as the user is told ("cpu (torch sees no CUDA or MPS device; 2 CPU cores)")
    distinct_texts: int
    cached_before: int
    computed: int
    seconds: float

    @property
    def docs_per_second(self) -> float:
        return self.computed / self.seconds if self.seconds > 0 and self.computed else 0.0


def embed_stage(
    review: Review, stage: Stage | str, model: str | None = None, device: str = "auto", batch_size: int = 32,
    workers: int | None = None, ray_address: str | None = None, on_device: OnDevice | None = None,
    on_progress: OnProgress | None = None, chunk: int = 512,
) -> EmbedReport:  # fmt: skip
    """Compute and cache the vectors of the stage's candidates that are not cached yet (see the module notes).

    `on_device` hears where the work runs before it starts; `on_progress` hears (done, total) texts.
    """
    stage = Stage(stage)
    choice = choose(review, model=model)
    spec = ModelSpec(choice.model, batch_size=batch_size)
    texts = choice.preset.embedding_inputs(stage_texts(review.db, stage, list(review.state(stage).candidates)))
    missing, distinct = missing_texts(review.db, texts, spec.key)
    done = [distinct - len(missing)]

    def advance(n: int) -> None:
        done[0] += n
        if on_progress:
            on_progress(done[0], distinct)

    advance(0)
    if ray_address:
        start = time.perf_counter()  # the actors load the model inside the job, so their start is timed too
        where = _on_ray(review, missing, spec, ray_address, on_device, advance, chunk)
    else:
        chosen = choose_device(device, workers, len(missing))
        where = chosen.describe()
        if on_device:
            on_device(where)
        if missing and chosen.workers == 1:  # loaded before the clock starts: docs/s is the encoding's speed
            load_model(spec.name, spec.max_length, spec.quantize, spec.backend, chosen.device)
        start = time.perf_counter()
        fill_cache(review.db, missing, spec, chosen, advance, chunk)
    seconds = time.perf_counter() - start
    return EmbedReport(stage.value, choice.model, where, distinct, distinct - len(missing), len(missing), seconds)


def _on_ray(review: Review, missing: list[str], spec: ModelSpec, address: str, on_device: OnDevice | None,
            advance: Callable[[int], None], chunk: int) -> str:  # fmt: skip
    from review.ranking import ray_embed

    ray_embed.connect(address)
    pool = ray_embed.plan_pool(ray_embed.cluster_resources())
    where = f"Ray at {address}: {pool.describe()}"
    if on_device:
        on_device(where)
    if missing:
        for indexes, vectors in ray_embed.encode_on_ray(missing, spec, pool, chunk, advance):
            store_vectors(review.db, spec.key, [missing[i] for i in indexes], vectors)
    return where
