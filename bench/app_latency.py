"""Time from a screening decision to the next record, at 2k and 20k records, through the page's library path.

Each decision goes through `ScreeningSession` exactly as the Screening page's
button does: the decision written at once, the stage's shared ranker synced
(it refits in a background thread), then `claim_next` over the ranker's
current order. 'record drawn' adds what the page reads to draw that record
(the record, its score and rank, its visible history); 'whole run' adds the
stage progress drawn after it. The stopping rule's test runs in a worker
process in the app (it never delays the page); its time is reported apart,
measured after every tenth decision. Embeddings are not computed here (the
page computes them in the background), so the ranker is the preset's TF-IDF
part, as on a project whose vectors are not cached yet.

Records are the demo corpus's six exports imported again and again (no
deduplication run), so every record is a screening candidate with real text.

`--browser` measures the same thing as a reviewer sees it: the Streamlit
server and headless Chromium (as in tests/test_browser.py), the I key pressed
on the Screening page, and the time from the keydown to the next record's
caption on screen, timed inside the page.

    python bench/app_latency.py [--sizes 2000 20000] [--decisions 100] [--browser]
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the browser helpers live with the end-to-end test

from review.core import Review
from review.demo import CORPUS, PROTOCOL
from review.screening.blind import Viewer
from review.screening.session import ScreeningSession, shared_ranker

RELEVANT_WORDS = ("samarbejd", "collaborat", "tværsektor", "helhed")


def corpus_files() -> list[Path]:
    with (CORPUS / "databases.csv").open(encoding="utf-8") as handle:
        return [CORPUS / row["file"] for row in csv.DictReader(handle)]


def make_project(folder: Path, n_records: int) -> Review:
    review = Review.create(folder, PROTOCOL)
    review.edit_protocol({"stages.ta.reviewers": 1}, "bench")  # one decision is final, so the ranker learns from it
    files = corpus_files()
    while review.db.execute("SELECT COUNT(*) FROM records").fetchone()[0] < n_records:
        review.import_files(files, force=True)
    review.db.execute("DELETE FROM records WHERE record_id > ?", [n_records])
    review.db.conn.commit()
    return review


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def bench(n_records: int, n_decisions: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        review = make_project(Path(folder) / "project", n_records)
        started = time.perf_counter()
        ranker = shared_ranker(review, "ta", embed=False)
        startup = time.perf_counter() - started
        session = ScreeningSession(review, "ta", "bench", ranker)
        viewer = Viewer("bench")
        record_id = session.current()
        to_next, drawn, page, stopping = [], [], [], []
        for decision in range(n_decisions):
            title = (review.record(record_id).title or "").lower()
            label = "include" if any(word in title for word in RELEVANT_WORDS) else "exclude"
            started = time.perf_counter()
            session.decide(record_id, label)
            # the page's next run: this browser session's screening over the shared ranker, then its record
            session = ScreeningSession(review, "ta", "bench", shared_ranker(review, "ta", embed=False), session.decided)
            record_id = session.current()
            to_next.append(time.perf_counter() - started)
            review.record(record_id)
            session.score_rank(record_id)
            review.history(record_id, viewer)
            drawn.append(time.perf_counter() - started)
            left = review.state("ta").progress.remaining
            page.append(time.perf_counter() - started)
            if decision % 10 == 9:
                started = time.perf_counter()
                review.stopping("ta", start_sample=False)
                stopping.append(time.perf_counter() - started)
        ranker.ranker.wait()
        review.close()
    ms = lambda values, share: round(1000 * percentile(values, share), 1)  # noqa: E731
    return {
        "records": n_records,
        "decisions": n_decisions,
        "left_to_decide": left,
        "ranker_start_s": round(startup, 2),
        "next_median_ms": ms(to_next, 0.5),
        "next_p95_ms": ms(to_next, 0.95),
        "drawn_median_ms": ms(drawn, 0.5),
        "drawn_p95_ms": ms(drawn, 0.95),
        "page_median_ms": ms(page, 0.5),
        "page_p95_ms": ms(page, 0.95),
        "stopping_median_ms": ms(stopping, 0.5),
        "last_refit_s": round(ranker.ranker.fit_seconds, 2),
    }


# Sets window.__timing to the milliseconds from the next keydown to a new record caption on screen.
TIME_NEXT_RECORD = """
window.__timing = null;
const caption = () => [...document.querySelectorAll('[data-testid="stCaptionContainer"]')]
    .map(element => element.innerText).find(text => text.includes('model rank'));
const before = caption();
document.addEventListener('keydown', () => {
  const start = performance.now();
  const poll = () => {
    const now = caption();
    if (now && now !== before) { window.__timing = performance.now() - start; } else { requestAnimationFrame(poll); }
  };
  requestAnimationFrame(poll);
}, {capture: true, once: true});
"""


def bench_browser(n_records: int, n_decisions: int) -> dict:
    """Key press to next record on screen, through the real server and browser."""
    from selenium import webdriver
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    from tests.test_browser import (
        CHROMEDRIVER,
        CHROMIUM,
        CHROMIUM_FLAGS,
        free_port,
        open_page,
        settle,
        sign_in,
        wait_until_serving,
    )

    with tempfile.TemporaryDirectory() as folder:
        make_project(Path(folder) / "project", n_records).close()
        port = free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(REPO / "app.py"),
                "--server.headless",
                "true",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.fileWatcherType",
                "none",
                "--browser.gatherUsageStats",
                "false",
                "--",
                "--project",
                f"{folder}/project",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={folder}/chromium"):
            options.add_argument(flag)
        driver = None
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until_serving(url, server)
            driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=CHROMEDRIVER))
            sign_in(driver, url, "bench")
            open_page(driver, "Screening")
            driver.find_element(By.TAG_NAME, "h1").click()
            timings = []
            for _ in range(n_decisions):
                settle(driver)
                driver.execute_script(TIME_NEXT_RECORD)
                ActionChains(driver).send_keys("e").perform()
                deadline = time.monotonic() + 30
                while driver.execute_script("return window.__timing;") is None and time.monotonic() < deadline:
                    time.sleep(0.02)
                timings.append(driver.execute_script("return window.__timing;") / 1000)
        finally:
            if driver is not None:
                driver.quit()
            server.terminate()
            server.wait(timeout=20)
    ms = lambda share: round(1000 * percentile(timings, share), 1)  # noqa: E731
    return {"records": n_records, "decisions": n_decisions, "median_ms": ms(0.5), "p95_ms": ms(0.95)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--decisions", type=int, default=100)
    parser.add_argument("--browser", action="store_true", help="time key press to next record in headless Chromium")
    args = parser.parse_args()
    if args.browser:
        print("median / p95 in ms from pressing E on the Screening page to the next record on screen")
        for size in args.sizes:
            r = bench_browser(size, args.decisions)
            print(f"{r['records']:>6} records: {r['median_ms']} / {r['p95_ms']}", flush=True)
        return
    print("median / p95 in ms from a decision to: the next record id | that record drawn | the whole page run")
    for size in args.sizes:
        r = bench(size, args.decisions)
        print(
            f"{r['records']:>6} records ({r['left_to_decide']} left to decide after): {r['next_median_ms']} / {r['next_p95_ms']} | "
            f"{r['drawn_median_ms']} / {r['drawn_p95_ms']} | {r['page_median_ms']} / {r['page_p95_ms']} "
            f"(stopping rule in the background {r['stopping_median_ms']}; ranker ready in {r['ranker_start_s']} s, last background refit {r['last_refit_s']} s)",
            flush=True,
        )


if __name__ == "__main__":
    main()
