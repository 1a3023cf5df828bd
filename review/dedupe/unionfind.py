"""Duplicate groups as a union-find that keeps apart what must stay apart.

Transitive merging has one classic failure: two different papers with the
same title chained together through copies that lack the fields telling them
apart. So two groups join only when no record of one contradicts a record of
the other (`matching.contradicts`: other identifiers, pages, authors, years
far apart, a notice, other title numbers, an abstract against a paper),
whichever records the joining pair happens to be.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from review.dedupe.matching import PreparedRecord, contradicts


@dataclass(slots=True)
class _Group:
    members: list[int]
    dois: set[str] = field(default_factory=set)
    pmids: set[str] = field(default_factory=set)
    protected: bool = False
    apart: set[int] = field(default_factory=set)

    @classmethod
    def of(cls, index: int, record: PreparedRecord, protected: bool) -> _Group:
        doi = record.doi and not record.meeting  # a meeting abstract's DOI is often its supplement's
        return cls([index], {record.doi} if doi else set(), {record.pmid} if record.pmid else set(), protected)

    def absorb(self, other: _Group) -> None:
        self.members.extend(other.members)
        self.dois.update(other.dois)
        self.pmids.update(other.pmids)
        self.apart.update(other.apart)
        self.protected = self.protected or other.protected


def _disjoint(first: set, second: set) -> bool:
    return bool(first) and bool(second) and not first & second


class DuplicateGroups:
    """Union-find over record indexes.

    Groups never join when they hold different DOIs or PMIDs, when both hold a
    protected record (the head of an earlier group, or a record already
    screened), or when a person rejected a pair between them. Checked joins
    (`strict`) also need every pair across the two groups, the joining pair
    aside, to be free of contradictions.
    """

    def __init__(self, records: list[PreparedRecord], protected: list[bool]):
        self.records = records
        self.parent = list(range(len(records)))
        self.groups = [_Group.of(index, record, flag) for index, (record, flag) in enumerate(zip(records, protected))]

    def find(self, index: int) -> int:
        root = index
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[index] != root:
            self.parent[index], index = root, self.parent[index]
        return root

    def keep_apart(self, first: int, second: int) -> None:
        self.groups[self.find(first)].apart.add(second)
        self.groups[self.find(second)].apart.add(first)

    def can_join(self, first: int, second: int, strict: bool = True) -> bool:
        a, b = self.find(first), self.find(second)
        if a == b:
            return True
        one, other = self.groups[a], self.groups[b]
        if _disjoint(one.dois, other.dois) or _disjoint(one.pmids, other.pmids):
            return False
        if one.protected and other.protected:
            return False
        if any(self.find(index) == b for index in one.apart):
            return False
        return not strict or not self._any_contradiction(one.members, other.members, {first, second})

    def _any_contradiction(self, members: list[int], others: list[int], joining: set[int]) -> bool:
        records = self.records
        return any(
            contradicts(records[mine], records[theirs])
            for mine in members
            for theirs in others
            if {mine, theirs} != joining
        )

    def join(self, first: int, second: int) -> None:
        a, b = self.find(first), self.find(second)
        if a != b:
            self.parent[b] = a
            self.groups[a].absorb(self.groups[b])
            self.groups[b] = _Group([])
