"""Accounts of a team server: names, roles, passwords, lockout, idle sessions, the append-only audit log."""

from __future__ import annotations

import sqlite3

import pytest

from review.accounts import LOCKOUT_AFTER, Accounts, check_user_name, server_folder
from review.accounts.sessions import SignInError
from review.errors import ProjectError, ReviewError
from review.roles import Role

PASSWORD = "correct horse battery"


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def accounts(tmp_path, clock):
    with Accounts.open(tmp_path, create=True, clock=clock) as opened:
        opened.add("Carl", PASSWORD, "lead", display_name="Carl Holm")
        opened.add("anna", PASSWORD, Role.REVIEWER)
        yield opened


def actions(accounts: Accounts) -> list[tuple[str, str | None]]:
    return [(entry.action, entry.subject) for entry in reversed(accounts.audit())]


@pytest.mark.parametrize("name", ["anna", "Anna.B", "x-1_2", "a" * 64])
def test_valid_names_are_stored_in_lower_case(name):
    assert check_user_name(f" {name} ") == name.lower()


@pytest.mark.parametrize("name", ["", "a" * 65, "anna berg", "**anna**", "anna@example.org", "ænne", "a\nb"])
def test_invalid_names_are_refused_in_one_line(name):
    with pytest.raises(ReviewError, match="a user name has 1-64 characters") as caught:
        check_user_name(name)
    assert "\n" not in str(caught.value)


def test_names_are_case_insensitive(accounts):
    assert accounts.user("CARL").display_name == "Carl Holm"
    with pytest.raises(ReviewError, match="exists already"):
        accounts.add("ANNA", PASSWORD, "reviewer")


def test_passwords_are_argon2_hashes_never_the_password(accounts):
    [stored] = accounts.db.execute("SELECT password_hash FROM users WHERE name = 'anna'").fetchone()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_short_password_is_refused(accounts):
    with pytest.raises(ReviewError, match="at least 8 characters"):
        accounts.add("ben", "short", "reviewer")
    assert accounts.user("ben") is None


def test_right_password_signs_in_and_wrong_one_is_refused(accounts):
    token = accounts.sign_in("Anna", PASSWORD)
    assert accounts.session_user(token).name == "anna"
    with pytest.raises(SignInError, match="wrong user name or password"):
        accounts.sign_in("anna", PASSWORD + "!")
    with pytest.raises(SignInError, match="wrong user name or password"):
        accounts.sign_in("nobody", PASSWORD)
    assert actions(accounts)[-3:] == [("sign-in", "anna"), ("sign-in-failed", "anna"), ("sign-in-failed", "nobody")]


def test_five_failures_lock_the_account_for_fifteen_minutes(accounts, clock):
    for _ in range(LOCKOUT_AFTER):
        with pytest.raises(SignInError, match="wrong user name or password"):
            accounts.sign_in("anna", "not the password")
    with pytest.raises(SignInError, match="locked after 5 failed sign-ins"):
        accounts.sign_in("anna", PASSWORD)  # even the right password
    assert ("locked-out", "anna") in actions(accounts)
    clock.now += 14 * 60
    with pytest.raises(SignInError, match="locked"):
        accounts.sign_in("anna", PASSWORD)
    clock.now += 61
    assert accounts.session_user(accounts.sign_in("anna", PASSWORD)).name == "anna"
    accounts.sign_in("carl", PASSWORD)  # the lockout was anna's alone


def test_a_success_resets_the_count_of_failures(accounts):
    for _ in range(LOCKOUT_AFTER - 1):
        with pytest.raises(SignInError):
            accounts.sign_in("anna", "not the password")
    accounts.sign_in("anna", PASSWORD)
    with pytest.raises(SignInError, match="wrong user name"):
        accounts.sign_in("anna", "not the password")
    accounts.sign_in("anna", PASSWORD)


def test_sessions_expire_when_idle_and_use_keeps_them_alive(accounts, clock):
    token = accounts.sign_in("anna", PASSWORD)
    clock.now += 25 * 60
    assert accounts.session_user(token, idle_minutes=30) is not None
    clock.now += 25 * 60
    assert accounts.session_user(token, idle_minutes=30) is not None
    clock.now += 31 * 60
    assert accounts.session_user(token, idle_minutes=30) is None
    assert accounts.session_user(token, idle_minutes=300) is None  # gone for good


def test_sign_out_and_removal_end_sessions(accounts):
    first, second = accounts.sign_in("anna", PASSWORD), accounts.sign_in("anna", PASSWORD)
    accounts.sign_out(first)
    assert accounts.session_user(first) is None and accounts.session_user(second) is not None
    accounts.remove("anna")
    assert accounts.session_user(second) is None
    assert accounts.session_user("made-up token") is None


def test_the_database_holds_only_token_digests(accounts):
    token = accounts.sign_in("anna", PASSWORD)
    assert token not in str(accounts.db.execute("SELECT * FROM sessions").fetchall())


def test_roles_change_with_an_audit_entry_and_the_last_lead_stays(accounts):
    with pytest.raises(ReviewError, match="only lead"):
        accounts.set_role("carl", "reviewer")
    with pytest.raises(ReviewError, match="only lead"):
        accounts.remove("carl")
    accounts.set_role("anna", "lead")
    accounts.set_role("carl", "observer")
    assert {u.name: u.role for u in accounts.users()} == {"anna": Role.LEAD, "carl": Role.OBSERVER}
    changes = [e.detail for e in accounts.audit() if e.action == "role-changed"]
    assert changes == ["lead -> observer", "reviewer -> lead"]


def test_the_audit_log_is_append_only(accounts):
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        accounts.db.execute("DELETE FROM audit")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        accounts.db.execute("UPDATE audit SET actor = 'someone else'")


def test_single_sign_on_maps_an_identity_to_its_account(accounts):
    accounts.add("ben", None, "reviewer", sso_identity="Ben@Uni.example")
    assert accounts.session_user(accounts.sign_in_identity("ben@uni.example")).name == "ben"
    with pytest.raises(SignInError, match="wrong user name or password"):
        accounts.sign_in("ben", "any password at all")  # no local password
    with pytest.raises(SignInError, match="no account on this server is linked to eve@uni.example"):
        accounts.sign_in_identity("eve@uni.example")
    with pytest.raises(ReviewError, match="belongs to another account"):
        accounts.add("ben2", None, "reviewer", sso_identity="ben@uni.example")


def test_a_project_is_served_by_the_folder_above_it(tmp_path, review):
    assert server_folder(review.folder) == review.folder.parent
    assert server_folder(tmp_path) == tmp_path
    assert not Accounts.exist(review.folder)
    with Accounts.open(review.folder, create=True) as accounts:
        accounts.add("carl", PASSWORD, "lead")
    assert (review.folder.parent / "accounts.db").is_file() and Accounts.exist(review.folder)


def test_opening_missing_accounts_says_where(tmp_path):
    with pytest.raises(ProjectError, match="no accounts at"):
        Accounts.open(tmp_path)
    with pytest.raises(ProjectError, match="is not a folder"):
        Accounts.open(tmp_path / "nowhere")
