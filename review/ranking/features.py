"""Text features: the text a record is ranked by, and TF-IDF over it.

TF-IDF is word 1-2-grams with sublinear term frequency (DESIGN.md section 4).
It is fitted on every record of the screening set (unsupervised, so using the
unlabelled records is legitimate) and is cheap enough to be ready at once,
which is what lets ranking start while embeddings are still being computed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer


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
    """Feature matrices for one screening set (rows aligned), and the zero-shot query in each space."""

    tfidf: sp.csr_matrix
    embedding: np.ndarray | None = None
    tfidf_query: sp.csr_matrix | None = None
    embedding_query: np.ndarray | None = None

    @property
    def n(self) -> int:
        return self.tfidf.shape[0]

    def matrix(self, kind: str):
        return self.tfidf if kind == "tfidf" else self.embedding


def build_features(
    texts: list[str],
    tfidf: TfidfFeatures | None = None,
    embedding: np.ndarray | None = None,
    query: str | None = None,
    embedding_query: np.ndarray | None = None,
) -> FeatureSet:
    """TF-IDF fitted on `texts`, plus precomputed embeddings and the zero-shot query in both spaces."""
    tfidf = tfidf or TfidfFeatures()
    matrix = tfidf.fit_transform(texts)
    query_row = tfidf.transform([query]) if query else None
    return FeatureSet(matrix, embedding, query_row, embedding_query)
