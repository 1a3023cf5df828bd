"""Presets tried while choosing the default ranking (bench only; `bench/simulate_all.py --preset NAME`).

`cand-FUSION-KEY` is the ELAS-u4-like base (TF-IDF SVM, C 0.11, 9.8 relevant weight) plus one
component under one fusion, so a row of the results says what one idea adds on its own;
`ensemble-validated-minus-FEATURES/CLASSIFIER` (see `resolve_preset`) takes one out of that preset instead.
"""

from __future__ import annotations

from dataclasses import replace

from review.errors import ReviewError
from review.ranking.presets import BASE, CHARS_SVM, EMBEDDING_LOGISTIC, RECALL_RATIO, Component, Preset, get_preset

EXTRA = {
    "emb": EMBEDDING_LOGISTIC,
    "knn": Component("embedding", "knn", {"k": 3}),
    "rocchio": Component("embedding", "rocchio"),
    "chars": CHARS_SVM,
    "authors": Component("authors", "svm", {"C": 0.11}),
    "lr": Component("tfidf", "logistic", {"C": 1.0, "dual": True}),
    "nb": Component("tfidf", "nb", {"alpha": 0.1}),
}


def _candidate(name: str, extras: tuple[Component, ...], fusion: str) -> Preset:
    return Preset(name, (BASE, *extras), balance_ratio=RECALL_RATIO, fusion=fusion)


CANDIDATES: dict[str, Preset] = {}
for fusion in ("earned", "validated"):
    for key, component in EXTRA.items():
        name = f"cand-{fusion}-{key}"
        CANDIDATES[name] = _candidate(name, (component,), fusion)
    name = f"cand-{fusion}-nochars"  # every extra but chars, the dearest view to build and fit
    CANDIDATES[name] = _candidate(name, tuple(c for key, c in EXTRA.items() if key != "chars"), fusion)
VALIDATED = get_preset("ensemble-validated")
CANDIDATES["ensemble-vs-base"] = replace(VALIDATED, name="ensemble-vs-base", fusion="validated-base")
CANDIDATES["ensemble-wilson"] = replace(VALIDATED, name="ensemble-wilson", fusion="validated-wilson")
CANDIDATES["ensemble-as-earned"] = replace(VALIDATED, name="ensemble-as-earned", fusion="earned")
for fusion in ("validated-wilson", "earned"):  # the default's components under the other fusions
    name = f"ensemble-chars-{fusion.removeprefix('validated-')}"
    CANDIDATES[name] = replace(get_preset("ensemble-chars"), name=name, fusion=fusion)
# the embeddings' regression ten times less regularised (C 1 in the default, on unit vectors)
CANDIDATES["ensemble-chars-emb-c10"] = replace(
    get_preset("ensemble-chars"),
    name="ensemble-chars-emb-c10",
    components=(BASE, replace(EMBEDDING_LOGISTIC, params={"C": 10.0}), CHARS_SVM),
)

# refits batched twice as long once past 100 labels (the default refits every 5 % more labels)
CANDIDATES["ensemble-chars-growth-10"] = replace(
    get_preset("ensemble-chars"), name="ensemble-chars-growth-10", retrain_growth=0.10
)


def _weights(text: str) -> tuple[float, ...]:
    """'2-0-1' as (2.0, 0.0, 1.0): a candidate name's weights, one per component."""
    return tuple(float(weight) for weight in text.split("-"))


def resolve_preset(name: str) -> Preset:
    """A preset or candidate by name; `NAME-minus-FEATURES/CLASSIFIER` is NAME without that component (an
    ablation row), `NAME-every-decision` is NAME refitted after every decision, as the app does,
    `NAME-tfidf` is what NAME ranks by while the embeddings are not ready, and `NAME-fixed-W1-W2-...` is
    NAME's components under fixed weights W1, W2, ... (one per component; see `bench/fusion_ceiling.py`);
    `NAME-early-W1-W2-...-until-N` is NAME with those weights for the first N labels (NAME may be fixed too);
    `NAME-plus-KEY` is NAME with `EXTRA[KEY]` as one more component (an ablation row the other way)."""
    if "-early-" in name:
        base, _, rest = name.partition("-early-")
        weights, _, until = rest.partition("-until-")
        return replace(resolve_preset(base), name=name, early_weights=_weights(weights), early_until=int(until))
    if "-fixed-" in name:
        base, _, weights = name.partition("-fixed-")
        return replace(resolve_preset(base), name=name, fusion="rank-average", weights=_weights(weights))
    if name.endswith("-every-decision"):
        preset = resolve_preset(name.removesuffix("-every-decision"))
        return replace(preset, name=name, retrain_every_until=10**9)
    if name.endswith("-tfidf"):
        return resolve_preset(name.removesuffix("-tfidf")).without_embeddings()
    if "-plus-" in name:
        base, _, key = name.partition("-plus-")
        if key not in EXTRA:
            raise ReviewError(f"unknown extra component '{key}' (valid: {', '.join(EXTRA)})")
        preset = resolve_preset(base)
        return replace(preset, name=name, components=(*preset.components, EXTRA[key]))
    if "-minus-" in name:
        base, _, label = name.partition("-minus-")
        return resolve_preset(base).without(label)
    return CANDIDATES[name] if name in CANDIDATES else get_preset(name)
