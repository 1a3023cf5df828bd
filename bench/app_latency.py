"""Time from a screening decision to the next record, at 2k and 20k records, through the page's library path.

Each decision goes through `ScreeningSession` exactly as the Screening page's
button does: `record_decision` (written at once), the shared ranker's
`update` (refits in a background thread), then `claim_next` over the ranker's
current order. 'record drawn' adds what the page reads to draw that record
(the record, its score and rank, its visible history); 'whole run' adds the
stage progress drawn after it. The stopping rule's test runs in a background
thread in the app (it never delays the page); its time is reported apart,
measured after every tenth decision.

Records are the demo corpus's six exports imported again and again (no
deduplication run), so every record is a screening candidate with real text.

    python bench/app_latency.py [--sizes 2000 20000] [--decisions 100]
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from pathlib import Path

from review.demo import CORPUS, PROTOCOL
from review.insights import stage_progress
from review.project import current_protocol, init_project
from review.records import get_record, import_files
from review.screening import history
from review.stopping import stopping_status
from review.workspace import ScreeningSession, build_ranker

RELEVANT_WORDS = ("samarbejd", "collaborat", "tværsektor", "helhed")


def corpus_files() -> list[Path]:
    with (CORPUS / "databases.csv").open(encoding="utf-8") as handle:
        return [CORPUS / row["file"] for row in csv.DictReader(handle)]


def make_project(folder: Path, n_records: int):
    db = init_project(folder, PROTOCOL)
    files = corpus_files()
    while db.execute("SELECT COUNT(*) FROM records").fetchone()[0] < n_records:
        import_files(db, files, force=True)
    db.execute("DELETE FROM records WHERE record_id > ?", [n_records])
    db.conn.commit()
    return db


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def bench(n_records: int, n_decisions: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        db = make_project(Path(folder) / "project", n_records)
        protocol = current_protocol(db)
        started = time.perf_counter()
        ranker = build_ranker(db, "ta", protocol)
        startup = time.perf_counter() - started
        session = ScreeningSession(db, "ta", "bench", "bench-session", ranker, protocol)
        record_id = session.current()
        to_next, drawn, page, stopping = [], [], [], []
        for decision in range(n_decisions):
            title = (get_record(db, record_id)["title"] or "").lower()
            label = "include" if any(word in title for word in RELEVANT_WORDS) else "exclude"
            started = time.perf_counter()
            session.decide(record_id, label)
            record_id = session.current()
            to_next.append(time.perf_counter() - started)
            get_record(db, record_id)
            session.score_rank(record_id)
            history(db, record_id, viewer="bench", protocol=protocol)
            drawn.append(time.perf_counter() - started)
            stage_progress(db, "ta", protocol)
            page.append(time.perf_counter() - started)
            if decision % 10 == 9:
                started = time.perf_counter()
                stopping_status(db, "ta", protocol=protocol, start_sample=False)
                stopping.append(time.perf_counter() - started)
        ranker.wait()
        db.close()
    ms = lambda values, share: round(1000 * percentile(values, share), 1)  # noqa: E731
    return {"records": n_records, "decisions": n_decisions, "ranker_start_s": round(startup, 2),
            "next_median_ms": ms(to_next, 0.5), "next_p95_ms": ms(to_next, 0.95),
            "drawn_median_ms": ms(drawn, 0.5), "drawn_p95_ms": ms(drawn, 0.95),
            "page_median_ms": ms(page, 0.5), "page_p95_ms": ms(page, 0.95),
            "stopping_median_ms": ms(stopping, 0.5),
            "last_refit_s": round(ranker.fit_seconds, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--decisions", type=int, default=100)
    args = parser.parse_args()
    print("median / p95 in ms from a decision to: the next record id | that record drawn | the whole page run")
    for size in args.sizes:
        r = bench(size, args.decisions)
        print(f"{r['records']:>6} records: {r['next_median_ms']} / {r['next_p95_ms']} | "
              f"{r['drawn_median_ms']} / {r['drawn_p95_ms']} | {r['page_median_ms']} / {r['page_p95_ms']} "
              f"(stopping rule in the background {r['stopping_median_ms']}; ranker ready in {r['ranker_start_s']} s, last background refit {r['last_refit_s']} s)", flush=True)

if __name__ == "__main__":
    main()
