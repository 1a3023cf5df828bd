"""Editing the protocol after `init`: validated as a whole, stored as a new snapshot, audited; the Protocol page."""

from __future__ import annotations

import pytest

from review.audit import AuditAction, audit_entries
from review.errors import ProtocolError
from review.protocol import load_protocol, parse_protocol, placeholder_fields, reasons_from_lines, to_yaml
from tests.apptest import REPO, page

RECORDS = REPO / "tests" / "data" / "screening" / "records.ris"


@pytest.mark.parametrize("name", ["template.yaml", "helhedsorienteret-indsats.yaml"])
def test_a_protocol_written_back_reads_the_same(name):
    protocol = load_protocol(REPO / "protocols" / name)
    assert parse_protocol(to_yaml(protocol)) == protocol


def test_an_edit_is_validated_stored_and_audited(review):
    fields = review.edit_protocol({"question": "Does X help Y?", "stages.ft.reviewers": 2}, "Lead")
    assert fields == ["question", "stages.ft.reviewers"]
    assert review.protocol.question == "Does X help Y?" and review.protocol.stage("ft").reviewers == 2
    [entry] = audit_entries(review.db, AuditAction.PROTOCOL_CHANGED)
    assert (entry.actor, entry.detail) == ("Lead", "question, stages.ft.reviewers")
    snapshots = review.db.execute("SELECT COUNT(*) FROM protocols").fetchone()[0]
    with pytest.raises(ProtocolError, match="stages.ft.reviewers"):
        review.edit_protocol({"stages.ft.reviewers": 3}, "Lead")
    with pytest.raises(ProtocolError, match="question: must not be empty"):
        review.edit_protocol({"question": "  "}, "Lead")
    with pytest.raises(ProtocolError, match="no protocol field"):
        review.edit_protocol({"stages.xx.blind": True}, "Lead")
    with pytest.raises(ProtocolError, match="unchanged"):
        review.edit_protocol({"question": "Does X help Y?"}, "Lead")
    assert review.db.execute("SELECT COUNT(*) FROM protocols").fetchone()[0] == snapshots


def test_a_reason_in_use_cannot_be_removed(review):
    review.import_files([RECORDS], source="Test")
    review.decide(1, "ta", "Anna", "exclude", reason="not-research")
    kept = [r.model_dump() for r in review.protocol.stage("ta").exclusion_reasons if r.key != "not-research"]
    with pytest.raises(ProtocolError, match="not-research at ta are used by decisions"):
        review.edit_protocol({"stages.ta.exclusion_reasons": kept}, "Lead")


def test_reason_lines_keep_the_other_languages_and_refuse_a_bad_line(review):
    existing = review.protocol.stage("ta").exclusion_reasons
    reasons = reasons_from_lines("wrong-population: Wrong people\nnew-one: Something new", existing, "en")
    assert reasons == [
        {"key": "wrong-population", "label": {"en": "Wrong people", "da": "Forkert målgruppe"}},
        {"key": "new-one", "label": {"en": "Something new"}},
    ]
    with pytest.raises(ProtocolError, match="line 1"):
        reasons_from_lines("no colon here", existing, "en")


def test_the_template_is_flagged_as_placeholders(review):
    assert placeholder_fields(review.protocol) == ["title", "question", "stages.ta.criteria"]


def test_a_lead_edits_the_protocol_on_the_page(review):
    at = page(review.folder, "protocol_page", reviewer="Lead")
    assert not at.exception
    assert "placeholders (title, question, stages.ta.criteria)" in at.warning[0].value
    at.text_area(key="proto_question").input("Does integrated care help families?")
    at.radio(key="proto_ft_reviewers").set_value(2)
    at.checkbox(key="proto_ft_blind").check()
    at.text_area(key="proto_hl_include").input("integrated\nfamilies")
    at.text_area(key="proto_ta_reasons").input("wrong-population: Wrong people")
    at = at.button[0].click().run()
    assert at.success[0].value.startswith("Protocol saved; changed: ")
    protocol = review.protocol
    assert protocol.question == "Does integrated care help families?"
    assert protocol.stage("ft").reviewers == 2 and protocol.stage("ft").blind
    assert protocol.highlight.include == ["integrated", "families"]
    assert [r.key for r in protocol.stage("ta").exclusion_reasons] == ["wrong-population"]
    assert list(at.dataframe[0].value["Who"]) == ["Lead"]


def test_an_invalid_edit_is_one_line_and_changes_nothing(review):
    at = page(review.folder, "protocol_page", reviewer="Lead")
    at.text_area(key="proto_question").input("   ")
    at.text_area(key="proto_ft_reasons").input("no colon")
    at = at.button[0].click().run()
    assert len(at.error) == 1 and "line 1" in at.error[0].value
    assert "..." in review.protocol.question


def test_an_observer_reads_the_protocol_and_the_page_in_danish(review):
    at = page(review.folder, "protocol_page", role="observer", ui_language="da")
    assert not at.exception and not at.button
    assert at.title[0].value == "Protokol"
    assert "Kun en leder kan ændre protokollen." in [c.value for c in at.caption]
