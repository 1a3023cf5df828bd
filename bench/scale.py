"""A real review at 100k, 300k and 1M records: each step timed, with its peak memory, and checked against the goals.

For each size the RIS file comes from `bench/make_large_ris.py` (built once,
under `--cache`), and each step runs in a process of its own, so the peak
memory printed is that step's (for a whole command: the command's process):

1. import: the RIS file into a fresh project (`Review.import_files`);
2. dedupe: find, then apply (`Review.find_duplicates`, `apply_dedupe`);
3. decisions on record (set-up, not a goal): two reviewers label the same
   `--decisions` records, 5 % included, so the model has something to learn;
4. TF-IDF features of the title/abstract candidates (word 1-2-grams);
5. first ranking: the stage ranker built from scratch (texts, features, the
   first fit), by TF-IDF: at 1M records the embeddings would take hours on
   this CPU (see `review embed`), and until they are cached that is what
   ranks;
6. refit after one decision (median of `--repeats`), with the time from a
   decision to the next record served (the app's path, `ScreeningSession`),
   which comes from the last ranking while the refit runs;
7. next record: `review next` as a whole command (after `review rank` stored
   a ranking of the current log), and `Review.next_records` in the library;
8. `review status --json` and `review prisma --format json
   --allow-incomplete` as whole commands, and the library calls;
9. a Screening page run in Streamlit's AppTest, after the first (which builds
   the shared ranker);
10. `review export --table records --format csv`.

    python bench/scale.py [--sizes 100000,300000,1000000] [--cache DIR]   # default: scale/ in the bench cache

Prints one line per step as it ends and the table at the end (also written to
`--cache`/scale-results.json, merged with earlier sizes' figures).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from _common import CACHE, REPO, peak_rss_mb

from review.core import Review
from review.resources import TEMPLATE_PROTOCOL, protocol_file
from review.screening.log import append_event
from review.store import transaction
from review.types import EventKind, Label, Stage

HERE = Path(__file__).resolve().parent
DEFAULT_CACHE = Path(os.environ.get("REVIEW_SCALE_CACHE") or CACHE / "scale")
GOALS = {  # the goals at 1M records on the 2-core, 24 GB machine: (seconds, peak MB); None = no goal
    "import": (600, 5000),
    "dedupe": (900, 8000),
    "refit": (1.0, None),
    "next": (2.0, None),
    "status": (2.0, None),
    "prisma": (2.0, None),
}


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def command(*args: str) -> float:
    """Seconds a whole `review` command takes (process start, imports and all)."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "review", *args], check=True, capture_output=True,
                   env={**os.environ, "HF_HUB_OFFLINE": "1"})  # fmt: skip
    return time.perf_counter() - start


def children_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def step_import(ris: Path, project: Path, _repeats: int) -> dict:
    shutil.rmtree(project, ignore_errors=True)
    review = Review.create(project, protocol_file(TEMPLATE_PROTOCOL))
    start = time.perf_counter()
    reports = review.import_files([ris], source="bench")
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "records": sum(report.records for report in reports)}


def step_dedupe(_ris: Path, project: Path, _repeats: int) -> dict:
    with Review.open(project) as review:
        start = time.perf_counter()
        result = review.find_duplicates()
        found = time.perf_counter() - start
        review.apply_dedupe(result)
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "find": found, "apply": seconds - found, "duplicates": result.n_duplicates}


def step_decisions(_ris: Path, project: Path, repeats: int, decisions: int = 1000) -> dict:
    with Review.open(project) as review:
        ids = review.state(Stage.TA).candidates[:decisions]
        start = time.perf_counter()
        with transaction(review.db):
            for n, record_id in enumerate(ids):
                label = Label.INCLUDE if n % 20 == 0 else Label.EXCLUDE
                append_event(review.db, record_id, Stage.TA, "anna", EventKind.SCREEN, label)
                append_event(review.db, record_id, Stage.TA, "bo", EventKind.SCREEN, label)
        seconds = time.perf_counter() - start
        review.state(Stage.TA)
    return {"seconds": seconds, "decisions": 2 * len(ids)}


def step_tfidf(_ris: Path, project: Path, _repeats: int) -> dict:
    from review.ranking.features import build_features
    from review.ranking.project import stage_texts

    with Review.open(project) as review:
        start = time.perf_counter()
        texts = stage_texts(review.db, Stage.TA, list(review.state(Stage.TA).candidates))
        read = time.perf_counter() - start
        features = build_features(texts, query=review.protocol.zero_shot_query())
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "read texts": read, "columns": features.tfidf.shape[1], "nnz": features.tfidf.nnz}


