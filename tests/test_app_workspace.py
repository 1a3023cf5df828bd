"""The screening session behind the Screening page: order, claims, concurrent sessions, undo, stopping advice."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from review.project import current_protocol, store_protocol
from review.records import import_files
from review.screening.session import ScreeningSession, build_ranker
from review.store import open_project

TEMPLATE = Path(__file__).resolve().parents[1] / "protocols" / "template.yaml"


@pytest.fixture
def single(project, data_dir):
    """The screening test records under the template protocol with one reviewer per record."""
    project_dir, db = project
    import_files(db, [data_dir / "screening" / "records.ris"], source="Test")
    store_protocol(db, TEMPLATE.read_text(encoding="utf-8").replace("reviewers: 2", "reviewers: 1"))
    return project_dir, db


def test_decisions_carry_the_models_score_and_rank_and_feed_the_ranker(single):
    _, db = single
    protocol = current_protocol(db)
    ranker = build_ranker(db, "ta", protocol, background=False)
    session = ScreeningSession(db, "ta", "Anna", "tab-1", ranker, protocol)
    first = session.current()
    assert first == session.order()[0]
    score, rank = session.score_rank(first)
    session.decide(first, "include", note="  ")
    assert db.execute("SELECT score, rank, note FROM decisions").fetchone() == (score, rank, None)
    assert ranker.labels() == {first: 1}
    assert session.undo() == first
    assert ranker.labels() == {}
    assert session.current(first=first) == first


def test_two_sessions_at_once_lose_no_decision_and_never_share_a_record(single):
    project_dir, db = single
    protocol = current_protocol(db)
    ranker = build_ranker(db, "ta", protocol)
    served: dict[str, list[int]] = {"tab-a": [], "tab-b": []}

    def screen(holder: str, reviewer: str) -> None:
        connection = open_project(project_dir)
        session = ScreeningSession(connection, "ta", reviewer, holder, ranker, protocol)
        for _ in range(6):
            record_id = session.current()
            if record_id is None:
                break
            served[holder].append(record_id)
            session.decide(record_id, "exclude")
        connection.close()

    threads = [threading.Thread(target=screen, args=args) for args in (("tab-a", "Anna"), ("tab-b", "Ben"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ranker.wait()
    both = served["tab-a"] + served["tab-b"]
    assert len(both) == 12 and len(set(both)) == 12  # every record once, nothing served twice
    assert db.execute("SELECT COUNT(DISTINCT record_id), COUNT(*) FROM decisions").fetchone() == (12, 12)
