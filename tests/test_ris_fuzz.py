"""Property test: any input gives records or the tool's own clear error, never a crash.

Over every reader (RIS, MEDLINE, CSV/TSV, Excel, Web of Science plain text):
random bytes, random text, lines drawn from each format's own vocabulary, and
valid files with random edits.
"""

from __future__ import annotations

import io

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from review.errors import ImportFormatError, ReviewError
from review.importers import FORMATS, read_bytes
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


FORMAT_LINES = {
    "medline": [
        "PMID- 123",
        "TI  - A title",
        "      continued",
        "AB  - abstract",
        "FAU - Hansen, M",
        "",
        "LID - 10.1/x [doi]",
        "DP  - 2020",
        "XX",
        "  - ",
        "PMID-",
    ],
    "csv": [
        "Title,Authors,Year",
        '"a, b","Hansen, M; Berg, A",2020',
        '"unterminated',
        "x,y",
        ",,",
        '""""',
        "a;b;c",
        "\t",
    ],
    "tsv": ["Title\tAuthors", "a\tb", "a\tb\tc", '"q\t', ""],
    "wos": [
        "FN Clarivate Analytics Web of Science",
        "VR 1.0",
        "PT J",
        "AU Hansen, M",
        "   Berg, A",
        "TI A title",
        "ER",
        "EF",
        "",
        "ZZ unknown",
        " odd",
        "AF",
    ],
    "ris": ["TY  - JOUR", "ER  - ", "TI  - A title", "UK  - y", "ZZ  - z", "NL  - J", "", "   ER  - continued"],
}
VALID_FILES = {
    "medline": b"PMID- 1\nTI  - A title\n      more\nFAU - Hansen, M\nDP  - 2020\n\nPMID- 2\nTI  - B\n",
    "csv": b'Title,Authors,Year,Abstract\n"a, title","Hansen M, Berg A.",2020,x\nb,c,2021,"multi\nline"\n',
    "wos": b"FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nAU Hansen, M\n   Berg, A\nTI A title\nPY 2020\nER\n\nEF\n",
}


def _workbook(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _records_or_review_error(data: bytes, file_format: str | None, name: str = "fuzz.txt") -> None:
    try:
        result = read_bytes(data, name, file_format=file_format)
    except ReviewError as error:
        assert str(error).startswith(name)
    else:
        assert result.records
        assert all(isinstance(warning, str) for warning in result.warnings)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([*FORMATS, None]), st.binary(max_size=600))
def test_random_bytes_through_every_reader(file_format, data):
    _records_or_review_error(data, file_format)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(FORMAT_LINES)), st.data())
def test_each_formats_own_lines_in_random_order(file_format, data):
    lines = data.draw(st.lists(st.sampled_from(FORMAT_LINES[file_format]), max_size=30))
    newline = data.draw(st.sampled_from(["\n", "\r\n", "\r"]))
    encoding = data.draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    _records_or_review_error(newline.join(lines).encode(encoding), file_format)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(VALID_FILES)), st.data())
def test_mutated_valid_files_of_every_format(file_format, data):
    content = VALID_FILES[file_format]
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(content)))
        inserted = data.draw(st.binary(max_size=6))
        content = content[:position] + inserted + content[position + data.draw(st.integers(0, 8)) :]
    _records_or_review_error(content, file_format)


CELLS = st.one_of(
    st.none(),
    st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=20),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False),
    st.booleans(),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(CELLS, max_size=5), max_size=6))
def test_workbooks_with_random_cells(rows):
    _records_or_review_error(_workbook(rows), None, "fuzz.xlsx")


WORKBOOK = _workbook([["Title", "Year"], ["A title", 2020]])  # built once: a workbook's bytes carry its save time


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_damaged_workbooks(data):
    content = bytearray(WORKBOOK)
    for _ in range(data.draw(st.integers(1, 5))):
        content[data.draw(st.integers(0, len(content) - 1))] = data.draw(st.integers(0, 255))
    _records_or_review_error(bytes(content), None, "fuzz.xlsx")
