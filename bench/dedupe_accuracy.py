"""Dedupe precision and recall on every benchmark set with the perturbation generator.

For each set: its real records, copies of half of them as MEDLINE, Embase,
Web of Science and Scopus would export them, and look-alikes that are
different papers (`review/synthetic/duplicates.py`), written as the files a
team would import (Embase copies as CSV, the rest as RIS), imported into a
fresh project and deduplicated. Pairwise precision and recall count only
automatic merges: pairs left for a person count as not merged. "For a
person" is the number of pairs left for a person and the share of them that
are truly one paper.

    python bench/dedupe_accuracy.py [--seed 1]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from _common import BENCHMARKS, REPO, benchmark_sets

from review.core import Review
from review.dedupe import find_duplicates
from review.records import import_files
from review.synthetic.duplicates import labelled_set, pair_precision_recall, read_papers, truth_key, write_exports

TOTALS = ("records", "true_pairs", "predicted_pairs", "correct_pairs", "for_person", "for_person_true")


def score_set(folder: Path, seed: int, workdir: Path) -> dict:
    papers = labelled_set(read_papers(folder / "records.ris"), seed=seed)
    files = write_exports(papers, workdir / f"{folder.name}-files")
    db = Review.create(workdir / folder.name, REPO / "protocols" / "template.yaml").db
    import_files(db, files)
    result = find_duplicates(db)
    rows = db.execute("SELECT record_id, source_id FROM records").fetchall()
    db.close()
    truth_of = {record_id: truth_key(source_id) for record_id, source_id in rows}
    scores = pair_precision_recall(
        {source_id: result.assignments.get(record_id) or record_id for record_id, source_id in rows},
        {source_id: truth_key(source_id) for _, source_id in rows},
    )
    uncertain = result.uncertain_pairs
    return {
        "set": folder.name,
        "records": len(rows),
        "for_person": len(uncertain),
        "for_person_true": sum(truth_of[pair.record_id] == truth_of[pair.duplicate_of] for pair in uncertain),
        "seconds": result.seconds,
        **scores,
    }


def _row(name: str, values: dict) -> str:
    precision = values["correct_pairs"] / values["predicted_pairs"] if values["predicted_pairs"] else 1.0
    recall = values["correct_pairs"] / values["true_pairs"] if values["true_pairs"] else 1.0
    share = f"{values['for_person_true'] / values['for_person']:.0%}" if values["for_person"] else "-"
    return (
        f"| {name} | {values['records']} | {values['true_pairs']} | {precision:.4f} | {recall:.4f} | "
        f"{values['for_person']} | {share} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--benchmarks", type=Path, default=BENCHMARKS)
    args = parser.parse_args()
    print(f"seed {args.seed}")
    print("| set | records | true pairs | precision | recall | pairs for a person | share true duplicates |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    totals = dict.fromkeys(TOTALS, 0)
    with tempfile.TemporaryDirectory() as folder:
        for benchmark in benchmark_sets(args.benchmarks):
            row = score_set(benchmark, args.seed, Path(folder))
            for key in totals:
                totals[key] += row[key]
            print(_row(row["set"], row), flush=True)
    print(_row("**all**", totals))
    print(
        f"pairs for a person: {totals['for_person']}, share true duplicates {_row('', totals).split('|')[-2].strip()}"
    )


if __name__ == "__main__":
    main()
