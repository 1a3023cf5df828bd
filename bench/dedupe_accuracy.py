"""Dedupe precision and recall on every benchmark set with the perturbation generator.

For each set: its real records, perturbed copies of half of them as other
databases would export them, and look-alikes that are different papers
(`tests/dedupe_perturb.py`); imported into a fresh project and deduplicated.
Pairwise precision and recall count only automatic merges: uncertain pairs
left for a person count as not merged.

    python bench/dedupe_accuracy.py [--seed 1]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from _common import BENCHMARKS, REPO, benchmark_sets

from review.dedupe import find_duplicates
from review.project import init_project
from review.records import import_files
from review.synthetic.duplicates import labelled_set, pair_precision_recall, read_papers, to_ris, truth_key


def score_set(folder: Path, seed: int, workdir: Path) -> dict:
    papers = labelled_set(read_papers(folder / "records.ris"), seed=seed)
    ris = workdir / f"{folder.name}.ris"
    ris.write_text(to_ris(papers), encoding="utf-8")
    db = init_project(workdir / folder.name, REPO / "protocols" / "template.yaml")
    import_files(db, [ris])
    result = find_duplicates(db)
    rows = db.execute("SELECT record_id, source_id FROM records").fetchall()
    db.close()
    scores = pair_precision_recall(
        {source_id: result.assignments.get(record_id) or record_id for record_id, source_id in rows},
        {source_id: truth_key(source_id) for _, source_id in rows},
    )
    return {
        "set": folder.name,
        "records": len(rows),
        "uncertain": len(result.uncertain_pairs),
        "seconds": result.seconds,
        **scores,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--benchmarks", type=Path, default=BENCHMARKS)
    args = parser.parse_args()
    print("| set | records | true pairs | precision | recall | uncertain pairs |")
    print("|---|---:|---:|---:|---:|---:|")
    totals = {"records": 0, "true_pairs": 0, "predicted_pairs": 0, "correct_pairs": 0, "uncertain": 0}
    with tempfile.TemporaryDirectory() as folder:
        for benchmark in benchmark_sets(args.benchmarks):
            row = score_set(benchmark, args.seed, Path(folder))
            for key in totals:
                totals[key] += row[key]
            print(
                f"| {row['set']} | {row['records']} | {row['true_pairs']} | {row['precision']:.4f} | "
                f"{row['recall']:.4f} | {row['uncertain']} |"
            )
    precision = totals["correct_pairs"] / totals["predicted_pairs"]
    recall = totals["correct_pairs"] / totals["true_pairs"]
    print(
        f"| **all** | {totals['records']} | {totals['true_pairs']} | {precision:.4f} | {recall:.4f} | "
        f"{totals['uncertain']} |"
    )


if __name__ == "__main__":
    main()