def step_ranking(_ris: Path, project: Path, repeats: int) -> dict:
    """The first ranking, then decisions through the app's session: decision -> next, and each refit."""
    from review.ranking.project import StageRanker
    from review.screening.session import ScreeningSession

    with Review.open(project) as review:
        start = time.perf_counter()
        ranker = StageRanker(review, Stage.TA, embeddings="off", background=True)
        first = time.perf_counter() - start
        session = ScreeningSession(review, Stage.TA, "carl", ranker)
        record, steps, refits = session.current(), [], []
        for n in range(repeats):
            start = time.perf_counter()
            session.decide(record, Label.INCLUDE if n % 5 == 0 else Label.EXCLUDE)
            record = session.current()
            steps.append(time.perf_counter() - start)
            ranker.ranker.refit()  # a refit after every decision, whatever the schedule would ask
            ranker.ranker.wait()
            refits.append(ranker.ranker.fit_seconds)
        ranker.save(review, first)
    return {"seconds": first, "refit": statistics.median(refits), "refit max": max(refits),
            "decision -> next": statistics.median(steps), "decision -> next max": max(steps)}  # fmt: skip


def step_next(_ris: Path, project: Path, repeats: int) -> dict:
    seconds = command("next", str(project), "--stage", "ta", "--reviewer", "dana", "--json")
    with Review.open(project) as review:
        library = statistics.median(timed(lambda: review.next_records(Stage.TA, "dana")) for _ in range(3))
    return {"seconds": seconds, "library": library, "command peak MB": children_peak_mb()}


def step_status(_ris: Path, project: Path, _repeats: int) -> dict:
    seconds = command("status", str(project), "--json")
    with Review.open(project) as review:
        library = statistics.median(timed(review.status) for _ in range(3))
    return {"seconds": seconds, "library": library, "command peak MB": children_peak_mb()}


def step_prisma(_ris: Path, project: Path, _repeats: int) -> dict:
    seconds = command("prisma", str(project), "--format", "json", "--allow-incomplete")
    with Review.open(project) as review:
        library = statistics.median(timed(lambda: review.prisma(allow_incomplete=True)) for _ in range(3))
    return {"seconds": seconds, "library": library, "command peak MB": children_peak_mb()}


def step_page(_ris: Path, project: Path, _repeats: int) -> dict:
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(REPO / "review" / "webapp" / "app.py"), default_timeout=3600)
    app.session_state["project_dir"] = str(project)
    app.session_state["reviewer"] = "erik"
    app.switch_page("pages/screening.py")
    first = timed(app.run)  # builds the process's shared ranker
    runs = [timed(app.run) for _ in range(3)]
    if app.exception:
        raise SystemExit(f"the Screening page failed: {app.exception[0].message}")
    return {"seconds": statistics.median(runs), "first run": first}


def step_export(_ris: Path, project: Path, _repeats: int) -> dict:
    out = project / "exports" / "records.csv"
    seconds = command("export", str(project), "--table", "records", "--format", "csv", "-o", str(out))
    return {"seconds": seconds, "MB written": out.stat().st_size / 1e6, "command peak MB": children_peak_mb()}


def step_copy(_ris: Path, project: Path, _repeats: int) -> dict:
    """The imported project (before dedupe) copied into this lane's folder: screening at every record."""
    base = project.parent / project.name.split("~")[0]
    start = time.perf_counter()
    shutil.rmtree(project, ignore_errors=True)
    with Review.open(base) as review:
        review.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    project.mkdir(parents=True)
    shutil.copy(base / "review.db", project / "review.db")
    return {"seconds": time.perf_counter() - start, "MB": (project / "review.db").stat().st_size / 1e6}


STEPS = {
    "import": step_import,
    "copy": step_copy,
    "dedupe": step_dedupe,
    "decisions": step_decisions,
    "tfidf": step_tfidf,
    "first ranking": step_ranking,
    "next": step_next,
    "status": step_status,
    "prisma": step_prisma,
    "page run": step_page,
    "export": step_export,
}


def run_step(name: str, size: int, cache: Path, repeats: int, lane: str = "") -> dict:
    """Run one step in a child process (its own peak memory) and return its figures."""
    out = cache / f"step-{size}{lane}.json"
    out.unlink(missing_ok=True)
    subprocess.run([sys.executable, __file__, "--one", name, "--size", str(size), "--cache", str(cache),
                    "--repeats", str(repeats), "--lane", lane], check=True)  # fmt: skip
    return json.loads(out.read_text(encoding="utf-8"))


