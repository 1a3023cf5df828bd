"""Inter-rater agreement: per stage and reviewer pair, on each reviewer's independent labels.

A reviewer's independent label on a record is the one they held before they
could see another's (see `review.screening.state`), so re-deciding after a
conflict cannot change the agreement; such later changes are counted as
`changed_after`. Resolutions are not screening labels. In an open blind stage
the statistics are withheld from viewers who are not unblinded (they would
reveal the other reviewer's labels in aggregate).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING

from review.screening.blind import Viewer, require_viewer
from review.stats import cohen_kappa
from review.types import STAGES, Label

if TYPE_CHECKING:
    from review.core import Review


@dataclass
class PairAgreement:
    """Agreement between two reviewers on the records both screened at a stage."""

    stage: str
    reviewer_a: str
    reviewer_b: str
    n: int
    agreement: float | None  # proportion of records with the same label
    kappa: float | None  # Cohen's kappa; None when undefined (no records, or chance agreement is 1)
    table: dict[str, dict[str, int]] = field(default_factory=dict)  # a's label -> b's label -> count
    changed_after: int = 0  # records where either changed their label after both had decided


@dataclass
class AgreementReport:
    pairs: list[PairAgreement]
    hidden_stages: list[str]  # blind stages still open: not shown to this viewer


def agreement(review: Review, viewer: Viewer) -> AgreementReport:
    """Per stage and reviewer pair: n, percentage agreement, Cohen's kappa and the counts table."""
    require_viewer(review, viewer)
    hidden = viewer.hidden_stages(review)
    pairs = [pair for stage in STAGES if stage not in hidden for pair in _stage_pairs(review, stage)]
    return AgreementReport(pairs, [stage.value for stage in hidden])


def _stage_pairs(review: Review, stage: str) -> list[PairAgreement]:
    states = [state for state in review.state(stage).records.values() if len(state.independent) > 1]
    reviewers = sorted({who for state in states for who in state.independent})
    pairs = []
    for a, b in combinations(reviewers, 2):
        table = {row.value: {column.value: 0 for column in Label} for row in Label}
        changed = 0
        for state in states:
            first = state.independent
            if a in first and b in first:
                table[first[a]][first[b]] += 1
                changed += any(state.labels.get(who, first[who]) != first[who] for who in (a, b))
        n, observed, kappa = cohen_kappa(table)
        if n:
            pairs.append(PairAgreement(str(stage), a, b, n, observed, kappa, table, changed))
    return pairs
