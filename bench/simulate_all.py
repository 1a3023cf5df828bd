"""Simulate every benchmark set over seeds 1-5, ours vs ASReview LAB's ELAS u4.

Priors per (set, seed): one included and one excluded record drawn with
`numpy.random.default_rng(seed)`; both tools get the same priors and every
metric is computed by `review.simulation.simulate.order_metrics` from each tool's
screening order (priors first), so the two columns are comparable.

Embeddings (of the texts, and of the titles for a preset that embeds them) are computed once per
set and cached under bench/.cache/.
Results are appended to a JSON-lines file, so an interrupted run resumes.
ASReview runs when its `asreview` executable is found (--asreview or
$ASREVIEW_BIN); it must live in its own virtualenv (a dev extra, never a
runtime dependency). It is called as `asreview simulate DATA.csv --ai elas_u4
--seed S --prior-idx I E -o P.asreview` (flags of ASReview 2.x/3.x; measured
with 3.0.8), which stops after the last relevant record; the rest of its order
is irrelevant records, so no metric depends on it. Its order is read from the
project's `results` table joined to `record.dataset_row`.

`seconds` is wall time per run: ours with embeddings already cached, ASReview's
including its process start and feature extraction.

Example:
    python bench/simulate_all.py --seeds 1-5 --asreview /tmp/venv-asreview/bin/asreview
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from functools import partial
from pathlib import Path

import numpy as np

from review.ranking.embeddings import DEFAULT_MODEL, cache_key, encode
from review.ranking.features import FeatureSet, build_features, title_line
from review.ranking.presets import DEFAULT_PRESET, Preset
from review.simulation.simulate import LabelledSet, load_labelled, order_metrics, simulate, stop_summary
from review.stopping.rules import StopRule

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ranking_candidates import resolve_preset  # noqa: E402  (bench-only presets tried while choosing the default)

HERE = Path(__file__).resolve().parent
CACHE = Path(os.environ.get("REVIEW_BENCH_CACHE") or HERE / ".cache")
METRICS = ("wss@95", "recall@10%", "screened_to_100%", "loss", "seconds")


def embeddings_path(name: str, model: str, titles: bool = False) -> Path:
    """Where a set's cached embeddings of its ranking texts (or of their titles alone) are kept."""
    return CACHE / f"{name}{'.titles' if titles else ''}.{cache_key(model).replace('/', '_')}.npy"


def cached_embeddings(name: str, data: LabelledSet, model: str, titles: bool = False) -> np.ndarray:
    """The set's embeddings of its ranking texts (or of their titles alone), computed once and cached."""
    path = embeddings_path(name, model, titles)
    if path.exists():
        return np.load(path)
    CACHE.mkdir(exist_ok=True)
    vectors = encode([title_line(text) for text in data.texts] if titles else data.texts, model)
    np.save(path, vectors)
    return vectors


def set_features(name: str, data: LabelledSet, preset: Preset, model: str) -> FeatureSet:
    """The features `preset` ranks the set by, with cached embeddings."""
    return build_features(
        data.texts,
        embedding=cached_embeddings(name, data, model) if preset.uses_embeddings() else None,
        fields=data.fields,
        views=preset.views(),
        title_embedding=cached_embeddings(name, data, model, titles=True) if preset.uses_title_embeddings() else None,
    )


def draw_priors(labels: np.ndarray, seed: int) -> list[int]:
    rng = np.random.default_rng(seed)
    return [int(rng.choice(np.flatnonzero(labels == 1))), int(rng.choice(np.flatnonzero(labels == 0)))]


def run_ours(
    name: str, data: LabelledSet, priors: list[int], preset: Preset, model: str
) -> tuple[np.ndarray, dict[str, float]]:
    """Our screening order (labels in order) and the fusion weights of its last ranking."""
    result = simulate(set_features(name, data, preset, model), data.labels, preset, priors)
    return result.labels, result.weights


