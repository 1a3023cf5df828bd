"""Real-world import problems, one regression test each: encodings, line numbers, trailers, formats, odd paths."""

from __future__ import annotations

import csv
import hashlib
import io
import os

import openpyxl
import pytest

from review.errors import ImportFormatError
from review.importers import read_bytes, read_file
from review.importers.text import REPLACED
from review.records import batches, import_files, iter_records

SYNTHETIC = "Synthetic record"


def _workbook(rows: list[list], sheets: dict[str, list[list]] | None = None) -> bytes:
    """An .xlsx file built here, its first sheet holding `rows`."""
    book = openpyxl.Workbook()
    book.active.title = "Results"
    for row in rows:
        book.active.append(row)
    for name, other in (sheets or {}).items():
        sheet = book.create_sheet(name)
        for row in other:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# 1. A UTF-8 BOM followed by a byte that is not UTF-8


def test_bom_then_invalid_byte_is_replaced_with_a_warning_naming_the_line():
    result = read_bytes(b"\xef\xbb\xbfTY  - JOUR\nTI  - caf\xe9\nER  - \n", "bom.ris")
    (record,) = result.records
    assert result.encoding == "utf-8-sig"
    assert record.title == "caf\ufffd"
    assert result.warnings == [f"line 2: {REPLACED}"]


# 2. rispy's UK tag followed by an unknown tag


def test_uk_then_unknown_tag_keeps_both_verbatim():
    (record,) = read_bytes(b"TY  - JOUR\nTI  - x\nUK  - y\nZZ  - z\nER  - \n", "uk.ris").records
    assert record.title == "x"
    assert record.raw == [["TY", "JOUR"], ["TI", "x"], ["UK", "y"], ["ZZ", "z"]]


# 3. The file is read once: its hash is of the bytes that were parsed


def test_a_file_deleted_after_reading_still_imports_with_the_hash_of_what_was_read(project, tmp_path, monkeypatch):
    _, db = project
    path = tmp_path / "once.ris"
    content = b"TY  - JOUR\nTI  - Read once\nER  - \n"
    path.write_bytes(content)
    import review.records as records_module

    reads = []
    real_read = records_module.read_input

    def read_then_delete(where):
        data = real_read(where)
        reads.append(where)
        where.unlink()  # the file is gone before anything could hash it a second time
        return data

    monkeypatch.setattr(records_module, "read_input", read_then_delete)
    (report,) = import_files(db, [path])
    assert reads == [path]
    assert report.records == 1
    assert batches(db)[0]["file_hash"] == hashlib.sha256(content).hexdigest()


# 4. One bad byte in a UTF-8 file; a genuine cp1252 file


def test_utf8_file_with_one_bad_byte_stays_utf8():
    data = "TY  - JOUR\nTI  - Ærø “q”\n".encode() + b"N1  - bad \xff byte\nER  - \n"
    result = read_bytes(data, "mostly-utf8.ris")
    (record,) = result.records
    assert result.encoding == "utf-8"
    assert record.title == "Ærø “q”"  # not mojibake from decoding the whole file as Latin-1
    assert ["N1", "bad \ufffd byte"] in record.raw
    assert result.warnings == [f"line 3: {REPLACED}"]


def test_a_cp1252_file_still_reads_as_cp1252():
    data = "TY  - JOUR\nTI  - Ærø “q” – Sørensen\nER  - \n".encode("cp1252")
    result = read_bytes(data, "legacy.ris")
    assert result.encoding == "cp1252"
    assert result.records[0].title == "Ærø “q” – Sørensen"
    assert result.warnings == []


def test_a_file_mixing_encodings_says_what_it_did():
    data = "TY  - JOUR\nTI  - Sørensen Æblø\nN1  - ø\n".encode("cp1252") + "AB  - café\nER  - \n".encode()
    result = read_bytes(data, "mixed.ris")
    assert result.encoding == "cp1252"
    assert any("may be garbled" in warning for warning in result.warnings)


