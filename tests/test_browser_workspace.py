"""In headless Chromium: the keyboard through reasons and notes, a reload keeping its record, the undo guard,
and two coders whose differing codes are reconciled.

One small server for the module: the template protocol over the 12 screening
test records, records 1-8 included at title/abstract by two reviewers (so
they are full-text candidates), 1 and 2 also at full text (two studies to
code). Each test works as its own reviewer, so they do not meet.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from review.coding.codes import coded_table
from review.core import Review
from review.store import open_project
from tests import test_browser as base
from tests.test_browser import (
    REPO,
    app_server,
    full_text_screening,
    open_page,
    settle,
    shown_record,
    sign_in,
    wait,
)

pytestmark = base.pytestmark
browsers = base.browsers

try:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as EC
except ImportError:  # skipped by pytestmark
    pass

RECORDS = REPO / "tests" / "data" / "screening" / "records.ris"
TEMPLATE = REPO / "protocols" / "template.yaml"


def build(folder: Path) -> Path:
    with Review.create(folder, TEMPLATE) as review:
        review.import_files([RECORDS], source="Test (synthetic records)")
        for record_id in range(1, 9):
            for reviewer in ("Anna", "Ben"):
                review.decide(record_id, "ta", reviewer, "include")
        for record_id in (1, 2):
            review.decide(record_id, "ft", "Setup", "include")
        review.rank("ta")
        review.rank("ft")
    return folder


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    work = tmp_path_factory.mktemp("workspace")
    project = build(work / "project")
    with app_server(project, work / "streamlit.log") as url:
        yield url, project


def last_decision(project: Path, reviewer: str) -> tuple:
    db = open_project(project)
    try:
        return db.execute(
            "SELECT record_id, stage, kind, label, reason, note FROM decisions WHERE reviewer = ? "
            "ORDER BY event_id DESC LIMIT 1",
            [reviewer],
        ).fetchone()
    finally:
        db.close()


def record_number(caption: str) -> int:
    return int(caption.split()[1])


def keys(driver, text: str) -> None:
    """Type on the page once the page's key listener is in place."""
    wait(driver).until(lambda d: d.execute_script("return Boolean(document.__reviewKeys)"))
    ActionChains(driver).send_keys(text).perform()


def chosen_reason(driver) -> int:
    return driver.execute_script(
        "return [...document.querySelectorAll('.st-key-reason input[type=radio]')].findIndex(i => i.checked);"
    )


def next_record(driver, before: str) -> str:
    wait(driver).until(lambda d: shown_record(d) != before)
    settle(driver)
    return shown_record(driver)


def test_keyboard_only_full_text_exclusion_with_a_reason_and_notes_that_give_the_keys_back(server, browsers):
    url, project = server
    driver = browsers()
    sign_in(driver, url, "Keys")
    record = full_text_screening(driver)
    keys(driver, "3")  # the third reason, by number
    wait(driver).until(lambda d: chosen_reason(d) == 2)
    settle(driver)
    keys(driver, "e")
    shown = next_record(driver, record)
    assert last_decision(project, "Keys") == (record_number(record), "ft", "screen", "exclude", "wrong-design", None)
    assert chosen_reason(driver) == -1  # the reason stayed with its record

    note = driver.find_element(By.CSS_SELECTOR, "input[aria-label='Note']")
    note.click()
    note.send_keys("looks relevant", Keys.ENTER)
    settle(driver)
    keys(driver, "i")  # after Enter the keys work on the page again
    after_enter = next_record(driver, shown)
    assert last_decision(project, "Keys")[3:] == ("include", None, "looks relevant")

    note = driver.find_element(By.CSS_SELECTOR, "input[aria-label='Note']")
    assert note.get_attribute("value") == ""
    note.click()
    note.send_keys("unsure", Keys.ESCAPE)
    settle(driver)
    keys(driver, "m")
    after_escape = next_record(driver, after_enter)
    assert last_decision(project, "Keys")[3:] == ("maybe", None, "unsure")

    driver.find_element(By.XPATH, "//div[contains(@class, 'st-key-reason')]//label[contains(., 'No relevant')]").click()
    wait(driver).until(lambda d: chosen_reason(d) == 1)  # chosen with the mouse ...
    settle(driver)
    keys(driver, "e")  # ... and E still excludes instead of typing into a field
    next_record(driver, after_escape)
    assert last_decision(project, "Keys")[2:5] == ("screen", "exclude", "wrong-outcome")


