"""Presets tried while choosing the default ranking (bench only; `bench/simulate_all.py --preset NAME`).

Each adds components to the ELAS-u4-like base (TF-IDF SVM, C 0.11, 9.8 relevant weight)
under one of the fusions, so a row of the results says what one idea is worth.
"""

from __future__ import annotations

from dataclasses import replace

from review.ranking.presets import RECALL_RATIO, Component, Preset, get_preset

BASE = Component("tfidf", "svm", {"C": 0.11})
EMBEDDING = Component("embedding", "logistic", {"C": 1.0})
KNN = Component("embedding", "knn", {"k": 3})
ROCCHIO = Component("embedding", "rocchio")
CHARS = Component("chars", "svm", {"C": 0.11})
AUTHORS = Component("authors", "svm", {"C": 0.11})
TFIDF_LOGISTIC = Component("tfidf", "logistic", {"C": 1.0, "dual": True})
TFIDF_NB = Component("tfidf", "nb", {"alpha": 0.1})

EXTRA = {
    "emb": EMBEDDING,
    "knn": KNN,
    "rocchio": ROCCHIO,
    "chars": CHARS,
    "authors": AUTHORS,
    "lr": TFIDF_LOGISTIC,
    "nb": TFIDF_NB,
}


def _candidate(name: str, extras: tuple[Component, ...], fusion: str) -> Preset:
    return Preset(name, (BASE, *extras), balance_ratio=RECALL_RATIO, fusion=fusion)


CANDIDATES: dict[str, Preset] = {}
for fusion in ("earned", "validated"):
    for key, component in EXTRA.items():
        name = f"cand-{fusion}-{key}"
        CANDIDATES[name] = _candidate(name, (component,), fusion)
    name = f"cand-{fusion}-all"
    CANDIDATES[name] = _candidate(name, tuple(EXTRA.values()), fusion)
    name = f"cand-{fusion}-nochars"  # chars is the dearest view to fit; judged on its own
    CANDIDATES[name] = _candidate(name, tuple(c for key, c in EXTRA.items() if key != "chars"), fusion)


def resolve_preset(name: str) -> Preset:
    """A preset or candidate by name; `NAME-minus-FEATURES/CLASSIFIER` is NAME without that component (an
    ablation row), `NAME-every-decision` is NAME refitted after every decision, as the app does."""
    if name.endswith("-every-decision"):
        preset = resolve_preset(name.removesuffix("-every-decision"))
        return replace(preset, name=name, retrain_every_until=10**9)
    if "-minus-" in name:
        base, _, label = name.partition("-minus-")
        return resolve_preset(base).without(label)
    return CANDIDATES[name] if name in CANDIDATES else get_preset(name)
