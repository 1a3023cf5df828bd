"""AppTest: the PRISMA, Conflicts, Coding, Export, Insights and Import (duplicates) pages over a screened project."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from review.audit import AuditAction, audit_entries
from tests.apptest import download, page, record_downloads, screen_both_stages


def metric(at: AppTest, label: str) -> int:
    return int(next(m.value for m in at.metric if m.label == label))


@pytest.fixture
def downloads(monkeypatch) -> dict[str, Callable[[], bytes]]:
    return record_downloads(monkeypatch)


@pytest.fixture
def screened(review):
    return screen_both_stages(review)


def test_prisma_page_shows_the_counts_and_offers_svg_png_csv(screened):
    review = screened
    at = page(review.folder, "prisma")
    assert not at.exception
    assert metric(at, "Records excluded") == 1
    assert metric(at, "Reports sought") == 3
    assert metric(at, "Reports excluded") == 1
    assert metric(at, "Studies included") == 2
    assert "No relevant outcome (1)" in at.caption[0].value
    assert {button.key for button in at.get("download_button")} == {"download_svg", "download_png", "download_csv"}
    review.decide(5, "ta", "Anna", "exclude")
    review.decide(5, "ta", "Ben", "exclude")
    assert metric(at.run(), "Records excluded") == 2


def test_conflicts_in_an_open_blind_stage_are_shown_after_an_audited_unblind_and_resolved_by_name(screened):
    review = screened
    review.decide(6, "ta", "Anna", "include")
    review.decide(6, "ta", "Ben", "exclude", note="ben-thinks-not")
    at = page(review.folder, "conflicts", reviewer="Carla")
    assert "blind and still being screened" in at.info[0].value
    assert "Ben: exclude" not in str(at.main) and "ben-thinks-not" not in str(at.main)
    assert audit_entries(review.db, AuditAction.UNBLIND) == []
    at.button(key="unblind_conflicts").click().run()
    [entry] = audit_entries(review.db, AuditAction.UNBLIND)
    assert entry.actor == "Carla" and "conflicts" in entry.detail
    assert "1 open conflicts" in at.caption[0].value
    assert {"Anna: include", "Ben: exclude · note: ben-thinks-not"} <= {caption.value for caption in at.caption}
    assert at.radio(key="label_6").value is None  # no label preselected
    at.radio(key="label_6").set_value("include")
    at.button(key="resolve_6").click().run()
    assert "resolved by Carla" in at.success[0].value
    assert review.state("ta").finals[6] == "include"
    assert review.db.execute("SELECT reviewer, kind FROM decisions ORDER BY event_id DESC LIMIT 1").fetchone() == (
        "Carla",
        "resolve",
    )


def test_conflicts_of_a_reconciled_blind_stage_need_no_unblinding(screened):
    review = screened
    review.decide(6, "ta", "Anna", "include")
    review.decide(6, "ta", "Ben", "exclude")
    review.resolve(6, "ta", "Carla", "include")
    at = page(review.folder, "conflicts", reviewer="Carla")
    assert not at.exception and not at.info
    assert "0 open conflicts" in at.caption[0].value
    assert audit_entries(review.db, AuditAction.UNBLIND) == []


def test_coding_form_is_generated_from_the_codebook_and_saves_under_the_coder(screened):
    from review.coding.codes import current_codes

    review = screened
    at = page(review.folder, "coding", reviewer="Ben")
    assert not at.exception
    study = at.selectbox(key="coding_study").value
    at.selectbox(key=f"code_{study}_country").set_value("dk")
    at.multiselect(key=f"code_{study}_design").set_value(["rct"])
    at.number_input(key=f"code_{study}_sample-size").set_value(120)
    at.button(key="save_codes").click().run()
    assert "Saved 3 codes" in at.success[0].value  # only what was entered
    codes = {code.dimension: code.values for code in current_codes(review, study=study, coder="Ben")}
    assert codes["country"] == ("dk",) and codes["design"] == ("rct",) and codes["sample-size"] == ("120",)


def test_export_page_offers_every_table(screened, downloads):
    at = page(screened.folder, "export")
    keys = {button.key for button in at.get("download_button")}
    assert {"export_records_ris", "export_decisions_csv", "export_included_xlsx", "export_all_json"} <= keys
    assert "export_decisions_ris" not in keys
    assert not any(button.proto.disabled for button in at.get("download_button"))
    rows = json.loads(download(downloads, at, "export_decisions_json"))
    assert {row["reviewer"] for row in rows} == {"Anna", "Ben"}  # a reconciled stage: every label
    assert download(downloads, at, "export_records_ris").startswith(b"TY  - ")


def test_export_page_without_a_name_keeps_the_decision_log_while_a_blind_stage_is_open(screened):
    review = screened
    review.decide(7, "ta", "Anna", "exclude")  # waits for Ben in the blind title/abstract stage
    at = page(review.folder, "export", reviewer="")
    assert not at.exception
    disabled = {button.key for button in at.get("download_button") if button.proto.disabled}
    assert disabled == {
        "export_decisions_csv",
        "export_decisions_xlsx",
        "export_decisions_json",
        "export_all_xlsx",
        "export_all_json",
    }
    assert "enter your name" in at.info[0].value


def test_export_page_gives_a_named_reviewer_only_their_own_labels_while_a_blind_stage_is_open(screened, downloads):
    review = screened
    review.decide(7, "ta", "Anna", "exclude", note="anna-secret")  # waits for Ben
    at = page(review.folder, "export", reviewer="Ben")
    assert not any(button.proto.disabled for button in at.get("download_button"))
    assert "only your own labels" in at.caption[1].value
    rows = json.loads(download(downloads, at, "export_decisions_json"))
    assert {row["reviewer"] for row in rows if row["stage"] == "ta"} == {"Ben"}
    assert {row["reviewer"] for row in rows if row["stage"] == "ft"} == {"Anna"}  # not blind
    everything = json.loads(download(downloads, at, "export_all_json"))
    assert {row["reviewer"] for row in everything["decisions"] if row["stage"] == "ta"} == {"Ben"}
    assert b"anna-secret" not in download(downloads, at, "export_decisions_csv")


def test_uncertain_duplicate_pair_is_confirmed_side_by_side(review):
    first = b"TY  - JOUR\nID  - A1\nTI  - Cross-sector collaboration for families with complex problems\nAU  - Hansen, Anna\nPY  - 2015\nJO  - Nordic Social Work\nER  - \n"
    second = b"TY  - JOUR\nID  - B1\nTI  - Cross sector collaboration for families with complex problems: a study\nPY  - 2016\nER  - \n"
    review.import_uploads([("a.ris", first), ("b.ris", second)])
    at = page(review.folder, "import_page")
    at.button(key="find_duplicates").click().run()
    assert "**Dry run:** 0 pairs would be merged and 1 left for a person" in at.markdown[0].value
    assert not review.db.execute("SELECT COUNT(*) FROM dedupe_runs").fetchone()[0]  # a dry run changes nothing
    at.button(key="dedupe_merge").click().run()
    pairs = [button for button in at.button if button.key and button.key.startswith("merge_")]
    assert len(pairs) == 1  # same title, different year and authors: uncertain
    pairs[0].click().run()
    assert review.db.execute("SELECT status, decided_by FROM duplicate_pairs").fetchone() == ("confirmed", "Anna")


def test_project_page_shows_progress_per_stage_and_who_screened_what(screened):
    at = page(screened.folder, "project")
    progress = at.dataframe[2].value  # after the protocol's stages and the records per source
    assert list(progress["Decided"]) == [4, 3]
    assert list(progress["Remaining"]) == [8, 0]
    who = at.dataframe[3].value.set_index("Reviewer")
    assert who.loc["Anna", "Title/abstract"] == 4 and who.loc["Anna", "Full text"] == 3
    assert who.loc["Ben", "Full text"] == 0


def test_insights_page_shows_recall_curve_speed_and_agreement(screened):
    at = page(screened.folder, "insights")
    assert not at.exception
    assert "3 relevant (included or maybe) among the first 4 records screened" in at.caption[0].value
    speed, pairs = at.dataframe[0].value, at.dataframe[1].value
    assert list(speed["reviewer"]) == ["Anna", "Ben"]
    assert list(pairs["reviewers"]) == ["Anna & Ben"] and list(pairs["Cohen's kappa"]) == [1.0]


def test_insights_page_speaks_danish(screened):
    at = page(screened.folder, "insights", ui_language="da")
    assert not at.exception and at.title[0].value == "Indsigt"
    assert "3 relevante (inkluderet eller måske) blandt de første 4 screenede poster" in at.caption[0].value
    assert list(at.dataframe[1].value["Cohens kappa"]) == [1.0]


def test_insights_page_withholds_agreement_while_the_blind_stage_is_open(screened):
    review = screened
    review.decide(7, "ta", "Anna", "exclude")  # waits for Ben
    for reviewer in ("Ben", ""):
        at = page(review.folder, "insights", reviewer=reviewer)
        assert not at.exception
        assert any("blind and still being screened" in caption.value for caption in at.caption)
        assert len(at.dataframe) == 1 and "Cohen's kappa" not in at.dataframe[0].value.columns  # speed only
