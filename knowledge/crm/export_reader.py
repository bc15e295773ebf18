"""Read the records of a CRM export file (CSV, or JSON: a list of objects) with where each one starts.

Every record comes with a location ``file:line`` so a bad row can be reported precisely.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from copilot.core.errors import UserError
from knowledge.crm.normalize import key


@dataclass
class Record:
    where: str
    values: dict[str, Any]


def _json_record_lines(text: str) -> list[int]:
    """Line number where each element of a top-level JSON array starts (a small string-aware scanner)."""
    lines: list[int] = []
    depth = 0
    line = 1
    in_str = escape = False
    expect = False
    for ch in text:
        if ch == "\n":
            line += 1
            continue
        if in_str:
            if escape:
                escape = False
            elif ch == "\\":
                escape = True
            elif ch == '"':
                in_str = False
            continue
        if depth == 1 and expect and not ch.isspace():
            lines.append(line)
            expect = False
        if ch == '"':
            in_str = True
        elif ch in "[{":
            depth += 1
            if depth == 1:
                expect = True
        elif ch in "]}":
            depth -= 1
        elif ch == "," and depth == 1:
            expect = True
    return lines


MAX_CELL = 1_000_000  # characters in one cell; a larger cell is reported for its row, not a crash


def _text(path: Path) -> str:
    """The file as text (UTF-8, else Windows-1252); a binary file is a UserError naming it."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror}") from None
    if b"\x00" in raw[:65536]:
        raise UserError(f"{path.name} is not a text export (it holds binary data)",
                        hint="export the table as CSV or JSON in UTF-8")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise UserError(f"{path.name} is neither UTF-8 nor Windows-1252 text (byte {exc.start} cannot be read)",
                        hint="export the table as CSV or JSON in UTF-8") from None


def read_records(path: Path, *, records_key: str | None = None) -> Iterator[Record]:
    """Yield the file's records. A file that cannot be read at all is a UserError naming the file."""
    name = path.name
    text = _text(path)
    if path.suffix.lower() == ".json":
        yield from _json_records(name, text, records_key)
        return
    csv.field_size_limit(max(csv.field_size_limit(), MAX_CELL))
    reader = csv.reader(text.splitlines(keepends=True))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        return
    except csv.Error as exc:
        raise UserError(f"{name}:1 cannot be read as CSV: {exc}", hint="check the file's header row") from None
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield Record(f"{name}:{start}", {"__error__": f"cannot be read as CSV ({exc}); cells are limited to "
                                                           f"{MAX_CELL:,} characters"})
            start = reader.line_num + 1
            continue
        if any(cell.strip() for cell in row):
            if len(row) > len(header):
                yield Record(f"{name}:{start}", {"__error__": f"{len(row)} cells but the header has {len(header)}"})
            else:
                yield Record(f"{name}:{start}", dict(zip(header, row, strict=False)))
        start = reader.line_num + 1


def _json_records(name: str, text: str, records_key: str | None) -> Iterator[Record]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(f"{name}:{exc.lineno} is not valid JSON: {exc.msg}") from None
    if isinstance(data, dict):
        keys = [records_key] if records_key else [k for k in ("records", "results", "data", "items") if k in data]
        found = next((data[k] for k in keys if isinstance(data.get(k), list)), None)
        if found is None:
            raise UserError(f"{name} holds an object, not a list of records",
                            hint="export a JSON list of objects, or set records_key in the mapping")
        data, lines = found, []
    elif isinstance(data, list):
        lines = _json_record_lines(text)
    else:
        raise UserError(f"{name} is not a JSON list of records")
    for i, item in enumerate(data):
        where = f"{name}:{lines[i]}" if i < len(lines) else f"{name}#{i + 1}"
        if isinstance(item, dict):
            yield Record(where, {str(k): ("" if v is None else v) for k, v in item.items()})
        else:
            yield Record(where, {"__error__": "not a JSON object"})


def resolve_columns(wanted: set[str], header: list[str]) -> dict[str, str | None]:
    """Map each wanted column to the header's spelling (exact, else ignoring case and punctuation)."""
    loose = {key(h): h for h in header}
    return {w: (w if w in header else loose.get(key(w))) for w in wanted}