# 5. Line numbers count \n, \r\n and \r only


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x0c", "\x0b", "\x85", "\x1c", "\x1d", "\x1e"])
@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_line_numbers_ignore_characters_that_splitlines_breaks_at(separator, newline):
    lines = ["TY  - JOUR", f"TI  - one{separator}two{separator}three", "ER  - ", "", "AU  - Stray, Tag", "ER  - "]
    data = newline.join(lines).encode()
    with pytest.raises(ImportFormatError) as caught:
        read_bytes(data, "stray.ris")
    assert caught.value.line == 5


def test_csv_line_numbers_count_quoted_multiline_cells_as_editors_do():
    data = 'Title,Year\n"a\u2028b",2020\n"two\nlines",2021\nx,2022,extra\n'.encode()
    with pytest.raises(ImportFormatError) as caught:
        read_bytes(data, "lines.csv")
    assert caught.value.line == 5


# 6. Text after the last record


def test_ovid_trailer_after_the_last_record_is_skipped_with_a_warning(data_dir):
    result = read_file(data_dir / "import" / "ovid_psycinfo.ris")
    assert [record.title for record in result.records] == [
        "Synthetic record: coordinated services for adolescents, a trial",
        "Synthetic record: a second invented study",
    ]
    assert result.warnings == ["line 30: text after the last record skipped: 'NL  - J'"]


def test_tags_between_records_are_still_an_error():
    data = b"TY  - JOUR\nTI  - a\nER  - \nAU  - Lost, TY\nTY  - JOUR\nTI  - b\nER  - \n"
    with pytest.raises(ImportFormatError, match="tag AU outside a record") as caught:
        read_bytes(data, "lost-ty.ris")
    assert caught.value.line == 4


# 7. Column names of the databases' CSV exports; huge cells


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "embase.csv",
            {
                "authors": ["Madsen L.", "Holm S.K.", "van Dijk P."],
                "year": 2019,
                "journal": "Synthetic Journal of Social Care",
                "pages": "101-118",
                "pmid": "31234567",
                "source_id": "2001234567",
                "language": "English",
            },
        ),
        (
            "ovid.csv",
            {
                "authors": ["Madsen, Lars", "Holm, Sofie"],
                "year": 2019,
                "doi": "10.5555/synthetic.2019.101",
                "journal": "Synthetic journal of social care",
                "keywords": ["collaboration", "Denmark"],
            },
        ),
        (
            "ebsco.csv",
            {"authors": ["Olsen, Kari", "Berg, Anna"], "year": 2021, "journal": "Synthetic Social Work Review"},
        ),
        (
            "proquest.csv",
            {
                "authors": ["Nilsson, Per"],
                "year": 2018,
                "journal": "Synthetic Dissertations",
                "source_id": "2512345678",
            },
        ),
        (
            "pubmed.csv",
            {
                "authors": ["Madsen L", "Holm SK", "van Dijk P", "Landry-Duval MA"],
                "year": 2019,
                "journal": "Synthetic J Soc Care",
                "pmid": "31234567",
            },
        ),
        (
            "zotero.csv",
            {"authors": ["Olsen, Kari", "Berg, Anna"], "year": 2020, "source_id": "ABCD1234", "pages": "9-20"},
        ),
        (
            "endnote.txt",
            {"authors": ["Hjelmar, Ulf", "Sørensen, Åse"], "year": 2016, "journal": "Synthetic Tidsskrift"},
        ),
        (
            "wos_tab.txt",
            {
                "authors": ["Lindqvist, Eva", "Nilsson, Per"],
                "year": 2018,
                "pages": "1-14",
                "pmid": "29000001",
                "source_id": "WOS:000430000000001",
                "keywords": ["collaboration", "families"],
            },
        ),
    ],
)
def test_database_csv_exports_map_authors_year_and_more(data_dir, name, expected):
    record = read_file(data_dir / "import" / name).records[0]
    assert record.title.startswith(SYNTHETIC)
    assert {field: getattr(record, field) for field in expected} == expected


def test_rispy_field_names_as_columns_are_mapped():
    data = b"primary_title,first_authors,publication_year,notes_abstract\nA title,Hansen M.; Berg A.,2020,An abstract\n"
    (record,) = read_bytes(data, "asreview.csv").records
    assert (record.title, record.authors, record.year, record.abstract) == (
        "A title",
        ["Hansen M.", "Berg A."],
        2020,
        "An abstract",
    )


