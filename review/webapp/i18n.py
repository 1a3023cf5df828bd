"""The interface's message catalogue: every word the app shows, in English and Danish.

Each page keeps its own catalogue in `review/webapp/messages/<page>.py` as
`MESSAGES = {key: {"en": ..., "da": ...}}`, so pages can be translated and
reviewed one at a time. `t(key, **values)` looks a key up in the language the
reviewer picked (kept in `st.session_state["ui_language"]`) and fills in
`{placeholders}`. A key missing from the catalogue is a programming error and
raises, so the tests that render every page in both languages catch it.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

import streamlit as st

from review.webapp import messages

LANGUAGES: dict[str, str] = {"en": "English", "da": "Dansk"}
DEFAULT_LANGUAGE = "en"


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """Every page's messages merged; a key defined twice is refused so catalogues cannot shadow each other."""
    merged: dict[str, dict[str, str]] = {}
    for module_info in pkgutil.iter_modules(messages.__path__):
        module = importlib.import_module(f"{messages.__name__}.{module_info.name}")
        for key, texts in module.MESSAGES.items():
            if key in merged:
                raise KeyError(f"message {key!r} is defined twice (again in {module_info.name})")
            merged[key] = texts
    return merged


def language() -> str:
    chosen = st.session_state.get("ui_language", DEFAULT_LANGUAGE)
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, /, **values: object) -> str:
    """The message `key` in the reviewer's language, with `values` filled in."""
    texts = catalogue()[key]
    text = texts.get(language()) or texts[DEFAULT_LANGUAGE]
    return text.format(**values) if values else text
