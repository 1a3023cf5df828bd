"""Replay a benchmark's two-stage labels as screening decisions and compare PRISMA with the labels.

A benchmark set (`records.ris` + `labels.csv` with `ris_id, label_abstract,
label_included`) becomes a project whose decisions CSV is made from the labels
by `labels_to_decisions`; after `import_decisions` the PRISMA counts must equal
the label counts. Used by `bench/replay_benchmarks.py` and the tests.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from review.core import Review
from review.prisma.counts import check_counts, prisma_counts
from review.protocol import Protocol, load_protocol

DECISION_COLUMNS = ("source_id", "stage", "label", "reviewer", "kind", "reason")


def read_labels(path: Path | str) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def labels_to_decisions(labels: list[dict], protocol: Protocol) -> list[dict]:
    """Decision rows (one per reviewer the protocol asks for) from benchmark labels.

    Title/abstract: `label_abstract` 1 -> include, else exclude. Full text, for
    records included at title/abstract: `label_included` 1 -> include, else
    exclude with the protocol's first full-text reason (the labels carry none).
    """
    rows = []
    for stage, column in (("ta", "label_abstract"), ("ft", "label_included")):
        settings = protocol.stage(stage)
        keys = settings.reason_keys()
        for item in labels:
            if stage == "ft" and item["label_abstract"] != "1":
                continue
            include = item[column] == "1"
            reason = "" if include or not keys else keys[0]
            for reviewer in range(1, settings.reviewers + 1):
                rows.append(
                    {
                        "source_id": item["ris_id"],
                        "stage": stage,
                        "label": "include" if include else "exclude",
                        "reviewer": f"reviewer-{reviewer}",
                        "kind": "screen",
                        "reason": reason,
                    }
                )
    return rows


def write_decisions(rows: list[dict], path: Path | str) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=DECISION_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return Path(path)


def expected_counts(labels: list[dict]) -> dict[str, int]:
    """What PRISMA must show for the labels: records screened, reports assessed, reports included."""
    return {
        "records_screened": len(labels),
        "dbr_assessed": sum(item["label_abstract"] == "1" for item in labels),
        "new_reports": sum(item["label_abstract"] == "1" and item["label_included"] == "1" for item in labels),
    }


@dataclass
class ReplayResult:
    name: str
    expected: dict[str, int]
    counts: dict
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems and all(self.counts[key] == n for key, n in self.expected.items())


def replay_set(set_dir: Path | str, work_dir: Path | str, protocol_file: Path | str) -> ReplayResult:
    """Build a project for one benchmark set in `work_dir`, replay its labels, count PRISMA."""
    set_dir, work_dir = Path(set_dir), Path(work_dir)
    protocol = load_protocol(protocol_file)
    with Review.create(work_dir / "project", protocol_file) as review:
        review.import_files([set_dir / "records.ris"], source=set_dir.name)
        labels = read_labels(set_dir / "labels.csv")
        review.import_decisions(write_decisions(labels_to_decisions(labels, protocol), work_dir / "decisions.csv"))
        counts = prisma_counts(review)
    return ReplayResult(set_dir.name, expected_counts(labels), counts.to_dict(), check_counts(counts))
