"""`review app`: help text, the Streamlit command line it runs, and a clear error without a project."""

from __future__ import annotations

import sys

from review.cli.app_cmds import APP_FILE, streamlit_command


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
