"""The CLI and the app over one decision log: the same next record, and score and rank recorded with one meaning.

Both go through `Review`: `review next` and `review decide` read the stage's
stored ranking (ranked anew when it does not reflect every decision), the
Screening page uses the stage's shared ranker. The rank recorded with a
decision is the record's position among the records still without a final
decision (1 = the top), the score the model's score, whichever front end
decided. The protocol ranks by TF-IDF only, so no embeddings are computed.
"""

from __future__ import annotations

import json

import pytest

from review.screening.session import shared_ranker
from tests.apptest import REPO, page

TEMPLATE = REPO / "protocols" / "template.yaml"
QUESTION = "Cross-sector collaboration around families with complex problems"
# synthetic titles sharing more or fewer words with the question, so that no two records tie in the ranking
TITLES = (
    "Cross-sector collaboration around families with complex problems in municipalities",
    "Collaboration around families with complex problems",
    "Families with complex problems and their caseworkers",
    "Collaboration between schools and social services",
    "Complex problems of housing policy",
    "Families in rural areas",
    "Yeast protein folding under heat stress",
    "Glacier mass balance in the Alps",
)


def tfidf_protocol(reviewers: int) -> str:
    text = TEMPLATE.read_text(encoding="utf-8").replace("use_embeddings: true", "use_embeddings: false")
    text = text.replace("What is the effect of ... on ... among ...?", QUESTION)
    return text.replace("reviewers: 2", f"reviewers: {reviewers}")


def synthetic_ris() -> bytes:
    records = (f"TY  - JOUR\nID  - F{n}\nTI  - {title}\nER  - \n" for n, title in enumerate(TITLES, 1))
    return "\n".join(records).encode("utf-8")


def next_for(cli, review, reviewer: str) -> dict:
    result = cli("next", review.folder, "--reviewer", reviewer, "--json")
    assert result.exit_code == 0, result.output
    [served] = json.loads(result.output)
    return served


def last_decision(review) -> tuple:
    return review.db.execute("SELECT record_id, reviewer, score, rank FROM decisions ORDER BY event_id DESC").fetchone()


def settled_ranker(review):
    """The app's ranker of the stage, synced with the log and with its background refit finished."""
    ranker = shared_ranker(review, "ta")
    ranker.ranker.wait()
    return ranker


# with two reviewers, the record the CLI decided waits for the second one: still without a final decision, above
@pytest.mark.parametrize(("reviewers", "second_rank"), [(1, 1), (2, 2)])
def test_cli_and_app_serve_the_same_record_and_record_score_and_rank_alike(review, cli, reviewers, second_rank):
    review.import_uploads([("synthetic.ris", synthetic_ris())], source="Test")
    review.store_protocol(tfidf_protocol(reviewers), "tfidf.yaml")
    served = next_for(cli, review, "Anna")
    app = page(review.folder, "screening", "Anna")
    assert not app.exception
    first = app.session_state["shown_record"]
    assert first == served["record_id"] and (served["rank"], served["phase"]) == (1, "ranked")
    ranker = settled_ranker(review)
    assert ranker.preset.name == "tfidf-svm"
    assert served["score"] == pytest.approx(ranker.score_rank(first)[0])
    assert len({score for _, score, _ in ranker.ranker.ranking()}) == len(TITLES)  # no ties: ranks are strict

    assert cli("decide", review.folder, first, "--include", "--reviewer", "Anna").exit_code == 0
    assert last_decision(review) == (first, "Anna", pytest.approx(served["score"]), 1)

    ranker = settled_ranker(review)  # the app learns the CLI's decision (final with one reviewer)
    second = app.run().session_state["shown_record"]
    assert second != first
    score, rank = ranker.score_rank(second)
    assert rank == second_rank
    app.button(key="decide_include").click().run()
    assert last_decision(review) == (second, "Anna", pytest.approx(score), second_rank)

    ranker = settled_ranker(review)  # both front ends learnt both decisions: Ben is served alike by each
    ben = page(review.folder, "screening", "Ben").session_state["shown_record"]
    served = next_for(cli, review, "Ben")
    assert served["record_id"] == ben
    assert served["score"] == pytest.approx(ranker.score_rank(ben)[0])
