"""The stopping table: per rule, the share of runs that reached the recall target and the share screened.

Reads the JSON lines written by `bench/simulate_all.py` (each run carries the
stop point of every rule on its screening order) and prints, per tool and
rule, over all sets and seeds: runs, share of runs whose recall at the stop
reached the target, mean and worst recall at the stop, mean share of records
screened. `--per-run` lists every run.

Example:
    python bench/stopping_eval.py --results bench/.cache/simulate_all.jsonl
"""

from __future__ import annotations

import argparse
import json
import os
from collections import defaultdict
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
CACHE = Path(os.environ.get("REVIEW_BENCH_CACHE") or HERE / ".cache")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", type=Path, default=CACHE / "simulate_all.jsonl")
    parser.add_argument("--per-run", action="store_true")
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.results.read_text().splitlines() if line.strip()]
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in rows:
        for stop in row["stops"]:
            groups[(row["tool"], stop["stop_rule"])].append({**stop, "set": row["set"], "seed": row["seed"]})
            if args.per_run:
                print(
                    f"{row['tool']:20} {stop['stop_rule']:16} {row['set']:36} seed {row['seed']}: "
                    f"recall {stop['recall_at_stop']:.3f} reached {stop['reached_target']} "
                    f"screened {stop['share_screened']:.3f}"
                )
    print(
        "| ranking | stop rule | runs | runs reaching 95 % recall | mean recall at stop | worst recall "
        "| mean share screened |"
    )
    print("|---|---|---:|---:|---:|---:|---:|")
    for (tool, rule), stops in sorted(groups.items()):
        reached = np.mean([stop["reached_target"] for stop in stops])
        recalls = [stop["recall_at_stop"] for stop in stops]
        screened = np.mean([stop["share_screened"] for stop in stops])
        print(
            f"| {tool} | {rule} | {len(stops)} | {reached:.1%} | {np.mean(recalls):.3f} | {min(recalls):.3f} "
            f"| {screened:.1%} |"
        )


if __name__ == "__main__":
    main()
