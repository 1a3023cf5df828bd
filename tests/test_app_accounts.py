"""The app in team mode (AppTest): sign-in first, the signed-in user is the reviewer, pages check the role.

Single-user mode (no accounts) keeps the name box and remembers the name in the project.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from review.accounts import Accounts
from review.core import Review
from review.errors import ReviewError
from review.webapp import sso
from tests.apptest import REPO, page

PASSWORD = "correct horse battery"
RECORDS = REPO / "tests" / "data" / "screening" / "records.ris"


@pytest.fixture
def team(review):
    """A project whose folder above holds accounts: carl (lead), anna and ben (reviewers), olga (observer)."""
    review.import_files([RECORDS], source="Test")
    review.decide(3, "ta", "anna", "include")
    review.decide(3, "ta", "ben", "exclude")  # a conflict in the open blind stage
    with Accounts.open(review.folder, create=True) as accounts:
        for name, role in [("carl", "lead"), ("anna", "reviewer"), ("ben", "reviewer"), ("olga", "observer")]:
            accounts.add(name, PASSWORD, role, display_name=f"**{name.title()}**")
    return review.folder


def token(folder, name: str) -> str:
    with Accounts.open(folder) as accounts:
        return accounts.sign_in(name, PASSWORD)


def as_user(folder, page_name: str, name: str) -> AppTest:
    return page(folder, page_name, reviewer="", session_token=token(folder, name))


def texts(at: AppTest) -> str:
    return " ".join(
        str(element.value) for kind in ("title", "info", "warning", "error", "text", "markdown", "caption")
        for element in at.get(kind)
    )  # fmt: skip


def sign_in_form(folder) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.session_state["project_dir"] = str(folder)
    return at.run()


def test_nothing_but_the_sign_in_page_before_signing_in(team):
    at = sign_in_form(team)
    assert [title.value for title in at.title] == ["Sign in"]
    assert "Your name" not in [box.label for box in at.text_input]
    with Review.open(team) as review:
        assert review.log_version() == 2


def test_wrong_password_is_refused_and_the_right_one_signs_in(team):
    at = sign_in_form(team)
    at.text_input(key="login_name").input("Anna")
    at.text_input(key="login_password").input("not the password")
    at.button[0].click().run()
    assert [error.value for error in at.error] == ["wrong user name or password"]
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click().run()
    assert not at.error
    assert "Signed in as **Anna** (anna), reviewer" in [text.value for text in at.sidebar.text]
    assert "Your name" not in [box.label for box in at.text_input]


def test_the_signed_in_user_is_the_reviewer_of_every_decision(team):
    at = as_user(team, "screening", "anna")
    assert not at.exception
    at.button(key="decide_include").click().run()
    with Review.open(team) as review:
        [row] = review.db.execute("SELECT reviewer FROM decisions WHERE event_id > 2").fetchall()
    assert row == ("anna",)


def test_a_reviewer_sees_neither_conflicts_nor_import_nor_the_team_page(team):
    conflicts = as_user(team, "conflicts", "anna")
    assert "Only a lead resolves conflicts" in texts(conflicts) and not conflicts.main.button
    imports = as_user(team, "import_page", "anna")
    assert "Only a lead imports records" in texts(imports)
    assert not [b for b in imports.button if "dedupe" in (b.key or "") or "Apply" in b.label]
    exports = as_user(team, "export", "anna")
    keys = {button.key for button in exports.get("download_button")}
    assert "export_records_csv" in keys and not {k for k in keys if "decisions" in k or "_all_" in k}


def test_an_observer_cannot_decide(team):
    at = as_user(team, "screening", "olga")
    assert "does not screen" in texts(at)
    assert not [b for b in at.button if (b.key or "").startswith("decide_")]


def test_a_lead_unblinds_resolves_and_reads_the_audit(team):
    at = as_user(team, "conflicts", "carl")
    at.button(key="unblind_conflicts").click().run()
    assert "1 open conflicts" in texts(at)
    assert {"anna: include", "ben: exclude"} <= {caption.value for caption in at.caption}
    assert [b.key for b in at.main.button if b.key.startswith("resolve_")] == ["resolve_3"]
    team_page = as_user(team, "team", "carl")
    assert not team_page.exception
    frames = [frame.value for frame in team_page.dataframe]
    assert "sign-in" in set(frames[0]["what"]) and "unblind" in set(frames[1]["what"])
    assert "Team" not in [title.value for title in as_user(team, "team", "anna").title]  # not in a reviewer's menu


def test_an_idle_session_is_signed_out(team, monkeypatch):
    at = as_user(team, "prisma", "anna")
    assert "Sign in" not in [title.value for title in at.title]
    with Accounts.open(team) as accounts:
        accounts.db.execute("UPDATE sessions SET last_seen = last_seen - 7200")
        accounts.db.conn.commit()
    at.run()
    assert [title.value for title in at.title] == ["Sign in"]
    assert "signed out after a while" in texts(at)


def test_single_user_mode_has_the_browser_keep_the_reviewer_name(review):
    at = page(review.folder, "project", reviewer="")
    at.sidebar.text_input(key="reviewer").input("Anna Ø").run()
    [script] = [element.proto.body for element in at.get("html")]
    assert 'document.cookie = "review_reviewer=Anna%20%C3%98" + "; path=/; max-age=31536000' in script
    at.run()
    assert not at.get("html")  # written once, not on every run
    at.sidebar.text_input(key="reviewer").input("a" * 65).run()
    assert "at most 64 characters" in texts(at) and not at.get("html")


def test_single_sign_on_configuration_is_checked():
    config = {"redirect_uri": "https://review.example.org/oauth2callback", "cookie_secret": "x" * 32}
    provider = {"client_id": "id", "client_secret": "s", "server_metadata_url": "https://idp.example.org/.well-known"}
    assert sso.providers(None) == []
    assert sso.providers({**config, **provider}) == ["default"]
    assert sso.providers({**config, "uni": provider, "other": provider}) == ["other", "uni"]
    with pytest.raises(ReviewError, match="lacks cookie_secret"):
        sso.providers({"redirect_uri": config["redirect_uri"], "uni": provider})
    with pytest.raises(ReviewError, match=r"\[auth.uni\] in secrets.toml lacks client_secret"):
        sso.providers({**config, "uni": {"client_id": "id", "server_metadata_url": "u"}})
    with pytest.raises(ReviewError, match="may not contain '_'"):
        sso.providers({**config, "my_uni": provider})


def test_the_sign_in_page_offers_single_sign_on_when_configured(team):
    at = sso_app(team).run()
    assert [b.label for b in at.button if b.key == "sso_uni"] == ["Sign in with uni"]
    broken = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    broken.session_state["project_dir"] = str(team)
    broken.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback"}
    broken.run()
    assert "lacks cookie_secret" in texts(broken)


def sso_app(folder) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.session_state["project_dir"] = str(folder)
    at.secrets["auth"] = {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "a" * 32,
        "uni": {"client_id": "id", "client_secret": "s", "server_metadata_url": "https://idp.invalid/.well-known"},
    }
    return at


def test_an_identity_from_single_sign_on_signs_in_its_linked_account(team):
    with Accounts.open(team) as accounts:
        accounts.add("dora", None, "reviewer", display_name="Dora", sso_identity="dora@uni.example")
    at = sso_app(team)
    at.user = {"is_logged_in": True, "email": "Dora@uni.example", "name": "Dora D."}
    at.run()
    assert "Signed in as Dora (dora), reviewer" in [text.value for text in at.sidebar.text]
    stranger = sso_app(team)
    stranger.user = {"is_logged_in": True, "email": "eve@uni.example"}
    stranger.run()
    assert [title.value for title in stranger.title] == ["Sign in"]
    assert "no account on this server is linked to eve@uni.example" in texts(stranger)
    with Accounts.open(team) as accounts:
        assert "single sign-on" in [entry.detail for entry in accounts.audit() if entry.subject == "dora"]


def test_a_lead_changes_roles_on_the_team_page_and_keeps_a_lead(team):
    at = as_user(team, "team", "carl")
    at.selectbox(key="role_of_anna").set_value("observer").run()
    at.selectbox(key="role_of_carl").set_value("reviewer").run()
    assert "carl is the only lead" in texts(at)
    with Accounts.open(team) as accounts:
        assert {u.name: u.role.value for u in accounts.users()}["anna"] == "observer"
        [change] = [e for e in accounts.audit() if e.action == "role-changed"]
    assert (change.actor, change.subject, change.detail) == ("carl", "anna", "reviewer -> observer")
    screening = as_user(team, "screening", "anna")  # the new role applies at once
    assert "does not screen" in texts(screening)


def test_team_projects_come_from_the_projects_folder_and_only_a_lead_creates_one(team):
    reviewer = as_user(team, "project", "anna")
    assert not [box for box in reviewer.text_input if box.key == "new_team_folder"]
    lead = as_user(team, "project", "carl")
    lead.text_input(key="new_team_folder").input("../escape")
    lead.button[[b.label for b in lead.button].index("Create")].click().run()
    assert "a project name has only letters, digits and - _ ." in texts(lead)
    lead.text_input(key="new_team_folder").input("second-review")
    lead.button[[b.label for b in lead.button].index("Create")].click().run()
    assert (team.parent / "second-review" / "review.db").is_file()
    assert not (team.parent.parent / "escape").exists()
    assert lead.session_state["project_dir"] == str(team.parent / "second-review")
