"""Relevance ranking: features, classifiers, presets, active learning and stored rankings.

`latest_scores(db, stage)` is what screening records as 'the model's score and
rank when the decision was made'.
"""

from review.ranking.results import latest_scores

__all__ = ["latest_scores"]
