"""Deduplication: normalisation, pair verdicts, the labelled perturbation set, runs, undo, resolve, CLI."""

from __future__ import annotations

import csv
import html
import io
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from review.dedupe import (
    apply_dedupe,
    duplicate_count,
    find_duplicates,
    group_sources,
    list_pairs,
    resolve_pair,
    uncertain_pairs,
    undo_dedupe,
)
from review.dedupe.matching import Conflict, Verdict, compare, prepare
from review.dedupe.normalise import author_key, journal_tokens, journals_compatible, normalise_title, start_page
from review.errors import ReviewError
from review.records import import_files
from review.synthetic.duplicates import Paper, labelled_set, pair_precision_recall, read_papers, to_ris, truth_key

SAMPLE = Path(__file__).parent / "data" / "dedupe" / "medline_sample.ris"
TITLE = "Effects of enalapril on blood pressure in elderly patients with hypertension: a randomised trial."
AUTHORS = ["J Y Douillard", "T Le Chevalier", "P Ruffie"]


def paper(id: str, **fields) -> Paper:
    values = {
        "title": TITLE,
        "authors": AUTHORS,
        "year": 1999,
        "journal": "British Journal of Clinical Pharmacology",
        "pages": "1097-1105",
        "abstract": "Enalapril lowered blood pressure.",
    }
    values.update(fields)
    return Paper(id=id, truth=truth_key(id), **values)


def record(record_id: int, **fields) -> dict:
    item = paper(str(record_id), **fields)
    return {
        "record_id": record_id,
        **{
            name: getattr(item, name)
            for name in ("title", "authors", "year", "journal", "pages", "doi", "pmid", "abstract")
        },
    }


def import_papers(db, tmp_path: Path, papers: list[Paper], name: str = "search", source: str | None = None) -> None:
    path = tmp_path / f"{name}.ris"
    path.write_text(to_ris(papers), encoding="utf-8")
    import_files(db, [path], source=source)


def duplicate_of_by_source_id(db) -> dict[str, int | None]:
    rows = db.execute("SELECT source_id, record_id, duplicate_of FROM records").fetchall()
    return {source_id: duplicate_of for source_id, _, duplicate_of in rows}


def snapshot(db) -> list[tuple]:
    return db.execute("SELECT record_id, duplicate_of FROM records ORDER BY record_id").fetchall()


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("The <i>In vivo</i> effect of Caf&eacute; &amp; tea: a trial.", "in vivo effect of cafe tea a trial"),
        ("THE EFFECT OF TEA", "effect of tea"),
        ("[Effect of tea in Ålborg]", "effect of tea in alborg"),
        ("An  effect -- of   tea", "effect of tea"),
        ("Tea at P < 0.05 and Q > 1", "tea at p 0 05 and q 1"),
    ],
)
def test_normalise_title(raw: str, expected: str) -> None:
    assert normalise_title(raw) == expected


@given(st.text(alphabet=st.characters(codec="latin-1", categories=["L", "N", "P", "Zs"]), max_size=80))
def test_title_key_ignores_case_entities_and_tags(title: str) -> None:
    key = normalise_title(title)
    assert normalise_title(html.escape(title.upper())) == key == normalise_title(f"<i>{title.lower()}</i>")


@pytest.mark.parametrize(
    "name",
    [
        "T Le Chevalier",
        "Le Chevalier, T.",
        "Le Chevalier T",
        "LE CHEVALIER T",
        "Thomas Le Chevalier",
    ],
)
def test_author_key_surname_whatever_the_order(name: str) -> None:
    assert author_key(name)[0] == "lechevalier"


@pytest.mark.parametrize(
    "name, expected",
    [
        ("J Y Douillard", ("douillard", "jy")),
        ("Douillard, J.-Y.", ("douillard", "jy")),
        ("Douillard JY", ("douillard", "jy")),
        ("J Bérille", ("berille", "j")),
        ("LI J", ("li", "j")),
    ],
)
def test_author_key_initials(name: str, expected: tuple[str, str]) -> None:
    assert author_key(name) == expected


