"""PRISMA 2020: counts from the database, the arithmetic checks, CSV template, SVG and PNG."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from review.errors import ReviewError
from review.prisma import PrismaCounts, check_counts, render_prisma
from review.prisma.template import prisma_csv
from review.store import transaction

CONTRACT_KEYS = [
    "database_results",
    "register_results",
    "duplicates",
    "excluded_automatic",
    "excluded_other",
    "records_screened",
    "records_excluded",
    "dbr_sought_reports",
    "dbr_notretrieved_reports",
    "dbr_assessed",
    "dbr_excluded",
    "new_studies",
    "new_reports",
]


def ris(ids) -> str:
    return "".join(f"TY  - JOUR\nID  - {n}\nTI  - Record {n}\nER  - \n\n" for n in ids)


def import_ris(review, path, text: str, source: str = "Test") -> None:
    path.write_text(text, encoding="utf-8")
    review.import_files([path], source=source)


def decide(review, record_ids, stage, label, reason=None) -> None:
    """Every reviewer the protocol asks for gives the same label (tests of other modules use it too)."""
    for record_id in record_ids:
        for reviewer in range(review.protocol.stage(stage).reviewers):
            review.decide(record_id, stage, f"r{reviewer}", label, reason)


def counts_of(review, language: str = "en") -> dict:
    return review.prisma(language, allow_incomplete=True)[0].to_dict()


@pytest.fixture
def imported(review, tmp_path):
    """Eight records from two databases; record 8 is a duplicate of record 1."""
    import_ris(review, tmp_path / "pubmed.ris", ris(range(1, 6)), "PubMed")
    import_ris(review, tmp_path / "embase.ris", ris(range(6, 9)), "Embase")
    with transaction(review.db):
        review.db.execute("UPDATE records SET duplicate_of = 1 WHERE record_id = 8")
    return review


@pytest.fixture
def finished(imported):
    """A complete flow: 7 screened, 2 excluded, 5 sought, 1 not retrieved, 2 excluded at full text, 2 included."""
    review = imported
    decide(review, [6, 7], "ta", "exclude")
    decide(review, [1, 2, 3, 4, 5], "ta", "include")
    review.mark_not_retrieved(5, "Not available")
    decide(review, [4], "ft", "exclude", "wrong-population")
    decide(review, [3], "ft", "exclude", "wrong-outcome")
    decide(review, [1, 2], "ft", "include")
    review.link_reports([1, 2], "Study A")
    return review


def test_counts_come_from_the_database(finished):
    review = finished
    counts = counts_of(review)
    assert {key: counts[key] for key in CONTRACT_KEYS} == {
        "database_results": 8,
        "register_results": 0,
        "duplicates": 1,
        "excluded_automatic": 0,
        "excluded_other": 0,
        "records_screened": 7,
        "records_excluded": 2,
        "dbr_sought_reports": 5,
        "dbr_notretrieved_reports": 1,
        "dbr_assessed": 4,
        "dbr_excluded": 2,
        "new_studies": 1,
        "new_reports": 2,
    }
    assert counts["database_specific_results"] == {"Embase": 3, "PubMed": 5}
    assert counts["dbr_excluded_reasons"] == {"No relevant outcome": 1, "Wrong population": 1}
    assert counts["records_undecided"] == counts["reports_undecided"] == 0
    assert check_counts(review.prisma()[0]) == []


def test_reason_labels_follow_the_language(finished):
    review = finished
    assert counts_of(review, language="da")["dbr_excluded_reasons"] == {
        "Forkert målgruppe": 1,
        "Intet relevant udfald": 1,
    }


def test_undecided_records_and_reports_fail_the_check(imported):
    review = imported
    decide(review, [1, 2, 3], "ta", "include")
    decide(review, [4], "ta", "exclude")
    decide(review, [5], "ta", "maybe")
    decide(review, [1], "ft", "include")
    counts = counts_of(review)
    assert counts["records_undecided"] == 3  # 5 (maybe), 6 and 7 (no decision)
    assert counts["reports_undecided"] == 2
    problems = check_counts(PrismaCounts(**counts))
    assert any("3 records are still undecided at title/abstract" in problem for problem in problems)
    assert any("2 reports are still undecided at full text" in problem for problem in problems)
    with pytest.raises(ReviewError, match="do not add up"):
        review.prisma()


def test_registers_in_the_protocol_that_are_not_in_the_project_break_the_sum(finished):
    review = finished
    review.store_protocol(review.protocol_yaml().replace("registers: 0", "registers: 4"))
    problems = review.prisma(allow_incomplete=True)[1]
    assert len(problems) == 1
    assert "12" in problems[0] and "4 register records" in problems[0]


VALID = {
    "database_results": 100,
    "register_results": 5,
    "duplicates": 10,
    "excluded_automatic": 3,
    "excluded_other": 2,
    "records_screened": 90,
    "records_excluded": 60,
    "dbr_sought_reports": 30,
    "dbr_notretrieved_reports": 4,
    "dbr_assessed": 26,
    "dbr_excluded": 16,
    "dbr_excluded_reasons": {"A": 10, "B": 6},
    "database_specific_results": {"X": 70, "Y": 30},
    "new_studies": 9,
    "new_reports": 10,
}


@pytest.mark.parametrize(
    "key, value, words",
    [
        ("duplicates", 11, "minus duplicates and removals"),
        ("records_excluded", 59, "records screened (90) is not records excluded (59)"),
        ("dbr_notretrieved_reports", 5, "reports sought (30) is not reports not retrieved (5)"),
        ("new_reports", 11, "reports assessed (26) is not reports excluded (16) plus reports included (11)"),
        ("dbr_excluded_reasons", {"A": 10}, "exclusion reasons add up to 10"),
        ("database_specific_results", {"X": 1}, "records per database add up to 1"),
        ("new_studies", 12, "more studies (12) than reports"),
    ],
)
def test_each_broken_sum_is_named(key, value, words):
    assert check_counts(PrismaCounts(**VALID)) == []
    problems = check_counts(PrismaCounts(**{**VALID, key: value}))
    assert any(words in problem for problem in problems), problems


@given(st.lists(st.integers(0, 500), min_size=8, max_size=8))
def test_any_consistent_flow_passes_and_any_shifted_count_fails(parts):
    dup, auto, other, excluded, notret, ft_excl, included, shift = parts
    sought = notret + ft_excl + included
    screened = excluded + sought
    counts = {
        "database_results": screened + dup + auto + other,
        "register_results": 0,
        "duplicates": dup,
        "excluded_automatic": auto,
        "excluded_other": other,
        "records_screened": screened,
        "records_excluded": excluded,
        "dbr_sought_reports": sought,
        "dbr_notretrieved_reports": notret,
        "dbr_assessed": ft_excl + included,
        "dbr_excluded": ft_excl,
        "new_studies": included,
        "new_reports": included,
    }
    assert check_counts(PrismaCounts(**counts)) == []
    assert check_counts(PrismaCounts(**{**counts, "records_screened": screened + shift + 1})) != []


def test_csv_follows_the_prisma2020_template(finished):
    review = finished
    text = prisma_csv(review.prisma()[0])
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == ["data", "node", "box", "description", "boxtext", "tooltips", "url", "n"]
    by_key = {row["data"]: row for row in rows if row["data"] != "NA"}
    for key in CONTRACT_KEYS:
        assert key in by_key
    assert by_key["records_screened"]["n"] == "7"
    assert by_key["records_screened"]["box"] == "box4"
    assert by_key["dbr_excluded"]["n"] == "No relevant outcome, 1; Wrong population, 1"
    assert by_key["database_specific_results"]["n"] == "Embase, 3; PubMed, 5"
    assert [row["data"] for row in rows].count("dbr_excluded") == 1


def test_csv_keeps_reason_names_splittable():
    counts = PrismaCounts(**{**VALID, "dbr_excluded_reasons": {"Wrong population, adults; elderly": 16}})
    rows = {row["data"]: row for row in csv.DictReader(io.StringIO(prisma_csv(counts)))}
    assert rows["dbr_excluded"]["n"] == "Wrong population - adults - elderly, 16"


def test_svg_is_well_formed_and_shows_the_counts(finished):
    review = finished
    svg = render_prisma(review.prisma()[0], "svg")
    root = ET.fromstring(svg)
    texts = " ".join(node.text or "" for node in root.iter("{http://www.w3.org/2000/svg}text"))
    for expected in [
        "Records screened (n = 7)",
        "PubMed (n = 5)",
        "Wrong population (n = 1)",
        "Studies included in review (n = 1)",
        "Reports of included studies (n = 2)",
        "Identification",
        "Screening",
        "Included",
    ]:
        assert expected in texts
    assert "DRAFT" not in texts


def test_png_is_a_high_resolution_image(finished):
    review = finished
    png = render_prisma(review.prisma()[0], "png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(png[16:20], "big")
    assert width > 1500  # 200 dpi: crisp when printed or zoomed


def test_cli_json_csv_and_diagrams(finished, cli, tmp_path):
    project_dir = finished.folder
    result = cli("prisma", project_dir, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["dbr_assessed"] == 4 and data["new_studies"] == 1
    result = cli("prisma", project_dir, "--format", "csv", "-o", tmp_path / "PRISMA.csv")
    assert result.exit_code == 0
    assert (tmp_path / "PRISMA.csv").read_text(encoding="utf-8").startswith("data,node,box,")
    result = cli("prisma", project_dir, "--format", "png", "--language", "da")
    assert result.exit_code == 0, result.output
    assert (project_dir / "exports" / "prisma.png").stat().st_size > 10_000
    result = cli("prisma", project_dir, "--format", "svg", "-o", tmp_path / "flow.svg", "--language", "da")
    assert "Screenede referencer (n = 7)" in (tmp_path / "flow.svg").read_text(encoding="utf-8")


def test_cli_refuses_an_incomplete_flow_unless_asked(imported, cli, tmp_path):
    review = imported
    project_dir = review.folder
    decide(review, [1], "ta", "include")
    result = cli("prisma", project_dir, "--format", "svg", "-o", tmp_path / "flow.svg")
    assert result.exit_code == 1
    assert "do not add up" in result.output and "6 records are still undecided" in result.output
    assert not (tmp_path / "flow.svg").exists()
    result = cli("prisma", project_dir, "--format", "svg", "-o", tmp_path / "flow.svg", "--allow-incomplete")
    assert result.exit_code == 0
    svg = (tmp_path / "flow.svg").read_text(encoding="utf-8")
    assert "DRAFT" in svg and "Still undecided (n = 6)" in svg and "Still undecided (n = 1)" in svg
    result = cli("prisma", project_dir, "--allow-incomplete")
    assert json.loads(result.output[result.output.index("{") :])["problems"]


def test_cli_rejects_unknown_format_and_language(finished, cli):
    project_dir = finished.folder
    assert cli("prisma", project_dir, "--format", "pdf").exit_code != 0
    assert cli("prisma", project_dir, "--language", "xx").exit_code != 0
