"""The Import page: naming a table's columns, dry run then merge, undoing a merge run, deciding pairs in bulk."""

from __future__ import annotations

from review.dedupe import dedupe_runs, duplicate_count, uncertain_pairs
from review.records import batches
from tests.apptest import page

CSV = "Headline,Summary,Published\nCross-sector collaboration for families,An abstract,2015\nA second study,,2016\n"
SAME = b"TY  - JOUR\nID  - A1\nTI  - Integrated care for families\nDO  - 10.1000/x1\nPY  - 2015\nER  - \n"
SAME_AGAIN = b"TY  - JOUR\nID  - B1\nTI  - Integrated care for families\nDO  - 10.1000/x1\nPY  - 2015\nER  - \n"
LOOK_ALIKE_A = (
    b"TY  - JOUR\nID  - C1\nTI  - Cross-sector collaboration for families with complex problems\nAU  - Hansen, Anna\n"
    b"PY  - 2015\nAB  - First abstract about municipal social work\nER  - \n"
)
LOOK_ALIKE_B = (
    b"TY  - JOUR\nID  - D1\nTI  - Cross sector collaboration for families with complex problems: a study\n"
    b"PY  - 2016\nAB  - Second abstract about something else\nER  - \n"
)


def button(at, label: str):
    return next(b for b in at.button if b.label == label)


def test_a_table_without_a_recognised_title_column_is_imported_after_naming_it(review):
    at = page(review.folder, "import_page")
    at.file_uploader(key="import_files").set_value([("embase.csv", CSV.encode(), "text/csv")])
    at.text_input(key="import_source").input("Embase")
    at = button(at, "Import").click().run()
    assert "no title column among Headline, Summary, Published" in at.warning[0].value
    assert not batches(review.db)  # nothing lands until the columns are named
    at.selectbox(key="map_title").set_value("Headline")
    at.selectbox(key="map_abstract").set_value("Summary")
    at.selectbox(key="map_year").set_value("Published")
    at = at.button(key="import_mapped").click().run()
    assert "embase.csv: 2 records from Embase (csv)" in [s.value for s in at.success]
    record = next(review.records())
    assert (record.title, record.abstract, record.year) == (
        "Cross-sector collaboration for families",
        "An abstract",
        2015,
    )
    assert [row["file_name"] for row in batches(review.db)] == ["embase.csv"]
    assert "import_mapping" not in at.session_state


def test_one_record_is_one_record_and_a_repeat_says_how_to_import_it_again(review):
    at = page(review.folder, "import_page")
    at.file_uploader(key="import_files").set_value([("a.ris", SAME, "application/x-research-info-systems")])
    at = button(at, "Import").click().run()
    assert at.success[0].value == "a.ris: 1 record from a (ris)"
    at.file_uploader(key="import_files").set_value([("a.ris", SAME, "application/x-research-info-systems")])
    at = button(at, "Import").click().run()
    assert at.error[0].value.endswith("Tick 'Import again' to import it anyway.")
    assert len(batches(review.db)) == 1


def test_dry_run_changes_nothing_then_merge_and_undo_the_run(review):
    review.import_uploads([("a.ris", SAME), ("b.ris", SAME_AGAIN)])
    at = page(review.folder, "import_page")
    at = at.button(key="find_duplicates").click().run()
    assert "1 pairs would be merged" in at.markdown[0].value and duplicate_count(review.db) == 0
    assert list(at.dataframe[1].value["Matched by"]) == ["doi"]
    at = at.button(key="dedupe_merge").click().run()
    assert duplicate_count(review.db) == 1 and "Run 1: 1 records are now marked as duplicates." in at.success[0].value
    at = at.button(key="undo_run_1").click().run()
    assert duplicate_count(review.db) == 0 and dedupe_runs(review.db)[0]["undone_at"]
    assert "Run 1 undone" in at.success[0].value and not [b for b in at.button if b.key == "undo_run_1"]


def test_pairs_show_both_abstracts_and_are_kept_apart_in_bulk(review):
    review.import_uploads([("c.ris", LOOK_ALIKE_A), ("d.ris", LOOK_ALIKE_B)])
    review.apply_dedupe(review.find_duplicates())
    at = page(review.folder, "import_page")
    texts = [element.value for element in at.text]
    assert "First abstract about municipal social work" in texts and "Second abstract about something else" in texts
    [pair] = uncertain_pairs(review.db)
    at = button(at, "Different papers: all selected pairs").click().run()
    assert "Select at least one pair." in at.warning[0].value
    at.checkbox(key=f"pick_{pair['pair_id']}").check()
    at = button(at, "Different papers: all selected pairs").click().run()
    assert "1 pair(s) kept apart." in [s.value for s in at.success] and not uncertain_pairs(review.db)


def test_page_in_danish(review):
    review.import_uploads([("c.ris", LOOK_ALIKE_A), ("d.ris", LOOK_ALIKE_B)])
    review.apply_dedupe(review.find_duplicates())
    at = page(review.folder, "import_page", ui_language="da")
    assert not at.exception and at.title[0].value == "Import"
    assert "Fil" in at.dataframe[0].value.columns
    assert {"Find dubletter (prøvekørsel)", "Samme artikel: flet", "Forskellige artikler"} <= {
        b.label for b in at.button
    }
