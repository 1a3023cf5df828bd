"""Shared fixtures: a fresh project with the template protocol, and the CLI runner."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
TEMPLATE_PROTOCOL = REPO / "protocols" / "template.yaml"


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture
def project(tmp_path: Path):
    """A new, empty project (folder, database) using the template protocol."""
    from review.project import init_project

    project_dir = tmp_path / "project"
    db = init_project(project_dir, TEMPLATE_PROTOCOL)
    yield project_dir, db
    db.close()


@pytest.fixture
def cli():
    """Run `review ...` in-process through the real entry point; returns the click Result."""
    import click

    from review.cli import main

    runner = CliRunner()

    def run(*args: object, input: str | None = None):
        return runner.invoke(_entry, list(map(str, args)), input=input, catch_exceptions=False)

    @click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []})
    @click.pass_context
    def _entry(ctx: click.Context) -> None:
        main(ctx.args)

    return run
