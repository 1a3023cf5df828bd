"""How pages write cells: readable times, whole numbers without decimals, imported markup kept as text."""

from __future__ import annotations

from review.webapp.tables import number, plain, short, when


def test_times_are_readable_and_missing_ones_empty():
    assert when("2026-12-02T01:02:03.456+00:00")[:4] == "2026" and len(when("2026-12-02T01:02:03.456+00:00")) == 16
    assert when("2026-12-02T01:02:03") == "2026-12-02 01:02"
    assert when(None) == "" and when("not a time") == "not a time"


def test_numbers_drop_a_zero_fraction_only():
    assert (number(120.0), number(120), number(2.5), number(None)) == ("120", "120", "2.5", "")


def test_markup_in_titles_stays_text_and_long_titles_are_cut():
    assert plain("<i>Families</i> *at* risk") == r"\<i\>Families\</i\> \*at\* risk"
    assert short("a  b\\nc", 80) == "a b\\nc" and short("x" * 100, 10) == "x" * 9 + "…" and short(None) == ""
