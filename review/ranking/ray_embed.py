"""Encoding on a Ray cluster (extra `review-screening[ray]`): a Ray Data batch job over an actor pool.

Only the texts travel: the driver (the machine that owns the project) reads
the stage's texts that lack a vector, Ray Data's `map_batches` runs them
through a pool of actors that each load the model once (one GPU each when the
cluster has GPUs, else a share of its CPUs), and the vectors stream back to
the driver, which commits them into the project's cache chunk by chunk, so an
interrupted job keeps what arrived. The database never leaves the machine.

The actors import this package, so it is shipped to the cluster with the job
(`runtime_env` `py_modules`); the cluster's Python needs the project's
dependencies (sentence-transformers, torch, the bundled model package).

    review embed my-review --ray auto            # the cluster this machine belongs to
    review embed my-review --ray local           # a Ray instance on this machine only
    review embed my-review --ray ray://head:10001
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from review.errors import ReviewError
from review.ranking.embeddings import ModelSpec, Progress


@dataclass(frozen=True)
class RayPool:
    """The actor pool a job asks the cluster for."""

    actors: int
    gpus_per_actor: float
    cpus_per_actor: float

    @property
    def device(self) -> str:
        return "cuda" if self.gpus_per_actor else "cpu"

    def describe(self) -> str:
        per_actor = "1 GPU each" if self.gpus_per_actor else f"{self.cpus_per_actor:g} CPUs each"
        return f"{self.actors} Ray actor{'s' if self.actors > 1 else ''} on {self.device} ({per_actor})"


def require_ray():
    """The `ray` module, or a `ReviewError` naming the extra to install."""
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError as error:
        raise ReviewError(f"--ray needs Ray Data ({error}): pip install 'review-screening[ray]'") from error
    return ray


def connect(address: str) -> None:
    """Join the cluster at `address` (`auto`, `local` for an instance on this machine, or `ray://host:port`).

    A Ray session already open in this process (a test's `ray.init`) is used as it is.
    """
    ray = require_ray()
    if ray.is_initialized():
        return
    import review

    runtime_env = {"py_modules": [str(Path(review.__file__).parent)]}
    try:
        if address == "local":
            ray.init(runtime_env=runtime_env, include_dashboard=False, log_to_driver=False)
        else:
            ray.init(address=address, runtime_env=runtime_env, log_to_driver=False)
    except ConnectionError as error:
        raise ReviewError(f"cannot reach a Ray cluster at {address!r}: {error}") from error


def plan_pool(resources: dict[str, float], cpus_per_actor: int = 1) -> RayPool:
    """One actor per GPU when the cluster has GPUs; else one per `cpus_per_actor` CPUs, one CPU left for Ray Data."""
    gpus = int(resources.get("GPU", 0))
    if gpus:
        return RayPool(gpus, 1.0, 1.0)
    cpus = int(resources.get("CPU", 1))
    return RayPool(max(1, (cpus - 1) // cpus_per_actor), 0.0, float(cpus_per_actor))


class _Encoder:
    """A Ray actor: loads the model once, then encodes each batch of texts it is given."""

    def __init__(self, spec: ModelSpec, device: str):
        from review.ranking.embeddings import load_model

        self.spec, self.device = spec, device
        load_model(spec.name, spec.max_length, spec.quantize, spec.backend, device)

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        from review.ranking.embeddings import encode

        spec = self.spec
        vectors = encode(list(batch["text"]), spec.name, spec.batch_size, spec.max_length, spec.quantize,
                         backend=spec.backend, device=self.device)  # fmt: skip
        return {"i": batch["i"], "vector": vectors}


def encode_on_ray(
    texts: list[str], spec: ModelSpec, pool: RayPool, chunk: int = 512, on_batch: Progress | None = None
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(indexes into `texts`, their vectors) per chunk, as the cluster finishes them (in no fixed order)."""
    ray = require_ray()
    dataset = ray.data.from_items([{"i": i, "text": text} for i, text in enumerate(texts)])
    encoded = dataset.map_batches(
        _Encoder,
        fn_constructor_kwargs={"spec": spec, "device": pool.device},
        batch_size=spec.batch_size * 4,
        batch_format="numpy",
        compute=ray.data.ActorPoolStrategy(size=pool.actors),
        num_gpus=pool.gpus_per_actor or None,
        num_cpus=pool.cpus_per_actor,
    )
    for batch in encoded.iter_batches(batch_size=chunk, batch_format="numpy"):
        indexes = np.asarray(batch["i"], dtype=np.int64)
        vectors = np.asarray(np.stack(batch["vector"]), dtype=np.float32)
        if on_batch:
            on_batch(len(indexes))
        yield indexes, vectors


def cluster_resources() -> dict[str, float]:
    return dict(require_ray().cluster_resources())
