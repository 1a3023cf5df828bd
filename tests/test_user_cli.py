"""`review user ...` through the real entry point: passwords from stdin or a prompt, never an argument."""

from __future__ import annotations

import json
import subprocess
import sys

from review.accounts import Accounts

PASSWORD = "correct horse battery"


def test_add_list_role_remove(tmp_path, cli):
    assert (
        cli("user", "add", tmp_path, "Carl", "--role", "lead", "--password-stdin", input=PASSWORD + "\n").exit_code == 0
    )
    result = cli(
        "user", "add", tmp_path, "anna", "--display-name", "Anna Berg", "--password-stdin", input=PASSWORD + "\n"
    )
    assert result.exit_code == 0, result.output
    listed = json.loads(cli("user", "list", tmp_path, "--json").output)
    assert [(u["name"], u["role"], u["display_name"]) for u in listed] == [
        ("anna", "reviewer", "Anna Berg"),
        ("carl", "lead", "carl"),
    ]
    assert cli("user", "role", tmp_path, "ANNA", "observer").exit_code == 0
    assert cli("user", "remove", tmp_path, "anna").exit_code == 0
    with Accounts.open(tmp_path) as accounts:
        assert [u.name for u in accounts.users()] == ["carl"]
        assert accounts.sign_in("carl", PASSWORD)


def test_password_prompt_asks_twice(tmp_path, cli):
    result = cli("user", "add", tmp_path, "carl", "--role", "lead", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    result = cli("user", "passwd", tmp_path, "carl", input="another long one\nanother long one\n")
    assert result.exit_code == 0
    with Accounts.open(tmp_path) as accounts:
        assert accounts.sign_in("carl", "another long one")


def test_there_is_no_password_option(cli, tmp_path):
    result = cli("user", "add", tmp_path, "carl", "--password", PASSWORD)
    assert result.exit_code != 0
    assert "No such option" in result.output


def test_a_project_folder_finds_the_accounts_above_it(review, cli):
    result = cli("user", "add", review.folder, "carl", "--role", "lead", "--password-stdin", input=PASSWORD + "\n")
    assert str(review.folder.parent) in result.output
    assert (review.folder.parent / "accounts.db").is_file()


def test_errors_are_one_line(tmp_path):
    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "review", *args], input=stdin, capture_output=True, text=True)

    bad = run("user", "add", str(tmp_path), "anna berg", "--password-stdin", stdin=PASSWORD + "\n")
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1 and "user name has 1-64 characters" in bad.stderr
    missing = run("user", "list", str(tmp_path))
    assert missing.returncode == 1 and "no accounts at" in missing.stderr and "Traceback" not in missing.stderr
    run("user", "add", str(tmp_path), "carl", "--role", "lead", "--password-stdin", stdin=PASSWORD + "\n")
    last = run("user", "remove", str(tmp_path), "carl")
    assert last.returncode == 1 and "only lead" in last.stderr
