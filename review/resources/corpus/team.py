"""The review team's work on the synthetic corpus: screening decisions, study links and codes.

Part of the demo corpus generator (see generate.py); written as CSV files that
`review demo` imports. Records are named by (source, source_id) of the copy that
deduplication keeps, so the files do not depend on record ids.
"""

from __future__ import annotations

import csv
import random
import string
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

import vocabulary as V

if TYPE_CHECKING:
    from generate import Work

TA_REVIEWERS = ("reviewer-a", "reviewer-b")
THIRD_REVIEWER = "reviewer-c"
FT_REVIEWER = "reviewer-a"
CODERS = ("coder-a", "coder-b")
N_CONFLICTS = {"include": 6, "exclude": 8}
N_DOUBLE_CODED = 12
CODED_DIMENSIONS = ["framework", "goals", "roles", "knowledge", "citizen-outcomes", "staff-outcomes",
                    "country", "target-group", "sectors", "design", "sample-size"]


def write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.lower().translate(str.maketrans({"ø": "oe", "æ": "ae", "å": "aa"})))
    kept = "".join(char if char in string.ascii_lowercase + string.digits else "-" for char in folded if not unicodedata.combining(char))
    return "-".join(part for part in kept.split("-") if part)


def write_decisions(rng: random.Random, works: list[Work], names: dict[str, str], out: Path) -> None:
    """Two blind reviewers on titles/abstracts (conflicts resolved by a third), one on full texts."""
    conflicts = []
    for label, count in N_CONFLICTS.items():
        conflicts += rng.sample([work for work in works if work.ta == label], count)
    rows = []
    for work in works:
        source, source_id = names[work.copies[0][0]], work.copies[0][1]
        opposite = "exclude" if work.ta == "include" else "include"
        dissenter = rng.choice(TA_REVIEWERS) if work in conflicts else None
        for reviewer in TA_REVIEWERS:
            label = opposite if reviewer == dissenter else work.ta
            reason = work.ta_reason if label == "exclude" and work.ta_reason else ""
            rows.append([source, source_id, "ta", label, reviewer, "screen", reason, ""])
        if dissenter:
            rows.append([source, source_id, "ta", work.ta, THIRD_REVIEWER, "resolve", work.ta_reason or "",
                         "Conflict resolved after discussing the abstract"])
    for work in works:
        if work.ta == "include":
            label = "exclude" if work.ft_reason else "include"
            rows.append([names[work.copies[0][0]], work.copies[0][1], "ft", label, FT_REVIEWER, "screen", work.ft_reason or "", ""])
    write_csv(out / "decisions.csv", ["source", "source_id", "stage", "label", "reviewer", "kind", "reason", "note"], rows)


def study_keys(works: list[Work]) -> dict[int, str]:
    """Readable study keys (first author, year, place); two reports of one study share a key."""
    keys: dict[int, str] = {}
    by_profile: dict[int, str] = {}
    for work in works:
        if work.category != "included":
            continue
        if id(work.profile) not in by_profile:
            key = slug(f"{work.authors[0].split(',')[0]} {work.year} {work.profile['place']}")
            while key in by_profile.values():
                key += "-b"
            by_profile[id(work.profile)] = key
        keys[id(work)] = by_profile[id(work.profile)]
    return keys


def write_studies_and_codes(rng: random.Random, works: list[Work], names: dict[str, str], out: Path) -> None:
    keys = study_keys(works)
    included = [work for work in works if work.category == "included"]
    write_csv(out / "studies.csv", ["source", "source_id", "study"],
              [[names[work.copies[0][0]], work.copies[0][1], keys[id(work)]] for work in included])
    profiles = {keys[id(work)]: work.profile for work in included}
    dimensions = CODED_DIMENSIONS
    double = rng.sample(sorted(profiles), N_DOUBLE_CODED)
    # The second coder's rows come first: the newest code counts, and the first coder's are final.
    coded_by = [(CODERS[1], study, second_opinion(rng, profiles[study])) for study in sorted(double)]
    coded_by += [(CODERS[0], study, profiles[study]) for study in sorted(profiles)]
    rows = []
    for coder, study, coded in coded_by:
        for dim in dimensions:
            values = coded[dim] if isinstance(coded[dim], list) else [coded[dim]]
            rows += [[study, dim, str(value), coder, ""] for value in values]
    write_csv(out / "codes.csv", ["study", "dimension", "value", "coder", "note"], rows)


def second_opinion(rng: random.Random, coded: dict) -> dict:
    """A second coder agrees on most dimensions, differs on a value of one or two, now and then on the design."""
    values = {"framework": list(V.FRAMEWORK), "goals": list(V.GOALS), "roles": list(V.ROLES), "knowledge": list(V.KNOWLEDGE)}
    changed = dict(coded)
    for dim in rng.sample(sorted(values), rng.randint(0, 2)):
        current = list(changed[dim])
        missing = [value for value in values[dim] if value not in current]
        if len(current) > 1 and rng.random() < 0.5 or not missing:
            current.remove(rng.choice(current))
        else:
            current.append(rng.choice(missing))
        changed[dim] = sorted(current, key=values[dim].index)
    if rng.random() < 0.2:
        changed["design"] = rng.choice([design for design in V.DESIGN if design != coded["design"]])
    return changed