def test_a_reload_finds_the_same_record_again(server, browsers):
    url, _ = server
    driver = browsers()
    sign_in(driver, url, "Reloader")
    before = full_text_screening(driver)
    driver.refresh()
    settle(driver)
    name = wait(driver).until(EC.element_to_be_clickable((By.CSS_SELECTOR, "input[aria-label='Your name']")))
    if not name.get_attribute("value"):
        name.send_keys("Reloader\n")
        settle(driver)
    assert full_text_screening(driver) == before
    assert "Nothing left for you" not in driver.find_element(By.TAG_NAME, "body").text


def test_undo_refuses_a_resolved_record_names_the_one_it_undoes_and_stops_at_this_session(server, browsers):
    url, project = server
    with Review.open(project) as review:
        review.decide(12, "ta", "Undoer", "exclude")  # an earlier session's decision
    driver = browsers()
    sign_in(driver, url, "Undoer")
    open_page(driver, "Screening")
    driver.find_element(By.TAG_NAME, "h1").click()
    first = shown_record(driver)
    keys(driver, "i")
    second = next_record(driver, first)
    keys(driver, "i")
    next_record(driver, second)
    with Review.open(project) as review:
        review.decide(record_number(second), "ta", "Ben", "exclude")
        review.resolve(record_number(second), "ta", "Carla", "include")

    def alert(text: str) -> None:
        wait(driver).until(lambda d: text in d.find_element(By.TAG_NAME, "body").text)
        settle(driver)

    keys(driver, "u")
    alert(f"Record {record_number(second)} cannot be undone: its conflict has been resolved")
    keys(driver, "u")
    alert(f"Undid your decision on record {record_number(first)}")
    assert shown_record(driver) == first
    keys(driver, "u")
    alert("Nothing to undo")
    assert last_decision(project, "Undoer")[:4] == (record_number(first), "ta", "undo", None)
    with Review.open(project) as review:
        assert review.state("ta").records[12].labels == {"Undoer": "exclude"}
        assert review.state("ta").finals[record_number(second)] == "include"


def choose(driver, key: str, option: str) -> None:
    """Pick `option` in the selectbox with widget key `key`."""
    wait(driver).until(EC.element_to_be_clickable((By.CSS_SELECTOR, f".st-key-{key} input[role=combobox]"))).click()
    xpath = f"//*[@role='option'][normalize-space()='{option}']"
    wait(driver).until(EC.element_to_be_clickable((By.XPATH, xpath))).click()
    settle(driver)


def click(driver, key: str) -> None:
    wait(driver).until(EC.element_to_be_clickable((By.CSS_SELECTOR, f".st-key-{key} button"))).click()
    settle(driver)


def rename(driver, name: str) -> None:
    field = driver.find_element(By.CSS_SELECTOR, "input[aria-label='Your name']")
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(name, Keys.ENTER)
    settle(driver)


def test_two_coders_code_a_study_differently_and_a_lead_reconciles_it(server, browsers):
    url, project = server
    driver = browsers()
    sign_in(driver, url, "Coder A")
    open_page(driver, "Coding")
    choose(driver, "code_record-1_country", "Denmark")
    click(driver, "save_codes")
    wait(driver).until(lambda d: "Saved 1 codes for record-1 as Coder A." in d.find_element(By.TAG_NAME, "body").text)
    rename(driver, "Coder B")
    choose(driver, "code_record-1_country", "Norway")
    click(driver, "save_codes")
    wait(driver).until(lambda d: "Saved 1 codes for record-1 as Coder B." in d.find_element(By.TAG_NAME, "body").text)
    with Review.open(project) as review:
        header, rows = coded_table(review)
        assert dict(zip(header, rows[0]))["country"] == "[unreconciled] Coder A: Denmark | Coder B: Norway"

    rename(driver, "Lead")
    open_page(driver, "Conflicts")
    driver.find_element(By.XPATH, "//div[contains(@class, 'st-key-conflict_stage')]//button[.='Coding']").click()
    settle(driver)
    agreed = "//div[contains(@class, 'st-key-agreed_record-1_country')]//label[contains(., 'Norway')]"
    wait(driver).until(EC.element_to_be_clickable((By.XPATH, agreed))).click()
    settle(driver)
    click(driver, "reconcile_record-1_country")
    wait(driver).until(lambda d: "reconciled by Lead" in d.find_element(By.TAG_NAME, "body").text)
    with Review.open(project) as review:
        header, rows = coded_table(review)
        row = dict(zip(header, rows[0]))
    assert (row["country"], row["unreconciled"]) == ("Norway", "")
