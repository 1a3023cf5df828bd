"""Term highlighting for the screening view."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from review.webapp.highlight import EXCLUDE_STYLE, INCLUDE_STYLE, count_terms, highlight


def test_include_and_exclude_terms_are_marked_case_insensitively():
    out = highlight("Cross-sector Collaboration in a randomised trial", ["collaboration"], ["randomised trial"])
    assert f'<mark style="{INCLUDE_STYLE}">Collaboration</mark>' in out
    assert f'<mark style="{EXCLUDE_STYLE}">randomised trial</mark>' in out


def test_wildcard_matches_endings_and_plain_terms_match_whole_words():
    out = highlight("collaborative work; families and family", ["collaborat*", "family"], [])
    assert out.count("<mark") == 2
    assert "collaborative</mark>" in out and ">family</mark>" in out
    assert "families" in out and ">families<" not in out


def test_text_is_escaped_and_terms_inside_markup_are_still_found():
    out = highlight("<b>child & family</b>", ["family"], [])
    assert out.startswith("&lt;b&gt;child &amp; ")
    assert ">family</mark>&lt;/b&gt;" in out


def test_count_terms_and_empty_inputs():
    assert count_terms("Welfare, welfare state", ["welfare"]) == 2
    assert count_terms(None, ["x"]) == 0
    assert highlight(None, ["x"], []) == ""
    assert highlight("plain", [], ["*"]) == "plain"


@given(st.text(), st.lists(st.text(min_size=1, max_size=8), max_size=3))
def test_removing_marks_gives_back_the_escaped_text(text, terms):
    import html
    import re

    out = highlight(text, terms, [])
    assert re.sub(r"<mark style=\"[^\"]*\">|</mark>", "", out) == html.escape(text)
