"""The interface's message catalogue: every message in both languages, placeholders alike."""

import re

import pytest

from review.webapp import i18n

PLACEHOLDER = re.compile(r"{(\w+)")


def test_every_message_has_english_and_danish():
    for key, texts in i18n.catalogue().items():
        assert set(texts) == set(i18n.LANGUAGES), key
        assert all(text.strip() for text in texts.values()), key


def test_translations_use_the_same_placeholders():
    for key, texts in i18n.catalogue().items():
        assert set(PLACEHOLDER.findall(texts["en"])) == set(PLACEHOLDER.findall(texts["da"])), key


@pytest.mark.parametrize(("chosen", "expected"), [("en", "Interface language"), ("da", "Sprog i brugerfladen")])
def test_t_follows_the_chosen_language(monkeypatch, chosen, expected):
    monkeypatch.setattr(i18n.st, "session_state", {"ui_language": chosen})
    assert i18n.t("sidebar.interface_language") == expected


def test_unknown_language_falls_back_to_english(monkeypatch):
    monkeypatch.setattr(i18n.st, "session_state", {"ui_language": "xx"})
    assert i18n.t("sidebar.interface_language") == "Interface language"


def test_every_page_has_a_menu_title_in_both_languages():
    from review.webapp.state import PAGES

    catalogue = i18n.catalogue()
    for file, title, _ in PAGES:
        assert catalogue[f"menu.{file.removesuffix('.py')}"]["en"] == title