def test_scopus_author_ids_are_dropped():
    data = b'Title,Author full names\nx,"Hansen, Mette (57200000001); Berg, Anna (57200000002)"\n'
    assert read_bytes(data, "scopus.csv").records[0].authors == ["Hansen, Mette", "Berg, Anna"]


def test_a_csv_cell_longer_than_the_csv_modules_default_limit_imports():
    cited = "; ".join(f"Author {i}, 2001, J SYNTH, V{i}, P{i}" for i in range(8000))
    assert len(cited) > 131_072
    out = io.StringIO()
    csv.writer(out).writerows([["Article Title", "Cited References"], ["Long references", cited]])
    (record,) = read_bytes(out.getvalue().encode(), "wos.csv").records
    assert record.raw[1] == ["Cited References", cited]


# 8. Empty records, records without title and abstract, control characters


def test_bare_ty_lines_are_not_records():
    with pytest.raises(ImportFormatError, match="no RIS records found: the 5 'TY  - ' lines start no fields"):
        read_bytes(b"TY  - \n" * 5, "bare.ris")


def test_empty_records_among_real_ones_are_skipped_with_a_warning():
    result = read_bytes(b"TY  - \nER  - \nTY  - JOUR\nTI  - Real\nER  - \nTY  - JOUR\n", "some-empty.ris")
    assert [record.title for record in result.records] == ["Real"]
    assert "lines 1, 6: record without any field skipped" in result.warnings


@pytest.mark.parametrize(
    ("name", "data", "line"),
    [
        ("no-title.ris", b"TY  - JOUR\nAU  - Hansen, M\nER  - \n", 1),
        ("no-title.csv", b'Title,Abstract,Authors\n,,"Hansen, M"\n', 2),
        ("no-title.nbib", b"\nPMID- 123\nAU  - Hansen M\n", 2),
        ("no-title.txt", b"FN Clarivate Analytics Web of Science\nPT J\nAU Hansen, M\nER\nEF\n", 2),
        ("no-title.xlsx", _workbook([["Title", "Authors"], [None, "Hansen, M"]]), 2),
    ],
)
def test_records_without_title_or_abstract_are_flagged_in_every_format(name, data, line):
    result = read_bytes(data, name)
    assert len(result.records) == 1
    assert result.warnings == [f"line {line}: record with neither title nor abstract"]


def test_many_untitled_records_give_one_warning_line():
    data = b"".join(b"TY  - JOUR\nAU  - X\nER  - \n" for _ in range(1000))
    (warning,) = read_bytes(data, "many.ris").warnings
    assert warning == "lines 1, 4, 7, 10, 13 and 995 more: record with neither title nor abstract"


def test_control_characters_are_stripped_from_every_stored_field(project, tmp_path):
    _, db = project
    ris = tmp_path / "controls.ris"
    ris.write_bytes(b"TY  - JOUR\nTI  - " + b"x" * 5000 + b"\x00 tail\x07\nAB  - form\x0cfeed\nER  - \n")
    table = tmp_path / "controls.csv"
    table.write_bytes(b"Title,Abstract\nnul\x00here,bell\x07\x1bhere\n")
    import_files(db, [ris, table])
    stored = [(row["title"], row["abstract"], row["raw"]) for row in iter_records(db)]
    assert stored[0][0] == "x" * 5000 + " tail"
    assert stored[0][1] == "form feed"
    assert stored[1][:2] == ("nulhere", "bellhere")
    text = repr(stored)
    assert not any(char in text for char in ("\x00", "\\x00", "\\x07", "\\x1b", "\\x0c"))


# 9. Things that are not files


def test_a_folder_says_it_is_a_folder(tmp_path):
    with pytest.raises(ImportFormatError, match="is a folder, not a file"):
        read_file(tmp_path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_says_what_it_is_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.ris"
    os.mkfifo(fifo)
    with pytest.raises(ImportFormatError, match="is a named pipe"):
        read_file(fifo)


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="needs /dev/null")
def test_dev_null_says_it_is_a_device():
    with pytest.raises(ImportFormatError, match="/dev/null: is a device, not a file"):
        read_file("/dev/null")


