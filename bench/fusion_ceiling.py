"""How far a per-review weighting of the default's components could take the ranking: a ceiling, not a method.

Runs the default preset's components under every fixed weighting on a grid over the simplex (`--steps 3`:
thirds, 10 weightings for three components), on each set and seed, beside the default itself (its
`validated` fusion, which learns the weights on the review). Then, per set, a weighting is picked by mean
WSS@95, by loss or by WSS@95 minus loss, and scored:

- *in hindsight*: picked on the very runs it is scored on, an upper bound that the pick itself flatters
  (the best of ten noisy means);
- *on the other seeds*: picked on the set's other seeds and scored on the one left out, the honest
  version: it still knows the review's labels, which no real screening does.

Each is paired with the default run by run. If even the hindsight pick falls short of a goal, no way of
weighting these components gets there, and the goal needs new signal.

`--early-share 0.25` adds weights that change during screening: per set and seed, the weighting with the
least loss on the other seeds for the first quarter of the records, then the default's own fusion or the
weighting with the best WSS@95 on the other seeds.

Example (the README's figures; about 50 minutes on 2 cores):
    python bench/fusion_ceiling.py --seeds 1-5 --early-share 0.25 --jobs 2
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from review.ranking.presets import DEFAULT_PRESET, get_preset

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from simulate_all import CACHE, halves, paired_comparison, parse_seeds, read_rows  # noqa: E402  (bench helpers beside this script)


def weightings(n_components: int, steps: int) -> list[tuple[int, ...]]:
    """Every way to share `steps` equal parts among the components (each tuple sums to `steps`)."""
    return [w for w in itertools.product(range(steps + 1), repeat=n_components) if sum(w) == steps]


def simulate(preset: str, args: argparse.Namespace, results: Path) -> None:
    """`simulate_all.py` for one preset on `args`' sets and seeds, appending to `results` (it resumes)."""
    command = [sys.executable, str(HERE / "simulate_all.py"), "--preset", preset, "--tools", "ours"]
    command += ["--seeds", args.seeds, "--results", str(results), "--summary-only", "--stop-rules", ""]
    command += ["--benchmarks", str(args.benchmarks)]
    if args.sets:
        command += ["--sets", args.sets]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def cells(picked: dict[tuple, dict], default: dict[tuple, dict], sets: list[str]) -> str:
    """WSS@95 and loss of `picked` on `sets`, each with its paired difference from `default` (standard error)."""
    tagged = [{**row, "tool": "picked"} for row in picked.values()]
    tagged += [{**row, "tool": "default"} for row in default.values()]
    result = paired_comparison(tagged, "picked", "default", sets)
    wss = f"{result['wss@95']:.4f} | {result['wss gap']:+.4f} ({result['se']:.4f})"
    return f"{wss} | {result['loss']:.4f} | {result['loss gap']:+.4f} ({result['loss se']:.4f})"


PICKED_BY = {  # what a pick maximises in a run: WSS@95, low loss, or both at once (both are shares of the records)
    "wss@95": lambda row: row["wss@95"],
    "loss": lambda row: -row["loss"],
    "wss@95 - loss": lambda row: row["wss@95"] - row["loss"],
}


def pick(runs: dict[str, dict[tuple, dict]], name: str, seeds: list[int], by: str) -> str:
    """The weighting with the best mean of `PICKED_BY[by]` on set `name` over `seeds`."""

    def score(preset: str) -> float:
        return statistics.mean(PICKED_BY[by](runs[preset][(name, seed)]) for seed in seeds)

    return max(runs, key=score)


def report(runs: dict[str, dict[tuple, dict]], default: dict[tuple, dict], extra: dict[str, dict[tuple, dict]]) -> None:
    """Per-set picks (in hindsight, on the other seeds), every fixed weighting and the `extra` rows, each against
    `default`, on all sets and on each half (see `simulate_all.halves`)."""
    sets = sorted({name for name, _ in default})
    seeds = default_seeds(default)
    tables: dict[str, dict[tuple, dict]] = {}
    for by in PICKED_BY:
        tables[f"picked per set by {by}, in hindsight"] = {
            (name, seed): runs[pick(runs, name, seeds, by)][(name, seed)] for name in sets for seed in seeds
        }
        tables[f"picked per set by {by}, on the other seeds"] = {
            (name, seed): runs[pick(runs, name, [s for s in seeds if s != seed], by)][(name, seed)]
            for name in sets
            for seed in seeds
        }
    for preset, picked in runs.items():
        tables[f"fixed {preset.rpartition('-fixed-')[2].replace('-', ':')}"] = picked
    tables.update(extra)
    print("| weights | sets | WSS@95 | vs default (se) | loss | vs default (se) |")
    print("|---|---|---:|---:|---:|---:|")
    for label, picked in tables.items():
        for half, names in halves(sets).items():
            print(f"| {label} | {half} | {cells(picked, default, names)} |")


