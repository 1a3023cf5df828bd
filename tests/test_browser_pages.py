"""End to end in headless Chromium: the workspace pages a team needs besides screening.

One server for the module, over a small project: the screening fixture's
records, four of them included at title/abstract by both reviewers (so four
reports are sought at full text), records 1-3 with a PDF attached; the first
test uploads the fourth's.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fpdf import FPDF

from review.core import Review
from review.fulltext.studies import linked_studies
from tests.test_browser import (
    CHROMEDRIVER,
    CHROMIUM,
    CHROMIUM_FLAGS,
    REPO,
    app_server,
    open_page,
    settle,
    sign_in,
    wait,
)
from tests.test_browser import pytestmark as browser_marks

try:
    from selenium import webdriver
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as EC
except ImportError:  # the `test` extra installs it
    webdriver = None

pytestmark = browser_marks

RECORDS = REPO / "tests" / "data" / "screening" / "records.ris"
TEMPLATE = REPO / "protocols" / "template.yaml"
PDF_WORDS = "Integrated care for families with complex needs"


def pdf_file(path: Path, text: str) -> Path:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=14)
    pdf.multi_cell(0, 10, text)
    pdf.output(str(path))
    return path


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    work = tmp_path_factory.mktemp("workspace")
    protocol = TEMPLATE.read_text(encoding="utf-8").replace("use_embeddings: true", "use_embeddings: false")
    with Review.create(work / "project", protocol_yaml=protocol) as review:
        review.import_files([RECORDS], source="Test")
        for reviewer in ("Anna", "Ben"):
            for record_id in (1, 2, 3, 4):
                review.decide(record_id, "ta", reviewer, "include")
        (work / "pdfs").mkdir()
        for record_id in (1, 2, 3):
            pdf_file(work / "pdfs" / f"{record_id}.pdf", f"{PDF_WORDS}, report {record_id}")
        review.attach(work / "pdfs")
    with app_server(work / "project", work / "streamlit.log") as url:
        yield url, work


@pytest.fixture(scope="module")
def driver(served, tmp_path_factory):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    browser = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=CHROMEDRIVER))
    try:
        sign_in(browser, served[0], "Lead")
        yield browser
    finally:
        browser.quit()


def click(browser, xpath: str) -> None:
    """Click once the element is clickable; a rerun that redraws it first makes it stale, so look it up again."""
    for attempt in range(3):
        try:
            wait(browser).until(EC.element_to_be_clickable((By.XPATH, xpath))).click()
            break
        except StaleElementReferenceException:
            if attempt == 2:
                raise
    settle(browser)


IN_VIEWER = """
for (const host of document.querySelectorAll('*')) {
  const found = host.shadowRoot && host.shadowRoot.querySelector(arguments[0]);
  if (found) return found;
}
return null;"""
DARK_PIXELS = """const c = arguments[0], x = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
for (let i = 0; i < x.length; i += 4) if (x[i] < 128 && x[i + 3] > 0) return true;
return false;"""


def pdf_drawn(browser) -> bool:
    """Whether PDF.js painted a page of the PDF on a canvas: a page-sized canvas with dark (text) pixels.

    The viewer is a Streamlit component in a shadow root, so it is searched there.
    """
    canvas = wait(browser).until(lambda d: d.execute_script(IN_VIEWER, ".react-pdf__Page canvas"))
    wait(browser).until(lambda d: canvas.size["width"] > 100 and canvas.size["height"] > 100)
    return bool(wait(browser).until(lambda d: d.execute_script(DARK_PIXELS, canvas)))


def field(browser, label: str):
    return wait(browser).until(EC.element_to_be_clickable((By.CSS_SELECTOR, f"input[aria-label='{label}']")))


def test_a_pdf_uploaded_in_the_browser_is_matched_and_reports_are_linked_to_a_study(served, driver):
    url, work = served
    upload = pdf_file(work / "record-4.pdf", f"{PDF_WORDS}, report 4")
    open_page(driver, "Full texts")
    driver.find_element(By.CSS_SELECTOR, ".st-key-fulltexts_files input[type='file']").send_keys(str(upload))
    wait(driver).until(lambda d: "record-4.pdf" in d.find_element(By.CSS_SELECTOR, ".st-key-fulltexts_files").text)
    click(driver, "//button[normalize-space()='Attach']")
    wait(driver).until(lambda d: "record-4.pdf: attached to record 4." in d.page_source)

    field(driver, "Study name").send_keys("Hansen 2019")
    others = driver.find_element(By.CSS_SELECTOR, ".st-key-others_1 input")
    others.click()
    others.send_keys("record 2")
    option = "//*[@role='option'][contains(normalize-space(), 'record 2 on')]"
    wait(driver).until(EC.element_to_be_clickable((By.XPATH, option))).click()
    others.send_keys(Keys.ESCAPE, Keys.TAB)
    click(driver, "//button[normalize-space()='Link to the study']")
    wait(driver).until(lambda d: "2 report(s) linked to Hansen 2019." in d.page_source)
    with Review.open(work / "project") as review:
        assert linked_studies(review) == {"Hansen 2019": [1, 2]}
        assert (review.folder / "fulltexts" / "4.pdf").is_file()


def test_the_attached_pdf_is_drawn_on_the_screening_page_and_the_full_texts_page(driver):
    open_page(driver, "Screening")
    click(driver, "//button[normalize-space()='Full text']")
    settle(driver)
    assert pdf_drawn(driver)
    open_page(driver, "Full texts")
    assert pdf_drawn(driver)


def test_records_view_finds_a_record_and_its_decision_is_changed(served, driver):
    url, work = served
    open_page(driver, "Records")
    field(driver, "Search").send_keys("record 5", Keys.ENTER)
    wait(driver).until(
        lambda d: "1 record" in [c.text for c in d.find_elements(By.CSS_SELECTOR, "[data-testid='stCaptionContainer']")]
    )
    wait(driver).until(lambda d: "Screening test record 5" in d.find_element(By.TAG_NAME, "h4").text)
    click(driver, "//button[normalize-space()='Save the change']")
    wait(driver).until(lambda d: "Record 5: your decision is now include (added to the log)." in d.page_source)
    with Review.open(work / "project") as review:
        rows = review.db.execute("SELECT reviewer, stage, kind, label FROM decisions WHERE record_id = 5").fetchall()
    assert rows == [("Lead", "ta", "screen", "include")]


def test_a_lead_edits_the_protocol_in_the_browser(served, driver):
    url, work = served
    open_page(driver, "Protocol")
    question = wait(driver).until(
        EC.element_to_be_clickable((By.CSS_SELECTOR, "textarea[aria-label='Review question']"))
    )
    question.send_keys(Keys.CONTROL, "a")
    question.send_keys("Does integrated care help families with complex needs?")
    click(driver, "//button[normalize-space()='Save the protocol']")
    wait(driver).until(lambda d: "Protocol saved; changed: question." in d.page_source)
    with Review.open(work / "project") as review:
        assert review.protocol.question == "Does integrated care help families with complex needs?"
