"""Files the package ships: the seed and template protocols and the synthetic demo corpus.

They are package data, read through `importlib.resources`, so an installed
`review` finds them from any folder; a source checkout also shows them at the
top level (`protocols/`, `corpus/`).

    from review.resources import protocol_file, corpus_dir
    protocol_file("template.yaml")      # Path to the commented template protocol
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

SEED_PROTOCOL = "helhedsorienteret-indsats.yaml"
TEMPLATE_PROTOCOL = "template.yaml"


def _root() -> Path:
    # wheels install unpacked, so the package's files are plain paths on disk
    return Path(str(files(__name__)))


def protocols_dir() -> Path:
    return _root() / "protocols"


def protocol_file(name: str) -> Path:
    """A bundled protocol by file name (see `bundled_protocols`)."""
    return protocols_dir() / name


def bundled_protocols() -> dict[str, Path]:
    """File name -> path of every bundled protocol."""
    return {path.name: path for path in sorted(protocols_dir().glob("*.yaml"))}


def corpus_dir() -> Path:
    """The synthetic demo corpus (see its README.md)."""
    return _root() / "corpus"