def run_asreview(exe: str, name: str, data: LabelledSet, priors: list[int], seed: int) -> tuple[np.ndarray, None]:
    """`asreview simulate --ai elas_u4` on the same records and priors; returns its labels in screening order."""
    with tempfile.TemporaryDirectory() as tmp:
        dataset = Path(tmp) / f"{name}.csv"
        with dataset.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["title", "abstract", "label_included"])
            for text, label in zip(data.texts, data.labels):
                title, _, abstract = text.partition("\n")
                writer.writerow([title, abstract, int(label)])
        project = Path(tmp) / "sim.asreview"
        command = [
            exe,
            "simulate",
            str(dataset),
            "--ai",
            "elas_u4",
            "--seed",
            str(seed),
            "--prior-idx",
            *map(str, priors),
            "-o",
            str(project),
        ]
        subprocess.run(command, check=True, capture_output=True, text=True, cwd=tmp)  # its caches stay out of the repo
        with zipfile.ZipFile(project) as archive:
            db_name = next(n for n in archive.namelist() if n.endswith("results.db"))
            archive.extract(db_name, tmp)
        conn = sqlite3.connect(Path(tmp) / db_name)
        rows = conn.execute(
            "SELECT record.dataset_row, results.label FROM results JOIN record "
            "ON record.record_id = results.record_id ORDER BY results.rowid"
        ).fetchall()
        conn.close()
    screened = [int(row) for row, _ in rows]
    if screened[: len(priors)] != priors or any(data.labels[row] != label for row, label in rows):
        raise RuntimeError(f"{name}: ASReview's results do not match the dataset rows and priors")
    rest = [row for row in range(len(data.labels)) if row not in set(screened)]
    return data.labels[screened + rest], None


