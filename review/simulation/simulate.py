"""Simulated screening: replay a labelled review through the ranking.

The simulation labels the prior records first, then repeatedly screens the
top-ranked record and reveals its label, exactly as a reviewer would with
`review next`. Metrics (all computed from the order, priors included as the
first records screened, so any tool's order can be scored the same way):

- WSS@95 = (N - n95) / N - 0.05, with n95 the records screened when 95 % of
  the inclusions have been found;
- recall@10% = share of inclusions found after ceil(0.1 N) records;
- normalised loss (ASReview insights): with c(i) the inclusions found after
  i records, p(i) = min(i, R) the perfect and w(i) = max(0, i - (N - R)) the
  worst curve, loss = sum(p - c) / sum(p - w): 0 is perfect, 1 the worst order.

Once every inclusion has been found, the remaining records follow the last
ranking without refitting: their labels are all irrelevant, so no metric and
no stopping rule can depend on their order.
"""

from __future__ import annotations

import csv
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from review.errors import ReviewError
from review.importers import read_file
from review.ranking.features import FeatureSet, RecordFields
from review.ranking.presets import Preset
from review.ranking.ranker import Ranker
from review.stopping.rules import Replay, StopRule, replay


@dataclass
class LabelledSet:
    """Records of a benchmark (RIS ids, ranking texts, metadata fields) with their 0/1 labels."""

    ris_ids: list[str]
    texts: list[str]
    labels: np.ndarray
    fields: RecordFields | None = None


