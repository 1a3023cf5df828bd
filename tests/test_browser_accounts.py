"""Team mode end to end in headless Chromium, against one `review app` server for the whole module.

The server is started through the real command line on loopback with accounts
beside the project (so everyone signs in): carl (lead), astrid and ben
(reviewers), olga (observer), and two accounts only the password tests use.
The project is the template protocol's blind two-reviewer title/abstract
stage over twelve test records, ranked by TF-IDF only (no embedding model to
load). Its `.streamlit/secrets.toml` configures single sign-on with an
identity provider that cannot be reached (nothing listens at its address),
so the sign-in page's `st.login` path runs as far as this machine allows.
That `--address 0.0.0.0` refuses without a lead is tested in
`tests/test_app_cli.py` through the same command.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from review.accounts import Accounts
from review.core import Review
from review.store import open_project
from tests.test_browser import (
    chromium_sessions,
    free_port,
    open_page,
    serving,
    settle,
    wait,
)
from tests.test_browser import pytestmark as browser_marks

try:
    from selenium import webdriver
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as EC
except ImportError:
    webdriver = None

pytestmark = browser_marks
REPO = Path(__file__).resolve().parents[1]
RECORDS = REPO / "tests" / "data" / "screening" / "records.ris"
PASSWORD = "correct horse battery"
ACCOUNTS = [("carl", "lead"), ("astrid", "reviewer"), ("ben", "reviewer"), ("olga", "observer"),
            ("wrong", "reviewer"), ("locked", "reviewer")]  # fmt: skip


def unreachable_identity_provider(root: Path) -> None:
    """Configure st.login in the server's working directory with a provider at a closed local port."""
    (root / ".streamlit").mkdir()
    (root / ".streamlit" / "secrets.toml").write_text(
        "# synthetic test configuration: no identity provider listens at this address\n"
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{free_port()}/oauth2callback"\n'
        f'cookie_secret = "{"s" * 40}"\n'
        "[auth.institution]\n"
        'client_id = "review-tests"\n'
        'client_secret = "not a secret"\n'
        f'server_metadata_url = "http://127.0.0.1:{free_port()}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )


def build_team_project(root: Path) -> Path:
    protocol = (REPO / "protocols" / "template.yaml").read_text(encoding="utf-8")
    protocol = protocol.replace("use_embeddings: true", "use_embeddings: false")
    with Review.create(root / "team-review", protocol_yaml=protocol, source="template, no embeddings") as review:
        review.import_files([RECORDS], source="Test")
    with Accounts.open(root, create=True) as accounts:
        for name, role in ACCOUNTS:
            accounts.add(name, PASSWORD, role, display_name=name.title())
    return root / "team-review"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("team")
    project = build_team_project(root)
    unreachable_identity_provider(root)
    port = free_port()
    log = (root / "streamlit.log").open("w")
    environment = {**os.environ, "STREAMLIT_SERVER_HEADLESS": "true", "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [sys.executable, "-m", "review", "app", str(project), "--port", str(port)],
        cwd=root, env=environment, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    with serving(process, port, log) as url:
        yield url, project


@pytest.fixture
def browsers(tmp_path):
    yield from chromium_sessions(tmp_path)


def body(driver) -> str:
    return driver.find_element(By.TAG_NAME, "body").text


def try_sign_in(driver, url: str, name: str, password: str) -> None:
    """Fill in the sign-in form and submit it (the page must be showing it)."""
    if driver.current_url.rstrip("/") != url:
        driver.get(url)
    settle(driver)
    user = wait(driver).until(EC.element_to_be_clickable((By.CSS_SELECTOR, "input[aria-label='User name']")))
    fill(user, name)
    fill(driver.find_element(By.CSS_SELECTOR, "input[aria-label='Password']"), password)
    driver.find_element(By.XPATH, "//button[.//p[normalize-space()='Sign in']]").click()
    time.sleep(0.5)
    settle(driver)


def fill(field, text: str) -> None:
    """Replace a field's text as a person would (Selenium's clear() bypasses React's state)."""
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(Keys.DELETE)
    field.send_keys(text)


def signed_in(start, url: str, name: str):
    driver = start()
    try_sign_in(driver, url, name, PASSWORD)
    wait(driver).until(lambda d: f"Signed in as {name.title()} ({name})" in body(d))
    return driver


def error_text(driver) -> str:
    return wait(driver).until(
        lambda d: " ".join(e.text for e in d.find_elements(By.CSS_SELECTOR, "[data-testid='stAlert']"))
    )


def audited(project: Path, action: str) -> list:
    with Accounts.open(project) as accounts:
        return [entry for entry in accounts.audit() if entry.subject == "locked" and entry.action == action]


def decisions(project: Path) -> list[tuple]:
    db = open_project(project)
    try:
        return db.execute(
            "SELECT reviewer, record_id, label FROM decisions WHERE kind = 'screen' ORDER BY event_id"
        ).fetchall()
    finally:
        db.close()


def test_wrong_password_is_refused(server, browsers):
    url, _ = server
    driver = browsers()
    try_sign_in(driver, url, "wrong", "not the password")
    wait(driver).until(lambda d: "wrong user name or password" in error_text(d))
    assert "Signed in as" not in body(driver)
    assert not driver.find_elements(By.XPATH, "//a[@data-testid='stSidebarNavLink']")  # no page but sign-in


def test_five_failures_lock_the_account(server, browsers):
    url, _ = server
    driver = browsers()
    for attempt in range(1, 6):
        try_sign_in(driver, url, "locked", "not the password")
        wait(driver).until(lambda d, n=attempt: len(audited(server[1], "sign-in-failed")) == n)
    assert audited(server[1], "locked-out")
    try_sign_in(driver, url, "locked", PASSWORD)
    wait(driver).until(lambda d: "locked after 5 failed sign-ins" in error_text(d))
    assert "Signed in as" not in body(driver)


def test_two_reviewers_screen_blind_and_their_conflict_appears_for_the_lead(server, browsers):
    url, project = server
    astrid, ben = signed_in(browsers, url, "astrid"), signed_in(browsers, url, "ben")
    open_page(astrid, "Screening")
    wait(astrid).until(EC.element_to_be_clickable((By.CSS_SELECTOR, ".st-key-decide_include button"))).click()
    wait(astrid).until(lambda d: decisions(project))
    [(who, disputed, _)] = decisions(project)
    assert who == "astrid"  # the signed-in user, not a typed name

    open_page(ben, "Screening")
    for _ in range(12):
        assert "astrid" not in body(ben).lower()  # blind: nothing of astrid's on ben's screen (nor her name)
        before = len(decisions(project))
        wait(ben).until(EC.element_to_be_clickable((By.CSS_SELECTOR, ".st-key-decide_exclude button"))).click()
        wait(ben).until(lambda d, n=before: len(decisions(project)) > n)
        settle(ben)
        if ("ben", disputed, "exclude") in decisions(project):
            break
    assert ("ben", disputed, "exclude") in decisions(project)
    for title in ("Project", "Screening", "Conflicts", "Coding", "PRISMA", "Insights", "Export"):
        open_page(ben, title)
        shown = body(ben)
        assert "astrid: include" not in shown and "astrid & ben" not in shown and "ben & astrid" not in shown

    carl = signed_in(browsers, url, "carl")
    open_page(carl, "Conflicts")
    carl.find_element(By.XPATH, "//button[normalize-space()='Reveal the labels to reconcile']").click()
    settle(carl)
    wait(carl).until(lambda d: "astrid: include" in body(d) and "ben: exclude" in body(d))
    assert carl.find_elements(By.CSS_SELECTOR, f".st-key-resolve_{disputed} button")


def test_a_reviewer_cannot_open_conflict_resolution_deduplication_or_project_creation(server, browsers):
    url, _ = server
    driver = signed_in(browsers, url, "astrid")
    open_page(driver, "Conflicts")
    assert "Only a lead resolves conflicts" in body(driver)
    assert not driver.find_elements(By.XPATH, "//button[normalize-space()='Reveal the labels to reconcile']")
    open_page(driver, "Import")
    assert "Only a lead imports records and applies or undoes deduplication" in body(driver)
    assert not driver.find_elements(By.XPATH, "//button[contains(., 'dedup') or contains(., 'Undo run')]")
    open_page(driver, "Project")
    assert "New project" not in body(driver) and "Project folder" not in body(driver)
    assert "Team" not in [a.text for a in driver.find_elements(By.XPATH, "//a[@data-testid='stSidebarNavLink']")]


def test_an_observer_cannot_decide(server, browsers):
    url, project = server
    driver = signed_in(browsers, url, "olga")
    open_page(driver, "Screening")
    assert "it does not screen" in body(driver)
    assert not driver.find_elements(By.CSS_SELECTOR, ".st-key-decide_include button")
    assert "olga" not in {row[0] for row in decisions(project)}


def test_single_sign_on_hands_over_to_streamlits_login(server, browsers):
    url, _ = server
    driver = browsers()
    driver.get(url)
    settle(driver)
    button = wait(driver).until(
        EC.element_to_be_clickable((By.XPATH, "//button[.//p[normalize-space()='Sign in with institution']]"))
    )
    button.click()
    wait(driver).until(lambda d: "/auth/login" in d.current_url)  # st.login accepted the configuration
    assert "provider=" in driver.current_url
