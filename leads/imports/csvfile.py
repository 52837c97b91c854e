"""Reading an uploaded CSV file: is it text at all, which separator, the rows one by one.

Everything here streams: the file is read in chunks or line by line, never whole, so the
memory an import needs does not grow with the file.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from itertools import chain
from typing import BinaryIO

MAX_FILE_BYTES = 50 * 1024 * 1024
HEAD_BYTES = 64 * 1024
CHUNK_BYTES = 1024 * 1024
DELIMITERS = (",", ";", "\t", "|")
_SAVE_AS = 'In your spreadsheet program choose "Save as" → "CSV UTF-8", then upload that file.'
_SIGNATURES = (
    (b"PK\x03\x04", "an Excel workbook (.xlsx) or another ZIP archive"),
    (b"\xd0\xcf\x11\xe0", "an Excel 97-2003 workbook (.xls)"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x1f\x8b", "a gzip archive"),
)


class MalformedFile(ValueError):
    """The file cannot be imported at all; the message tells its owner what to do."""


def head_problem(head: bytes) -> str | None:
    """Why the first bytes of a file show that it is not CSV text, or None."""
    if not head.strip():
        return "The file is empty: there is nothing to import."
    for signature, what in _SIGNATURES:
        if head.startswith(signature):
            return f"This is {what}, not a CSV file. {_SAVE_AS}"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return f"The file is saved as UTF-16 text, which cannot be imported. {_SAVE_AS}"
    if b"\x00" in head:
        return f"This file holds binary data, not text, so it is not a CSV file. {_SAVE_AS}"
    return None


def scan(binary: BinaryIO) -> int:
    """Read the whole file once, in chunks, before anything is written; return its number
    of lines. Raises `MalformedFile` if any of it is binary or not UTF-8, so a bad file
    imports nothing rather than its first half."""
    problem = head_problem(binary.read(HEAD_BYTES))
    if problem:
        raise MalformedFile(problem)
    binary.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines = 0
    last = b""
    while chunk := binary.read(CHUNK_BYTES):
        if b"\x00" in chunk:
            line = lines + chunk[: chunk.index(b"\x00")].count(b"\n") + 1
            raise MalformedFile(
                f"Line {line} holds binary data (a NUL byte), so this is not a CSV text "
                f"file. {_SAVE_AS}"
            )
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            position = min(max(exc.start, 0), len(chunk) - 1)
            raise MalformedFile(_encoding_message(chunk, position, lines)) from None
        lines += chunk.count(b"\n")
        last = chunk[-1:]
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise MalformedFile(
            f"The file ends in the middle of a character: it is cut off or not UTF-8. {_SAVE_AS}"
        ) from None
    binary.seek(0)
    return lines + (1 if last not in (b"", b"\n") else 0)


def _encoding_message(chunk: bytes, position: int, lines_before: int) -> str:
    line = lines_before + chunk[:position].count(b"\n") + 1
    start = chunk.rfind(b"\n", 0, position) + 1
    end = chunk.find(b"\n", position)
    excerpt = chunk[start : end if end != -1 else len(chunk)][:60]
    # cp1252 is what spreadsheet programs write when they do not write UTF-8: show the
    # line as the person would see it there.
    shown = excerpt.decode("cp1252", errors="replace").strip()
    return (
        f"The file is not UTF-8 text: line {line} ({shown!r}) has the byte "
        f"0x{chunk[position]:02X}, so it was probably saved as Latin-1 or Windows-1252. "
        f"{_SAVE_AS}"
    )


def detect_delimiter(header_line: str) -> str:
    """The separator used most in the header line, outside quotes; a comma if none is."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def open_rows(binary: BinaryIO) -> tuple[str, Iterator[tuple[int, list[str]]]]:
    """(delimiter, rows): rows are (line number, cells), header first, blank lines left out.

    The text is UTF-8 with or without a byte-order mark; `scan` has checked it already.
    The caller closes `binary` when done.
    """
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
    first = text.readline()
    delimiter = detect_delimiter(first)
    reader = csv.reader(chain([first], text), delimiter=delimiter)

    def rows() -> Iterator[tuple[int, list[str]]]:
        line = 1
        try:
            for cells in reader:
                if any(cell.strip() for cell in cells):
                    yield line, cells
                line = reader.line_num + 1
        except csv.Error as exc:
            raise MalformedFile(f"Line {line} cannot be read as CSV: {exc}.") from None

    return delimiter, rows()
