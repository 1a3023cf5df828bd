"""Coding included studies: validation, history, two coders, agreement, coded tables, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from review.coding.codes import (
    CONSENSUS_CODER,
    changed_codes,
    coded_table,
    codes_long,
    coding_agreement,
    coding_conflicts,
    current_codes,
    evidence_map,
    import_codes,
    reconcile_code,
    set_code,
)
from review.core import Review
from review.errors import ReviewError
from review.fulltext.studies import included_studies

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "protocols" / "helhedsorienteret-indsats.yaml"
CODING = Path(__file__).resolve().parent / "data" / "coding"


@pytest.fixture
def seed_project(tmp_path: Path):
    """Seed protocol; records 1-3 included, 1 and 2 linked as study 'furesoe', 3 unlinked."""
    project_dir = tmp_path / "seed"
    review = Review.create(project_dir, SEED)
    review.import_files([CODING / "records.ris"], source="Demo")
    review.import_decisions(CODING / "decisions.csv")
    review.link_reports([1, 2], "furesoe")
    yield project_dir, review, review.protocol
    review.close()


def test_included_studies_fixture(seed_project):
    _, db, _ = seed_project
    assert included_studies(db) == {"furesoe": [1, 2], "record-3": [3]}


def test_set_code_each_type_and_latest_wins(seed_project):
    _, db, protocol = seed_project
    set_code(db, "furesoe", "roles", ["family-coordinator"], "anna")
    set_code(db, "furesoe", "roles", "company-consultant, cross-sector-case-worker", "anna", note="p. 4")
    set_code(db, "furesoe", "country", "dk", "anna")
    set_code(db, "furesoe", "sample-size", "120", "anna")
    set_code(db, "furesoe", "notes", "Frikommuneforsøg II", "anna")
    current = {c.dimension: c for c in current_codes(db, study="furesoe")}
    assert current["roles"].values == ("cross-sector-case-worker", "company-consultant")  # codebook order
    assert current["roles"].note == "p. 4"
    assert current["sample-size"].values == ("120",)
    assert current["notes"].values == ("Frikommuneforsøg II",)
    assert db.db.execute("SELECT COUNT(*) FROM codes").fetchone()[0] == 5  # history kept


@pytest.mark.parametrize(
    ("dimension", "value", "message"),
    [
        ("rolez", "family-coordinator", "unknown codebook dimension 'rolez'"),
        ("roles", "boss", "unknown value 'boss' for dimension 'roles' (valid: family-coordinator"),
        ("country", "dk,no", "single choice"),
        ("sample-size", "many", "takes a number"),
    ],
)
def test_set_code_rejects_what_the_codebook_does_not_allow(seed_project, dimension, value, message):
    _, db, protocol = seed_project
    with pytest.raises(ReviewError, match=message.replace("(", r"\(")):
        set_code(db, "furesoe", dimension, value, "anna")
    assert db.db.execute("SELECT COUNT(*) FROM codes").fetchone()[0] == 0


def test_codes_belong_to_included_studies_only(seed_project):
    _, db, protocol = seed_project
    with pytest.raises(ReviewError, match="'record-5' is not an included study"):
        set_code(db, "record-5", "country", "no", "anna")
    with pytest.raises(ReviewError, match="'record-1' is not an included study"):
        set_code(db, "record-1", "country", "dk", "anna")  # report 1 belongs to 'furesoe'


def test_import_codes_and_tables(seed_project):
    _, db, protocol = seed_project
    summary = import_codes(db, CODING / "codes.csv")
    assert summary == {"codes": 11, "studies": 2, "coders": 2}
    header, rows = coded_table(db, coder="anna")
    assert header[:4] == ["study", "record_ids", "title", "year"]
    assert header[4:] == [d.key for d in protocol.codebook.dimensions] + ["unreconciled"]
    by_study = {row[0]: dict(zip(header, row)) for row in rows}
    furesoe = by_study["furesoe"]
    assert furesoe["record_ids"] == "1; 2"
    assert furesoe["year"] == 2019
    assert furesoe["roles"] == "Cross-sector case worker with authority in several areas; Company consultant"
    assert furesoe["citizen-outcomes"] == "Employment and education; Wellbeing and quality of life"
    assert furesoe["sample-size"] == 120
    assert by_study["record-3"]["country"] == "Denmark"
    _, danish = coded_table(db, coder="anna", language="da")
    assert dict(zip(header, danish[1]))["country"] == "Danmark"
    _, keys = coded_table(db, coder="bo", language=None)
    assert dict(zip(header, keys[1]))["roles"] == "interdisciplinary-pairs; network-meeting-chair"


def test_without_coder_the_table_shows_agreed_values_and_marks_unreconciled_ones(seed_project):
    _, db, protocol = seed_project
    import_codes(db, CODING / "codes.csv")
    header, rows = coded_table(db)
    furesoe, record3 = (dict(zip(header, row)) for row in rows)
    assert furesoe["country"] == "Denmark"  # anna and bo agree
    assert furesoe["sample-size"] == 120  # only anna gave one
    assert furesoe["roles"].startswith("[unreconciled] anna: Cross-sector case worker")
    assert record3["country"] == "[unreconciled] anna: Denmark | bo: Norway"
    assert record3["unreconciled"] == "roles; country" and furesoe["unreconciled"] == "roles"
    assert [(c.study, c.dimension) for c in coding_conflicts(db)] == [
        ("furesoe", "roles"),
        ("record-3", "country"),
        ("record-3", "roles"),
    ]


def test_a_reconciliation_is_the_agreed_value_and_ends_the_conflict(seed_project):
    _, db, _ = seed_project
    import_codes(db, CODING / "codes.csv")
    code = reconcile_code(db, "record-3", "country", "dk", "carla")
    assert code.coder == CONSENSUS_CODER and code.note == "reconciled by carla"
    set_code(db, "record-3", "country", "no", "bo")  # recoded after the reconciliation: the agreed value stays
    header, rows = coded_table(db)
    record3 = dict(zip(header, rows[1]))
    assert record3["country"] == "Denmark" and record3["unreconciled"] == "roles"
    assert ("record-3", "country") not in {(c.study, c.dimension) for c in coding_conflicts(db)}
    with pytest.raises(ReviewError, match="under your own name"):
        reconcile_code(db, "record-3", "roles", "interdisciplinary-pairs", "consensus")


def test_an_empty_value_is_no_value_so_a_second_coder_never_blanks_the_first(seed_project):
    _, db, _ = seed_project
    set_code(db, "furesoe", "country", "dk", "anna")
    set_code(db, "furesoe", "sample-size", "73", "anna")
    db.set_codes("furesoe", {"roles": ["company-consultant"], "country": None, "sample-size": None}, "new-coder")
    header, rows = coded_table(db)
    furesoe = dict(zip(header, rows[0]))
    assert furesoe["country"] == "Denmark" and furesoe["sample-size"] == 73
    assert furesoe["roles"] == "Company consultant" and furesoe["unreconciled"] == ""


def test_changed_codes_keeps_only_what_differs_from_the_coders_current_values(seed_project):
    _, db, _ = seed_project
    set_code(db, "furesoe", "country", "dk", "anna")
    set_code(db, "furesoe", "sample-size", "120", "anna")
    entered = {"country": "dk", "sample-size": 120.0, "roles": [], "notes": "", "design": ["qualitative"]}
    assert changed_codes(db, "furesoe", "anna", entered) == {"design": ["qualitative"]}
    assert changed_codes(db, "furesoe", "anna", {"country": None}) == {"country": None}  # a cleared value is a change


def test_import_codes_validates_whole_file_and_names_lines(seed_project):
    _, db, protocol = seed_project
    with pytest.raises(ReviewError) as error:
        import_codes(db, CODING / "codes-bad.csv")
    message = str(error.value)
    assert "line 3: unknown codebook dimension 'rolez'" in message
    assert "line 4: unknown value 'xx' for dimension 'country'" in message
    assert "line 5: dimension 'sample-size' takes a number" in message
    assert db.db.execute("SELECT COUNT(*) FROM codes").fetchone()[0] == 0


def test_import_codes_rejects_studies_not_included(seed_project, tmp_path):
    _, db, protocol = seed_project
    path = tmp_path / "codes.csv"
    path.write_text("study,dimension,value,coder\nrecord-5,country,no,anna\n", encoding="utf-8")
    with pytest.raises(ReviewError, match="not included studies: record-5"):
        import_codes(db, path)


def test_codes_long_one_row_per_value(seed_project):
    _, db, protocol = seed_project
    import_codes(db, CODING / "codes.csv")
    header, rows = codes_long(db)
    assert header[:4] == ["study", "dimension", "value", "coder"]
    roles = [row[2] for row in rows if row[:2] == ["furesoe", "roles"] and row[3] == "anna"]
    assert roles == ["cross-sector-case-worker", "company-consultant"]


def test_agreement_per_dimension(seed_project):
    _, db, protocol = seed_project
    import_codes(db, CODING / "codes.csv")
    for study in ("furesoe", "record-3"):
        for dimension in ("country", "roles", "citizen-outcomes"):
            set_code(db, study, dimension, "dk" if dimension == "country" else "", "consensus")
    rows = {row["dimension"]: row for row in coding_agreement(db)}
    assert rows["country"]["coders"] == ["anna", "bo"]
    assert rows["country"]["studies"] == 2
    assert rows["country"]["agreement"] == 50.0
    assert rows["country"]["kappa"] == pytest.approx(0.0)  # p_o 0.5, p_e (2*1)/4 = 0.5
    assert rows["roles"]["studies"] == 2
    assert rows["roles"]["agreement"] == 0.0
    assert rows["roles"]["jaccard"] == pytest.approx((1 / 2 + 1 / 2) / 2)
    assert rows["goals"]["studies"] == 0 and rows["goals"]["agreement"] is None
    set_code(db, "record-3", "sample-size", "40", "anna")
    set_code(db, "record-3", "sample-size", None, "bo")  # an empty value, as the old form saved untouched fields
    assert next(row for row in coding_agreement(db) if row["dimension"] == "sample-size")["studies"] == 0


def test_agreement_needs_two_coders(seed_project):
    _, db, protocol = seed_project
    set_code(db, "furesoe", "country", "dk", "anna")
    with pytest.raises(ReviewError, match="needs two coders; coded so far by: anna"):
        coding_agreement(db)


def test_evidence_map_counts_studies(seed_project):
    _, db, protocol = seed_project
    import_codes(db, CODING / "codes.csv")
    header, rows = evidence_map(db, "roles", "citizen-outcomes", coder="anna")
    assert header[0] == "Roles \\ Outcomes for citizens" and header[-1] == "studies"
    table = {row[0]: dict(zip(header, row)) for row in rows}
    assert len(rows) == len(protocol.codebook.dimension("roles").values)
    assert table["Company consultant"]["Employment and education"] == 1
    assert table["Interdisciplinary pairs"]["Functioning"] == 1
    assert table["Family coordinator or one contact person"]["studies"] == 0
    with pytest.raises(ReviewError, match="'notes' is text"):
        evidence_map(db, "roles", "notes")


def test_cli_code_codes_and_agreement(seed_project, cli):
    project_dir, db, _ = seed_project
    result = cli(
        "code",
        project_dir,
        "furesoe",
        "--set",
        "roles=family-coordinator,company-consultant",
        "--set",
        "country=dk",
        "--coder",
        "anna",
        "--note",
        "p. 14",
    )
    assert result.exit_code == 0, result.output
    assert "roles = family-coordinator, company-consultant" in result.output
    cli("code", project_dir, "furesoe", "--set", "country=dk", "--coder", "bo")
    shown = json.loads(cli("codes", project_dir, "--study", "furesoe", "--json").output)
    assert {(c["dimension"], c["coder"]) for c in shown} == {("roles", "anna"), ("country", "anna"), ("country", "bo")}
    agreement = json.loads(cli("coding-agreement", project_dir, "--json").output)
    assert next(row for row in agreement if row["dimension"] == "country")["agreement"] == 100.0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--set", "framework=law"],
            "Error: unknown value 'law' for dimension 'framework' (valid: legislation-exemptions",
        ),
        (["--set", "colour=red"], "Error: unknown codebook dimension 'colour' (known: framework, goals"),
        (["--set", "roles"], "Error: --set takes DIMENSION=VALUE"),
    ],
)
def test_cli_code_errors(seed_project, cli, args, message):
    project_dir, _, _ = seed_project
    result = cli("code", project_dir, "furesoe", *args, "--coder", "anna")
    assert result.exit_code == 1
    assert message in result.output


def test_cli_import_codes(seed_project, cli):
    project_dir, _, _ = seed_project
    result = cli("import-codes", project_dir, CODING / "codes.csv")
    assert result.exit_code == 0
    assert "Imported 11 codes for 2 studies by 2 coders" in result.output
    bad = cli("import-codes", project_dir, CODING / "codes-bad.csv")
    assert bad.exit_code == 1 and "line 3" in bad.output


def test_import_codes_conflicting_single_values_and_missing_columns(seed_project, tmp_path):
    _, db, protocol = seed_project
    conflict = tmp_path / "conflict.csv"
    conflict.write_text(
        "study,dimension,value,coder\nfuresoe,country,dk,anna\nfuresoe,country,se,anna\n", encoding="utf-8"
    )
    with pytest.raises(ReviewError, match="lines 2, 3: different values for furesoe / country / anna"):
        import_codes(db, conflict)
    missing = tmp_path / "missing.csv"
    missing.write_text("study,value\nfuresoe,dk\n", encoding="utf-8")
    with pytest.raises(ReviewError, match="missing column\\(s\\) dimension, coder"):
        import_codes(db, missing)