@pytest.mark.parametrize(
    "first, second, compatible",
    [
        ("J Am Med Assoc", "Journal of the American Medical Association", True),
        ("JAMA", "Journal of the American Medical Association", True),
        (
            "Proc Natl Acad Sci U S A",
            "Proceedings of the National Academy of Sciences of the United States of America",
            True,
        ),
        ("Ann Intern Med", "Archives of Internal Medicine", False),
        ("Lancet", "New England Journal of Medicine", False),
    ],
)
def test_journal_abbreviations(first: str, second: str, compatible: bool) -> None:
    assert journals_compatible(journal_tokens(first), journal_tokens(second)) is compatible


def test_start_page() -> None:
    assert [start_page(pages) for pages in ("1097-105", "e0123", "S12", None)] == ["1097", "e0123", "s12", ""]


@pytest.mark.parametrize(
    "fields",
    [
        {"title": TITLE.upper().rstrip("."), "authors": ["DOUILLARD JY", "LE CHEVALIER T", "RUFFIE P"]},
        {"title": "The " + TITLE.replace(":", " -"), "journal": "Br J Clin Pharmacol", "pages": "1097"},
        {"title": TITLE.replace("elderly", "<i>elderly</i>").replace("a randomised", "a randomized"), "year": 2000},
        {"authors": ["Douillard, J. Y.", "et al."], "abstract": None, "journal": None},
    ],
)
def test_perturbed_copy_merges(fields: dict) -> None:
    comparison = compare(prepare(record(1)), prepare(record(2, **fields)))
    assert comparison.classification == "merge", comparison


@pytest.mark.parametrize(
    "fields, conflict, verdict",
    [
        ({"title": "Erratum: " + TITLE, "year": 2000, "pages": "1420"}, Conflict.NOTICE, None),
        ({"title": TITLE + " Part II"}, Conflict.NUMBERS, None),
        (
            {"journal": "British Journal of Clinical Pharmacology Supplement", "year": 1998, "pages": "S12"},
            Conflict.MEETING,
            None,
        ),
        ({"authors": ["A Smith", "B Jones"]}, Conflict.AUTHORS, Verdict.UNCERTAIN),
        ({"doi": "10.1000/other"}, Conflict.DOIS, Verdict.UNCERTAIN),
    ],
)
def test_look_alikes_are_not_merged(fields: dict, conflict: Conflict, verdict: Verdict | None) -> None:
    """A notice, another part or a conference abstract is another paper; other authors or DOIs need a person."""
    comparison = compare(prepare(record(1, doi="10.1000/first")), prepare(record(2, **fields)))
    assert comparison.classification is verdict
    assert conflict in comparison.conflicts


def test_other_year_without_corroboration_is_uncertain() -> None:
    comparison = compare(
        prepare(record(1, journal=None, pages=None)), prepare(record(2, year=1998, journal=None, pages=None))
    )
    assert comparison.classification == "uncertain"


def test_same_title_by_other_authors_years_apart_is_another_paper() -> None:
    other = record(2, title="Heart failure.", authors=["A Smith"], year=2004)
    assert compare(prepare(record(1, title="Heart failure.")), prepare(other)).classification is None


def test_different_titles_are_different_papers() -> None:
    assert (
        compare(prepare(record(1)), prepare(record(2, title="Losartan in diabetic nephropathy."))).classification
        is None
    )


@pytest.mark.parametrize("seed", [11, 29])
def test_labelled_perturbation_set_precision_and_recall(project, tmp_path: Path, seed: int) -> None:
    project_dir, db = project
    papers = labelled_set(read_papers(SAMPLE), seed=seed, duplicate_share=0.6, mean_copies=1.5, lookalike_share=0.2)
    import_papers(db, tmp_path, papers)
    result = find_duplicates(db)
    rows = db.execute("SELECT record_id, source_id FROM records").fetchall()
    predicted = {source_id: result.assignments.get(record_id) or record_id for record_id, source_id in rows}
    truth = {source_id: truth_key(source_id) for _, source_id in rows}
    scores = pair_precision_recall(predicted, truth)
    assert scores["true_pairs"] > 200
    assert scores["recall"] >= 0.95, scores
    assert scores["precision"] >= 0.99, scores


