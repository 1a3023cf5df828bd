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
from collections.abc import Iterator

from review.dedupe.matching import PreparedRecord

RARE_WORDS_PER_RECORD = 3
MIN_WORD_LENGTH = 3
MAX_BLOCK = 60
NEIGHBOURHOOD_WINDOW = 8


def _words(record: PreparedRecord) -> set[str]:
    return {word for word in record.title_key.split() if len(word) >= MIN_WORD_LENGTH and not word.isdigit()}


def _window_pairs(indexes: list[int], keys: list[str], window: int) -> Iterator[tuple[int, int]]:
    ordered = sorted(indexes, key=keys.__getitem__)
    for position, first in enumerate(ordered):
        for second in ordered[position + 1 : position + 1 + window]:
            yield (first, second) if first < second else (second, first)


def rare_word_blocks(records: list[PreparedRecord]) -> dict[str, list[int]]:
    """Word -> indexes of the records for which it is one of their rarest title words."""
    words = [_words(record) for record in records]
    frequency = Counter(word for record_words in words for word in record_words)
    blocks: dict[str, list[int]] = defaultdict(list)
    for index, record_words in enumerate(words):
        shared = sorted((word for word in record_words if frequency[word] > 1), key=lambda word: (frequency[word], word))
        for word in shared[:RARE_WORDS_PER_RECORD]:
            blocks[word].append(index)
    return blocks


def candidate_pairs(records: list[PreparedRecord]) -> set[tuple[int, int]]:
    """Index pairs (i < j) of records worth comparing; only records with a title take part."""
    titled = [index for index, record in enumerate(records) if record.title_key]
    keys = [record.title_key for record in records]
    reversed_keys = [" ".join(reversed(key.split())) for key in keys]
    pairs: set[tuple[int, int]] = set()
    pairs.update(_window_pairs(titled, keys, NEIGHBOURHOOD_WINDOW))
    pairs.update(_window_pairs(titled, reversed_keys, NEIGHBOURHOOD_WINDOW))
    for block in rare_word_blocks(records).values():
        if len(block) > MAX_BLOCK:
            pairs.update(_window_pairs(block, keys, NEIGHBOURHOOD_WINDOW * 2))
            continue
        for position, first in enumerate(block):
            for second in block[position + 1 :]:
                pairs.add((first, second))
    return pairs