def child(name: str, size: int, cache: Path, repeats: int, lane: str = "") -> None:
    figures = STEPS[name](corpus(size, cache), cache / f"project-{size}{lane}", repeats)
    figures["peak MB"] = max(peak_rss_mb(), figures.get("command peak MB", 0))
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    figures["CPU s"] = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    (cache / f"step-{size}{lane}.json").write_text(json.dumps(figures), encoding="utf-8")
    os._exit(0)  # the app's worker threads and native pools are not waited for


def corpus(size: int, cache: Path) -> Path:
    """The size's RIS file: a living map's mix, half the papers found twice (see make_large_ris.py)."""
    path = cache / f"map-{size}.ris"
    if not path.is_file():
        subprocess.run([sys.executable, str(HERE / "make_large_ris.py"), "--records", str(size), "--out", str(path),
                        "--duplicate-share", "0.5", "--max-copies", "1"], check=True)  # fmt: skip
    return path


def verdict(step: str, figures: dict, size: int) -> str:
    """Whether a 1M step met its goal (empty for other sizes and steps without one)."""
    if size != 1_000_000:
        return ""
    key = "refit" if step == "first ranking" else step
    if key not in GOALS:
        return ""
    seconds, peak = GOALS[key]
    value = figures["refit"] if key == "refit" else figures["seconds"]
    met = value <= seconds and (peak is None or figures["peak MB"] <= peak)
    return "met" if met else "MISSED"


def describe(figures: dict) -> str:
    extras = {key: value for key, value in figures.items() if key not in {"seconds", "peak MB"}}
    return ", ".join(f"{key} {value:,.3g}" if isinstance(value, float) else f"{key} {value:,}"
                     for key, value in extras.items())  # fmt: skip


def cell(figures: dict | None) -> str:
    if figures is None:
        return ""
    cpu = f" ({figures['CPU s']:,.1f})" if "CPU s" in figures else ""
    return f"{figures['seconds']:,.2f}{cpu} / {figures['peak MB']:,.0f}"


def print_table(results: dict[str, dict[str, dict]]) -> None:
    sizes = sorted(results, key=int)
    print("\n| step: wall s (CPU s) / peak MB | " + " | ".join(f"{int(size):,} records" for size in sizes) + " |")
    print("|---|" + "---:|" * len(sizes))
    for step in STEPS:
        print(f"| {step} | " + " | ".join(cell(results[size].get(step)) for size in sizes) + " |")
    for size in sizes:
        print(f"\n{int(size):,} records:")
        for step, figures in results[size].items():
            note = verdict(step, figures, int(size))
            print(f"  {step}: {describe(figures)}" + (f" [{note}]" if note else ""))


def merged_results(cache: Path) -> dict[str, dict[str, dict]]:
    """Every lane's figures per size: a lane's steps (screening a copy) over the main project's."""
    merged: dict[str, dict[str, dict]] = {}
    for path in sorted(cache.glob("scale-results*.json")):
        for size, steps in json.loads(path.read_text(encoding="utf-8")).items():
            merged.setdefault(size, {}).update(steps)
    return merged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,300000,1000000")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--steps", default=",".join(STEPS), help="comma-separated subset (in order)")
    parser.add_argument(
        "--lane",
        default="",
        help="run the steps on a copy of the imported project (e.g. ~raw, made by the copy step), "
        "so screening can be measured at every record while dedupe runs on the original",
    )
    parser.add_argument("--report", action="store_true", help="print the table of every lane's saved figures")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # run one step (child process)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    if args.one:
        child(args.one, args.size, args.cache, args.repeats, args.lane)
    if args.report:
        print_table(merged_results(args.cache))
        return
    saved = args.cache / f"scale-results{args.lane}.json"
    results = json.loads(saved.read_text(encoding="utf-8")) if saved.is_file() else {}
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GB, "
          f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load {os.getloadavg()[0]:.1f}")  # fmt: skip
    for size in (int(part) for part in args.sizes.split(",")):
        corpus(size, args.cache)
        figures = results.setdefault(str(size), {})
        for step in args.steps.split(","):
            figures[step] = run_step(step, size, args.cache, args.repeats, args.lane)
            print(f"{size:>9,} {step}: {figures[step]['seconds']:,.2f} s, peak {figures[step]['peak MB']:,.0f} MB; "
                  f"{describe(figures[step])} (load {os.getloadavg()[0]:.1f})", flush=True)  # fmt: skip
            saved.write_text(json.dumps(results, indent=1), encoding="utf-8")
    print_table(results)


if __name__ == "__main__":
    main()
