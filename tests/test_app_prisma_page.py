"""The PRISMA page in Danish: the diagram's language chosen on the page, the page's own words translated."""

from __future__ import annotations

import pytest

from tests.apptest import page, screen_both_stages


@pytest.fixture
def screened(review):
    return screen_both_stages(review)  # record 3 excluded at full text for a reason with a Danish label


def test_the_diagram_language_is_chosen_on_the_page(screened):
    at = page(screened.folder, "prisma")
    assert at.session_state["prisma_language"] == "en"
    assert "No relevant outcome (1)" in at.caption[0].value
    at = at.segmented_control(key="prisma_language").set_value("da").run()
    assert not at.exception
    assert "Intet relevant udfald (1)" in at.caption[0].value  # reason labels in the diagram's language
    assert at.title[0].value == "PRISMA 2020 flow"  # the interface keeps its own language


def test_page_in_danish(screened):
    at = page(screened.folder, "prisma", ui_language="da")
    assert not at.exception and at.title[0].value == "PRISMA 2020-flowdiagram"
    assert at.session_state["prisma_language"] == "da"
    assert {m.label for m in at.metric} >= {"Poster ekskluderet", "Studier inkluderet"}
    assert [button.proto.label for button in at.get("download_button")] == ["Hent SVG", "Hent PNG", "Hent CSV"]
