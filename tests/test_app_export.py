"""The Export page for a coordinator: every label in an open blind stage (audited), evidence-map dimensions, Danish."""

from __future__ import annotations

import csv
import io
import json

import pytest

from review.audit import AuditAction, audit_entries
from tests.apptest import REPO, download, page, record_downloads

RECORDS = REPO / "tests" / "data" / "screening" / "records.ris"


@pytest.fixture
def open_blind(review):
    """The blind title/abstract stage open: record 7 waits for Ben; records 1-2 included and coded."""
    review.import_files([RECORDS], source="Test")
    for reviewer in ("Anna", "Ben"):
        review.decide(1, "ta", reviewer, "include")
        review.decide(2, "ta", reviewer, "include")
    review.decide(1, "ft", "Anna", "include")
    review.decide(2, "ft", "Anna", "include")
    review.decide(7, "ta", "Anna", "exclude", note="anna-secret")
    review.set_codes("record-1", {"country": "dk", "design": ["rct"]}, "Anna")
    review.set_codes("record-2", {"country": "no", "design": ["qualitative"]}, "Anna")
    return review


def test_a_lead_downloads_every_label_while_a_blind_stage_is_open_and_it_is_audited(open_blind, monkeypatch):
    builders = record_downloads(monkeypatch)
    at = page(open_blind.folder, "export", reviewer="Lead")
    assert b"anna-secret" not in download(builders, at, "export_decisions_csv")  # off until asked for
    at = at.toggle(key="export_unblind").set_value(True).run()
    assert "every reviewer's labels" in at.caption[1].value
    assert b"anna-secret" in download(builders, at, "export_decisions_csv")
    everything = json.loads(download(builders, at, "export_all_json"))
    assert {row["reviewer"] for row in everything["decisions"]} == {"Anna", "Ben"}
    entries = audit_entries(open_blind.db, AuditAction.UNBLIND)
    assert [entry.actor for entry in entries] == ["Lead", "Lead"]
    assert "export of decisions" in entries[-1].detail


def test_a_lead_without_a_name_may_also_ask_for_the_decision_log(open_blind, monkeypatch):
    builders = record_downloads(monkeypatch)
    at = page(open_blind.folder, "export", reviewer="")
    assert at.get("download_button")[0].proto.disabled is False
    at = at.toggle(key="export_unblind").set_value(True).run()
    assert not any(button.proto.disabled for button in at.get("download_button"))
    assert b"anna-secret" in download(builders, at, "export_decisions_csv")


def test_a_reviewer_cannot_ask_for_every_label(open_blind):
    at = page(open_blind.folder, "export", reviewer="Ben", role="reviewer")
    assert not at.toggle and "only your own labels" in at.caption[1].value


def test_the_evidence_map_crosses_the_dimensions_chosen(open_blind, monkeypatch):
    builders = record_downloads(monkeypatch)
    at = page(open_blind.folder, "export")
    at.selectbox(key="map_rows").set_value("design")
    at = at.selectbox(key="map_cols").set_value("country").run()
    table = list(csv.reader(io.StringIO(download(builders, at, "export_evidence-map_csv").decode("utf-8-sig"))))
    assert table[0][1:4] == ["Denmark", "Norway", "Other"]
    assert [row[0] for row in table[1:]] == ["Randomised trial", "Qualitative"]
    at = at.selectbox(key="map_cols").set_value("design").run()
    assert "two different dimensions" in at.warning[0].value


def test_page_in_danish(open_blind):
    at = page(open_blind.folder, "export", ui_language="da", reviewer="Ben")
    assert not at.exception and at.title[0].value == "Eksport"
    assert "Hele beslutningsloggen med begrundelser." in "".join(m.value for m in at.markdown)
    assert at.toggle[0].label.startswith("Alle bedømmeres beslutninger")
