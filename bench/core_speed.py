"""How fast the review object answers at 20k, 100k and 1M records with 20k decisions on record.

For each size a project is built once under the bench cache (synthetic
records: titles and abstracts of the 14 benchmark sets, cycled and numbered,
or the demo corpus when the sets are not there; written straight into the
records table, since import is measured by bench_import.py) with the template
protocol (title/abstract: two blind reviewers), and 20k decisions: two
reviewers on 10k records, 5 % of them in conflict. Each size then runs in its
own process, so the peak memory printed is that size's:

- `state` cold: opening the review and deriving the title/abstract state;
  `state` after a decision: the incremental update;
- `status` and `prisma`: the library calls, and `review status --json` /
  `review prisma --format json --allow-incomplete` as whole commands;
- decision -> next record ready: `ScreeningSession.decide` then `current`
  (the Screening page's library path; the refit runs in the background);
- a Screening page run (server time) in Streamlit's AppTest, after the first.

    python bench/core_speed.py [--sizes 20000,100000,1000000] [--decisions 20000] [--repeats 30]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _common import BENCHMARKS, CACHE, peak_rss_mb

from review.core import Review
from review.resources import TEMPLATE_PROTOCOL, corpus_dir, protocol_file
from review.screening.log import append_event
from review.store import now, transaction
from review.types import EventKind, Label, Stage

REPO = Path(__file__).resolve().parents[1]
SYNTHETIC_NOTE = "Synthetic record for bench/core_speed.py (benchmark texts cycled and numbered)"


def source_texts() -> list[tuple[str, str]]:
    """(title, abstract) pairs to cycle: the benchmark sets when present, else the demo corpus."""
    from review.importers import read_file

    files = sorted(BENCHMARKS.glob("*/records.ris")) if BENCHMARKS.is_dir() else []
    files = files or sorted((corpus_dir() / "exports").glob("*.ris"))
    return [(r.title or "", r.abstract or "") for path in files for r in read_file(path).records]


def build(folder: Path, n_records: int, n_decisions: int) -> None:
    review = Review.create(folder, protocol_file(TEMPLATE_PROTOCOL))
    texts = source_texts()
    with transaction(review.db):
        batch = review.db.execute(
            "INSERT INTO batches (file_name, source, format, file_hash, imported_at, n_records) VALUES (?, ?, ?, ?, ?, ?)",
            ["synthetic.ris", "Synthetic", "ris", "synthetic", now(), n_records],
        ).lastrowid
        rows = (
            (batch, i, "Synthetic", f"S{i}", f"{texts[i % len(texts)][0]} ({i})", texts[i % len(texts)][1], "[]", "[]",
             "ris", json.dumps([["N1", SYNTHETIC_NOTE]]))
            for i in range(1, n_records + 1)
        )  # fmt: skip
        review.db.conn.executemany(
            "INSERT INTO records (batch_id, position, source, source_id, title, abstract, authors, keywords, "
            "raw_format, raw) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        for record_id in range(1, n_decisions // 2 + 1):
            label = Label.INCLUDE if record_id % 20 == 0 else Label.EXCLUDE
            other = Label.INCLUDE if record_id % 20 == 1 else label  # 5 % disagree
            append_event(review.db, record_id, Stage.TA, "anna", EventKind.SCREEN, label)
            append_event(review.db, record_id, Stage.TA, "bo", EventKind.SCREEN, other)
    review.close()


def timed(action, repeats: int = 1) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return times


def command_ms(*args: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "review", *args], check=True, capture_output=True,
                   env={**os.environ, "HF_HUB_OFFLINE": "1"})  # fmt: skip
    return (time.perf_counter() - start) * 1000


def page_run_ms(folder: Path, repeats: int) -> float:
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(REPO / "review" / "webapp" / "app.py"), default_timeout=600)
    app.session_state["project_dir"] = str(folder)
    app.session_state["reviewer"] = "carl"
    app.switch_page("pages/screening.py")
    app.run()  # the first run builds the shared ranker
    return statistics.median(timed(app.run, repeats))


def measure(folder: Path, repeats: int) -> dict:
    from review.screening.session import ScreeningSession, shared_ranker

    result: dict[str, float] = {}
    start = time.perf_counter()
    review = Review.open(folder)
    review.state(Stage.TA)
    result["state cold (ms)"] = (time.perf_counter() - start) * 1000
    result["status (ms)"] = statistics.median(timed(review.status, 3))
    result["prisma (ms)"] = statistics.median(timed(lambda: review.prisma(allow_incomplete=True), 3))
    session = ScreeningSession(review, Stage.TA, "carl", shared_ranker(review, Stage.TA, embed=False))
    record = session.current()
    steps = []
    for _ in range(repeats):
        start = time.perf_counter()
        session.decide(record, Label.EXCLUDE)
        record = session.current()
        steps.append((time.perf_counter() - start) * 1000)
    session.ranker.ranker.wait()
    result["decision -> next, median (ms)"] = statistics.median(steps)
    result["decision -> next, p95 (ms)"] = sorted(steps)[int(0.95 * (len(steps) - 1))]
    result["state after one decision (ms)"] = statistics.median(
        timed(lambda: (review.decide(record, Stage.TA, "dana", Label.EXCLUDE), review.state(Stage.TA)), 5)
    )
    result["refit (ms)"] = session.ranker.ranker.fit_seconds * 1000
    result["review status (ms)"] = command_ms("status", str(folder), "--json")
    result["review prisma (ms)"] = command_ms("prisma", str(folder), "--format", "json", "--allow-incomplete")
    result["page run (ms)"] = page_run_ms(folder, 5)
    result["peak memory (MB)"] = peak_rss_mb()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20000,100000,1000000")
    parser.add_argument("--decisions", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)  # measure one built project (child process)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)  # where the child writes its figures
    args = parser.parse_args()
    if args.one:
        args.out.write_text(json.dumps(measure(args.one, args.repeats)), encoding="utf-8")
        os._exit(0)  # skip teardown: the app's worker processes and native threads are not waited for
    rows = {}
    for size in (int(part) for part in args.sizes.split(",")):
        folder = CACHE / f"core-{size}-{args.decisions}"
        if not (folder / "review.db").is_file():
            build(folder, size, args.decisions)
        out = folder / "figures.json"
        subprocess.run([sys.executable, __file__, "--one", str(folder), "--repeats", str(args.repeats), "--out",
                        str(out)], check=True, stderr=subprocess.DEVNULL)  # fmt: skip
        rows[size] = json.loads(out.read_text(encoding="utf-8"))
        print(
            f"{size:>9,} records: " + ", ".join(f"{key} {value:.0f}" for key, value in rows[size].items()), flush=True
        )
    keys = list(next(iter(rows.values())))
    print("\n| measure | " + " | ".join(f"{size:,} records" for size in rows) + " |")
    print("|---|" + "---:|" * len(rows))
    for key in keys:
        print(f"| {key} | " + " | ".join(f"{rows[size][key]:,.0f}" for size in rows) + " |")


if __name__ == "__main__":
    main()