def load_labelled(records: Path | str, labels_csv: Path | str, label_column: str = "label_included") -> LabelledSet:
    """Read RIS records and the labels CSV (`ris_id` matches the RIS `ID`)."""
    from review.ranking.features import record_text

    parsed = read_file(records).records
    with open(labels_csv, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if "ris_id" not in (reader.fieldnames or []) or label_column not in (reader.fieldnames or []):
            raise ReviewError(f"{labels_csv}: needs columns 'ris_id' and '{label_column}'")
        by_id = {row["ris_id"].strip(): row[label_column].strip() for row in reader}
    ris_ids, texts, labels, keywords, authors, journals = [], [], [], [], [], []
    for number, record in enumerate(parsed, 1):
        ris_id = (record.source_id or str(number)).strip()
        if ris_id not in by_id:
            raise ReviewError(f"{labels_csv}: no label for RIS record ID {ris_id}")
        ris_ids.append(ris_id)
        texts.append(record_text(record.title, record.abstract))
        keywords.append(list(record.keywords))
        authors.append(list(record.authors))
        journals.append(record.journal)
        labels.append(1 if by_id[ris_id] in ("1", "1.0", "true", "True") else 0)
    if not ris_ids:
        raise ReviewError(f"{records}: no records")
    return LabelledSet(ris_ids, texts, np.asarray(labels, dtype=np.int64), RecordFields(keywords, authors, journals))


def wss(labels_in_order: np.ndarray, recall: float = 0.95) -> float:
    n = len(labels_in_order)
    return (n - screened_to_recall(labels_in_order, recall)) / n - (1 - recall)


def screened_to_recall(labels_in_order: np.ndarray, recall: float) -> int:
    """Records screened when `recall` of the inclusions have been found."""
    found = np.cumsum(labels_in_order)
    needed = math.ceil(recall * found[-1] - 1e-9)
    return int(np.argmax(found >= needed)) + 1 if found[-1] else 0


def recall_at(labels_in_order: np.ndarray, share: float = 0.1) -> float:
    total = labels_in_order.sum()
    return float(labels_in_order[: math.ceil(share * len(labels_in_order))].sum() / total) if total else 0.0


def normalised_loss(labels_in_order: np.ndarray) -> float:
    n, r = len(labels_in_order), int(labels_in_order.sum())
    steps = np.arange(1, n + 1)
    actual = np.cumsum(labels_in_order)
    perfect = np.minimum(steps, r)
    worst = np.maximum(0, steps - (n - r))
    span = float((perfect - worst).sum())
    return float((perfect - actual).sum() / span) if span else 0.0


def order_metrics(labels_in_order: np.ndarray) -> dict:
    """The simulation summary metrics of one screening order."""
    return {
        "records": int(len(labels_in_order)),
        "inclusions": int(labels_in_order.sum()),
        "wss@95": round(wss(labels_in_order), 4),
        "recall@10%": round(recall_at(labels_in_order), 4),
        "screened_to_95%": screened_to_recall(labels_in_order, 0.95),
        "screened_to_100%": screened_to_recall(labels_in_order, 1.0),
        "loss": round(normalised_loss(labels_in_order), 4),
    }


def stop_summary(rule: StopRule, labels_in_order: np.ndarray, n_priors: int, seed: int = 0) -> dict:
    """Where `rule` stops on this order, followed as a reviewer would (samples included), and what it cost."""
    return replay(rule, labels_in_order, n_priors, seed).summary()


@dataclass
class SimulationResult:
    order: list[int]  # row indices in the order screened
    labels: np.ndarray  # labels in that order
    n_priors: int
    seconds: float
    fits: int = 0
    weights: dict[str, float] | None = None  # each component's share of the last ranking


def simulate(
    features: FeatureSet,
    labels: np.ndarray,
    preset: Preset,
    prior_rows: list[int] | None = None,
    seed: int = 0,
    on_step: Callable[[int], None] | None = None,
) -> SimulationResult:
    """Screen every record in ranked order, revealing labels, and return the order.

    Without a zero-shot query (`features.tfidf_query`), records are screened
    in a random order drawn from `seed` until both classes have been seen.
    """
    start = time.perf_counter()
    rng = np.random.default_rng(seed)
    random_order = iter(rng.permutation(len(labels)).tolist())
    ranker = Ranker(features, range(len(labels)), preset)
    priors = list(prior_rows or [])
    for row in priors:
        ranker.update(row, int(labels[row]), refit=False)
    if priors:
        ranker.refit()
    order = list(priors)
    total, found = int(labels.sum()), int(labels[priors].sum()) if priors else 0
    while len(order) < len(labels):
        if found == total:
            order.extend(record_id for record_id, _, _ in ranker.ranking())
            break
        classes = {int(labels[r]) for r in order}
        if features.tfidf_query is None and len(classes) < 2:
            row = next(r for r in random_order if r not in set(order))
        else:
            row = ranker.next_ids(1)[0]
        ranker.update(row, int(labels[row]))
        found += int(labels[row])
        order.append(row)
        if on_step:
            on_step(len(order))
    labels_in_order = labels[order]
    return SimulationResult(
        order, labels_in_order, len(priors), time.perf_counter() - start, ranker.n_fits, ranker.fusion_weights()
    )


def resolve_ranking(model: str | None) -> tuple[Preset, str]:
    """`--model`: a preset name (see `review.ranking.presets`), else a sentence-transformers name or path
    used with the default preset."""
    from review.ranking.embeddings import DEFAULT_MODEL
    from review.ranking.presets import DEFAULT_PRESET, PRESETS, get_preset

    if model in PRESETS:
        return get_preset(model), DEFAULT_MODEL
    return get_preset(DEFAULT_PRESET), model or DEFAULT_MODEL


def run_simulation(
    data: LabelledSet,
    prior_ids: list[str] | None = None,
    seed: int = 0,
    model: str | None = None,
    stop_rule: StopRule | None = None,
    query: str | None = None,
    on_embed: Callable[[float], None] | None = None,
    on_step: Callable[[int], None] | None = None,
) -> tuple[list[tuple[int, str, int]], dict]:
    """Simulate screening a labelled set; returns the order rows (position, ris_id, label) and the summary.

    With `stop_rule`, the order ends where the rule stops; the summary's
    metrics still describe the full replay, and `stop` says where it stopped,
    the recall reached there and the share of records screened. `seconds` is
    the whole run (embeddings included), `ranking_seconds` the screening loop.
    """
    from review.ranking.embeddings import encode
    from review.ranking.features import build_features

    start = time.perf_counter()
    preset, embedding_model = resolve_ranking(model)
    row_of = {ris_id: row for row, ris_id in enumerate(data.ris_ids)}
    unknown = [ris_id for ris_id in prior_ids or [] if ris_id not in row_of]
    if unknown:
        raise ReviewError(f"prior records not in the set: {', '.join(unknown)}")
    vectors = title_vectors = query_vector = None
    if preset.uses_embeddings():
        inputs = preset.embedding_inputs(data.texts)
        per_record = len(data.texts) / len(inputs)  # progress is counted in records, the titles included
        embedded = encode(inputs, embedding_model, on_batch=on_embed and (lambda n: on_embed(n * per_record)))
        vectors, title_vectors = preset.embedding_outputs(embedded, len(data.texts))
        query_vector = encode([query], embedding_model)[0] if query else None
    features = build_features(
        data.texts,
        embedding=vectors,
        query=query,
        embedding_query=query_vector,
        fields=data.fields,
        views=preset.views(),
        title_embedding=title_vectors,
    )
    result = simulate(features, data.labels, preset, [row_of[r] for r in prior_ids or []], seed, on_step)
    summary = {
        **order_metrics(result.labels),
        "priors": len(result.order[: result.n_priors]),
        "preset": preset.name,
        "embedding_model": embedding_model if preset.uses_embeddings() else None,
        "seed": seed,
        "fits": result.fits,
        "ranking_seconds": round(result.seconds, 2),
        "seconds": round(time.perf_counter() - start, 2),
    }
    order = result.order
    if stop_rule is not None:
        followed: Replay = replay(stop_rule, result.labels, result.n_priors, seed)
        summary["stop"] = followed.summary()
        order = [result.order[index] for index in followed.screened]
    rows = [(position, data.ris_ids[row], int(data.labels[row])) for position, row in enumerate(order, 1)]
    return rows, summary


def write_order(path: Path | str, rows: list[tuple[int, str, int]]) -> None:
    """ORDER.csv of DESIGN.md section 5: `position,ris_id,label`, one row per screened record."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["position", "ris_id", "label"])
        writer.writerows(rows)
