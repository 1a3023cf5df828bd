"""End to end in headless Chromium: screen five records with the keyboard, see PRISMA move, screenshot every page.

The demo project is fully screened, so the test builds the demo's project as
it stood after title/abstract screening: the same protocol, the six corpus
exports, deduplication and only the title/abstract decisions of
`corpus/decisions.csv`. Its 180 full-text candidates are then undecided; the
full-text stage has one reviewer per record, so five keyboard inclusions
move PRISMA's 'reports assessed' and 'studies included' by five each.
"""

from __future__ import annotations

import csv
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import pytest

from review.core import Review
from review.demo import CORPUS, PROTOCOL
from review.store import open_project

REPO = Path(__file__).resolve().parents[1]
SCREENSHOTS = REPO / "exports" / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,1000",
)

try:
    from selenium import webdriver
    from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:  # the `test` extra installs it
    webdriver = None

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(webdriver is None, reason="selenium is not installed (pip install -e '.[test]')"),
    pytest.mark.skipif(
        CHROMIUM is None or CHROMEDRIVER is None,
        reason="chromium and chromedriver are not installed (apt-get install chromium chromium-driver)",
    ),
]


def after_title_abstract_screening(folder: Path, work: Path) -> Path:
    """The demo project before full-text screening (see the module docstring)."""
    with (
        (CORPUS / "decisions.csv").open(encoding="utf-8") as source,
        (work / "ta-decisions.csv").open("w", encoding="utf-8", newline="") as target,
    ):
        reader = csv.DictReader(source)
        writer = csv.DictWriter(target, reader.fieldnames)
        writer.writeheader()
        writer.writerows(row for row in reader if row["stage"] == "ta")
    with Review.create(folder, PROTOCOL) as review, (CORPUS / "databases.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            review.import_files([CORPUS / row["file"]], source=row["source"])
        review.apply_dedupe(review.find_duplicates())
        review.import_decisions(work / "ta-decisions.csv")
    return folder


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_serving(url: str, server: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"streamlit did not answer at {url} within {seconds} s")


@pytest.fixture
def served(tmp_path):
    project = after_title_abstract_screening(tmp_path / "project", tmp_path)
    with app_server(project, tmp_path / "streamlit.log") as url:
        yield url, project


@pytest.fixture
def browsers(tmp_path):
    """Start headless Chromium sessions, each with a fresh profile; all are closed afterwards."""
    yield from chromium_sessions(tmp_path)


def chromium_sessions(profiles: Path) -> Iterator[Callable[[], webdriver.Chrome]]:
    """A starter of headless Chromium sessions, each with a fresh profile under `profiles`; all quit afterwards."""
    drivers = []

    def start():
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in CHROMIUM_FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={profiles / f'chromium-profile-{len(drivers)}'}")
        drivers.append(webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=CHROMEDRIVER)))
        return drivers[-1]

    try:
        yield start
    finally:
        for driver in drivers:
            driver.quit()


