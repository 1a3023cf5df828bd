"""`review export --format ris` then `review import` gives back every field of every record."""

from __future__ import annotations

import tempfile
from dataclasses import asdict
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from review.core import Review
from review.errors import ImportFormatError
from review.export.writers import export_table
from review.importers.ris import dumps_fields, dumps_raw, parse_ris_text
from review.records import iter_records
from review.screening.blind import Viewer

PROTOCOL = Path(__file__).resolve().parents[1] / "protocols" / "template.yaml"
TAGS = ["TI", "T1", "AB", "N2", "AU", "A1", "KW", "PY", "Y1", "DO", "T2", "JF", "VL", "IS", "SP", "EP", "N1"]
TAGS += ["UR", "ID", "AN", "LA", "M3", "C1", "UK", "ZZ", "L1"]
TRICKY_LINES = [
    "ER  - the abstract goes on",
    "TY  - JOUR",
    "KW  - looks like a keyword",
    "ER",
    "1.",
    "  - ",
    "\u2028",
    "tab\there",
    "nul\x00and bell\x07",
    "form\x0cfeed and\x1dgroup separator\x85next line",
    "Ærø “quoted” – dash",
    "",
]
LINE_TEXT = st.one_of(
    st.sampled_from(TRICKY_LINES),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\r\n"), max_size=25),
)
FIELD = st.tuples(st.sampled_from(TAGS), st.lists(LINE_TEXT, min_size=1, max_size=4))
RECORD = st.tuples(st.sampled_from(["JOUR", "BOOK", "CONF", ""]), st.lists(FIELD, min_size=1, max_size=8))
INDENTS = st.sampled_from(["   ", "      ", "\t", " "])


@st.composite
def ris_files(draw) -> str:
    """RIS text whose continuation lines are indented, so every tag-like continued line belongs to its field."""
    lines = []
    for kind, fields in draw(st.lists(RECORD, min_size=1, max_size=4)):
        lines.append(f"TY  - {kind}")
        for tag, (first, *rest) in fields:
            lines.append(f"{tag}  - {first}")
            lines.extend(draw(INDENTS) + line for line in rest)
        lines.append("ER  - ")
        lines.append("")
    return "\n".join(lines)


def _fields(record) -> dict:
    values = asdict(record)
    values.pop("line")
    return values


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ris_files())
def test_records_written_back_read_the_same(text):
    try:
        records, _ = parse_ris_text(text, "generated.ris")
    except ImportFormatError:
        assume(False)  # every generated record was empty
    again, warnings = parse_ris_text("\n".join(dumps_raw(record.raw) for record in records), "written.ris")
    assert [_fields(record) for record in again] == [_fields(record) for record in records]
    assert not any("outside a record" in warning for warning in warnings)


def _stored(db) -> list[dict]:
    ignored = ("record_id", "batch_id", "source", "duplicate_of")
    return [{key: value for key, value in row.items() if key not in ignored} for row in iter_records(db)]


def _export_and_reimport(source_file: Path, folder: Path) -> tuple[list[dict], list[dict]]:
    first = Review.create(folder / "first", PROTOCOL)
    second = Review.create(folder / "second", PROTOCOL)
    try:
        first.import_files([source_file], source="S")
        exported = folder / "exported.ris"
        export_table(first, Viewer(), "records", "ris", exported)
        second.import_files([exported], source="S")
        return _stored(first.db), _stored(second.db)
    finally:
        first.close()
        second.close()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ris_files())
def test_project_export_then_import_keeps_every_field(text):
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder, "generated.ris")
        source.write_text(text, encoding="utf-8")
        try:
            before, after = _export_and_reimport(source, Path(folder))
        except ImportFormatError:
            assume(False)
        assert after == before


FIELD_TEXT = st.one_of(
    st.sampled_from(["&amp", "&lt;b&gt;", "Social Policy & Administration", "5-5", "101 - 118", "A-1-A-5", "ER - x"]),
    st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), min_size=1, max_size=30).map(
        lambda text: " ".join(text.split())
    ),
)


@settings(max_examples=200, deadline=None)
@given(
    st.fixed_dictionaries(
        {
            "title": FIELD_TEXT,
            "abstract": FIELD_TEXT,
            "journal": FIELD_TEXT,
            "authors": st.lists(FIELD_TEXT, max_size=3),
            "keywords": st.lists(FIELD_TEXT, max_size=3),
            "year": st.integers(1900, 2099),
            "pages": st.one_of(FIELD_TEXT, st.just("221-8"), st.just("e1234")),
            "volume": FIELD_TEXT,
            "issue": FIELD_TEXT,
            "source_id": FIELD_TEXT,
            "pmid": st.from_regex(r"\A[1-9][0-9]{4,8}\Z"),
            "language": FIELD_TEXT,
        }
    )
)
def test_records_from_other_formats_written_as_ris_read_the_same(fields):
    fields = {key: [v for v in value if v] if isinstance(value, list) else value for key, value in fields.items()}
    assume(all(value for key, value in fields.items() if not isinstance(value, list)))
    (record,), _ = parse_ris_text(dumps_fields(fields), "fields.ris")
    assert {key: getattr(record, key) for key in fields} == fields
    assert record.type is None


def test_continued_line_that_looks_like_a_tag_and_a_nul_survive_the_cli_round_trip(cli, tmp_path):
    source = tmp_path / "tricky.ris"
    source.write_bytes(
        b"TY  - JOUR\nTI  - Title with a NUL\x00 inside\nAB  - First part of the abstract\n"
        b"   ER  - second part, indented in the source\nKW  - kept\nKW  - also kept\nER  - \n"
    )
    first, second = tmp_path / "first", tmp_path / "second"
    exported = tmp_path / "exported.ris"
    for project in (first, second):
        assert cli("init", project, "--protocol", PROTOCOL).exit_code == 0
    assert cli("import", first, source, "--source", "S").exit_code == 0
    assert cli("export", first, "--table", "records", "--format", "ris", "-o", exported).exit_code == 0
    result = cli("import", second, exported, "--source", "S")
    assert result.exit_code == 0, result.output
    from review.store import open_project

    records = []
    for project in (first, second):
        db = open_project(project)
        records.append(_stored(db))
        db.close()
    assert records[1] == records[0]
    (record,) = records[0]
    assert record["abstract"] == "First part of the abstract ER - second part, indented in the source"
    assert record["title"] == "Title with a NUL inside"
    assert record["keywords"] == ["kept", "also kept"]


def test_csv_and_medline_records_survive_export_and_import(tmp_path, data_dir):
    table = tmp_path / "tricky.csv"
    table.write_text(
        "Title,Authors,Year,Pages,Source title,Abstract,PubMed ID\n"
        '"Doubly escaped &amp;amp; title","Madsen L, Holm SK.",2019,5-5,"Policy & Practice","x\u2028y",31234567\n',
        encoding="utf-8",
    )
    for source in (table, data_dir / "import" / "pubmed.nbib", data_dir / "import" / "embase.csv"):
        folder = tmp_path / source.stem
        folder.mkdir()
        before, after = _export_and_reimport(source, folder)
        fields = [{key: value for key, value in row.items() if key not in ("raw", "raw_format")} for row in before]
        assert [{key: row[key] for key in fields[0]} for row in after] == fields
