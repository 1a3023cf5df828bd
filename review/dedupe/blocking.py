"""Candidate pairs for fuzzy matching without comparing every record with every other.

Two kinds of blocks, so that one typo or a changed first word cannot hide a
duplicate:

- rare-word blocks: each record joins the blocks of the few rarest words of its
  title (words that occur in at least two titles); duplicates share most words,
  so they share a block, while common words never make a block;
- sorted neighbourhoods: records sorted by normalised title, and by the title
  read backwards, are compared with their next few neighbours.

A block that is still large is compared as a sorted neighbourhood instead of
all-against-all, so the number of pairs grows linearly with the records.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np

from review.dedupe.matching import PreparedRecord

RARE_WORDS_PER_RECORD = 3
MIN_WORD_LENGTH = 3
MAX_BLOCK = 60
NEIGHBOURHOOD_WINDOW = 8
PAIR_CODE_BASE = 1 << 31  # a pair (i, j) is coded as i * base + j for fast de-duplication


def _words(record: PreparedRecord) -> set[str]:
    return {word for word in record.title_key.split() if len(word) >= MIN_WORD_LENGTH and not word.isdigit()}


def _window_pairs(indexes: np.ndarray, keys: list[str], window: int) -> np.ndarray:
    """Codes of pairs of each record with its next `window` neighbours in key order."""
    ordered = indexes[np.argsort(np.array([keys[index] for index in indexes], dtype=object), kind="stable")]
    codes = [_codes(ordered[:-offset], ordered[offset:]) for offset in range(1, min(window, len(ordered) - 1) + 1)]
    return np.concatenate(codes) if codes else np.empty(0, dtype=np.int64)


def _codes(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    low, high = np.minimum(first, second), np.maximum(first, second)
    return low.astype(np.int64) * PAIR_CODE_BASE + high


def rare_word_blocks(records: list[PreparedRecord]) -> dict[str, list[int]]:
    """Word -> indexes of the records for which it is one of their rarest title words."""
    words = [_words(record) for record in records]
    frequency = Counter(word for record_words in words for word in record_words)
    blocks: dict[str, list[int]] = defaultdict(list)
    for index, record_words in enumerate(words):
        shared = sorted(
            (word for word in record_words if frequency[word] > 1), key=lambda word: (frequency[word], word)
        )
        for word in shared[:RARE_WORDS_PER_RECORD]:
            blocks[word].append(index)
    return blocks


def candidate_pairs(records: list[PreparedRecord]) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (first < second, as two arrays) of records worth comparing; only titled records take part."""
    if len(records) >= PAIR_CODE_BASE:
        raise ValueError(f"at most {PAIR_CODE_BASE - 1} records can be deduplicated at once")
    titled = np.array([index for index, record in enumerate(records) if record.title_key], dtype=np.int64)
    keys = [record.title_key for record in records]
    reversed_keys = [" ".join(reversed(key.split())) for key in keys]
    codes = [
        _window_pairs(titled, keys, NEIGHBOURHOOD_WINDOW),
        _window_pairs(titled, reversed_keys, NEIGHBOURHOOD_WINDOW),
    ]
    for block in rare_word_blocks(records).values():
        members = np.array(block, dtype=np.int64)
        if len(members) > MAX_BLOCK:
            codes.append(_window_pairs(members, keys, NEIGHBOURHOOD_WINDOW * 2))
        elif len(members) > 1:
            first, second = np.triu_indices(len(members), 1)
            codes.append(_codes(members[first], members[second]))
    unique = _sorted_unique(np.concatenate(codes)) if codes else np.empty(0, dtype=np.int64)
    return unique // PAIR_CODE_BASE, unique % PAIR_CODE_BASE


def _sorted_unique(codes: np.ndarray) -> np.ndarray:
    """`np.unique` by sorting in place (much faster than numpy 2's hash-based unique here)."""
    codes.sort()
    keep = np.ones(len(codes), dtype=bool)
    keep[1:] = codes[1:] != codes[:-1]
    return codes[keep]
