"""Which inclusions a ranking finds last, and how they differ from the rest.

Each benchmark set is screened with a preset from the priors of `bench/simulate_all.py`
(same seeds, cached embeddings), and the inclusions are split at the 95 % recall point: the
late ones are the inclusion that completes 95 % recall (where WSS@95 is measured) and those
found after it (the ones WSS@95 excuses). Per set and seed it prints how
many records and inclusions are a title alone (no abstract), how many of the late inclusions
are, and the median word count of late against all inclusions; the last row sums the runs.
A kind of record that is rare among the inclusions but common among the late ones is one the
ranking scores on the wrong scale.

Example:
    python bench/late_inclusions.py --seeds 1-2 --sets Cohen_2006_NSAIDS,Cohen_2006_Estrogens
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np
from _common import BENCHMARKS, benchmark_sets
from ranking_candidates import resolve_preset
from simulate_all import draw_priors, parse_seeds, set_features

from review.ranking.embeddings import DEFAULT_MODEL
from review.ranking.presets import DEFAULT_PRESET
from review.simulation.simulate import LabelledSet, load_labelled, simulate


def late_inclusions(order: list[int], labels: np.ndarray) -> list[int]:
    """The inclusion that completes 95 % recall and those after it (rows, in the order found)."""
    found = [row for row in order if labels[row] == 1]
    return found[max(0, math.ceil(0.95 * len(found) - 1e-9) - 1) :]


def profile(data: LabelledSet, order: list[int]) -> dict:
    bare = np.array(["\n" not in text for text in data.texts])  # ranking texts join title and abstract by a line
    words = np.array([len(text.split()) for text in data.texts])
    included = np.flatnonzero(data.labels == 1)
    late = late_inclusions(order, data.labels)
    return {
        "records": len(data.labels),
        "bare_records": int(bare.sum()),
        "inclusions": len(included),
        "bare_inclusions": int(bare[included].sum()),
        "late": len(late),
        "bare_late": int(bare[late].sum()) if late else 0,
        "words_late": float(np.median(words[late])) if late else math.nan,
        "words_included": float(np.median(words[included])),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--benchmarks", type=Path, default=BENCHMARKS)
    parser.add_argument("--seeds", default="1-2")
    parser.add_argument("--sets", default="", help="comma-separated set names (default: all)")
    parser.add_argument("--preset", default=DEFAULT_PRESET)
    args = parser.parse_args()
    preset = resolve_preset(args.preset)
    wanted = set(filter(None, args.sets.split(",")))
    totals: dict[str, float] = {}
    print("| set | seed | records (title only) | inclusions (title only) | late inclusions (title only) "
          "| median words, late / all inclusions |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|")
    for path in benchmark_sets(args.benchmarks):
        if wanted and path.name not in wanted:
            continue
        data = load_labelled(path / "records.ris", path / "labels.csv")
        features = set_features(path.name, data, preset, DEFAULT_MODEL)
        for seed in parse_seeds(args.seeds):
            result = simulate(features, data.labels, preset, draw_priors(data.labels, seed))
            row = profile(data, result.order)
            for key in ("records", "bare_records", "inclusions", "bare_inclusions", "late", "bare_late"):
                totals[key] = totals.get(key, 0) + row[key]
            print(f"| {path.name} | {seed} | {row['records']} ({row['bare_records']}) | {row['inclusions']} "
                  f"({row['bare_inclusions']}) | {row['late']} ({row['bare_late']}) "
                  f"| {row['words_late']:.0f} / {row['words_included']:.0f} |", flush=True)  # fmt: skip
    if totals:
        share = {key: totals[f"bare_{key}"] / totals[key] for key in ("records", "inclusions", "late")}
        print(f"| all runs | | {share['records']:.1%} title only | {share['inclusions']:.1%} title only "
              f"| {share['late']:.1%} title only ({int(totals['bare_late'])} of {int(totals['late'])}) | |")  # fmt: skip


if __name__ == "__main__":
    main()