def test_a_missing_file_is_still_not_found(tmp_path):
    with pytest.raises(ImportFormatError, match="file not found"):
        read_file(tmp_path / "missing.ris")


# 10. Excel workbooks and Web of Science plain text


def test_excel_workbook_reads_like_csv():
    data = _workbook(
        [
            ["Title", "Authors", "Year", "DOI", "Pages", None],
            ["Synthetic record: first", "Hansen, M; Berg, A", 2019.0, "10.5555/x.1", "1-10", None],
            [None, None, None, None, None, None],
            ["Synthetic record: second", "Olsen, K", 2020, None, None, None],
        ]
    )
    result = read_bytes(data, "export.xlsx")
    assert result.format == "xlsx"
    first, second = result.records
    assert (first.title, first.authors, first.year, first.doi, first.pages) == (
        "Synthetic record: first",
        ["Hansen, M", "Berg, A"],
        2019,
        "10.5555/x.1",
        "1-10",
    )
    assert ["Year", "2019"] in first.raw
    assert (second.title, second.line) == ("Synthetic record: second", 4)


def test_excel_sheet_by_name_and_unknown_sheet():
    data = _workbook([["Notes"], ["not records"]], sheets={"Records": [["Title"], ["Synthetic record: here"]]})
    assert read_bytes(data, "two.xlsx", sheet="Records").records[0].title == "Synthetic record: here"
    with pytest.raises(ImportFormatError, match="no title column"):
        read_bytes(data, "two.xlsx")
    with pytest.raises(ImportFormatError, match="has no sheet 'Missing' \\(sheets: 'Results', 'Records'\\)"):
        read_bytes(data, "two.xlsx", sheet="Missing")


def test_excel_workbook_is_recognised_by_its_content_and_a_broken_one_is_refused():
    data = _workbook([["Title"], ["Synthetic record: renamed"]])
    assert read_bytes(data, "export.txt").records[0].title == "Synthetic record: renamed"
    with pytest.raises(ImportFormatError, match="is not a readable Excel workbook"):
        read_bytes(data[: len(data) // 2], "broken.xlsx")
    with pytest.raises(ImportFormatError, match="old Excel"):
        read_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "old.xls")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.7\n%binary\n", "is a PDF, not a text export"),
        (bytes(range(256)) * 16, "looks like a binary file"),
        ("TY  - JOUR\nTI  - UTF-16 without a mark\nER  - \n".encode("utf-16-le"), "looks like a binary file"),
    ],
)
def test_binary_files_are_refused_for_what_they_are(data, message):
    with pytest.raises(ImportFormatError, match=message):
        read_bytes(data, "export.ris")


def test_web_of_science_plain_text(data_dir):
    result = read_file(data_dir / "import" / "wos_plain.txt")
    assert result.format == "wos"
    first, second = result.records
    assert first.title == "Synthetic record: collaboration around children and families with complex needs"
    assert first.authors == ["Lindqvist, Eva", "Nilsson, Per"]
    assert (first.year, first.volume, first.issue, first.pages) == (2018, "8", "1", "1-14")
    assert (first.doi, first.pmid, first.source_id) == ("10.5555/synthetic.2018.1", "29000001", "WOS:000430000000001")
    assert first.keywords == ["collaboration", "families", "integrated services", "INTERVENTIONS"]
    assert ["CR", "Anonymous, 2001, SYNTH J, V1, P1\nHansen M, 2010, SYNTH REV, V2, P3"] in first.raw
    assert ["Z9", "5"] in first.raw  # tags rispy does not map are kept too
    assert (second.title, second.pages) == ("Synthetic record: a book chapter", "e1234")
    assert result.warnings == []


def test_web_of_science_errors_name_the_line():
    with pytest.raises(ImportFormatError, match="tag AU outside a record") as caught:
        read_bytes(b"FN Clarivate Analytics Web of Science\nVR 1.0\nAU Lost, A\nER\nEF\n", "savedrecs.txt")
    assert caught.value.line == 3
    with pytest.raises(ImportFormatError, match="no Web of Science records"):
        read_bytes(b"FN Clarivate Analytics Web of Science\nVR 1.0\nEF\n", "savedrecs.txt")
