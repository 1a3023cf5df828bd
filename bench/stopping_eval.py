"""The stopping table: every rule on the benchmark runs' cached orders and on synthetic orders of known quality.

Benchmark runs: the ranked order of each (set, seed) run with the default
ranking (or `--preset`) and `simulate_all.py`'s priors, cached once as the
labels in screening order (`--build-cache`, slow: it ranks) under `--cache`,
by default `orders/PRESET` in the bench cache; every rule is then
replayed on the cached orders (`review.stopping.rules.replay`: ranked
screening, then whatever sample the rule asks for, every record counted). Per
rule: runs, share reaching 95 % recall, mean and worst recall at the stop, mean
share screened, and beside them two limits: the least share a rule of the
`sample` kind could screen had it known the best point to switch from ranked
screening to the check sample (in hindsight, the sample's cost averaged over
draws), and the least share any rule valid for every placement of the relevant
records must screen (`minimum_share`).

Synthetic orders (generated here, labelled synthetic in the output): random
order, near-perfect ranking (the relevant records among the first 2R), and a
ranking that hides a fifth of the relevant records at the very end, for 5-500
relevant records in 1k-100k; per condition, the share of orders whose stop
misses the target (a default must stay at or below 1 - confidence everywhere).

Example:
    python bench/stopping_eval.py --orders-per-condition 70   # orders cached under the bench cache
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from _common import BENCHMARKS, CACHE  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import review.stopping.sample as sample_plan  # noqa: E402
from review.ranking.presets import DEFAULT_PRESET  # noqa: E402
from review.stopping.rules import StopRule, check_sample, replay  # noqa: E402
from review.stopping.sample import minimum_share  # noqa: E402

RULES = "sample,sample:0.2,target,hypergeometric,consecutive:100"
CONDITIONS = ((1000, 5), (1000, 50), (10000, 20), (10000, 500), (100000, 500))
QUALITIES = ("random", "near-perfect", "hidden-cluster")


def build_cache(benchmarks: Path, cache: Path, seeds: list[int], preset_name: str) -> None:
    """Rank every (set, seed) run once and save its labels in screening order (skips runs already cached)."""
    from ranking_candidates import resolve_preset
    from simulate_all import draw_priors, run_ours

    from review.ranking.embeddings import DEFAULT_MODEL
    from review.simulation.simulate import load_labelled

    cache.mkdir(parents=True, exist_ok=True)
    preset = resolve_preset(preset_name)
    for seed in seeds:
        for set_dir in sorted(p for p in benchmarks.iterdir() if (p / "labels.csv").exists()):
            path = cache / f"{set_dir.name}.seed{seed}.npy"
            if not path.exists():
                data = load_labelled(set_dir / "records.ris", set_dir / "labels.csv")
                labels, _ = run_ours(set_dir.name, data, draw_priors(data.labels, seed), preset, DEFAULT_MODEL)
                np.save(path, np.asarray(labels, dtype=np.int8))


def cached_runs(cache: Path) -> dict[tuple[str, int], np.ndarray]:
    runs = {}
    for path in sorted(cache.glob("*.seed*.npy")):
        name, _, seed = path.stem.rpartition(".seed")
        runs[(name, int(seed))] = np.load(path).astype(np.int64)
    return runs


def benchmark_table(runs: dict[tuple[str, int], np.ndarray], rules: list[StopRule]) -> list[dict]:
    rows = []
    for rule in rules:
        stops = [replay(rule, labels, n_priors=2, seed=seed).summary() for (_, seed), labels in runs.items()]
        rows.append(summarise(str(rule), stops))
    bound = [
        (labels.sum() + minimum_share(int(labels.sum())) * (len(labels) - labels.sum())) / len(labels)
        for labels in runs.values()
    ]
    rng = np.random.default_rng(0)
    best = [best_switch_share(labels, rng) for labels in runs.values()]
    rows.append({"rule": "least share of a check sample switched at the best point", "share": float(np.mean(best))})
    rows.append({"rule": "least share any valid rule must screen", "share": float(np.mean(bound))})
    return rows


def best_switch_share(labels: np.ndarray, rng: np.random.Generator, points: int = 50, draws: int = 40) -> float:
    """Share screened by ranked screening to the best of `points` switch points, then the check sample."""
    rule, n = StopRule.parse("sample"), len(labels)
    costs = [
        switch + np.mean([len(check_sample(rule, labels, switch, rng)) for _ in range(draws)])
        for switch in sorted(set(np.linspace(2, n - 1, points).astype(int)))
    ]
    return min(min(costs), n) / n


def summarise(rule: str, stops: list[dict]) -> dict:
    recalls = [stop["recall_at_stop"] for stop in stops]
    return {
        "rule": rule,
        "runs": len(stops),
        "reached": float(np.mean([stop["reached_target"] for stop in stops])),
        "mean_recall": float(np.mean(recalls)),
        "worst_recall": float(np.min(recalls)),
        "share": float(np.mean([stop["share_screened"] for stop in stops])),
    }


def synthetic_order(quality: str, n: int, relevant: int, rng: np.random.Generator) -> np.ndarray:
    """Synthetic labels in screening order of a given ranking quality."""
    labels = np.zeros(n, dtype=np.int64)
    if quality == "random":
        labels[rng.choice(n, relevant, replace=False)] = 1
        return labels
    hidden = max(1, relevant // 5) if quality == "hidden-cluster" else 0
    labels[rng.choice(min(n - hidden, 2 * relevant), relevant - hidden, replace=False)] = 1
    labels[n - hidden :] = 1
    return labels


def synthetic_table(rules: list[StopRule], per_condition: int, seed: int) -> list[dict]:
    rng = np.random.default_rng(seed)
    rows = []
    for quality in QUALITIES:
        for n, relevant in CONDITIONS:
            orders = [synthetic_order(quality, n, relevant, rng) for _ in range(per_condition)]
            for rule in rules:
                stops = [replay(rule, labels, seed=i).summary() for i, labels in enumerate(orders)]
                row = summarise(str(rule), stops)
                rows.append({**row, "quality": quality, "records": n, "relevant": relevant, "miss": 1 - row["reached"]})
                print(f"synthetic {quality} {n}/{relevant} {rule}: miss {1 - row['reached']:.3f}", file=sys.stderr)
    return rows


def print_tables(bench: list[dict], synthetic: list[dict]) -> None:
    print("| stop rule | runs | runs reaching 95 % recall | mean recall at stop | worst recall | mean share screened |")
    print("|---|---:|---:|---:|---:|---:|")
    for row in bench:
        if "runs" not in row:
            print(f"| *{row['rule']}* | | | | | {row['share']:.1%} |")
            continue
        print(
            f"| {row['rule']} | {row['runs']} | {row['reached']:.1%} | {row['mean_recall']:.3f} | "
            f"{row['worst_recall']:.3f} | {row['share']:.1%} |"
        )
    if not synthetic:
        return
    rules = list(dict.fromkeys(row["rule"] for row in synthetic))
    print("\nSynthetic orders: share of orders missing 95 % recall (mean share screened)\n")
    print("| ranking | records | relevant | " + " | ".join(rules) + " |")
    print("|---|---:|---:|" + "---:|" * len(rules))
    cells: dict[tuple, list[str]] = defaultdict(list)
    for row in synthetic:
        cells[(row["quality"], row["records"], row["relevant"])].append(f"{row['miss']:.1%} ({row['share']:.0%})")
    for (quality, n, relevant), values in cells.items():
        print(f"| {quality} | {n} | {relevant} | " + " | ".join(values) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", default=DEFAULT_PRESET, help="the ranking whose orders are replayed")
    parser.add_argument("--cache", type=Path, help="the orders' folder (default: orders/PRESET in the bench cache)")
    parser.add_argument("--benchmarks", type=Path, default=BENCHMARKS)
    parser.add_argument("--build-cache", action="store_true", help="rank the runs missing from the cache first")
    parser.add_argument("--seeds", default="1,2,3,4,5")
    parser.add_argument("--rules", default=RULES)
    parser.add_argument("--orders-per-condition", type=int, default=70, help="0 skips the synthetic check")
    parser.add_argument("--json", type=Path, help="also write every figure here")
    parser.add_argument(
        "--plan-share",
        type=float,
        default=sample_plan.PLAN_LEVEL_SHARE,
        help="share of alpha the check sample's plan may err",
    )
    args = parser.parse_args()
    sample_plan.PLAN_LEVEL_SHARE = args.plan_share
    cache = args.cache or CACHE / "orders" / args.preset
    if args.build_cache:
        build_cache(args.benchmarks, cache, [int(s) for s in args.seeds.split(",")], args.preset)
    rules = [StopRule.parse(text) for text in args.rules.split(",")]
    started = time.perf_counter()
    bench = benchmark_table(cached_runs(cache), rules)
    synthetic = synthetic_table(rules, args.orders_per_condition, 0) if args.orders_per_condition else []
    print_tables(bench, synthetic)
    print(f"\n({time.perf_counter() - started:.0f} s; synthetic orders generated by this script)", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps({"benchmarks": bench, "synthetic": synthetic}, indent=1))


if __name__ == "__main__":
    main()