@contextmanager
def app_server(project: Path, log_path: Path) -> Iterator[str]:
    """`project` served by the repository's `app.py` (headless, on a free loopback port); yields its URL."""
    port = free_port()
    log = log_path.open("w")
    command = [sys.executable, "-m", "streamlit", "run", str(REPO / "app.py"), "--server.headless", "true",
               "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
               "--server.fileWatcherType", "none", "--client.toolbarMode", "viewer", "--", "--project", str(project)]  # fmt: skip
    server = subprocess.Popen(command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    with serving(server, port, log) as url:
        yield url


@contextmanager
def serving(server: subprocess.Popen, port: int, log: IO) -> Iterator[str]:
    """The started app server's URL once it answers; the server is stopped and its log closed afterwards."""
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_serving(url, server)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def wait(driver, seconds: float = 60) -> WebDriverWait:
    """A wait that retries when Streamlit redraws an element while it is being read."""
    return WebDriverWait(driver, seconds, ignored_exceptions=(StaleElementReferenceException,))


def open_page(driver, title: str) -> None:
    """Click the page in the sidebar menu until its title is drawn, then wait for the script to finish.

    A click can be swallowed by the rerun a text field starts when it loses focus, or by a polling
    fragment's run, hence the retries.
    """
    link = f"//a[@data-testid='stSidebarNavLink'][.//span[normalize-space()='{title}']]"
    for _ in range(6):
        wait(driver).until(EC.element_to_be_clickable((By.XPATH, link))).click()
        try:
            wait(driver, 15).until(lambda d: any(title in h1.text for h1 in d.find_elements(By.CSS_SELECTOR, "h1")))
            break
        except TimeoutException:
            continue
    else:
        raise TimeoutException(f"the {title} page did not open after six clicks")
    settle(driver)


RUNNING = "//*[@data-testid='stStatusWidgetRunningIcon' or @data-testid='stStatusWidgetRunningManIcon'] | //button[normalize-space()='Stop']"


def settle(driver) -> None:
    """Wait until a page title is drawn and the script run has finished."""
    time.sleep(0.3)
    wait(driver).until(lambda d: d.find_elements(By.CSS_SELECTOR, "h1"))
    wait(driver).until(lambda d: not d.find_elements(By.XPATH, RUNNING))
    time.sleep(0.3)


def metric(driver, label: str) -> int:
    value = wait(driver).until(
        lambda d: (
            d.find_element(
                By.XPATH,
                f"//div[@data-testid='stMetric'][.//*[normalize-space()='{label}']]//*[@data-testid='stMetricValue']",
            ).text
        )
    )
    return int(value.replace(",", ""))


def shown_record(driver) -> str:
    caption = wait(driver).until(lambda d: d.find_element(By.XPATH, "//*[contains(text(), 'model rank')]").text)
    return caption.split("·")[0].strip()


def press(driver, key: str, before: str) -> str:
    """Press a key outside any text field and wait for another record to be shown."""
    ActionChains(driver).send_keys(key).perform()
    wait(driver).until(lambda d: shown_record(d) != before)
    return shown_record(driver)


def sign_in(driver, url: str, reviewer: str) -> None:
    driver.get(url)
    settle(driver)
    name = wait(driver).until(EC.element_to_be_clickable((By.CSS_SELECTOR, "input[aria-label='Your name']")))
    name.send_keys(f"{reviewer}\n")
    settle(driver)


def full_text_screening(driver) -> str:
    """Open the Screening page at the full-text stage; returns the caption naming the record shown."""
    open_page(driver, "Screening")
    driver.find_element(By.XPATH, "//button[normalize-space()='Full text']").click()
    settle(driver)
    driver.find_element(By.TAG_NAME, "h1").click()  # focus outside any field
    return shown_record(driver)


def decisions_of(project: Path) -> list[tuple]:
    db = open_project(project)
    try:
        return db.execute(
            "SELECT reviewer, stage, kind, label, record_id FROM decisions WHERE reviewer LIKE 'Tester%' "
            "ORDER BY event_id"
        ).fetchall()
    finally:
        db.close()


def test_screen_five_records_with_the_keyboard_and_prisma_moves_by_five(served, browsers):
    url, project = served
    driver = browsers()
    sign_in(driver, url, "Tester")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SCREENSHOTS / "project.png"))

    open_page(driver, "PRISMA")
    before = {label: metric(driver, label) for label in ("Reports assessed", "Studies included", "Records excluded")}

    record = full_text_screening(driver)
    settle(driver)
    driver.save_screenshot(str(SCREENSHOTS / "screening.png"))
    decided = []
    for _ in range(5):
        decided.append(record)
        record = press(driver, "i", record)
    undone = decided[-1]
    ActionChains(driver).send_keys("u").perform()  # undo the fifth decision: that record comes back
    wait(driver).until(lambda d: shown_record(d) == undone)
    record = press(driver, "i", undone)
    note = driver.find_element(By.CSS_SELECTOR, "input[aria-label='Note']")
    note.send_keys("imeu")  # typed into a field: no shortcut fires
    time.sleep(1.5)
    assert shown_record(driver) == record and note.get_attribute("value") == "imeu"

    open_page(driver, "PRISMA")
    after = {label: metric(driver, label) for label in before}
    assert after["Reports assessed"] == before["Reports assessed"] + 5
    assert after["Studies included"] == before["Studies included"] + 5
    assert after["Records excluded"] == before["Records excluded"]
    driver.save_screenshot(str(SCREENSHOTS / "prisma.png"))

    rows = [row[:4] for row in decisions_of(project)]
    assert rows == [("Tester", "ft", "screen", "include")] * 5 + [
        ("Tester", "ft", "undo", None),
        ("Tester", "ft", "screen", "include"),
    ]

    for title in ("Import", "Conflicts", "Coding", "Insights", "Export"):
        open_page(driver, title)
        if title == "Insights":  # the recall curve is drawn after the script has finished
            wait(driver).until(lambda d: d.find_elements(By.CSS_SELECTOR, "[data-testid='stVegaLiteChart'] svg.marks"))
            time.sleep(1)
        driver.save_screenshot(str(SCREENSHOTS / f"{title.lower()}.png"))


def test_two_sessions_at_once_never_get_the_same_record_and_lose_no_decision(served, browsers):
    url, project = served
    first, second = browsers(), browsers()
    sign_in(first, url, "Tester A")
    sign_in(second, url, "Tester B")
    shown = {"A": [full_text_screening(first)], "B": [full_text_screening(second)]}
    for _ in range(3):
        for driver, who in ((first, "A"), (second, "B")):
            assert shown["A"][-1] != shown["B"][-1]  # single screening: never the same record at once
            shown[who].append(press(driver, "i", shown[who][-1]))
    rows = decisions_of(project)
    assert len(rows) == 6 and len({row[4] for row in rows}) == 6
    assert {row[0] for row in rows} == {"Tester A", "Tester B"}
