"""A review opened for a signed-in user: every write checks the role, labels are shown as the role may see them."""

from __future__ import annotations

import pytest

from review.audit import AuditAction, audit_entries
from review.core import Review
from review.errors import AccessDenied, BlindStageError
from review.roles import Actor, Role
from review.screening.blind import Viewer
from tests.apptest import REPO

RECORDS = REPO / "tests" / "data" / "screening" / "records.ris"


@pytest.fixture
def folder(review):
    """The template's blind two-reviewer title/abstract stage: anna and ben disagree on 3, ben waits on 2."""
    review.import_files([RECORDS], source="Test")
    review.decide(1, "ta", "anna", "include")
    review.decide(1, "ta", "ben", "include")
    review.decide(2, "ta", "ben", "exclude", reason="not-research")
    review.decide(3, "ta", "anna", "include")
    review.decide(3, "ta", "ben", "exclude")
    return review.folder


def opened(folder, name: str, role: Role) -> Review:
    return Review.open(folder, actor=Actor(name, role))


def test_a_reviewer_decides_only_in_their_own_name(folder):
    with opened(folder, "anna", Role.REVIEWER) as review:
        review.decide(2, "ta", "anna", "include")
        with pytest.raises(AccessDenied, match="anna may not act in the name of ben"):
            review.decide(4, "ta", "ben", "include")
        with pytest.raises(AccessDenied, match="anna may not act in the name of ben"):
            review.undo("ta", "ben")
        with pytest.raises(AccessDenied):
            review.next_records("ta", "ben")
        assert review.undo("ta", "anna") == 2
    with Review.open(folder) as review:
        assert [e["reviewer"] for e in review.history(4, Viewer("ben"))] == []


def test_a_reviewer_sees_only_their_own_labels_whatever_viewer_is_asked_for(folder):
    with opened(folder, "anna", Role.REVIEWER) as review:
        for asked in (Viewer("ben"), Viewer(None), Viewer("ben", unblinded=True), review.viewer("ben")):
            assert {e["reviewer"] for e in review.history(3, asked)} == {"anna"}
        with pytest.raises(BlindStageError, match="conflicts show every reviewer's label"):
            review.conflicts("ta", Viewer("anna", unblinded=True))
        with pytest.raises(AccessDenied, match="a reviewer may not unblind"):
            review.viewer("anna", unblind=True)
        assert audit_entries(review.db, AuditAction.UNBLIND) == []


@pytest.mark.parametrize(
    "write",
    [
        lambda r: r.resolve(3, "ta", "anna", "include"),
        lambda r: r.apply_dedupe(r.find_duplicates()),
        lambda r: r.undo_dedupe(1),
        lambda r: r.resolve_duplicate(1, True, "anna"),
        lambda r: r.store_protocol(r.protocol_yaml(), "edited"),
        lambda r: r.import_files([RECORDS], source="Again", force=True),
        lambda r: r.export("decisions", "csv", None, Viewer("anna")),
    ],
    ids=["resolve", "dedupe", "undo-dedupe", "resolve-duplicate", "protocol", "import", "export-log"],
)
def test_a_reviewer_may_not_lead(folder, write):
    with opened(folder, "anna", Role.REVIEWER) as review:
        before = review.log_version(), review.protocol_yaml(), len(list(review.records()))
        with pytest.raises(AccessDenied, match="a reviewer may not"):
            write(review)
        assert (review.log_version(), review.protocol_yaml(), len(list(review.records()))) == before


def test_an_observer_reads_reconciled_data_but_cannot_decide(folder):
    with opened(folder, "olga", Role.OBSERVER) as review:
        with pytest.raises(AccessDenied, match="an? observer may not screen"):
            review.decide(4, "ta", "olga", "include")
        with pytest.raises(AccessDenied, match="observer may not code"):
            review.set_codes("study", {"country": "dk"}, "olga")
        assert review.history(1, Viewer("olga", unblinded=True)) == []  # reconciled, but still a reviewer's label
        assert review.state("ta").finals[1] == "include"
        counts, _ = review.prisma(allow_incomplete=True)
        assert counts.records_screened >= 1
        assert review.export("records", "csv", None, review.viewer(None)).startswith("record_id")


def test_a_lead_unblinds_with_an_audit_entry_and_resolves(folder):
    with opened(folder, "carl", Role.LEAD) as review:
        viewer = review.viewer("someone else", unblind=True, context="test")
        assert viewer.name == "carl"
        assert [c.record_id for c in review.conflicts("ta", viewer)] == [3]
        [entry] = audit_entries(review.db, AuditAction.UNBLIND)
        assert entry.actor == "carl"
        review.resolve(3, "ta", "carl", "include")
        with pytest.raises(AccessDenied, match="carl may not act in the name of anna"):
            review.decide(4, "ta", "anna", "include")


def test_creating_a_project_is_for_leads(tmp_path):
    protocol = REPO / "protocols" / "template.yaml"
    with pytest.raises(AccessDenied, match="a reviewer may not create project"):
        Review.create(tmp_path / "new", protocol, actor=Actor("anna", Role.REVIEWER))
    assert not (tmp_path / "new").exists()
    Review.create(tmp_path / "new", protocol, actor=Actor("carl", "lead")).close()
