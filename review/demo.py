"""The demo: the seed review built end to end from the synthetic corpus, without a prompt.

`build_demo` runs the real pipeline on `corpus/` (see corpus/README.md): a project
with the seed protocol, one import batch per database export, deduplication,
the two reviewers' title/abstract decisions and the full-text decisions, reports
linked to studies, the coders' codes; then the PRISMA 2020 counts (from the
database, checked to add up), the diagram and the coded tables in `exports/`.
Every step is a library call; this module only strings them together.
"""

from __future__ import annotations

import csv
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from review.core import Review
from review.errors import Remedy, ReviewError
from review.prisma import PrismaCounts, render_prisma
from review.resources import SEED_PROTOCOL, corpus_dir, protocol_file
from review.screening.blind import Viewer

CORPUS = corpus_dir()
PROTOCOL = protocol_file(SEED_PROTOCOL)
MARKER = ".review-demo"
DEFAULT_OUT = Path("demo-project")
STEPS = (
    "Creating the project",
    "Importing the database exports",
    "Removing duplicates",
    "Importing screening decisions",
    "Linking reports to studies",
    "Importing codes",
    "Counting the PRISMA flow",
    "Writing exports",
)
# (table, format, file name) written to DIR/exports/ besides the PRISMA files.
TABLE_EXPORTS = (
    ("included", "csv", "included.csv"),
    ("codes", "csv", "codes.csv"),
    ("evidence-map", "csv", "evidence-map.csv"),
    ("all", "xlsx", "review.xlsx"),
)

# the demo's screening is reconciled, so its exports need nobody to be unblinded
DEMO_VIEWER = Viewer("demo")
Progress = Callable[[str, int, int], None]


@dataclass
class DemoResult:
    """What the demo built: the project folder, PRISMA counts and the files written."""

    project_dir: Path
    counts: PrismaCounts | None
    exports: list[Path] = field(default_factory=list)
    imported: dict[str, int] = field(default_factory=dict)
    duplicates_merged: int = 0
    uncertain_pairs: int = 0
    seconds: float = 0.0


def prepare_folder(out: Path, force: bool = False) -> None:
    """Make `out` an empty demo folder; only an earlier demo may be replaced (with `force`)."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        if not (out / MARKER).is_file():
            raise ReviewError(f"{out} exists and is not an earlier demo", Remedy.OTHER_FOLDER)
        if not force:
            raise ReviewError(f"{out} holds an earlier demo", Remedy.REPLACE_DEMO)
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("Built by `review demo`; `review demo --force` replaces this folder.\n", encoding="utf-8")


def _corpus_file(corpus: Path, name: str) -> Path:
    path = corpus / name
    if not path.is_file():
        raise ReviewError(f"demo corpus file missing: {path} (run `python corpus/generate.py` in a source checkout)")
    return path


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def link_studies_from_csv(review: Review, path: Path) -> dict[str, list[int]]:
    """Link reports named by (source, source_id) in a CSV to the study in its `study` column."""
    studies: dict[str, list[int]] = {}
    for row in _csv_rows(path):
        matches = [
            record.record_id
            for record in review.records("source = ? AND source_id = ?", [row["source"], row["source_id"]])
        ]
        if len(matches) != 1:
            raise ReviewError(f"{path}: {len(matches)} records for {row['source']} {row['source_id']}, expected 1")
        studies.setdefault(row["study"], []).extend(matches)
    for study, record_ids in studies.items():
        review.link_reports(record_ids, study)
    return studies


def build_demo(
    out: Path = DEFAULT_OUT,
    force: bool = False,
    corpus: Path = CORPUS,
    protocol: Path = PROTOCOL,
    progress: Progress | None = None,
) -> DemoResult:
    """Build the demo project in `out` and write its PRISMA diagram and coded tables to `out/exports/`."""
    started = time.perf_counter()
    step = progress or (lambda description, done, total: None)
    out = Path(out)
    step(STEPS[0], 0, len(STEPS))
    databases = _csv_rows(_corpus_file(corpus, "databases.csv"))
    prepare_folder(out, force)
    with Review.create(out, protocol) as review:
        result = DemoResult(out, None)
        step(STEPS[1], 1, len(STEPS))
        for row in databases:
            [report] = review.import_files([_corpus_file(corpus, row["file"])], source=row["source"])
            result.imported[report.source] = report.records
        step(STEPS[2], 2, len(STEPS))
        found = review.find_duplicates()
        review.apply_dedupe(found)
        result.duplicates_merged, result.uncertain_pairs = found.n_newly_merged, len(found.uncertain_pairs)
        step(STEPS[3], 3, len(STEPS))
        review.import_decisions(_corpus_file(corpus, "decisions.csv"))
        step(STEPS[4], 4, len(STEPS))
        link_studies_from_csv(review, _corpus_file(corpus, "studies.csv"))
        step(STEPS[5], 5, len(STEPS))
        review.import_codes(_corpus_file(corpus, "codes.csv"))
        step(STEPS[6], 6, len(STEPS))
        result.counts, _ = review.prisma()
        step(STEPS[7], 7, len(STEPS))
        result.exports = write_exports(review, result.counts, out / "exports")
        step("Done", len(STEPS), len(STEPS))
    result.seconds = round(time.perf_counter() - started, 2)
    return result


def write_exports(review: Review, counts: PrismaCounts, folder: Path) -> list[Path]:
    """The PRISMA diagram (SVG, PNG), its CSV and the coded tables, in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in ("svg", "png", "csv"):
        path = folder / f"prisma.{fmt}"
        content = render_prisma(counts, fmt)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        written.append(path)
    for table, fmt, name in TABLE_EXPORTS:
        review.export(table, fmt, folder / name, DEMO_VIEWER)
        written.append(folder / name)
    return written
