"""Helpers for AppTest runs of the Streamlit pages: open a page as a reviewer, read what a download would deliver."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from review.core import Review

REPO = Path(__file__).resolve().parents[1]


def page(project_dir: Path, name: str, reviewer: str = "Anna", **state: object) -> AppTest:
    """Run one page of the app for `reviewer` on a project (extra session-state keys set first)."""
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.session_state["project_dir"] = str(project_dir)
    at.session_state["reviewer"] = reviewer
    for key, value in state.items():
        at.session_state[key] = value
    at.switch_page(f"review/webapp/pages/{name}.py")
    return at.run()


def record_downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, Callable[[], bytes]]:
    """Collect the builder of every deferred download button rendered from now on, by element id.

    The pages build export files only when a button is clicked (Streamlit calls
    the builder on its download thread); AppTest does not click downloads, so
    the test calls the builder the page registered, which is what the browser
    would receive.
    """
    builders: dict[str, Callable[[], bytes]] = {}
    add_deferred = MediaFileManager.add_deferred

    def recording(self, data, mimetype, coordinates, file_name=None, element_id=""):
        builders[element_id] = data
        return add_deferred(self, data, mimetype, coordinates, file_name=file_name, element_id=element_id)

    monkeypatch.setattr(MediaFileManager, "add_deferred", recording)
    return builders


def download(builders: dict[str, Callable[[], bytes]], at: AppTest, key: str) -> bytes:
    """The file the download button `key` of the last run delivers."""
    [button] = [button for button in at.get("download_button") if button.key == key]
    return builders[button.id]()


SCREENING_RECORDS = REPO / "tests" / "data" / "screening" / "records.ris"


def screen_both_stages(review: Review) -> Review:
    """Records 1-2 included at both stages, 3 excluded at full text (no relevant outcome), 4 at title/abstract."""
    review.import_files([SCREENING_RECORDS], source="Test")
    for reviewer in ("Anna", "Ben"):
        for record_id in (1, 2, 3):
            review.decide(record_id, "ta", reviewer, "include")
        review.decide(4, "ta", reviewer, "exclude")
    review.decide(1, "ft", "Anna", "include")
    review.decide(2, "ft", "Anna", "include")
    review.decide(3, "ft", "Anna", "exclude", reason="wrong-outcome")
    return review
