"""Named scikit-learn classifiers for active learning, trained with class-balancing sample weights.

Each entry builds a fresh estimator from keyword parameters; `fit_relevance()`
fits any of them and turns it into one relevance score per record (larger =
more likely relevant), so the ranking code does not care which kind it holds.
The similarity scorers of `review.ranking.neighbours` (`knn`, `rocchio`) sit
beside them under the same call: they need no training, only the labelled rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from review.errors import ReviewError
from review.ranking.neighbours import feedback_scores, neighbourhood_scores

if TYPE_CHECKING:  # scikit-learn is imported when a model is made: `review next` on a fresh ranking never needs it
    from sklearn.base import ClassifierMixin


# liblinear shuffles the training rows; a fixed seed makes the same decisions give the same ranking
def _svm(C: float = 0.1, seed: int = 0, **params: Any) -> ClassifierMixin:
    from sklearn.svm import LinearSVC

    return LinearSVC(C=C, random_state=seed, **params)


def _logistic(C: float = 1.0, solver: str = "liblinear", seed: int = 0, **params: Any) -> ClassifierMixin:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, solver=solver, random_state=seed, **params)


def _sgd(alpha: float = 1e-4, seed: int = 0, **params: Any) -> ClassifierMixin:
    from sklearn.linear_model import SGDClassifier

    return SGDClassifier(loss="log_loss", alpha=alpha, random_state=seed, **params)


def _naive_bayes(alpha: float = 0.1, **params: Any) -> ClassifierMixin:
    from sklearn.naive_bayes import ComplementNB

    return ComplementNB(alpha=alpha, **params)


CLASSIFIERS: dict[str, Callable[..., ClassifierMixin]] = {
    "svm": _svm,
    "logistic": _logistic,
    "sgd": _sgd,
    "nb": _naive_bayes,
}


SCORERS = ("knn", "rocchio")  # similarity to the labelled rows, no model to fit


def check_classifier(name: str) -> None:
    if name not in CLASSIFIERS and name not in SCORERS:
        raise ReviewError(f"unknown classifier '{name}' (valid: {', '.join(sorted([*CLASSIFIERS, *SCORERS]))})")


def make_classifier(name: str, **params: Any) -> ClassifierMixin:
    """A new, unfitted classifier by name; unknown names list the valid ones."""
    check_classifier(name)
    if name in SCORERS:
        raise ReviewError(f"'{name}' scores by similarity and has no model to fit")
    return CLASSIFIERS[name](**params)


def balance_weights(y: np.ndarray, ratio: float = 1.0) -> np.ndarray:
    """Sample weights giving the relevant class `ratio` times the total weight of the irrelevant one.

    `ratio=1` is plain class balancing; larger values favour recall (ASReview's
    ELAS u4 uses 9.8). Weights are scaled to average 1, so `C` keeps its meaning.
    """
    n_pos, n_neg = max(1, int(y.sum())), max(1, int((1 - y).sum()))
    weights = np.where(y == 1, 1.0, n_pos / (ratio * n_neg))
    return weights * (len(y) / weights.sum())


def fit_relevance(
    name: str, params: dict[str, Any], X, y: np.ndarray, X_all, ratio: float = 1.0, query=None
) -> np.ndarray:
    """Fit on labelled rows (`y` in {0, 1}, weighted by `balance_weights`) and score every row of `X_all`.

    `query` (the zero-shot query in X's space) is used by `rocchio` only.
    """
    if name == "knn":
        return neighbourhood_scores(X, y, X_all, **params)
    if name == "rocchio":
        return feedback_scores(X, y, X_all, query, **params)
    model = make_classifier(name, **params)
    model.fit(X, y, sample_weight=balance_weights(y, ratio))
    if hasattr(model, "coef_") and model.coef_.shape[0] == 1:  # linear: score in X's dtype, no float64 copy of X
        return np.asarray(X_all @ model.coef_.ravel().astype(X_all.dtype), dtype=np.float64).reshape(-1) + float(
            np.ravel(model.intercept_)[0]
        )
    from sklearn.naive_bayes import ComplementNB

    if isinstance(model, ComplementNB) and len(model.classes_) == 2:  # linear in X too: log-likelihood difference
        weights = (model.feature_log_prob_[1] - model.feature_log_prob_[0]).astype(X_all.dtype)
        return np.asarray(X_all @ weights, dtype=np.float64).reshape(-1)
    log_proba = model.predict_log_proba(X_all)
    return np.asarray(log_proba[:, 1] - log_proba[:, 0])
