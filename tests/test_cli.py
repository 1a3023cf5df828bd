"""The CLI as a whole: every command documented with an example, entry points, errors."""

from __future__ import annotations

import subprocess
import sys

import pytest
import typer

from review.cli.app import app

COMMANDS = typer.main.get_command(app).commands


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_help_with_an_example(cli, name):
    command = COMMANDS[name]
    assert command.help, f"`review {name}` has no help text"
    assert "Example" in command.help, f"`review {name}` --help shows no example"
    result = cli(name, "--help")
    assert result.exit_code == 0
    assert "Example" in result.output


def test_python_dash_m_review_is_the_same_cli(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "review", "status", str(tmp_path / "missing")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stderr.strip().startswith("Error: no project at")
    assert "Traceback" not in result.stderr


def test_debug_shows_the_traceback(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "review", "status", str(tmp_path / "missing"), "--debug"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "Traceback" in result.stderr and "ProjectError" in result.stderr


def test_unknown_command_is_a_usage_error(cli):
    result = cli("frobnicate")
    assert result.exit_code == 2
    assert "No such command" in result.output


def test_library_errors_name_no_flags_and_the_cli_adds_its_own_advice(tmp_path):
    from review.cli.advice import ADVICE, message
    from review.errors import AlreadyImportedError, Remedy

    error = AlreadyImportedError("scopus.ris was already imported")
    assert "--" not in str(error)
    assert message(error) == "scopus.ris was already imported; use --force to import it again"
    assert set(ADVICE) == set(Remedy)


def test_the_preset_option_names_every_preset_and_the_default():
    from review.cli.ranking_cmds import Preset
    from review.ranking.presets import DEFAULT_PRESET, PRESETS

    help_text = Preset.__metadata__[0].help
    listed = help_text.removeprefix("Ranking preset: ").partition(" (")[0].split(", ")
    assert sorted(listed) == sorted(PRESETS) and f"default: {DEFAULT_PRESET}" in help_text
