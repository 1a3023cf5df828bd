"""Property test: any input gives records or the tool's own clear error, never a crash."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from review.errors import ImportFormatError
from review.importers import read_bytes
from review.importers.ris import parse_ris_text

VALID = (
    "TY  - JOUR\nAU  - Hansen, M.\nTI  - Tværfagligt samarbejde\nPY  - 2021\n"
    "KW  - one\ntwo\nDO  - 10.1000/xyz\nER  - \n\nTY  - BOOK\nTI  - Second\nER  - \n"
)
RIS_LINES = st.sampled_from(
    [
        "TY  - JOUR",
        "ER  - ",
        "ER",
        "TI  - A title",
        "AU  - Name, X",
        "KW  - kw",
        "ZZ  - unknown",
        "",
        "continuation text",
        "PY  - 20x1",
        "DO  - not a doi",
        "TY - JOUR",
        "AB  -",
        "1.",
        "  - ",
        "\ufeff",
    ]
)


def _parses_or_clear_error(text: str) -> None:
    try:
        records, warnings = parse_ris_text(text, "fuzz.ris")
    except ImportFormatError as error:
        assert error.file == "fuzz.ris"
        assert str(error).startswith("fuzz.ris")
        return
    assert records
    for record in records:
        assert record.raw and record.raw[0][0] == "TY"
    assert all(isinstance(warning, str) for warning in warnings)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_random_text(text):
    _parses_or_clear_error(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(RIS_LINES, max_size=40))
def test_random_ris_like_lines(lines):
    _parses_or_clear_error("\n".join(lines))


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_mutated_valid_file(data):
    text = VALID
    for _ in range(data.draw(st.integers(1, 5))):
        position = data.draw(st.integers(0, len(text)))
        action = data.draw(st.sampled_from(["delete", "insert", "duplicate"]))
        if action == "delete":
            text = text[:position] + text[position + data.draw(st.integers(1, 20)) :]
        elif action == "insert":
            text = text[:position] + data.draw(st.text(max_size=10)) + text[position:]
        else:
            text = text[:position] + text[position : position + 30] + text[position:]
    _parses_or_clear_error(text)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_through_format_detection(data):
    try:
        result = read_bytes(data, "fuzz.ris")
    except ImportFormatError as error:
        assert error.file == "fuzz.ris"
    else:
        assert result.records
