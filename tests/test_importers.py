"""The readers on one small file per export flavour, and their error messages."""

from __future__ import annotations

import pytest

from review.errors import ImportFormatError
from review.importers import read_file
from review.importers.ris import dumps_raw, parse_ris_text


@pytest.fixture
def imports(data_dir):
    return data_dir / "import"


def test_scopus_ris_with_bom_and_crlf(imports):
    result = read_file(imports / "scopus.ris")
    assert result.encoding == "utf-8-sig"
    assert len(result.records) == 2
    first, second = result.records
    assert first.title == "Tværfagligt samarbejde om udsatte familier: en evaluering"
    assert first.authors == ["Hansen, M.", "Jørgensen, K.L."]
    assert first.journal == "Nordisk Välfärdsforskning"
    assert (first.year, first.volume, first.issue, first.pages) == (2021, "6", "2", "101-118")
    assert first.doi == "10.18261/nwr.6.2.3"
    assert first.abstract == "Formålet er at undersøge tværfagligt samarbejde & koordinering."
    assert first.keywords == ["helhedsorienteret indsats", "tværfagligt samarbejde"]
    assert second.doi == "10.1111/spol.12345"
    assert not any("\r" in value for _, value in first.raw)


def test_web_of_science_ris_keeps_its_own_tags(imports):
    (record,) = read_file(imports / "wos.ris").records
    tags = [tag for tag, _ in record.raw]
    assert {"J9", "U1", "U2", "Z9", "AN"} <= set(tags)
    assert record.pmid is None  # a WOS accession number is not a PubMed id
    assert record.journal == "NORDIC SOCIAL WORK RESEARCH"
    assert record.authors == ["Lindqvist, Eva", "Nilsson, Per"]


def test_endnote_cp1252_continuation_lines_and_missing_er(imports):
    result = read_file(imports / "endnote.ris")
    assert result.encoding == "cp1252"
    first, second = result.records
    assert first.keywords == ["helhedsorienteret indsats", "beskæftigelse", "familier"]
    assert ["N1", "Første linje af noten\nanden linje af noten"] in first.raw
    assert [pair for pair in first.raw if pair[0] == "C1"] == [["C1", "Frikommuneforsøg"], ["C1", "Én plan"]]
    assert first.title == "Sammenhængende borgerforløb i Furesø Kommune – evaluering"
    assert first.authors == ["Hjelmar, Ulf"] and first.year == 2016 and first.source_id == "123"
    assert second.journal == "Tidsskrift for Forskning i Sygdom og Samfund"
    assert any("no ER" in warning for warning in result.warnings)


def test_zotero_blank_line_inside_record(imports):
    (record,) = read_file(imports / "zotero.ris").records
    assert record.abstract == "Background: coordination across sectors. Methods: interviews with 40 professionals."
    assert record.year == 2020
    assert ["L1", "files/12/Olsen_2020.pdf"] in record.raw
    assert ["Y2", "2023/01/05/10:00:00"] in record.raw


def test_pubmed_medline(imports):
    first, second = read_file(imports / "pubmed.nbib").records
    assert first.title == "Cross-sector collaboration for families with complex needs: a realist evaluation in Denmark."
    assert first.authors == ["Madsen, Lars", "Holm, Sofie"]
    assert (first.pmid, first.doi, first.year) == ("31234567", "10.1186/s12889-019-7000-1", 2019)
    assert first.journal == "BMC public health"
    assert "Intersectoral Collaboration" in first.keywords
    assert second.pmid == "30000001" and second.year == 2017


def test_scopus_csv(imports):
    result = read_file(imports / "scopus.csv")
    first, second = result.records
    assert first.title == "Tværfagligt samarbejde om udsatte familier"
    assert first.authors == ["Hansen, Mette", "Jørgensen, Karl L."]  # full names win over initials
    assert (first.year, first.pages, first.doi) == (2021, "101-118", "10.18261/nwr.6.2.3")
    assert first.keywords == ["samarbejde", "familier"]
    assert first.source_id == "2-s2.0-85100000001"
    assert ["Abstract", "An abstract, with a comma."] in first.raw
    assert second.title.startswith("=HYPERLINK")


def test_tsv_with_column_mapping(imports):
    result = read_file(imports / "covidence.tsv", mapping={"journal": "Journal"})
    (record,) = result.records
    assert result.format == "tsv"
    assert record.authors == ["Lind, E", "Berg, A"]
    assert (record.source_id, record.year, record.journal) == ("A1", 2015, "Socionomen")


@pytest.mark.parametrize(
    ("name", "message", "line"),
    [
        ("broken_tag_outside.ris", "tag AU outside a record", 5),
        ("empty.ris", "the file is empty", None),
        ("no_records.ris", "no RIS records found", None),
        ("bad_columns.csv", "expected 2 columns as in the header, found 3", 3),
    ],
)
def test_bad_input_names_file_and_line(imports, name, message, line):
    with pytest.raises(ImportFormatError) as caught:
        read_file(imports / name)
    assert message in str(caught.value)
    assert name in str(caught.value)
    assert caught.value.line == line


def test_ris_without_records_is_an_error():
    with pytest.raises(ImportFormatError, match="no RIS records"):
        parse_ris_text("Provider: somebody\n\n", "x.ris")


def test_unknown_csv_mapping_field_is_an_error(imports):
    with pytest.raises(ImportFormatError, match="unknown field 'titel'"):
        read_file(imports / "covidence.tsv", mapping={"titel": "Title"})


@pytest.mark.parametrize("name", ["scopus.ris", "wos.ris", "endnote.ris", "zotero.ris"])
def test_raw_tags_round_trip(imports, name):
    records = read_file(imports / name).records
    text = "\n".join(dumps_raw(record.raw) for record in records)
    again, warnings = parse_ris_text(text, "round-trip.ris")
    assert [r.raw for r in again] == [r.raw for r in records]
    assert warnings == []
