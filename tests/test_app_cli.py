"""`review app`: help text, the Streamlit command line it runs, and a clear error without a project."""

from __future__ import annotations

import subprocess
import sys

import pytest

from review.cli.app_cmds import APP_FILE, is_loopback, streamlit_command


def test_help_has_an_example(cli):
    result = cli("app", "--help")
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert "--address" in result.output


def test_command_serves_app_py_for_the_project_on_localhost_by_default(project, cli, monkeypatch):
    project_dir, _ = project
    calls = []
    monkeypatch.setattr("review.cli.app_cmds.os.execv", lambda path, args: calls.append(args))
    result = cli("app", project_dir, "--port", "8600")
    assert result.exit_code == 0
    assert calls == [streamlit_command(project_dir, 8600, "127.0.0.1")]
    args = calls[0]
    assert args[:5] == [sys.executable, "-m", "streamlit", "run", str(APP_FILE)]
    assert args[args.index("--server.address") + 1] == "127.0.0.1"
    assert args[-2:] == ["--project", str(project_dir.resolve())]


def test_missing_project_is_a_one_line_error(tmp_path, cli):
    result = cli("app", tmp_path / "nowhere")
    assert result.exit_code == 1
    assert "no project at" in result.output


def test_network_address_without_a_lead_refuses_in_one_line(project, tmp_path):
    project_dir, _ = project
    result = subprocess.run(
        [sys.executable, "-m", "review", "app", str(project_dir), "--address", "0.0.0.0"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert "needs accounts with at least one lead" in line and "review user add" in line


def test_network_address_with_a_lead_serves_the_projects_folder(project, cli, monkeypatch):
    project_dir, _ = project
    calls = []
    monkeypatch.setattr("review.cli.app_cmds.os.execv", lambda path, args: calls.append(args))
    cli("user", "add", project_dir, "ben", "--password-stdin", input="a long password\n")
    assert cli("app", project_dir, "--address", "0.0.0.0").exit_code == 1  # a reviewer is not enough
    cli("user", "add", project_dir, "carl", "--role", "lead", "--password-stdin", input="a long password\n")
    assert cli("app", project_dir, "--address", "0.0.0.0", "--idle-minutes", "20").exit_code == 0
    args = calls[0]
    assert args[args.index("--projects") + 1] == str(project_dir.resolve().parent)
    assert args[args.index("--idle-minutes") + 1] == "20.0"
    assert args[args.index("--server.enableXsrfProtection") + 1] == "true"


def test_a_project_outside_the_projects_folder_is_refused(project, cli, tmp_path):
    project_dir, _ = project
    (tmp_path / "elsewhere").mkdir()
    result = cli("app", project_dir, "--projects", tmp_path / "elsewhere")
    assert result.exit_code == 1 and "is not inside the projects folder" in result.output


@pytest.mark.parametrize(
    ("address", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("192.168.1.5", False),
        ("::", False),
        ("myhost", False),
    ],  # fmt: skip
)
def test_loopback_addresses(address, loopback):
    assert is_loopback(address) is loopback
