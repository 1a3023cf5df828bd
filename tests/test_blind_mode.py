"""Blind mode through every command and page that can show a reviewer's label.

The template's title/abstract stage is blind with two reviewers. Anna and
Bodil have decided some records: one agreed, one waiting for Anna, one in
conflict, one waiting for Bodil. While the stage is open, Anna never sees
Bodil's labels (nor her notes); asking without saying who is looking is
refused with one line; `--unblind` shows every label and is written to the
audit log.
"""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest

from review.audit import AuditAction, audit_entries
from tests.apptest import REPO, download, page, record_downloads

RECORDS = REPO / "tests" / "data" / "screening" / "records.ris"
SECRET = "bodil-note"  # in every note of Bodil's


@pytest.fixture
def blind(review, monkeypatch):
    monkeypatch.delenv("REVIEW_REVIEWER", raising=False)
    review.import_files([RECORDS], source="Test")
    review.decide(1, "ta", "Anna", "include")
    review.decide(1, "ta", "Bodil", "include", note=f"{SECRET} 1")  # agreed
    review.decide(2, "ta", "Bodil", "exclude", reason="not-research", note=f"{SECRET} 2")  # waits for Anna
    review.decide(3, "ta", "Anna", "include")
    review.decide(3, "ta", "Bodil", "exclude", note=f"{SECRET} 3")  # a conflict
    review.decide(4, "ta", "Anna", "exclude", note="anna-note 4")  # waits for Bodil
    assert review.state("ta").unreconciled
    return review


def unblind_entries(review) -> list:
    return audit_entries(review.db, AuditAction.UNBLIND)


def one_line_error(result) -> str:
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "Traceback" not in result.output, result.output
    return lines[0]


def reviewers_in_csv(text: str) -> set[str]:
    return {row["reviewer"] for row in csv.DictReader(io.StringIO(text))}


def reviewers_in_sheet(path) -> set[str]:
    sheet = openpyxl.load_workbook(path)["decisions"]
    rows = list(sheet.iter_rows(values_only=True))
    column = rows[0].index("reviewer")
    return {row[column] for row in rows[1:]}


# (command line after the project folder, reviewers named in what it prints)
LABEL_COMMANDS = {
    "history": (["history", "{dir}", "3", "--json"], lambda out: {e["reviewer"] for e in json.loads(out)}),
    "export decisions csv": (["export", "{dir}", "--table", "decisions", "-o", "-"], reviewers_in_csv),
    "export decisions json": (
        ["export", "{dir}", "--table", "decisions", "--format", "json", "-o", "-"],
        lambda out: {row["reviewer"] for row in json.loads(out)},
    ),
    "export all json": (
        ["export", "{dir}", "--table", "all", "--format", "json", "-o", "-"],
        lambda out: {row["reviewer"] for row in json.loads(out)["decisions"]},
    ),
    "agreement": (
        ["agreement", "{dir}", "--json"],
        lambda out: {who for pair in json.loads(out)["pairs"] for who in (pair["reviewer_a"], pair["reviewer_b"])},
    ),
}


def command(name: str, review) -> list[str]:
    return [str(review.folder) if part == "{dir}" else part for part in LABEL_COMMANDS[name][0]]


@pytest.mark.parametrize("name", sorted(LABEL_COMMANDS))
def test_a_reviewer_sees_only_their_own_labels_from_every_command(blind, cli, name):
    result = cli(*command(name, blind), "--reviewer", "Anna")
    assert result.exit_code == 0, result.output
    assert "Bodil" not in result.output and SECRET not in result.output
    assert LABEL_COMMANDS[name][1](result.output) == (set() if name == "agreement" else {"Anna"})
    assert unblind_entries(blind) == []


def test_a_reviewer_gets_their_own_events_and_the_agreement_is_withheld(blind, cli):
    events = json.loads(cli("history", blind.folder, 4, "--reviewer", "Anna", "--json").output)
    assert [(e["reviewer"], e["label"], e["note"]) for e in events] == [("Anna", "exclude", "anna-note 4")]
    assert json.loads(cli("history", blind.folder, 2, "--reviewer", "Anna", "--json").output) == []
    report = json.loads(cli("agreement", blind.folder, "--reviewer", "Anna", "--json").output)
    assert report == {"pairs": [], "hidden_stages": ["ta"]}
    assert "Stage ta is blind and not yet reconciled" in cli("agreement", blind.folder, "--reviewer", "Anna").output


@pytest.mark.parametrize("name", sorted(LABEL_COMMANDS))
def test_without_a_reviewer_every_command_refuses_in_one_line(blind, cli, name):
    line = one_line_error(cli(*command(name, blind)))
    assert "blind and not yet reconciled" in line and "--unblind" in line
    assert unblind_entries(blind) == []


@pytest.mark.parametrize("name", sorted(LABEL_COMMANDS))
def test_unblind_shows_every_label_and_is_audited(blind, cli, name):
    result = cli(*command(name, blind), "--unblind", "--reviewer", "Carl")
    assert result.exit_code == 0, result.output
    assert LABEL_COMMANDS[name][1](result.output) == {"Anna", "Bodil"}
    [entry] = unblind_entries(blind)
    assert entry.actor == "Carl" and f"review {name.split()[0]}" in entry.detail


