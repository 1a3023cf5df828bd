"""Real OS processes deciding on one project at the same time lose no decision."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import yaml

from review.core import Review
from review.errors import ProjectError
from review.store import MIGRATIONS, LockWait, connect, db_path, open_project, schema_version

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


HOLDER = textwrap.dedent("""
    import sqlite3, sys, time
    from pathlib import Path
    database, ready, release = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    conn = sqlite3.connect(database, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO settings (key, value) VALUES ('held-by', '\\"another writer\\"')")
    ready.touch()
    deadline = time.monotonic() + 120
    while not release.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    conn.execute("COMMIT")
""")


@pytest.fixture
def lock_holder(tmp_path):
    """Start a real second process that holds a database's write lock until `release` is touched."""
    ready, release = tmp_path / "ready", tmp_path / "release"
    holders = []

    def start(database: Path) -> subprocess.Popen:
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(database), str(ready), str(release)], stderr=subprocess.PIPE, text=True
        )
        holders.append(holder)
        while not ready.exists():
            assert holder.poll() is None, holder.stderr.read()
            time.sleep(0.01)
        return holder

    yield start, release
    release.touch()
    for holder in holders:
        _, errors = holder.communicate(timeout=60)
        assert holder.returncode == 0, errors


@pytest.fixture
def short_lock_wait(monkeypatch):
    """Seconds instead of minutes; every pause is recorded (and can release the holder)."""
    pauses: list[float] = []
    monkeypatch.setattr("review.store.LOCK_WAIT", LockWait(busy_timeout_s=0.2, retries=2, backoff_s=0.05))
    on_pause: list = []

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        for hook in on_pause:
            hook()
        time.sleep(seconds)

    monkeypatch.setattr("review.store.sleep", sleep)
    return pauses, on_pause


def test_decide_while_another_process_holds_the_lock_too_long_is_one_line_and_loses_nothing(
    review, tmp_path, cli, lock_holder, short_lock_wait
):
    make_project(review, tmp_path)
    project_dir, db = review.folder, review.db
    start, release = lock_holder
    pauses, _ = short_lock_wait
    start(db_path(project_dir))

    result = cli("decide", project_dir, 1, "--include", "--reviewer", "anna")

    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "Traceback" not in result.output
    assert "locked for more than 1 s; nothing was written" in result.output
    assert pauses == [0.05, 0.1]  # retried with backoff before giving up
    release.touch()
    retry = cli("decide", project_dir, 1, "--include", "--reviewer", "anna")
    assert retry.exit_code == 0, retry.output
    rows = db.execute("SELECT reviewer, label FROM decisions").fetchall()
    assert rows == [("anna", "include")]
    assert db.execute("SELECT value FROM settings WHERE key = 'held-by'").fetchone() == ('"another writer"',)


def test_a_lock_released_during_the_backoff_lets_the_decision_through(
    review, tmp_path, cli, lock_holder, short_lock_wait
):
    make_project(review, tmp_path)
    project_dir, db = review.folder, review.db
    start, release = lock_holder
    pauses, on_pause = short_lock_wait
    on_pause.append(release.touch)  # the other writer finishes while this one waits
    start(db_path(project_dir))

    result = cli("decide", project_dir, 1, "--include", "--reviewer", "anna")

    assert result.exit_code == 0, result.output
    assert pauses  # the first attempt met the lock
    assert db.execute("SELECT reviewer, label FROM decisions").fetchall() == [("anna", "include")]


def test_an_attach_that_cannot_get_the_lock_leaves_no_copies(review, tmp_path, lock_holder, short_lock_wait):
    make_project(review, tmp_path)
    project_dir = review.folder
    start, _ = lock_holder
    source = tmp_path / "pdfs"
    source.mkdir()
    (source / "record-1.txt").write_text("a full text", encoding="utf-8")
    start(db_path(project_dir))
    waiting_briefly = Review.open(project_dir)  # a connection opened under the short `LockWait`
    with pytest.raises(ProjectError, match="locked"):
        waiting_briefly.attach(source)
    assert list((project_dir / "fulltexts").iterdir()) == []


def test_opening_an_older_project_waits_for_the_lock_before_migrating(tmp_path, lock_holder, short_lock_wait):
    """Connection setup (the schema upgrade on open) gives the same one-line error, and leaves the schema alone."""
    path = tmp_path / "old" / "review.db"
    path.parent.mkdir()
    db = connect(path)
    MIGRATIONS[0](db)
    db.execute("INSERT INTO meta (key, value) VALUES ('schema_version', '1')")
    db.conn.commit()
    start, _ = lock_holder
    start(path)
    with pytest.raises(ProjectError, match="locked"):
        open_project(path.parent)
    assert schema_version(db) == 1
