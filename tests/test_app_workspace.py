"""The screening session behind the Screening page: order, claims, concurrent sessions, undo."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from review.core import Review
from review.ranking.project import StageRanker
from review.screening.session import ScreeningSession, shared_ranker

TEMPLATE = Path(__file__).resolve().parents[1] / "protocols" / "template.yaml"


@pytest.fixture
def single(review, data_dir):
    """The screening test records under the template protocol with one reviewer per record."""
    review.import_files([data_dir / "screening" / "records.ris"], source="Test")
    review.store_protocol(TEMPLATE.read_text(encoding="utf-8").replace("reviewers: 2", "reviewers: 1"))
    return review


def test_decisions_carry_the_models_score_and_rank_and_feed_the_ranker(single):
    review = single
    ranker = StageRanker(review, "ta", background=False)
    session = ScreeningSession(review, "ta", "Anna", ranker)
    first = session.current()
    assert first == next(session.order())
    score, rank = session.score_rank(first)
    assert rank == 1 and score == ranker.ranker.scores[ranker.ranker.index[first]]
    session.decide(first, "include", note="  ")
    assert review.db.execute("SELECT score, rank, note FROM decisions").fetchone() == (score, rank, None)
    assert ranker.ranker.labels() == {first: 1}
    assert session.undo() == first
    assert ranker.ranker.labels() == {}
    assert session.current(first=first) == first


def test_undo_cancels_only_what_this_session_decided(single):
    review = single
    ranker = StageRanker(review, "ta", background=False)
    elsewhere = review.next_records("ta", "Anna")[0].record_id
    review.decide(elsewhere, "ta", "Anna", "exclude")  # decided outside this session (e.g. the CLI)
    session = ScreeningSession(review, "ta", "Anna", ranker)
    assert session.undo() is None
    assert review.state("ta").finals == {elsewhere: "exclude"}


def test_a_reviewers_claim_holds_across_tabs_and_keeps_others_off_the_record(single):
    review = single
    ranker = shared_ranker(review, "ta", embed=False)
    tab_one = ScreeningSession(review, "ta", "Anna", ranker)
    shown = tab_one.current()
    with Review.open(review.folder) as other_connection:
        tab_two = ScreeningSession(other_connection, "ta", "Anna", shared_ranker(other_connection, "ta", embed=False))
        assert tab_two.current() == shown  # a second tab (or a reload) finds the reviewer's own claim
        ben = ScreeningSession(other_connection, "ta", "Ben", ranker)
        assert ben.current() not in (None, shown)  # one reviewer per record: nobody else is served it
    assert shared_ranker(review, "ta", embed=False) is ranker  # one ranker per stage and process


def test_two_sessions_at_once_lose_no_decision_and_never_share_a_record(single):
    review = single
    ranker = StageRanker(review, "ta", background=True)
    served: dict[str, list[int]] = {"Anna": [], "Ben": []}

    def screen(reviewer: str) -> None:
        with Review.open(review.folder) as connection:
            session = ScreeningSession(connection, "ta", reviewer, ranker)
            for _ in range(6):
                record_id = session.current()
                if record_id is None:
                    break
                served[reviewer].append(record_id)
                session.decide(record_id, "exclude")

    threads = [threading.Thread(target=screen, args=(reviewer,)) for reviewer in served]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ranker.ranker.wait()
    both = served["Anna"] + served["Ben"]
    assert len(both) == 12 and len(set(both)) == 12  # every record once, nothing served twice
    assert review.db.execute("SELECT COUNT(DISTINCT record_id), COUNT(*) FROM decisions").fetchone() == (12, 12)
    ranker.sync(review)
    assert ranker.ranker.labels() == {record_id: 0 for record_id in both}


def test_a_large_stage_serves_its_stored_ranking_while_the_first_ranker_is_built(single, monkeypatch):
    from review.screening import session as session_module

    review = single
    stored = review.rank("ta", embeddings="off")  # what `review rank` (or an earlier server) left in the project
    monkeypatch.setattr(session_module, "BACKGROUND_BUILD_FROM", 1)  # this small stage counts as large
    built = threading.Event()
    real_build = session_module._rebuild

    def slow_build(*args) -> None:
        built.wait(timeout=60)  # the first ranker takes its time: the page must not wait for it
        real_build(*args)

    monkeypatch.setattr(session_module, "_rebuild", slow_build)
    interim = shared_ranker(review, "ta", embed=False)
    assert isinstance(interim, session_module.StoredRanking)
    session = ScreeningSession(review, "ta", "Anna", interim)
    first = session.current()
    assert first == stored.ranking[0][0]
    assert session.score_rank(first) == (pytest.approx(stored.ranking[0][1]), 1)
    session.decide(first, "include")
    assert session.current() == stored.ranking[1][0]
    built.set()
    for _ in range(600):
        if isinstance(shared_ranker(review, "ta", embed=False), StageRanker):
            break
        threading.Event().wait(0.1)
    ranker = shared_ranker(review, "ta", embed=False)
    assert isinstance(ranker, StageRanker) and ranker.ranker.labels() == {first: 1}
