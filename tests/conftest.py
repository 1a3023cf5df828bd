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
def review(tmp_path: Path):
    """A new, empty review project using the template protocol."""
    from review.core import Review

    opened = Review.create(tmp_path / "project", TEMPLATE_PROTOCOL)
    yield opened
    opened.close()


@pytest.fixture
def project(review):
    """The same new project as (folder, database), for modules that work on the database alone."""
    return review.folder, review.db


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


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Where browser or Ray tests are required (CI sets REVIEW_REQUIRE_BROWSER=1, REVIEW_REQUIRE_RAY=1), a skipped one
    is a failure."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and item.get_closest_marker("browser") and os.environ.get("REVIEW_REQUIRE_BROWSER") == "1":
        report.outcome = "failed"
        report.longrepr = f"browser test skipped where browsers are required: {report.longrepr}"
    if report.skipped and item.get_closest_marker("ray") and os.environ.get("REVIEW_REQUIRE_RAY") == "1":
        report.outcome = "failed"
        report.longrepr = f"Ray test skipped where the Ray extra is required: {report.longrepr}"
