"""Named ranking presets: which features and classifiers, with which parameters.

A preset is plain data (`Preset`), saved with every model run and read back
with `Preset.from_dict`, in the spirit of ASReview's model configurations.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from review.errors import ReviewError
from review.ranking.classifiers import check_classifier
from review.ranking.features import FIELD_VIEWS, TEXT_VIEWS, title_line

EMBEDDING_KINDS = ("embedding", "title-embedding")  # computed by the embedding model, so ready only once cached
FEATURE_KINDS = ("tfidf", *EMBEDDING_KINDS, *TEXT_VIEWS, *FIELD_VIEWS)
FUSIONS = ("rank-average", "earned", "validated", "validated-base", "validated-wilson")


@dataclass(frozen=True)
class Component:
    """One member of the ensemble: a feature kind and a classifier on it."""

    features: str
    classifier: str
    params: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.features not in FEATURE_KINDS:
            raise ReviewError(f"unknown feature kind '{self.features}' (valid: {', '.join(FEATURE_KINDS)})")
        check_classifier(self.classifier)

    @property
    def label(self) -> str:
        return f"{self.features}/{self.classifier}"


@dataclass(frozen=True)
class Preset:
    """A ranking configuration.

    Components' percentile ranks are combined by `fusion`:

    - `rank-average`: fixed weights, `weights` (one per component), equal when
      it is empty;
    - `earned`: the first component is the base ranking and every other one
      earns its weight from the review itself. Each relevant record found
      while the components' scores are known is credited to a component if it
      ranked that record above the base (half on a tie); a component's weight
      is the lower one-sided 95 % confidence bound (Wilson) of that win rate,
      the base keeps the rest. A representation that does not help on this
      review stays at zero weight; one that finds what the base misses gets a
      say as fast as the evidence for it allows. Its blind spot: the records
      credited are the ones the ranking chose, i.e. the ones the base already
      put first, so a rival seldom "wins" there however good it is;
    - `validated`: progressive validation on every label. Each labelled record
      carries where every component ranked it before its label was known; a
      non-base component's weight is the lower one-sided 95 % bound of its AUC
      over those records (relevant above irrelevant) above chance, scaled to
      [0, 1]; the base keeps the rest. Judged on the candidates the ranking
      already chose, this asks exactly what fusing needs: among the records at
      the top, does this component tell the relevant from the irrelevant?
      A component no better than chance there stays at zero weight.

    Under any fusion, `early_weights` (if given) hold for the first
    `early_until` labels instead, so the weights can change during screening.

    Retraining follows a schedule: after every decision until
    `retrain_every_until` labels, later when a new relevant record arrives or
    after `retrain_growth` x (labels so far) new labels. `balance_ratio` is
    the relevant class's share of the training weight relative to the
    irrelevant class (1 = balanced; see `balance_weights`).
    """

    name: str
    components: tuple[Component, ...]
    retrain_every_until: int = 100
    retrain_growth: float = 0.05
    balance_ratio: float = 1.0
    fusion: str = "rank-average"
    weights: tuple[float, ...] = ()
    early_weights: tuple[float, ...] = ()
    early_until: int = 0

    def __post_init__(self) -> None:
        if self.fusion not in FUSIONS:
            raise ReviewError(f"unknown fusion '{self.fusion}' (valid: {', '.join(FUSIONS)})")
        if self.weights and self.fusion != "rank-average":
            raise ReviewError(f"preset '{self.name}': fixed weights need the rank-average fusion")
        if bool(self.early_weights) != (self.early_until > 0):
            raise ReviewError(f"preset '{self.name}': early weights need early_until > 0, and the reverse")
        for weights in (self.weights, self.early_weights):
            if weights and (len(weights) != len(self.components) or min(weights) < 0 or sum(weights) <= 0):
                raise ReviewError(f"preset '{self.name}': fixed weights need one per component, >= 0, not all 0")

    def earns_weights(self) -> bool:
        """Whether the weights depend on the decisions, so each label's standing is kept: a learned fusion
        (`earned`, `validated`) or early weights, which end after `early_until` labels; more than one component."""
        return (self.fusion != "rank-average" or bool(self.early_weights)) and len(self.components) > 1

    def uses_embeddings(self) -> bool:
        return any(component.features in EMBEDDING_KINDS for component in self.components)

    def uses_title_embeddings(self) -> bool:
        """Whether the titles are embedded too, beside the texts (a `title-embedding` component)."""
        return any(component.features == "title-embedding" for component in self.components)

    def embedding_inputs(self, texts: list[str]) -> list[str]:
        """What the embedding model reads for these ranking texts: the texts, then their titles if it embeds them."""
        return [*texts, *map(title_line, texts)] if self.uses_title_embeddings() else list(texts)

    def embedding_outputs(self, vectors: np.ndarray, n_texts: int) -> tuple[np.ndarray, np.ndarray | None]:
        """The vectors of `embedding_inputs` split back into the texts' and the titles' (None if not embedded)."""
        return vectors[:n_texts], vectors[n_texts:] if self.uses_title_embeddings() else None

    def views(self) -> tuple[str, ...]:
        """The feature kinds beside TF-IDF and embeddings its components need (see `build_features`)."""
        return tuple(
            dict.fromkeys(c.features for c in self.components if c.features not in ("tfidf", *EMBEDDING_KINDS))
        )

    def without(self, label: str) -> Preset:
        """The preset less one non-base component ("features/classifier"): an ablation."""
        keep = [index == 0 or c.label != label for index, c in enumerate(self.components)]
        if all(keep):
            raise ReviewError(f"preset '{self.name}' has no non-base component '{label}'")
        return self._keeping(f"{self.name}-minus-{label.replace('/', '-')}", keep)

    def _keeping(self, name: str, keep: list[bool]) -> Preset:
        """The preset with the components marked in `keep` (the SVM on words if none) and their fixed weights,
        dropped where none of the kept components has weight."""
        components = tuple(c for c, kept in zip(self.components, keep) if kept)
        if not components:
            return replace(
                self, name=name, components=(Component("tfidf", "svm"),), weights=(), early_weights=(), early_until=0
            )

        def kept_weights(weights: tuple[float, ...]) -> tuple[float, ...]:
            left = tuple(w for w, kept in zip(weights, keep) if kept)
            return left if sum(left) > 0 else ()

        weights, early = kept_weights(self.weights), kept_weights(self.early_weights)
        until = self.early_until if early else 0
        return replace(self, name=name, components=components, weights=weights, early_weights=early, early_until=until)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Preset:
        fields = dict(data)
        fields["components"] = tuple(Component(**component) for component in data["components"])
        fields["weights"] = tuple(data.get("weights", ()))
        fields["early_weights"] = tuple(data.get("early_weights", ()))
        return cls(**fields)

    def without_embeddings(self) -> Preset:
        """The TF-IDF part alone (what ranks while embeddings are not ready)."""
        return self._keeping(f"{self.name}-tfidf", [c.features not in EMBEDDING_KINDS for c in self.components])


RECALL_RATIO = 9.8  # relevant:irrelevant training weight of ASReview's ELAS u4 (tuned there on SYNERGY, not here)

BASE = Component("tfidf", "svm", {"C": 0.11})
EMBEDDING_LOGISTIC = Component("embedding", "logistic", {"C": 1.0})
CHARS_SVM = Component("chars", "svm", {"C": 0.11})  # character 5-grams of words: spelling, inflection, compounds
TITLE_EMBEDDING_LOGISTIC = Component("title-embedding", "logistic", {"C": 1.0})  # the topic, undiluted by the abstract
# `ensemble-validated`'s other components: each earns its weight on the review itself (the `validated` fusion)
VALIDATED_COMPONENTS = (
    EMBEDDING_LOGISTIC,
    Component("embedding", "knn", {"k": 3}),
    Component("embedding", "rocchio"),
    Component("tfidf", "nb", {"alpha": 0.1}),
    Component("keywords", "svm", {"C": 0.11}),
    Component("authors", "svm", {"C": 0.11}),
    Component("journal", "svm", {"C": 0.11}),
)

PRESETS: dict[str, Preset] = {
    preset.name: preset
    for preset in (
        Preset("ensemble", (BASE, EMBEDDING_LOGISTIC), balance_ratio=RECALL_RATIO, fusion="earned"),
        Preset("ensemble-validated", (BASE, *VALIDATED_COMPONENTS), balance_ratio=RECALL_RATIO, fusion="validated"),
        Preset("ensemble-chars", (BASE, EMBEDDING_LOGISTIC, CHARS_SVM), balance_ratio=RECALL_RATIO, fusion="validated"),
        Preset(
            "ensemble-titles",
            (BASE, EMBEDDING_LOGISTIC, CHARS_SVM, TITLE_EMBEDDING_LOGISTIC),
            balance_ratio=RECALL_RATIO,
            fusion="validated",
        ),
        Preset("ensemble-average", (BASE, EMBEDDING_LOGISTIC), balance_ratio=RECALL_RATIO),
        Preset(
            "ensemble-balanced", (Component("tfidf", "svm", {"C": 0.1}), Component("embedding", "logistic", {"C": 1.0}))
        ),
        Preset("tfidf-svm", (BASE,), balance_ratio=RECALL_RATIO),
        Preset("tfidf-nb", (Component("tfidf", "nb", {"alpha": 0.1}),)),
        Preset("embedding-logistic", (EMBEDDING_LOGISTIC,), balance_ratio=RECALL_RATIO),
    )
}
DEFAULT_PRESET = "ensemble-titles"


def get_preset(name: str) -> Preset:
    """A preset by name; an unknown name lists the valid ones."""
    if name not in PRESETS:
        raise ReviewError(f"unknown ranking preset '{name}' (valid: {', '.join(sorted(PRESETS))})")
    return PRESETS[name]
