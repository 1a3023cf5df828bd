"""AppTest: the router, sidebar and the Project and Import pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from review.cli.app_cmds import APP_FILE
from review.errors import ReviewError
from review.records import batches

REPO = Path(__file__).resolve().parents[1]
RIS = b"TY  - JOUR\nID  - R1\nTI  - Collaboration around families\nPY  - 2015\nER  - \n"


def app(project_dir: Path | None = None, reviewer: str = "", page: str | None = None) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    if project_dir is not None:
        at.session_state["project_dir"] = str(project_dir)
    at.session_state["reviewer"] = reviewer
    if page:
        at.switch_page(f"review/webapp/pages/{page}.py")
    return at.run()


def test_without_a_project_the_installed_app_builds_the_demo_in_the_user_data_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.setattr("sys.argv", ["streamlit"])
    at = AppTest.from_file(str(APP_FILE), default_timeout=60).run()
    demo = tmp_path / "review" / "demo-project"
    assert not at.exception
    assert at.session_state["project_dir"] == str(demo)
    assert (demo / "review.db").is_file()
    assert {m.label: m.value for m in at.metric}["Unique records"] == "499"


def test_command_line_project_wins_over_the_demo(project, monkeypatch):
    project_dir, _ = project
    monkeypatch.setattr("sys.argv", ["app.py", "--project", str(project_dir)])
    at = app()
    assert at.session_state["project_dir"] == str(project_dir)


def test_a_new_project_is_created_from_a_bundled_protocol(project, tmp_path):
    project_dir, _ = project
    at = app(project_dir)
    folder = tmp_path / "new-review"
    at.text_input(key="new_folder").set_value(str(folder))
    assert at.selectbox(key="new_protocol").value == "template.yaml"
    next(b for b in at.button if b.label == "Create").click().run()
    assert not at.exception
    assert (folder / "review.db").is_file()
    assert at.session_state["project_dir"] == str(folder)
    assert at.subheader[0].value == "Short title of the review"
    assert at.success[0].value == f"Created the project in {folder} and opened it."
    assert at.text_input(key="new_folder").value == ""  # the form is cleared
    assert at.text_input(key="project_picker").value == str(folder)  # the sidebar shows the open project
    assert "template's placeholders (title, question, stages.ta.criteria)" in at.warning[0].value


def test_a_relative_folder_is_refused_rather_than_put_in_the_servers_folder(project, tmp_path, monkeypatch):
    project_dir, _ = project
    monkeypatch.chdir(tmp_path)
    at = app(project_dir)
    at.text_input(key="new_folder").set_value("my-review")
    at = next(b for b in at.button if b.label == "Create").click().run()
    assert not at.exception
    assert at.error[0].value.startswith("my-review is a relative folder: give the whole path")
    assert not (tmp_path / "my-review").exists() and at.session_state["project_dir"] == str(project_dir)
    at.text_input(key="open_folder").set_value("demo-project")
    at = next(b for b in at.button if b.label == "Open").click().run()
    assert "relative folder" in at.error[0].value


def test_project_page_in_danish(review):
    review.import_uploads([("scopus.ris", RIS)], source="Scopus")
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.session_state["project_dir"] = str(review.folder)
    at.session_state["ui_language"] = "da"
    at = at.run()
    assert not at.exception and at.title[0].value == "Projekt"
    assert {metric.label: metric.value for metric in at.metric}["Poster importeret"] == "1"
    assert "Grund påkrævet" in at.dataframe[0].value.columns


def test_project_page_shows_protocol_and_import_counts(review):
    review.import_uploads([("scopus.ris", RIS)], source="Scopus")
    at = app(review.folder)
    assert not at.exception
    assert at.subheader[0].value == "Short title of the review"
    metrics = {metric.label: metric.value for metric in at.metric}
    assert metrics["Records imported"] == "1"
    stages = at.dataframe[0].value
    assert list(stages["Blind"]) == [True, False]
    assert list(stages["Reason required"]) == [False, True]


def test_sidebar_opens_another_project_and_rejects_a_folder_without_one(project, tmp_path):
    project_dir, _ = project
    at = app()
    at.text_input(key="project_picker").set_value(str(tmp_path / "nothing")).run()
    assert "no project at" in at.sidebar.error[0].value
    at.text_input(key="project_picker").set_value(str(project_dir)).run()
    assert at.session_state["project_dir"] == str(project_dir)
    assert at.title[0].value == "Project"


def test_import_page_lists_batches(review):
    review.import_uploads([("pubmed.nbib", b"PMID- 1\nTI  - A title\nDP  - 2020\n")], source="PubMed")
    at = app(review.folder, page="import_page")
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["Source"]) == ["PubMed"]
    assert list(table["File"]) == ["pubmed.nbib"]
    assert table["Imported"][0][:2] == "20" and "T" not in table["Imported"][0]  # a readable time, not ISO


def test_import_uploads_names_the_uploaded_file_and_keeps_the_project_unchanged_on_error(review):
    reports = review.import_uploads([("scopus.ris", RIS)], source="Scopus")
    assert (reports[0].file, reports[0].records) == ("scopus.ris", 1)
    with pytest.raises(ReviewError) as error:
        review.import_uploads([("again.ris", RIS)])
    assert str(error.value).startswith("again.ris was already imported")
    assert [row["file_name"] for row in batches(review.db)] == ["scopus.ris"]
