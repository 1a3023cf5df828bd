"""Real OS processes deciding on one project at the same time lose no decision."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
N_RECORDS = 40

WORKER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from review.core import Review
    project, reviewer, mode, start = sys.argv[1], sys.argv[2], sys.argv[3], Path(sys.argv[4])
    while not start.exists():
        time.sleep(0.01)
    review = Review.open(project)
    if mode == "loop":
        for round_ in range(3):
            for record_id in range(1, {n} + 1):
                label = "include" if (record_id + round_) % 2 else "maybe"
                review.decide(record_id, "ta", reviewer, label, note=f"{{reviewer}} round {{round_}}")
    else:
        from review.screening.claims import claim_next
        order = list(range(1, {n} + 1))
        while (record_id := claim_next(review, "ta", reviewer, order)) is not None:
            review.decide(record_id, "ta", reviewer, "include")
    review.close()
""").format(n=N_RECORDS)


def make_project(review, tmp_path: Path) -> None:
    ris = tmp_path / "many.ris"
    ris.write_text(
        "".join(f"TY  - JOUR\nID  - C{i}\nTI  - Concurrent record {i}\nER  - \n\n" for i in range(1, N_RECORDS + 1)),
        encoding="utf-8",
    )
    review.import_files([ris], source="Test")


def run_workers(project_dir: Path, tmp_path: Path, mode: str, reviewers: list[str]) -> None:
    start = tmp_path / "start"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(project_dir), reviewer, mode, str(start)],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for reviewer in reviewers
    ]
    start.touch()  # both processes are waiting; release them together
    for worker in workers:
        _, errors = worker.communicate(timeout=300)
        assert worker.returncode == 0, errors


def test_two_processes_lose_no_decision(review, tmp_path):
    make_project(review, tmp_path)
    run_workers(review.folder, tmp_path, "loop", ["anna", "bo"])
    rows = review.db.execute("SELECT reviewer, note, COUNT(*) FROM decisions GROUP BY reviewer, note").fetchall()
    assert sorted(rows) == [
        (reviewer, f"{reviewer} round {r}", N_RECORDS) for reviewer in ("anna", "bo") for r in range(3)
    ]
    expected = {record_id: "include" if (record_id + 2) % 2 else "maybe" for record_id in range(1, N_RECORDS + 1)}
    assert review.state("ta").finals == expected  # both reviewers' last rounds agree on every record


def test_two_processes_with_single_screening_never_decide_the_same_record(review, tmp_path):
    make_project(review, tmp_path)
    data = json.loads(review.protocol.model_dump_json(by_alias=True))
    data["stages"]["ta"].update(reviewers=1, blind=False)
    review.store_protocol(yaml.safe_dump(data), "single.yaml")
    run_workers(review.folder, tmp_path, "claim", ["anna", "bo"])
    decided = review.db.execute("SELECT record_id, COUNT(*) FROM decisions GROUP BY record_id").fetchall()
    assert len(decided) == N_RECORDS
    assert all(count == 1 for _, count in decided)  # no record was served to both processes
