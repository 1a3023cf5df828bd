"""Text features: the text a record is ranked by, TF-IDF over it, and other views of a record.

TF-IDF is word 1-2-grams with sublinear term frequency (DESIGN.md section 4).
It is fitted on every record of the screening set (unsupervised, so using the
unlabelled records is legitimate) and is cheap enough to be ready at once,
which is what lets ranking start while embeddings are still being computed.

Other views catch what word n-grams miss, each as its own matrix (sparse, but
for the title embedding) so a classifier on it can earn (or not) its own
weight in the fusion:

- `title-embedding`: the embedding of the title alone (`title_line`): what a
  paper is about, not diluted by its methods and results, and for a record
  with nothing but a title the same input as for every other record;
- `chars`: character n-grams of every word, robust to spelling variants,
  inflection and compounds (a Nordic compound shares its parts' n-grams);
  counted from the word counts (each distinct word is cut into n-grams once),
  which is several times faster than cutting every document, and left out
  above `CHARS_MAX_RECORDS` records, where its matrix would cost gigabytes;
- `keywords`: author keywords / MeSH headings, one token per heading, kept
  apart from the abstract so a heading counts once and is not diluted;
- `authors`: one token per author (surname + first initial), since the same
  groups often publish several reports of included studies;
- `journal`: the journal name as one token.

A metadata view is built only when some records carry the field (and at
least two distinct values occur), so a set without it simply has no such view.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from review.ranking.neighbours import NeighbourIndex

TEXT_VIEWS = ("chars",)
CHAR_GRAM_SIZE = 5  # chosen on half of the benchmark sets, confirmed on the other half (README)
CHARS_MAX_RECORDS = 100_000
FIELD_VIEWS = ("keywords", "authors", "journal")


def title_line(text: str) -> str:
    """The first line of a ranking text (`record_text`): the title, or the abstract's start where there is none."""
    return text.partition("\n")[0]


def record_text(title: str | None, abstract: str | None, fulltext: str | None = None) -> str:
    """Title + abstract (or the full text when given), the text a record is ranked by."""
    if fulltext:
        return f"{title or ''}\n{fulltext}".strip()
    return f"{title or ''}\n{abstract or ''}".strip()


@dataclass
class TfidfFeatures:
    """TF-IDF with the settings of DESIGN.md section 4; `min_df` drops hapaxes on larger sets."""

    ngram_max: int = 2
    min_df: int = 1
    max_df: float = 0.95
    sublinear_tf: bool = True

    def fit_transform(self, texts: list[str]) -> sp.csr_matrix:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vectorizer_ = TfidfVectorizer(
            ngram_range=(1, self.ngram_max),
            min_df=self.min_df if len(texts) >= 50 else 1,
            max_df=self.max_df if len(texts) >= 50 else 1.0,
            sublinear_tf=self.sublinear_tf,
            strip_accents="unicode",
            dtype=np.float32,
        )
        return self.vectorizer_.fit_transform(texts).tocsr()

    def transform(self, texts: list[str]) -> sp.csr_matrix:
        return self.vectorizer_.transform(texts).tocsr()


@dataclass
class RecordFields:
    """Per-record metadata beside the text (rows aligned with the texts); empty lists / None where missing."""

    keywords: Sequence[Sequence[str]] = ()
    authors: Sequence[Sequence[str]] = ()
    journal: Sequence[str | None] = ()

    @classmethod
    def from_records(cls, records: Sequence[Mapping[str, Any]]) -> RecordFields:
        """From record rows or dicts with `keywords`, `authors` (lists, or JSON lists as the records table keeps
        them) and `journal`; missing keys count as empty."""

        def items(value: Any) -> list[str]:
            if isinstance(value, str):
                value = json.loads(value) if value.startswith("[") else [value]
            return [str(item) for item in value or ()]

        return cls(
            [items(record.get("keywords")) for record in records],
            [items(record.get("authors")) for record in records],
            [record.get("journal") or None for record in records],
        )

    def tokens(self, view: str) -> list[list[str]]:
        """One list of normalised tokens per record for a metadata view."""
        values = getattr(self, view)
        if view == "journal":
            return [[_normalise(value)] if value and _normalise(value) else [] for value in values]
        normalise = _author_token if view == "authors" else _normalise
        return [[token for token in map(normalise, items or ()) if token] for items in values]


def _normalise(value: str) -> str:
    """Lower case, accents folded, runs of non-alphanumerics to one space: 'Child, Preschool' = 'child preschool'."""
    folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", " ", folded).strip()


def _author_token(name: str) -> str:
    """'Smith, John A' and 'J A Smith' both become 'smith j' (surname + first initial)."""
    name = name.strip()
    if "," in name:
        surname, _, given = name.partition(",")
    else:
        *given_parts, surname = name.split() or [""]
        given = " ".join(given_parts)
    surname, given = _normalise(surname), _normalise(given)
    return f"{surname} {given[:1]}".strip() if surname else ""


def token_tfidf(tokens: list[list[str]]) -> sp.csr_matrix | None:
    """TF-IDF over whole tokens (a heading, an author, a journal), or None when it could not inform a ranking."""
    if sum(1 for row in tokens if row) < 2:
        return None
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer=lambda row: row, min_df=2 if len(tokens) >= 50 else 1, dtype=np.float32)
    try:
        matrix = vectorizer.fit_transform(tokens).tocsr()
    except ValueError:  # no token occurs in two records
        return None
    return matrix if matrix.shape[1] >= 2 else None


