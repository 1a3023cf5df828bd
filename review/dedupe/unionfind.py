"""Duplicate groups as a union-find that keeps apart what must stay apart.

Transitive merging has one classic failure: two different papers with the
same title chained together through copies that lack the fields telling them
apart. So each group keeps a profile of what its records say (identifiers,
first pages, journals, years, first authors) and two groups join only when
their profiles agree, whichever records the joining pair happens to be.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from review.dedupe.matching import PreparedRecord
from review.dedupe.normalise import journals_compatible

MAX_YEAR_SPAN = 2  # online-first and print years one either side of the true year


@dataclass(slots=True)
class _Profile:
    dois: set[str] = field(default_factory=set)
    pmids: set[str] = field(default_factory=set)
    pages: set[str] = field(default_factory=set)
    journals: set[tuple[str, ...]] = field(default_factory=set)
    first_authors: set[str] = field(default_factory=set)
    years: tuple[int, int] | None = None
    protected: bool = False
    apart: set[int] = field(default_factory=set)

    @classmethod
    def of(cls, record: PreparedRecord, protected: bool) -> _Profile:
        return cls(
            {record.doi} if record.doi else set(),
            {record.pmid} if record.pmid else set(),
            {record.first_page} if record.first_page else set(),
            {record.journal} if record.journal else set(),
            set(record.surnames[:1]),
            (record.year, record.year) if record.year else None,
            protected,
            set(),
        )

    def absorb(self, other: _Profile) -> None:
        for name in ("dois", "pmids", "pages", "journals", "first_authors", "apart"):
            getattr(self, name).update(getattr(other, name))
        if other.years:
            self.years = (
                other.years
                if not self.years
                else (min(self.years[0], other.years[0]), max(self.years[1], other.years[1]))
            )
        self.protected = self.protected or other.protected


def _disjoint(first: set, second: set) -> bool:
    return bool(first) and bool(second) and not first & second


class DuplicateGroups:
    """Union-find over record indexes.

    Groups never join when they hold different DOIs or PMIDs, when both hold a
    protected record (the head of an earlier group, or a record already
    screened), or when a person rejected a pair between them. Fuzzy joins
    (`strict`) also need the same first pages, compatible journals, years at
    most two apart (one either side) and a shared first author, wherever both groups know them.
    """

    def __init__(self, records: list[PreparedRecord], protected: list[bool]):
        self.parent = list(range(len(records)))
        self.profiles = [_Profile.of(record, flag) for record, flag in zip(records, protected)]

    def find(self, index: int) -> int:
        root = index
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[index] != root:
            self.parent[index], index = root, self.parent[index]
        return root

    def keep_apart(self, first: int, second: int) -> None:
        self.profiles[self.find(first)].apart.add(second)
        self.profiles[self.find(second)].apart.add(first)

    def can_join(self, first: int, second: int, strict: bool = True) -> bool:
        a, b = self.find(first), self.find(second)
        if a == b:
            return True
        one, other = self.profiles[a], self.profiles[b]
        if _disjoint(one.dois, other.dois) or _disjoint(one.pmids, other.pmids):
            return False
        if one.protected and other.protected:
            return False
        if any(self.find(index) == b for index in one.apart):
            return False
        return not strict or self._profiles_agree(one, other)

    @staticmethod
    def _profiles_agree(one: _Profile, other: _Profile) -> bool:
        if _disjoint(one.pages, other.pages) or _disjoint(one.first_authors, other.first_authors):
            return False
        if (
            one.years
            and other.years
            and (max(one.years[1], other.years[1]) - min(one.years[0], other.years[0]) > MAX_YEAR_SPAN)
        ):
            return False
        return all(journals_compatible(mine, theirs) for mine in one.journals for theirs in other.journals)

    def join(self, first: int, second: int) -> None:
        a, b = self.find(first), self.find(second)
        if a != b:
            self.parent[b] = a
            self.profiles[a].absorb(self.profiles[b])
            self.profiles[b] = _Profile()
