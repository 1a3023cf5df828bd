"""AppTest: the PRISMA, Conflicts, Coding, Export and Import (duplicates) pages over a screened project."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from review.coding.codes import current_codes
from review.records import import_files, import_uploads
from review.screening.log import final_labels, record_decision

REPO = Path(__file__).resolve().parents[1]
RECORDS = REPO / "tests" / "data" / "screening" / "records.ris"


def page(project_dir: Path, name: str, reviewer: str = "Anna") -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.session_state["project_dir"] = str(project_dir)
    at.session_state["reviewer"] = reviewer
    at.switch_page(f"review/webapp/pages/{name}.py")
    return at.run()


def metric(at: AppTest, label: str) -> int:
    return int(next(m.value for m in at.metric if m.label == label))


@pytest.fixture
def screened(project):
    """Records 1-2 included at both stages, 3 excluded at full text, 4 excluded at title/abstract."""
    project_dir, db = project
    import_files(db, [RECORDS], source="Test")
    for reviewer in ("Anna", "Ben"):
        for record_id in (1, 2, 3):
            record_decision(db, record_id, "ta", reviewer, "include")
        record_decision(db, 4, "ta", reviewer, "exclude")
    record_decision(db, 1, "ft", "Anna", "include")
    record_decision(db, 2, "ft", "Anna", "include")
    record_decision(db, 3, "ft", "Anna", "exclude", reason="wrong-outcome")
    return project_dir, db


def test_prisma_page_shows_the_counts_and_offers_svg_png_csv(screened):
    project_dir, db = screened
    at = page(project_dir, "prisma")
    assert not at.exception
    assert metric(at, "Records excluded") == 1
    assert metric(at, "Reports sought") == 3
    assert metric(at, "Reports excluded") == 1
    assert metric(at, "Studies included") == 2
    assert "No relevant outcome (1)" in at.caption[0].value
    record_decision(db, 5, "ta", "Anna", "exclude")
    record_decision(db, 5, "ta", "Ben", "exclude")
    assert metric(at.run(), "Records excluded") == 2


def test_conflict_is_listed_without_resolution_and_resolved_by_the_named_reviewer(screened):
    project_dir, db = screened
    record_decision(db, 6, "ta", "Anna", "include")
    record_decision(db, 6, "ta", "Ben", "exclude")
    at = page(project_dir, "conflicts", reviewer="Carla")
    assert "1 open conflicts" in at.caption[0].value
    assert "Anna: include · Ben: exclude" in [caption.value for caption in at.caption]
    at.radio(key="label_6").set_value("include")
    at.button(key="resolve_6").click().run()
    assert "resolved by Carla" in at.success[0].value
    assert final_labels(db, "ta")[6] == "include"
    assert db.execute("SELECT reviewer, kind FROM decisions ORDER BY event_id DESC LIMIT 1").fetchone() == (
        "Carla",
        "resolve",
    )


def test_coding_form_is_generated_from_the_codebook_and_saves_under_the_coder(screened):
    project_dir, db = screened
    at = page(project_dir, "coding", reviewer="Ben")
    assert not at.exception
    study = at.selectbox(key="coding_study").value
    at.selectbox(key=f"code_{study}_country").set_value("dk")
    at.multiselect(key=f"code_{study}_design").set_value(["rct"])
    at.number_input(key=f"code_{study}_sample-size").set_value(120)
    at.button[0].click().run()  # the form's only submit button
    assert "Saved 4 codes" in at.success[0].value
    codes = {code.dimension: code.values for code in current_codes(db, study=study, coder="Ben")}
    assert codes["country"] == ("dk",) and codes["design"] == ("rct",) and codes["sample-size"] == ("120",)


def test_export_page_offers_every_table(screened):
    project_dir, _ = screened
    at = page(project_dir, "export")
    keys = {button.key for button in at.get("download_button")}
    assert {"export_records_ris", "export_decisions_csv", "export_included_xlsx", "export_all_json"} <= keys
    assert "export_decisions_ris" not in keys
    assert not any(button.proto.disabled for button in at.get("download_button"))


def test_export_page_keeps_the_decision_log_while_a_blind_stage_is_open(screened):
    project_dir, db = screened
    record_decision(db, 7, "ta", "Anna", "exclude")  # waits for Ben in the blind title/abstract stage
    at = page(project_dir, "export", reviewer="Ben")
    disabled = {button.key for button in at.get("download_button") if button.proto.disabled}
    assert disabled == {
        "export_decisions_csv",
        "export_decisions_xlsx",
        "export_decisions_json",
        "export_all_xlsx",
        "export_all_json",
    }
    assert "second reviewer" in at.info[0].value


def test_uncertain_duplicate_pair_is_confirmed_side_by_side(project):
    project_dir, db = project
    first = b"TY  - JOUR\nID  - A1\nTI  - Cross-sector collaboration for families with complex problems\nAU  - Hansen, Anna\nPY  - 2015\nJO  - Nordic Social Work\nER  - \n"
    second = b"TY  - JOUR\nID  - B1\nTI  - Cross sector collaboration for families with complex problems: a study\nPY  - 2016\nER  - \n"
    import_uploads(db, [("a.ris", first), ("b.ris", second)])
    at = page(project_dir, "import_page")
    at.button(key="find_duplicates").click().run()
    pairs = [button for button in at.button if button.key and button.key.startswith("merge_")]
    assert len(pairs) == 1  # same title, different year and authors: uncertain
    pairs[0].click().run()
    assert db.execute("SELECT status, decided_by FROM duplicate_pairs").fetchone() == ("confirmed", "Anna")


def test_project_page_shows_progress_per_stage_and_who_screened_what(screened):
    project_dir, _ = screened
    at = page(project_dir, "project")
    progress = at.dataframe[2].value  # after the protocol's stages and the records per source
    assert list(progress["decided"]) == [4, 3]
    assert list(progress["remaining"]) == [8, 0]
    who = at.dataframe[3].value.set_index("reviewer")
    assert who.loc["Anna", "Title/abstract"] == 4 and who.loc["Anna", "Full text"] == 3
    assert who.loc["Ben", "Full text"] == 0


def test_insights_page_shows_recall_curve_speed_and_agreement(screened):
    project_dir, _ = screened
    at = page(project_dir, "insights")
    assert not at.exception
    assert "3 relevant (included or maybe) among the first 4 records screened" in at.caption[0].value
    speed, pairs = at.dataframe[0].value, at.dataframe[1].value
    assert list(speed["reviewer"]) == ["Anna", "Ben"]
    assert list(pairs["reviewers"]) == ["Anna & Ben"] and list(pairs["Cohen's kappa"]) == [1.0]