def char_tfidf(texts: list[str], size: int = CHAR_GRAM_SIZE) -> sp.csr_matrix | None:
    """Character `size`-grams of every word padded by a space each side (a word's start and end matter; a word
    shorter than `size` - 1 has none), sublinear TF, IDF, rows L2-normalised; None when no n-gram is kept.

    Counts are the word counts times each word's n-gram counts, so a word is cut
    once however often it occurs. Words are those of the word TF-IDF (two or more
    letters or digits, accents folded, lower case); n-grams in fewer than two
    records or more than 95 % of them are dropped on sets of 50 records or more.
    """
    from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

    words = CountVectorizer(strip_accents="unicode", lowercase=True, dtype=np.float32)
    try:
        counts = words.fit_transform(texts)
    except ValueError:  # no word in any text
        return None
    grams: dict[str, int] = {}
    word_rows, gram_columns = [], []
    for row, word in enumerate(words.get_feature_names_out()):
        padded = f" {word} "
        for start in range(len(padded) - size + 1):
            word_rows.append(row)
            gram_columns.append(grams.setdefault(padded[start : start + size], len(grams)))
    cut = sp.csr_matrix(
        (np.ones(len(word_rows), dtype=np.float32), (word_rows, gram_columns)), shape=(counts.shape[1], len(grams))
    )
    gram_counts = (counts @ cut).tocsc()
    if len(texts) >= 50:
        frequency = np.diff(gram_counts.indptr)
        gram_counts = gram_counts[:, np.flatnonzero((frequency >= 2) & (frequency <= 0.95 * len(texts)))]
    if not gram_counts.shape[1]:
        return None
    return TfidfTransformer(sublinear_tf=True).fit_transform(gram_counts.tocsr()).astype(np.float32).tocsr()


def cosine_to_query(matrix: sp.csr_matrix | np.ndarray, query: sp.csr_matrix | np.ndarray) -> np.ndarray:
    """Cosine similarity of every row to one query row (rows of `matrix` are L2-normalised)."""
    query_dense = query.toarray() if sp.issparse(query) else np.asarray(query)
    query_dense = query_dense.reshape(-1)
    norm = np.linalg.norm(query_dense)
    if norm == 0:
        return np.zeros(matrix.shape[0], dtype=np.float32)
    return np.asarray(matrix @ (query_dense / norm)).reshape(-1)


@dataclass
class FeatureSet:
    """Feature matrices for one screening set (rows aligned), and the zero-shot query in each space.

    `views` holds the other sparse views by kind (see the module docstring);
    a kind missing from it has no features here, and its components are left out.
    """

    tfidf: sp.csr_matrix
    embedding: np.ndarray | None = None
    tfidf_query: sp.csr_matrix | None = None
    embedding_query: np.ndarray | None = None
    views: dict[str, sp.csr_matrix] = field(default_factory=dict)
    title_embedding: np.ndarray | None = None
    _indexes: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def n(self) -> int:
        return self.tfidf.shape[0]

    def matrix(self, kind: str):
        if kind == "tfidf":
            return self.tfidf
        if kind == "embedding":
            return self.embedding
        if kind == "title-embedding":
            return self.title_embedding
        return self.views.get(kind)

    def query(self, kind: str):
        """The zero-shot query in the space of `kind` (None where there is none: the other views have no query)."""
        if kind == "tfidf":
            return self.tfidf_query
        return self.embedding_query if kind == "embedding" else None

    def neighbour_index(self, kind: str, k: int = 3) -> NeighbourIndex:
        """The incremental nearest-neighbour index over one matrix (made on first use, kept with the features)."""
        key = (kind, k)
        if key not in self._indexes:
            self._indexes[key] = NeighbourIndex(self.matrix(kind), k)
        return self._indexes[key]

    def rows(self, n: int) -> FeatureSet:
        """The first `n` rows of every matrix (queries unchanged)."""
        return FeatureSet(
            self.tfidf[:n],
            None if self.embedding is None else self.embedding[:n],
            self.tfidf_query,
            self.embedding_query,
            {kind: matrix[:n] for kind, matrix in self.views.items()},
            None if self.title_embedding is None else self.title_embedding[:n],
        )


def build_features(
    texts: list[str],
    tfidf: TfidfFeatures | None = None,
    embedding: np.ndarray | None = None,
    query: str | None = None,
    embedding_query: np.ndarray | None = None,
    fields: RecordFields | None = None,
    views: Sequence[str] = (),
    title_embedding: np.ndarray | None = None,
) -> FeatureSet:
    """TF-IDF fitted on `texts`, precomputed embeddings (of the texts and of their titles), the zero-shot query
    in both spaces, and the other `views` asked for (`chars` from the texts; `keywords`/`authors`/`journal`
    from `fields`)."""
    tfidf = tfidf or TfidfFeatures()
    matrix = tfidf.fit_transform(texts)
    query_row = tfidf.transform([query]) if query else None
    features = FeatureSet(matrix, embedding, query_row, embedding_query, title_embedding=title_embedding)
    for view in views:
        built = None
        if view == "chars" and len(texts) <= CHARS_MAX_RECORDS:
            built = char_tfidf(texts)
        elif view in FIELD_VIEWS and fields is not None and len(getattr(fields, view)) == len(texts):
            built = token_tfidf(fields.tokens(view))
        if built is not None:
            features.views[view] = built
    return features