def test_export_to_files_keeps_the_blind(blind, cli, tmp_path):
    folder, workbook = tmp_path / "tables", tmp_path / "all.xlsx"
    assert cli("export", blind.folder, "--table", "all", "-o", folder, "--reviewer", "Anna").exit_code == 0
    assert reviewers_in_csv((folder / "decisions.csv").read_text(encoding="utf-8")) == {"Anna"}
    assert not any(SECRET in path.read_text(encoding="utf-8") for path in folder.iterdir())
    cli("export", blind.folder, "--table", "all", "--format", "xlsx", "-o", workbook, "--reviewer", "Anna")
    assert reviewers_in_sheet(workbook) == {"Anna"}

    refused = tmp_path / "refused"
    one_line_error(cli("export", blind.folder, "--table", "all", "-o", refused))
    one_line_error(cli("export", blind.folder, "--table", "all", "--format", "xlsx", "-o", tmp_path / "no.xlsx"))
    assert not refused.exists() and not (tmp_path / "no.xlsx").exists()  # a refused export writes nothing

    unblinded = tmp_path / "unblinded"
    assert cli("export", blind.folder, "--table", "all", "-o", unblinded, "--unblind").exit_code == 0
    assert reviewers_in_csv((unblinded / "decisions.csv").read_text(encoding="utf-8")) == {"Anna", "Bodil"}
    assert len(unblind_entries(blind)) == 1


def test_conflicts_are_listed_only_unblinded_and_the_unblinding_is_audited(blind, cli):
    as_anna = one_line_error(cli("conflicts", blind.folder, "--reviewer", "Anna"))
    nobody = one_line_error(cli("conflicts", blind.folder))
    assert SECRET not in as_anna + nobody and "Bodil" not in as_anna + nobody
    assert unblind_entries(blind) == []
    [conflict] = json.loads(cli("conflicts", blind.folder, "--unblind", "--reviewer", "Carl", "--json").output)
    assert conflict["record_id"] == 3 and conflict["labels"] == {"Anna": "include", "Bodil": "exclude"}
    assert conflict["notes"]["Bodil"] == f"{SECRET} 3"
    [entry] = unblind_entries(blind)
    assert (entry.actor, entry.action) == ("Carl", "unblind") and "review conflicts" in entry.detail


def test_once_reconciled_labels_need_no_unblinding(blind, cli):
    blind.decide(2, "ta", "Anna", "exclude", reason="not-research")
    blind.resolve(3, "ta", "Carl", "include")
    blind.decide(4, "ta", "Bodil", "exclude")
    events = json.loads(cli("history", blind.folder, 3, "--json").output)
    assert {event["reviewer"] for event in events} == {"Anna", "Bodil", "Carl"}
    assert unblind_entries(blind) == []


# --- the app --------------------------------------------------------------------------------------------------


def test_screening_history_shows_anna_only_her_own_events(blind):
    at = page(blind.folder, "screening", "Anna", revisit=2)  # Bodil has decided record 2; Anna has not
    assert at.session_state["shown_record"] == 2
    assert not at.expander and SECRET not in str(at.main) and "Bodil" not in str(at.main)
    at.button(key="decide_include").click().run()  # a second conflict
    at.button(key="undo_last").click().run()
    assert at.session_state["shown_record"] == 2
    [expander] = at.expander
    assert set(expander.dataframe[0].value["reviewer"]) == {"Anna"}
    assert SECRET not in str(at.main) and "Bodil" not in str(at.main)


def test_conflicts_page_shows_no_label_before_an_audited_unblind(blind):
    at = page(blind.folder, "conflicts", "Anna")
    assert not at.exception
    assert "blind and still being screened" in at.info[0].value
    assert SECRET not in str(at.main) and "Bodil" not in str(at.main)
    assert unblind_entries(blind) == []


def test_insights_page_shows_no_agreement_to_anna(blind):
    at = page(blind.folder, "insights", "Anna")
    assert not at.exception
    assert any("blind and still being screened" in caption.value for caption in at.caption)
    assert all("Cohen's kappa" not in frame.value.columns for frame in at.dataframe)
    assert SECRET not in str(at.main)


def test_export_page_gives_anna_only_her_own_labels(blind, monkeypatch):
    builders = record_downloads(monkeypatch)
    at = page(blind.folder, "export", "Anna")
    assert not at.exception
    assert reviewers_in_csv(download(builders, at, "export_decisions_csv").decode("utf-8")) == {"Anna"}
    assert {row["reviewer"] for row in json.loads(download(builders, at, "export_decisions_json"))} == {"Anna"}
    everything = json.loads(download(builders, at, "export_all_json"))
    assert {row["reviewer"] for row in everything["decisions"]} == {"Anna"}
    assert reviewers_in_sheet(io.BytesIO(download(builders, at, "export_all_xlsx"))) == {"Anna"}
    assert reviewers_in_sheet(io.BytesIO(download(builders, at, "export_decisions_xlsx"))) == {"Anna"}
    for key in ("export_decisions_csv", "export_decisions_json", "export_all_json"):
        assert SECRET.encode() not in download(builders, at, key)
    assert unblind_entries(blind) == []
