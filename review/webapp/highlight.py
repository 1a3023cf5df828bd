"""Marking the protocol's include and exclude terms in titles and abstracts.

Terms match case-insensitively at word starts; a trailing `*` matches any
ending (`collaborat*` marks "collaboration" and "collaborative"). The result
is escaped HTML with `<mark>` elements, safe to render as markup.
"""

from __future__ import annotations

import html
import re

INCLUDE_STYLE = "background:#c8f0c8"
EXCLUDE_STYLE = "background:#f8c8c8"


def _term_pattern(term: str) -> str | None:
    term = term.strip()
    stem = term.rstrip("*")
    if not stem:
        return None
    words = r"\s+".join(re.escape(word) for word in stem.split())
    ending = r"\w*" if term.endswith("*") else r"(?!\w)"
    return rf"(?<!\w){words}{ending}"


def term_regex(terms: list[str]) -> re.Pattern[str] | None:
    """One case-insensitive pattern for all terms, longest first so phrases win over their words."""
    patterns = [pattern for term in sorted(terms, key=len, reverse=True) if (pattern := _term_pattern(term))]
    return re.compile("|".join(patterns), re.IGNORECASE) if patterns else None


def highlight(text: str | None, include: list[str], exclude: list[str]) -> str:
    """`text` as escaped HTML with include terms marked green and exclude terms red.

    Where an include and an exclude term overlap, the one starting first (then
    the longer one) is marked.
    """
    text = text or ""
    spans: list[tuple[int, int, str]] = []
    for terms, style in ((include, INCLUDE_STYLE), (exclude, EXCLUDE_STYLE)):
        regex = term_regex(terms)
        if regex is not None:
            spans += [(match.start(), match.end(), style) for match in regex.finditer(text)]
    spans.sort(key=lambda span: (span[0], -(span[1] - span[0])))
    parts: list[str] = []
    position = 0
    for start, end, style in spans:
        if start < position:
            continue
        parts.append(html.escape(text[position:start]))
        parts.append(f'<mark style="{style}">{html.escape(text[start:end])}</mark>')
        position = end
    parts.append(html.escape(text[position:]))
    return "".join(parts)


def count_terms(text: str | None, terms: list[str]) -> int:
    """How many times any of `terms` occurs in `text`."""
    regex = term_regex(terms)
    return len(regex.findall(text or "")) if regex is not None else 0
