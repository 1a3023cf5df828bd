"""Screenshots of every page of the workspace in headless Chromium, for the README (docs/screenshots/).

The project is the demo's as it stood after title/abstract screening (as in
tests/test_browser.py): the seed protocol, the six synthetic corpus exports,
deduplication, the title/abstract decisions; then every full-text candidate
gets a generated PDF (its first line says it is synthetic), so the Screening and
Full texts pages show one. Every page is opened by its menu entry as reviewer
"Anna" and saved as `<page>.png`; `--language da` adds `-da` to the names.

    python bench/screenshots.py [--out docs/screenshots] [--language en|da]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the browser helpers live with the end-to-end tests

from fpdf import FPDF  # noqa: E402

from review.core import Review  # noqa: E402
from review.webapp.i18n import catalogue  # noqa: E402
from review.webapp.state import PAGES  # noqa: E402
from tests.test_browser import (  # noqa: E402
    CHROMEDRIVER,
    CHROMIUM,
    CHROMIUM_FLAGS,
    after_title_abstract_screening,
    free_port,
    settle,
    wait,
    wait_until_serving,
)
from tests.test_browser_pages import IN_VIEWER  # noqa: E402


def synthetic_pdf(path: Path, title: str) -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(
        0, 7, "Synthetic full text generated for the screenshots (not a real report).", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font("Helvetica", "B", size=15)
    pdf.multi_cell(0, 9, title.encode("latin-1", "replace").decode("latin-1"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    for _ in range(6):
        pdf.multi_cell(
            0,
            7,
            "Method, setting and findings of the collaboration would be described here. " * 3,
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.output(str(path))


def build(folder: Path, work: Path) -> Path:
    project = after_title_abstract_screening(folder, work)
    with Review.open(project) as review:
        pdfs = work / "pdfs"
        pdfs.mkdir()
        for record_id in review.state("ft").candidates:
            synthetic_pdf(pdfs / f"{record_id}.pdf", review.record(record_id).title or "")
        review.attach(pdfs)
    return project


def serve(project: Path, port: int, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(REPO / "app.py"), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none", "--client.toolbarMode", "viewer", "--", "--project", str(project)],
        cwd=REPO, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip


def shoot(url: str, out: Path, language: str) -> list[Path]:
    from selenium import webdriver
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*CHROMIUM_FLAGS, "--window-size=1400,1100"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=CHROMEDRIVER))
    saved = []
    try:
        driver.get(url)
        settle(driver)
        name = wait(driver).until(EC.element_to_be_clickable((By.CSS_SELECTOR, "input[aria-label='Your name']")))
        name.send_keys("Anna\n")
        settle(driver)
        if language != "en":
            pick_language(driver, language)
        for file, _, _ in PAGES:
            title = catalogue()[f"menu.{Path(file).stem}"][language]
            link = f"//a[@data-testid='stSidebarNavLink'][.//span[normalize-space()='{title}']]"
            wait(driver).until(EC.element_to_be_clickable((By.XPATH, link))).click()
            settle(driver)
            if file == "screening.py":  # the full-text stage, whatever the language: the stage switch's second button
                stages = wait(driver).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".st-key-stage button"))
                stages[1].click()
                settle(driver)
            if file in ("screening.py", "fulltexts.py"):
                wait(driver, 30).until(lambda d: d.execute_script(IN_VIEWER, ".react-pdf__Page canvas"))
                if file == "fulltexts.py":  # the viewer sits below the reports table
                    picker = driver.find_element(By.CSS_SELECTOR, ".st-key-fulltexts_record")
                    driver.execute_script("arguments[0].scrollIntoView({block: 'start'});", picker)
            time.sleep(2)  # charts and the PDF viewer draw after the script has finished
            path = out / f"{Path(file).stem.removesuffix('_page')}{'' if language == 'en' else '-' + language}.png"
            driver.save_screenshot(str(path))
            saved.append(path)
    finally:
        driver.quit()
    return saved


def pick_language(driver, language: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    box = driver.find_element(By.CSS_SELECTOR, ".st-key-ui_language input")
    box.click()
    box.send_keys("Dansk" if language == "da" else "English", Keys.ENTER)
    settle(driver)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--language", choices=["en", "da"], default="en")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        project = build(work / "project", work)
        port = free_port()
        server = serve(project, port, work / "streamlit.log")
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until_serving(url, server)
            for path in shoot(url, args.out, args.language):
                print(path.relative_to(REPO) if path.is_relative_to(REPO) else path)
        finally:
            server.terminate()
            server.wait(timeout=20)


if __name__ == "__main__":
    main()