def test_groups_are_transitive_and_point_at_the_kept_record(project, review, tmp_path: Path) -> None:
    _, db = project
    import_papers(
        db,
        tmp_path,
        [
            paper("a", doi="10.1000/x", abstract=None),
            paper("b", doi="10.1000/x", pmid="12345"),
            paper("c", pmid="12345", title=TITLE.upper(), doi=None),
            paper("d", title=TITLE.lower(), doi=None, pmid=None, abstract=None),
        ],
    )
    apply_dedupe(db)
    targets = duplicate_of_by_source_id(db)
    kept = db.execute("SELECT record_id FROM records WHERE source_id = 'b'").fetchone()[0]
    assert targets == {"a": kept, "b": None, "c": kept, "d": kept}
    assert duplicate_count(db) == 3 == review.status()["duplicates_removed"]


def test_copies_lacking_fields_do_not_chain_two_papers_together(project, tmp_path: Path) -> None:
    _, db = project
    common = {"title": "Cutaneous drug reaction case reports.", "authors": [], "abstract": None}
    import_papers(
        db,
        tmp_path,
        [
            paper("first", journal="Archives of Internal Medicine", pages="1066-1080", **common),
            paper("second", journal="Journal of Hypertension", pages="1534-1542", **common),
            paper("copy", journal=None, pages=None, **common),
        ],
    )
    apply_dedupe(db)
    targets = duplicate_of_by_source_id(db)
    assert targets["first"] is None and targets["second"] is None and targets["copy"] is not None
    assert len(uncertain_pairs(db)) == 1


def test_labelled_set_never_points_at_a_duplicate(project, tmp_path: Path) -> None:
    _, db = project
    import_papers(db, tmp_path, labelled_set(read_papers(SAMPLE)[:120], seed=5, duplicate_share=0.8, mean_copies=2.5))
    apply_dedupe(db)
    assert (
        db.execute(
            "SELECT COUNT(*) FROM records r JOIN records k ON r.duplicate_of = k.record_id "
            "WHERE k.duplicate_of IS NOT NULL"
        ).fetchone()[0]
        == 0
    )


def test_dry_run_changes_nothing(project, tmp_path: Path) -> None:
    _, db = project
    import_papers(db, tmp_path, [paper("a"), paper("b", title=TITLE.upper())])
    result = find_duplicates(db)
    assert result.n_duplicates == 1 and [pair.method for pair in result.merge_pairs] == ["fuzzy"]
    assert duplicate_count(db) == 0 and db["dedupe_runs"].count == 0


def test_undo_restores_exactly(project, review, tmp_path: Path) -> None:
    _, db = project
    import_papers(db, tmp_path, labelled_set(read_papers(SAMPLE)[:80], seed=3, lookalike_share=0.3))
    before = snapshot(db)
    run_id = apply_dedupe(db)
    applied = snapshot(db)
    assert applied != before and uncertain_pairs(db)
    assert undo_dedupe(db, run_id) == sum(1 for old, new in zip(before, applied) if old != new)
    assert snapshot(db) == before
    assert review.status()["uncertain_duplicate_pairs"] == 0 and list_pairs(db) == []
    with pytest.raises(ReviewError, match="already undone"):
        undo_dedupe(db, run_id)


def test_rerun_after_new_import_joins_existing_groups(project, tmp_path: Path) -> None:
    _, db = project
    import_papers(db, tmp_path, [paper("a", abstract=None), paper("b", title=TITLE.upper(), doi="10.1000/x")], "first")
    first_run = apply_dedupe(db)
    kept = db.execute("SELECT record_id FROM records WHERE source_id = 'b'").fetchone()[0]
    assert duplicate_of_by_source_id(db) == {"a": kept, "b": None}
    import_papers(db, tmp_path, [paper("c", title=TITLE.lower(), doi="10.1000/x", pmid="777")], "second")
    second_run = apply_dedupe(db)
    assert duplicate_of_by_source_id(db) == {"a": kept, "b": None, "c": kept}
    assert find_duplicates(db).pairs == []
    undo_dedupe(db, second_run)
    assert duplicate_of_by_source_id(db) == {"a": kept, "b": None, "c": None}
    undo_dedupe(db, first_run)
    assert duplicate_count(db) == 0


