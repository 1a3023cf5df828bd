"""From the bytes of an export to numbered lines of clean text.

Exports come in UTF-8 (with or without a BOM), UTF-16 and cp1252/Latin-1, and
UTF-8 files sometimes carry a stray byte from a copy-paste. The encoding is
chosen once for the whole file by weighing the evidence: a file whose non-ASCII
bytes are mostly valid UTF-8 is UTF-8 (a stray byte becomes U+FFFD and a
warning names its line), a file that is mostly not is cp1252 (or Latin-1 when
it uses bytes cp1252 leaves undefined). Nothing is re-decoded silently.

Lines are counted as editors count them: at `\\n`, `\\r\\n` and a lone `\\r`
only, never at the form feeds, U+2028 or record separators that
`str.splitlines` also splits on, so a line number in a message is the line the
user's editor shows. Control characters (NUL and the like) are taken out of
every line here, so no reader stores them; the ones that act as white space
(tab stays as it is; vertical tab, form feed, FS/GS/RS/US, NEL) become a space.

The file is decoded block by block while the lines are consumed, so a large
export is held in memory once, as its bytes.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from review.errors import ImportFormatError
from review.importers.model import Warnings

BLOCK = 1 << 20
LINE_BREAK = re.compile(r"\r\n|\r|\n")
LINE_BREAK_BYTES = re.compile(rb"\r\n|\r|\n")
SPACE_LIKE_CONTROLS = re.compile("[\x0b\x0c\x1c-\x1f\x85]")
OTHER_CONTROLS = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")
BINARY_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
ZIP_MAGIC = b"PK\x03\x04"
BINARY_MAGIC = {
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "an old Excel (.xls) or other Office binary file; save it as .xlsx or CSV",
    b"%PDF-": "a PDF",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive; unpack it first",
}
REPLACED = "bytes that are not valid UTF-8 replaced by \ufffd"


def strip_controls(text: str) -> str:
    """Text without control characters; the white-space ones become a space."""
    return OTHER_CONTROLS.sub("", SPACE_LIKE_CONTROLS.sub(" ", text))


@dataclass
class Text:
    """A decoded export: the encoding chosen and its lines, numbered from 1."""

    encoding: str
    _data: bytes | str
    _start: int
    _warnings: Warnings

    def lines(self) -> Iterator[tuple[int, str]]:
        number = 0
        for block_lines in self._blocks():
            for line in block_lines:
                number += 1
                yield number, line

    def _blocks(self) -> Iterator[list[str]]:
        first_line = 1
        for block in _cut(self._data, self._start):
            lines = self._decode(block, first_line)
            first_line += len(lines)
            yield lines

    def _decode(self, block: bytes | str, first_line: int) -> list[str]:
        if isinstance(block, str):
            return _split(strip_controls(block))
        codec = "utf-8" if self.encoding.startswith("utf-8") else self.encoding
        try:
            return _split(strip_controls(block.decode(codec)))
        except UnicodeDecodeError:
            return self._decode_by_line(block, codec, first_line)

    def _decode_by_line(self, block: bytes, codec: str, first_line: int) -> list[str]:
        lines = LINE_BREAK_BYTES.split(block)
        if block.endswith((b"\n", b"\r")):
            lines.pop()
        decoded = []
        for offset, line in enumerate(lines):
            try:
                decoded.append(strip_controls(line.decode(codec)))
            except UnicodeDecodeError:
                self._warnings.add(REPLACED, line=first_line + offset)
                decoded.append(strip_controls(line.decode(codec, errors="replace")))
        return decoded


def _cut(data: bytes | str, start: int) -> Iterator[bytes | str]:
    """Blocks of about `BLOCK` characters, each ending just after a line feed (or at the end)."""
    newline = b"\n" if isinstance(data, bytes) else "\n"
    position = start
    while position < len(data):
        end = data.find(newline, position + BLOCK)
        end = len(data) if end == -1 else end + 1
        yield data[position:end]
        position = end


def _split(text: str) -> list[str]:
    lines = LINE_BREAK.split(text)
    if text.endswith(("\n", "\r")):
        lines.pop()
    return lines


def decode(data: bytes, file: str, warnings: Warnings) -> Text:
    """The export as text, with the encoding chosen from its BOM or its bytes."""
    if data.startswith(codecs.BOM_UTF8):
        return Text("utf-8-sig", data, len(codecs.BOM_UTF8), warnings)
    if data.startswith(UTF16_BOMS):
        try:
            return Text("utf-16", data.decode("utf-16"), 0, warnings)
        except UnicodeDecodeError as error:
            raise ImportFormatError(file, f"starts with a UTF-16 mark but is not UTF-16 ({error.reason})") from error
    refuse_binary(data, file)
    return Text(_choose_encoding(data, warnings), data, 0, warnings)


def refuse_binary(data: bytes, file: str) -> None:
    """Refuse a binary file, saying what it seems to be.

    A stray NUL in a text export is not enough (it is stripped like any
    control character); a file is binary when it starts like a known binary
    format or control bytes are common in its first 4 KB (as in compressed
    data, and in UTF-16 without a BOM).
    """
    for magic, kind in BINARY_MAGIC.items():
        if data.startswith(magic):
            raise ImportFormatError(file, f"is {kind}, not a text export")
    head = data[:4096]
    if len(BINARY_BYTES.findall(head)) > len(head) // 16:
        raise ImportFormatError(file, "looks like a binary file, not a text export")


def _choose_encoding(data: bytes, warnings: Warnings) -> str:
    if _is_utf8(data):
        return "utf-8"
    valid, invalid = _utf8_evidence(data)
    if valid > invalid:
        return "utf-8"
    encoding = "latin-1" if CP1252_UNDEFINED.search(data) else "cp1252"
    if valid:
        warnings.add(f"not UTF-8, read as {encoding}; {valid:,} characters that looked like UTF-8 may be garbled")
    return encoding


def _is_utf8(data: bytes) -> bool:
    try:
        for block in _cut(data, 0):
            block.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _utf8_evidence(data: bytes) -> tuple[int, int]:
    """How many non-ASCII characters decode as UTF-8, and how many stray bytes do not."""
    valid = invalid = 0
    for block in _cut(data, 0):
        text = block.decode("utf-8", errors="replace")
        replaced = text.count("\ufffd") - block.count(b"\xef\xbf\xbd")
        non_ascii = len(text) - len(text.encode("ascii", errors="ignore"))
        valid += non_ascii - replaced
        invalid += replaced
    return valid, invalid


def sniff(data: bytes) -> str:
    """The start of the export as text, decoded leniently, for guessing its format."""
    head = data[:65536]
    if head.startswith(UTF16_BOMS):
        return head[: len(head) // 2 * 2].decode("utf-16", errors="replace")
    return head.decode("utf-8-sig", errors="replace")


def first_line(text: str) -> str:
    return next((line for line in LINE_BREAK.split(text) if line.strip()), "")


def read_input(path: Path) -> bytes:
    """The bytes of a file given for import, read once.

    A folder, a named pipe or a device (`/dev/null`) is refused with a message
    saying what it is. The file is opened without blocking and checked on the
    opened descriptor, so nothing swapped in between the check and the read
    can hang the import.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError as error:
        raise ImportFormatError(str(path), "file not found") from error
    except IsADirectoryError as error:
        raise ImportFormatError(str(path), _not_a_file(stat.S_IFDIR)) from error
    except PermissionError as error:
        raise ImportFormatError(str(path), "cannot be read (permission denied)") from error
    except OSError as error:
        raise ImportFormatError(str(path), f"cannot be read ({error.strerror or error})") from error
    problem = _not_a_file(os.fstat(descriptor).st_mode)
    if problem:
        os.close(descriptor)
        raise ImportFormatError(str(path), problem)
    with open(descriptor, "rb") as handle:
        try:
            return handle.read()
        except OSError as error:
            raise ImportFormatError(str(path), f"cannot be read ({error.strerror or error})") from error


def _not_a_file(mode: int) -> str | None:
    """What is wrong with importing from something that is not a regular file; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a folder, not a file"
    if stat.S_ISFIFO(mode):
        return "is a named pipe (FIFO), not a file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a file"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a file"
    return "is not a regular file"
