"""Named scikit-learn classifiers for active learning, all class-balanced.

Each entry builds a fresh estimator from keyword parameters; `relevance()`
turns any of them into one relevance score per record (larger = more likely
relevant), so the ranking code does not care which kind it holds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.naive_bayes import ComplementNB
from sklearn.svm import LinearSVC

from review.errors import ReviewError


def _svm(C: float = 0.1, **params: Any) -> ClassifierMixin:
    return LinearSVC(C=C, class_weight="balanced", **params)


def _logistic(C: float = 1.0, solver: str = "liblinear", **params: Any) -> ClassifierMixin:
    return LogisticRegression(C=C, class_weight="balanced", solver=solver, **params)


def _sgd(alpha: float = 1e-4, seed: int = 0, **params: Any) -> ClassifierMixin:
    return SGDClassifier(loss="log_loss", alpha=alpha, class_weight="balanced", random_state=seed, **params)


def _naive_bayes(alpha: float = 0.1, **params: Any) -> ClassifierMixin:
    return ComplementNB(alpha=alpha, **params)


CLASSIFIERS: dict[str, Callable[..., ClassifierMixin]] = {
    "svm": _svm,
    "logistic": _logistic,
    "sgd": _sgd,
    "nb": _naive_bayes,
}


def make_classifier(name: str, **params: Any) -> ClassifierMixin:
    """A new, unfitted classifier by name; unknown names list the valid ones."""
    if name not in CLASSIFIERS:
        raise ReviewError(f"unknown classifier '{name}' (valid: {', '.join(sorted(CLASSIFIERS))})")
    return CLASSIFIERS[name](**params)


def fit_relevance(name: str, params: dict[str, Any], X, y: np.ndarray, X_all) -> np.ndarray:
    """Fit on labelled rows (`y` in {0, 1}) and score every row of `X_all`.

    `ComplementNB` has no class weights, so its training rows are re-weighted
    to balance the classes instead.
    """
    model = make_classifier(name, **params)
    if name == "nb":
        weights = np.where(y == 1, len(y) / (2.0 * max(1, y.sum())), len(y) / (2.0 * max(1, (1 - y).sum())))
        model.fit(X, y, sample_weight=weights)
    else:
        model.fit(X, y)
    if hasattr(model, "coef_") and model.coef_.shape[0] == 1:  # linear: score in X's dtype, no float64 copy of X
        return np.asarray(X_all @ model.coef_.ravel().astype(X_all.dtype), dtype=np.float64).reshape(-1) \
            + float(np.ravel(model.intercept_)[0])
    return np.asarray(model.predict_log_proba(X_all)[:, 1] - model.predict_log_proba(X_all)[:, 0])