def test_undo_refuses_when_a_later_decision_changed_the_same_records(project, tmp_path: Path) -> None:
    _, db = project
    import_papers(db, tmp_path, [paper("a", abstract=None), paper("b", year=2000, journal=None, pages=None)], "first")
    first_run = apply_dedupe(db)
    (pair,) = uncertain_pairs(db)
    import_papers(
        db,
        tmp_path,
        [
            paper("c", title=TITLE.upper(), abstract=None),
            paper("d", title=TITLE.upper(), year=2000, journal=None, pages=None),
        ],
        "second",
    )
    second_run = apply_dedupe(db)
    ids = dict(db.execute("SELECT source_id, record_id FROM records").fetchall())
    assert duplicate_of_by_source_id(db) == {"a": None, "b": None, "c": ids["a"], "d": ids["b"]}
    resolve_pair(db, pair["pair_id"], merge=True, reviewer="anna")  # b is more complete: a's group moves to b
    assert duplicate_of_by_source_id(db) == {"a": ids["b"], "b": None, "c": ids["b"], "d": ids["b"]}
    with pytest.raises(ReviewError, match=rf"run\(s\) {first_run} changed the same records later"):
        undo_dedupe(db, second_run)
    undo_dedupe(db, first_run)
    assert duplicate_of_by_source_id(db) == {"a": None, "b": None, "c": ids["a"], "d": ids["b"]}
    undo_dedupe(db, second_run)
    assert duplicate_count(db) == 0


def test_screened_record_is_kept(project, review, tmp_path: Path) -> None:
    _, db = project
    import_papers(db, tmp_path, [paper("a", abstract=None, doi=None), paper("b", title=TITLE.upper(), doi="10.1000/x")])
    screened = db.execute("SELECT record_id FROM records WHERE source_id = 'a'").fetchone()[0]
    review.decide(screened, "ta", "anna", "include")
    apply_dedupe(db)
    assert duplicate_of_by_source_id(db) == {"a": None, "b": screened}


def test_resolve_merge_and_keep_both(project, tmp_path: Path) -> None:
    _, db = project
    import_papers(
        db,
        tmp_path,
        [
            paper("a", doi="10.1000/first"),
            paper("other-doi", doi="10.1000/other"),
            paper("other-year", year=2001, pages=None, journal=None, abstract=None),
        ],
    )
    run_id = apply_dedupe(db)
    pairs = {frozenset((pair["record"]["source_id"], pair["other"]["source_id"])): pair for pair in uncertain_pairs(db)}
    assert set(pairs) == {
        frozenset(("a", "other-doi")),
        frozenset(("a", "other-year")),
        frozenset(("other-doi", "other-year")),
    }
    first = pairs[frozenset(("a", "other-doi"))]
    assert first["record"]["title"] and first["other"]["title"] and Conflict.DOIS in first["evidence"]
    resolve_pair(db, first["pair_id"], merge=False, reviewer="anna")
    outcome = resolve_pair(db, pairs[frozenset(("a", "other-year"))]["pair_id"], merge=True, reviewer="ben")
    kept = db.execute("SELECT record_id FROM records WHERE source_id = 'a'").fetchone()[0]
    assert outcome["kept_record_id"] == kept
    assert duplicate_of_by_source_id(db) == {"a": None, "other-doi": None, "other-year": kept}
    with pytest.raises(ReviewError, match="not waiting"):
        resolve_pair(db, first["pair_id"], merge=True, reviewer="anna")
    assert find_duplicates(db).pairs == []  # decided pairs are neither merged nor asked again
    assert sorted(pair["status"] for pair in list_pairs(db)) == ["confirmed", "rejected", "uncertain"]
    undo_dedupe(db, run_id)
    assert duplicate_count(db) == 0


