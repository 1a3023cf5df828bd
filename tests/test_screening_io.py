"""Bulk decisions: CSV import (validated whole, one transaction) and export round trip."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from review.core import Review
from review.errors import ReviewError
from review.screening.blind import Viewer
from review.screening.decisions_io import EXPORT_COLUMNS, export_decisions

ALL = Viewer("coordinator", unblinded=True)

RECORDS = Path(__file__).parent / "data" / "screening" / "records.ris"
TEMPLATE = Path(__file__).resolve().parents[1] / "protocols" / "template.yaml"


@pytest.fixture
def screened(review):
    review.import_files([RECORDS], source="Test")
    return review


def final_labels(review, stage: str) -> dict:
    return dict(review.state(stage).finals)


def final_reasons(review, stage: str) -> dict:
    return dict(review.state(stage).final_reasons)


def history(review, record_id: int) -> list[dict]:
    return review.history(record_id, ALL)


def write_csv(path: Path, rows: list[dict]) -> Path:
    columns = list(dict.fromkeys(key for row in rows for key in row))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def count_events(review) -> int:
    return review.db.execute("SELECT COUNT(*) FROM decisions").fetchone()[0]


def test_replay_a_finished_review(screened, tmp_path, cli):
    """One label per record: 'resolve' rows are final in the two-reviewer ta stage; ft rows may come first."""
    db = screened
    project_dir = db.folder
    rows = [
        {"source_id": "S003", "stage": "ft", "label": "exclude", "reason": "Wrong study design"},
        {"source_id": "S001", "stage": "ta", "label": "include", "kind": "resolve"},
        {"source_id": "S002", "stage": "ta", "label": "exclude", "kind": "resolve", "reason": "not-research"},
        {
            "source_id": "S003",
            "stage": "ta",
            "label": "include",
            "kind": "resolve",
            "created_at": "2024-03-01T10:00:00",
        },
        {"source_id": "S001", "stage": "ft", "label": "include", "reviewer": "anna", "note": "fits"},
    ]
    result = cli("import-decisions", project_dir, write_csv(tmp_path / "d.csv", rows), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (report["rows"], report["per_stage"], report["per_kind"]) == (
        5,
        {"ta": 3, "ft": 2},
        {"resolve": 3, "screen": 2},
    )
    assert final_labels(db, "ta") == {1: "include", 2: "exclude", 3: "include"}
    assert final_labels(db, "ft") == {1: "include", 3: "exclude"}
    assert final_reasons(db, "ft")[3] == "wrong-design"
    assert history(db, 3)[0]["created_at"] == "2024-03-01T10:00:00.000+00:00"
    assert history(db, 1)[-1]["reviewer"] == "anna"
    assert history(db, 2)[0]["reviewer"] == "import"


def test_screen_rows_wait_for_a_second_reviewer(screened, tmp_path):
    db = screened
    rows = [
        {"record_id": 1, "stage": "ta", "label": "include", "reviewer": "anna"},
        {"record_id": 1, "stage": "ta", "label": "include", "reviewer": "bo"},
        {"record_id": 2, "stage": "ta", "label": "include"},
    ]
    db.import_decisions(write_csv(tmp_path / "d.csv", rows))
    assert final_labels(db, "ta") == {1: "include"}


def test_every_bad_line_is_named_and_nothing_is_written(screened, tmp_path, cli):
    db = screened
    project_dir = db.folder
    rows = [
        {"record_id": "1", "source_id": "", "stage": "ta", "label": "include", "kind": "resolve"},
        {"record_id": "", "source_id": "S404", "stage": "ta", "label": "include", "kind": ""},
        {"record_id": "2", "source_id": "", "stage": "tx", "label": "include", "kind": ""},
        {"record_id": "3", "source_id": "", "stage": "ta", "label": "yes", "kind": ""},
        {"record_id": "4", "source_id": "", "stage": "ft", "label": "exclude", "kind": ""},
        {"record_id": "5", "source_id": "", "stage": "ta", "label": "include", "kind": "vote"},
    ]
    path = write_csv(tmp_path / "bad.csv", rows)
    with pytest.raises(ReviewError) as error:
        db.import_decisions(path)
    message = str(error.value)
    assert "5 invalid row(s), nothing imported" in message
    for expected in (
        "line 3: no record with source_id 'S404'",
        "line 4: unknown stage 'tx'",
        "line 5: unknown label 'yes'",
        "line 6: an exclusion at the full text stage needs a reason",
        "line 7: unknown kind 'vote'",
    ):
        assert expected in message
    assert count_events(db) == 0
    result = cli("import-decisions", project_dir, path)
    assert result.exit_code == 1 and result.output.startswith("Error: ")


def test_full_text_rows_need_a_title_abstract_inclusion(screened, tmp_path):
    db = screened
    db.decide(5, "ta", "anna", "exclude")
    rows = [
        {"record_id": 1, "stage": "ta", "label": "include", "kind": "resolve"},
        {"record_id": 1, "stage": "ft", "label": "include"},
        {"record_id": 2, "stage": "ft", "label": "include"},
    ]
    with pytest.raises(ReviewError, match=r"line 4: record 2 is not a full-text candidate"):
        db.import_decisions(write_csv(tmp_path / "d.csv", rows))
    assert count_events(db) == 1  # the ta rows written before the check were rolled back too


def test_source_column_narrows_an_ambiguous_source_id(screened, tmp_path):
    db = screened
    db.import_files([RECORDS], source="Other", force=True)  # the same ids again from another source
    rows = [{"source_id": "S001", "stage": "ta", "label": "include", "kind": "resolve"}]
    with pytest.raises(ReviewError, match="matches records \\[1, 13\\]; add a source column"):
        db.import_decisions(write_csv(tmp_path / "a.csv", rows))
    rows[0]["source"] = "Other"
    db.import_decisions(write_csv(tmp_path / "b.csv", rows))
    assert final_labels(db, "ta") == {13: "include"}


@pytest.mark.parametrize(
    ("header", "missing"), [("record_id,label", "stage"), ("stage,label", "record_id or source_id")]
)
def test_missing_columns(screened, tmp_path, header, missing):
    db = screened
    path = tmp_path / "d.csv"
    path.write_text(header + "\n", encoding="utf-8")
    with pytest.raises(ReviewError, match=f"missing column\\(s\\): {missing}"):
        db.import_decisions(path)


def test_export_imports_again_with_the_same_state(screened, tmp_path):
    db = screened
    db.decide(1, "ta", "anna", "include", score=0.9, rank=1)
    db.decide(1, "ta", "bo", "include")
    db.decide(2, "ta", "anna", "exclude", reason="wrong-population")
    db.decide(2, "ta", "bo", "include")
    db.resolve(2, "ta", "carl", "exclude", reason="wrong-population")
    db.decide(3, "ta", "anna", "maybe")
    db.undo("ta", "anna")
    db.decide(1, "ft", "dana", "exclude", reason="wrong-outcome", note="no outcome")
    exported = export_decisions(db, ALL)
    assert list(exported[0]) == list(EXPORT_COLUMNS)
    assert exported[0]["source_id"] == "S001" and exported[0]["score"] == 0.9
    path = write_csv(tmp_path / "export.csv", exported)

    copy = Review.create(tmp_path / "copy", TEMPLATE)
    copy.import_files([RECORDS], source="Test")
    copy.import_decisions(path)
    for stage in ("ta", "ft"):
        assert final_labels(copy, stage) == final_labels(db, stage)
        assert final_reasons(copy, stage) == final_reasons(db, stage)
    assert export_decisions(copy, ALL) == exported
    copy.close()