def early_phase(args: argparse.Namespace, runs: dict[str, dict[tuple, dict]], default: dict[tuple, dict]) -> dict:
    """Per (set, seed): the other seeds' least-loss weighting for the first `args.early_share` of the records,
    then either the default's fusion or the other seeds' best WSS@95 weighting; one job per (set, seed), since
    each has its own weightings."""
    tables, seeds = {}, default_seeds(default)
    for late, folder_name in (("the fusion", "fusion"), ("the best WSS@95 weighting", "best-wss")):
        folder = args.results / f"early-{args.early_share}" / folder_name
        folder.mkdir(parents=True, exist_ok=True)
        jobs = []
        for name, seed in sorted(default):
            others = [s for s in seeds if s != seed]
            early = pick(runs, name, others, "loss").rpartition("-fixed-")[2]
            base = args.preset if folder_name == "fusion" else pick(runs, name, others, "wss@95")
            until = int(args.early_share * default[(name, seed)]["records"])
            job = argparse.Namespace(**{**vars(args), "sets": name, "seeds": str(seed)})
            jobs.append((f"{base}-early-{early}-until-{until}", job, folder / f"{name}-{seed}.jsonl"))
        with ThreadPoolExecutor(args.jobs) as pool:
            list(pool.map(lambda job: simulate(*job), jobs))
        rows = {(row["set"], row["seed"]): row for row in read_rows(sorted(folder.glob("*.jsonl")))}
        label = f"per set, the least loss for the first {args.early_share:.0%} of the records, then {late}"
        tables[f"{label}, on the other seeds"] = {key: rows[key] for key in default}
    return tables


def default_seeds(default: dict[tuple, dict]) -> list[int]:
    return sorted({seed for _, seed in default})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--benchmarks", type=Path, default=HERE.parent.parent / "shared" / "benchmarks")
    parser.add_argument("--preset", default=DEFAULT_PRESET, help="whose components are weighted")
    parser.add_argument("--steps", type=int, default=3, help="the grid's step is 1/STEPS of the total weight")
    parser.add_argument("--seeds", default="1-3")
    parser.add_argument("--sets", default="", help="comma-separated set names (default: all)")
    parser.add_argument("--jobs", type=int, default=2, help="simulations run at once")
    parser.add_argument("--results", type=Path, default=CACHE / "ceiling", help="a folder of result files")
    parser.add_argument("--early-share", type=float, default=0.0, help="also run the two-phase probe (see above)")
    args = parser.parse_args()
    if not args.benchmarks.is_dir():
        parser.error(f"no benchmark sets at {args.benchmarks} (give --benchmarks)")
    if len(parse_seeds(args.seeds)) < 2:
        parser.error("--seeds needs two seeds or more (a weighting is picked on the others)")
    if not 0 <= args.early_share < 1:
        parser.error("--early-share is a share of the records, from 0 (no probe) to below 1")
    args.results.mkdir(parents=True, exist_ok=True)
    n = len(get_preset(args.preset).components)
    presets = [f"{args.preset}-fixed-{'-'.join(map(str, w))}" for w in weightings(n, args.steps)]
    with ThreadPoolExecutor(args.jobs) as pool:
        list(pool.map(lambda p: simulate(p, args, args.results / f"{p}.jsonl"), [args.preset, *presets]))

    seeds, sets = set(parse_seeds(args.seeds)), set(args.sets.split(",")) - {""}

    def rows(preset: str) -> dict[tuple, dict]:
        return {
            (row["set"], row["seed"]): row
            for row in read_rows([args.results / f"{preset}.jsonl"])
            if row["seed"] in seeds and (not sets or row["set"] in sets)
        }

    runs, default = {preset: rows(preset) for preset in presets}, rows(args.preset)
    report(runs, default, early_phase(args, runs, default) if args.early_share else {})


if __name__ == "__main__":
    main()
