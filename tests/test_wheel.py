"""The package as users get it: built into a wheel, installed into a fresh virtual environment, run elsewhere.

The fresh environment gets only the wheel; the third-party libraries come from
the test environment through a `.pth` file, so nothing is downloaded and the
source checkout is not on the path.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv with the built wheel installed; returns its bin folder."""
    root = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(root), str(REPO)],
        check=True,
    )
    [wheel] = root.glob("review_screening-*.whl")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(venv / "bin" / "python"),
            "install",
            "-q",
            "--no-deps",
            str(wheel),
        ],
        check=True,
    )
    site = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    (Path(site) / "test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return venv / "bin"


def run(bin_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": ""}
    return subprocess.run([str(bin_dir / args[0]), *args[1:]], cwd=cwd, env=env, capture_output=True, text=True)


def test_the_installed_package_is_the_wheel_not_the_checkout(installed, tmp_path):
    result = run(installed, "python", "-c", "import review, review.resources as r; print(review.__file__, r.corpus_dir())",
                 cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    module, corpus = result.stdout.split()
    assert str(REPO) not in module and str(installed.parent) in module
    assert (Path(corpus) / "databases.csv").is_file() and (Path(corpus) / "exports" / "scopus.ris").is_file()


def test_the_demo_runs_from_an_empty_folder(installed, tmp_path):
    result = run(installed, "review", "demo", "--out", "built", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    counts = json.loads(result.stdout)
    assert (counts["records_screened"], counts["records_excluded"], counts["dbr_assessed"]) == (499, 319, 180)
    assert (counts["dbr_excluded"], counts["new_reports"], counts["new_studies"]) == (124, 56, 55)
    assert (tmp_path / "built" / "review.db").is_file() and (tmp_path / "built" / "exports" / "prisma.svg").is_file()
    assert not (REPO / "built").exists()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_review_app_serves_the_project_from_the_installed_package(installed, tmp_path):
    assert run(installed, "review", "demo", "--out", "demo", cwd=tmp_path).returncode == 0
    port = free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": ""}
    server = subprocess.Popen(
        [str(installed / "review"), "app", "demo", "--port", str(port)], cwd=tmp_path, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline, health = time.monotonic() + 90, ""
        while time.monotonic() < deadline and health != "ok":
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as response:
                    health = response.read().decode()
            except OSError:
                time.sleep(0.5)
        assert health == "ok", "the app did not start"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
            assert response.status == 200 and b"<html" in response.read().lower()
    finally:
        server.terminate()
        server.wait(timeout=30)