def test_group_sources_lists_every_database(project, tmp_path: Path) -> None:
    _, db = project
    import_papers(db, tmp_path, [paper("p1")], "pubmed", source="PubMed")
    import_papers(db, tmp_path, [paper("e1", title=TITLE.upper(), doi="10.1000/x")], "embase", source="Embase")
    apply_dedupe(db)
    any_member = db.execute("SELECT record_id FROM records WHERE source_id = 'p1'").fetchone()[0]
    sources = group_sources(db, any_member)
    assert [(item["source"], item["kept"]) for item in sources] == [("Embase", True), ("PubMed", False)]
    assert {item["file_name"] for item in sources} == {"pubmed.ris", "embase.ris"}


def test_cli_dedupe_duplicates_resolve_undo(project, tmp_path: Path, cli) -> None:
    project_dir, db = project
    import_papers(
        db, tmp_path, [paper("a"), paper("b", title=TITLE.upper()), paper("c", year=2001, journal=None, pages=None)]
    )
    dry = json.loads(cli("dedupe", project_dir, "--json").output)
    assert dry["applied"] is False and dry["run_id"] is None and duplicate_count(db) == 0
    assert (dry["records"], dry["duplicates"], dry["merge_pairs"], dry["uncertain_pairs"]) == (3, 1, 1, 1)
    applied = json.loads(cli("dedupe", project_dir, "--apply", "--json").output)
    assert applied["applied"] is True and applied["newly_merged"] == 1
    listed = json.loads(cli("duplicates", project_dir, "--uncertain", "--json").output)
    assert len(listed) == 1 and listed[0]["status"] == "uncertain"
    assert "years 2 apart" in listed[0]["evidence"] and "2 duplicate pairs" in cli("duplicates", project_dir).output
    resolved = json.loads(
        cli(
            "resolve-duplicate", project_dir, listed[0]["pair_id"], "--keep-both", "--reviewer", "anna", "--json"
        ).output
    )
    assert resolved == {"pair_id": listed[0]["pair_id"], "status": "rejected", "kept_record_id": None}
    undone = json.loads(cli("dedupe", project_dir, "--undo", applied["run_id"], "--json").output)
    assert undone == {"run_id": applied["run_id"], "records_restored": 1, "duplicates": 0}


def test_cli_errors_are_one_line(project, cli) -> None:
    project_dir, _ = project
    result = cli("resolve-duplicate", project_dir, "5", "--merge")
    assert result.exit_code == 1 and "no duplicate pair 5" in result.output
    assert cli("resolve-duplicate", project_dir, "5").exit_code == 1
    assert "no dedupe run 9" in cli("dedupe", project_dir, "--undo", "9").output


@pytest.mark.parametrize("command", ["dedupe", "duplicates", "resolve-duplicate"])
def test_cli_help_has_example(cli, command: str) -> None:
    assert "Example:" in cli(command, "--help").output


def test_import_dedupe_export_round_trip(project, tmp_path: Path, cli) -> None:
    project_dir, _ = project
    (tmp_path / "pubmed.ris").write_text(to_ris([paper("P1"), paper("P2", title="Losartan in nephropathy.")]))
    (tmp_path / "embase.ris").write_text(to_ris([paper("E1", title=TITLE.upper(), journal="Br J Clin Pharmacol")]))
    assert cli("import", project_dir, tmp_path / "pubmed.ris", tmp_path / "embase.ris").exit_code == 0
    assert cli("dedupe", project_dir, "--apply").exit_code == 0
    exported = cli("export", project_dir, "--table", "records", "--format", "csv", "-o", "-").output
    rows = {row["source_id"]: row for row in csv.DictReader(io.StringIO(exported))}
    assert rows["E1"]["duplicate_of"] == rows["P1"]["record_id"]
    assert rows["P1"]["duplicate_of"] == rows["P2"]["duplicate_of"] == ""
    assert (rows["P1"]["source"], rows["E1"]["source"]) == ("pubmed", "embase")