def parse_seeds(text: str) -> list[int]:
    if "-" in text:
        low, high = map(int, text.split("-"))
        return list(range(low, high + 1))
    return [int(part) for part in text.split(",")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--benchmarks", type=Path, default=HERE.parent.parent / "shared" / "benchmarks")
    parser.add_argument("--seeds", default="1-5")
    parser.add_argument("--sets", default="", help="comma-separated set names (default: all)")
    parser.add_argument("--preset", default=DEFAULT_PRESET)
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--asreview", default=os.environ.get("ASREVIEW_BIN") or shutil.which("asreview"))
    parser.add_argument("--asreview-seeds", default="", help="seeds for ASReview (default: --seeds)")
    parser.add_argument("--tools", default="ours,asreview", help="which tools to run")
    parser.add_argument("--stop-rules", default="hypergeometric,consecutive:50,consecutive:100,consecutive:200")
    parser.add_argument("--results", type=Path, default=CACHE / "simulate_all.jsonl")
    parser.add_argument("--compare", type=Path, nargs="*", default=[], help="more result files to report beside")
    parser.add_argument("--summary-only", action="store_true", help="only the paired comparisons with ELAS u4")
    args = parser.parse_args()

    sets = sorted(p.name for p in args.benchmarks.iterdir() if (p / "labels.csv").exists())
    if args.sets:
        sets = [s for s in sets if s in args.sets.split(",")]
    seeds = parse_seeds(args.seeds)
    as_seeds = parse_seeds(args.asreview_seeds) if args.asreview_seeds else seeds
    if not args.asreview or not Path(args.asreview).exists():
        print("ASReview not found (give --asreview or $ASREVIEW_BIN): running ours only", file=sys.stderr)
        args.asreview = None
    rules = [StopRule.parse(rule) for rule in args.stop_rules.split(",") if rule]
    args.results.parent.mkdir(parents=True, exist_ok=True)
    done = set()
    if args.results.exists():
        for line in args.results.read_text().splitlines():
            row = json.loads(line)
            done.add((row["tool"], row["set"], row["seed"]))
    preset = resolve_preset(args.preset)
    tool_ours = f"ours:{args.preset}"
    datasets = {
        name: load_labelled(args.benchmarks / name / "records.ris", args.benchmarks / name / "labels.csv")
        for name in sets
    }
    for seed in seeds:  # seed-major, so a run cut short still covers every set
        for name, data in datasets.items():
            priors = draw_priors(data.labels, seed)
            jobs = []
            if "ours" in args.tools:
                jobs.append((tool_ours, partial(run_ours, name, data, priors, preset, args.model)))
            if args.asreview and "asreview" in args.tools and seed in as_seeds:
                jobs.append(("asreview:elas_u4", partial(run_asreview, args.asreview, name, data, priors, seed)))
            for tool, job in jobs:
                if (tool, name, seed) in done:
                    continue
                start = time.perf_counter()
                labels_in_order, weights = job()
                row = {
                    "tool": tool,
                    "set": name,
                    "seed": seed,
                    "priors": priors,
                    **order_metrics(labels_in_order),
                    "seconds": round(time.perf_counter() - start, 2),
                    "stops": [stop_summary(rule, labels_in_order, len(priors)) for rule in rules],
                }
                if weights:
                    row["weights"] = weights
                with args.results.open("a") as handle:
                    handle.write(json.dumps(row) + "\n")
                print(
                    f"{tool:22} {name:36} seed {seed}: WSS@95 {row['wss@95']:.3f} loss {row['loss']:.3f} "
                    f"({row['seconds']}s)",
                    flush=True,
                )
    rows = read_rows([args.results, *args.compare])
    if not args.summary_only:
        print_table(rows, sets)
    print_comparisons(rows, sets)


def read_rows(paths: list[Path]) -> list[dict]:
    """Result rows of every file (a later row of the same tool, set and seed wins)."""
    rows: dict[tuple, dict] = {}
    for path in paths:
        if path.exists():
            for line in path.read_text().splitlines():
                row = json.loads(line)
                rows[(row["tool"], row["set"], row["seed"])] = row
    return list(rows.values())


def print_table(rows: list[dict], sets: list[str]) -> None:
    """Per set and on average: mean over seeds of each metric, one column group per tool."""
    tools = sorted({row["tool"] for row in rows})
    header = "| set | " + " | ".join(f"{tool} {metric}" for tool in tools for metric in METRICS) + " |"
    print(header)
    print("|" + "---|" * (1 + len(tools) * len(METRICS)))
    means: dict[tuple[str, str], list[float]] = {}
    for name in sets:
        cells = []
        for tool in tools:
            picked = [row for row in rows if row["tool"] == tool and row["set"] == name]
            for metric in METRICS:
                value = float(np.mean([row[metric] for row in picked])) if picked else float("nan")
                means.setdefault((tool, metric), []).append(value)
                cells.append(f"{value:.3f}" if metric != "screened_to_100%" else f"{value:.0f}")
        print(f"| {name} | " + " | ".join(cells) + " |")
    cells = [f"{np.nanmean(means[(tool, metric)]):.4f}" for tool in tools for metric in METRICS]
    print("| **mean** | " + " | ".join(cells) + " |")


def halves(sets: list[str]) -> dict[str, list[str]]:
    """The sets split in two by alternate names: defaults were chosen on the first half and confirmed on the second."""
    return {"all": sets, "choice half": sets[0::2], "confirmation half": sets[1::2]}


def paired_comparison(rows: list[dict], tool: str, anchor: str, sets: list[str]) -> dict | None:
    """`tool` against `anchor` on the (set, seed) runs both have: mean differences, the standard errors of the
    WSS@95 and loss differences, and the set where `tool` is furthest behind (mean over seeds)."""
    by = {(row["tool"], row["set"], row["seed"]): row for row in rows}
    keys = sorted((s, seed) for t, s, seed in by if t == tool and s in sets and (anchor, s, seed) in by)
    if len(keys) < 2:
        return None

    def gaps(metric: str) -> np.ndarray:
        return np.array([by[(tool, *key)][metric] - by[(anchor, *key)][metric] for key in keys])

    wss_gaps, loss_gaps = gaps("wss@95"), gaps("loss")
    per_set: dict[str, list[float]] = {}
    for (name, _), gap in zip(keys, wss_gaps):
        per_set.setdefault(name, []).append(gap)
    worst = min(per_set, key=lambda name: np.mean(per_set[name]))
    return {
        "runs": len(keys),
        "wss@95": float(np.mean([by[(tool, *key)]["wss@95"] for key in keys])),
        "anchor wss@95": float(np.mean([by[(anchor, *key)]["wss@95"] for key in keys])),
        "wss gap": float(wss_gaps.mean()),
        "se": float(wss_gaps.std(ddof=1) / np.sqrt(len(wss_gaps))),
        "loss": float(np.mean([by[(tool, *key)]["loss"] for key in keys])),
        "loss gap": float(loss_gaps.mean()),
        "loss se": float(loss_gaps.std(ddof=1) / np.sqrt(len(loss_gaps))),
        "recall@10% gap": float(gaps("recall@10%").mean()),
        "higher/lower": (int((wss_gaps > 0).sum()), int((wss_gaps < 0).sum())),
        "worst set": (worst, float(np.mean(per_set[worst]))),
    }


def print_comparisons(rows: list[dict], sets: list[str], anchor: str = "asreview:elas_u4") -> None:
    """One row per tool and half: the issue's goal is WSS@95 +0.03 (> 2 se), loss -0.01, no set below -0.02."""
    print("| tool | sets | runs | WSS@95 | ELAS u4 | gap (se) | higher/lower | loss gap | recall@10% gap | worst set |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for tool in sorted({row["tool"] for row in rows} - {anchor}):
        for half, names in halves(sets).items():
            result = paired_comparison(rows, tool, anchor, names)
            if result is None:
                continue
            worst, gap = result["worst set"]
            print(
                f"| {tool} | {half} | {result['runs']} | {result['wss@95']:.4f} | {result['anchor wss@95']:.4f} | "
                f"{result['wss gap']:+.4f} ({result['se']:.4f}) | {'/'.join(map(str, result['higher/lower']))} | "
                f"{result['loss gap']:+.4f} | {result['recall@10% gap']:+.4f} | {worst.removeprefix('Cohen_2006_')} "
                f"{gap:+.3f} |"
            )


if __name__ == "__main__":
    main()
