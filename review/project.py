"""A review project: its folder, database and the protocol stored in it."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from review.errors import ProjectError
from review.protocol import Protocol, load_protocol, parse_protocol
from review.store import create_project, now, open_project, transaction


def init_project(project_dir: Path | str, protocol_file: Path | str) -> sqlite_utils.Database:
    """Create a project folder with its database and a validated copy of the protocol."""
    protocol_path = Path(protocol_file)
    load_protocol(protocol_path)  # validate before anything is created
    db = create_project(project_dir)
    store_protocol(db, protocol_path.read_text(encoding="utf-8"), str(protocol_path))
    return db


def store_protocol(db: sqlite_utils.Database, yaml_text: str, source_file: str | None = None) -> Protocol:
    """Validate and store a protocol snapshot; the newest snapshot is the one in force."""
    protocol = parse_protocol(yaml_text, source=source_file or "protocol")
    with transaction(db):
        db.execute(
            "INSERT INTO protocols (stored_at, source_file, yaml) VALUES (?, ?, ?)",
            [now(), source_file, yaml_text],
        )
    return protocol


def current_protocol(db: sqlite_utils.Database) -> Protocol:
    row = db.execute("SELECT yaml, source_file FROM protocols ORDER BY protocol_id DESC LIMIT 1").fetchone()
    if row is None:
        raise ProjectError("this project has no protocol")
    return parse_protocol(row[0], source=row[1] or "stored protocol")


def open_with_protocol(project_dir: Path | str) -> tuple[sqlite_utils.Database, Protocol]:
    db = open_project(project_dir)
    return db, current_protocol(db)
