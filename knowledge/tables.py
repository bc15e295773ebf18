"""Tables as lines that stand on their own: every cell under its row's label and its column's header.

A fact in a table sits at a row and a column: the quota of an Enterprise (P4) AE is in the row
"Quota Target" under the column "Enterprise (P4)". Stored as HTML or as a markdown pipe table, neither
the search index nor a quote of a few lines can see that ``$1.154M`` belongs to both: the header is
hundreds of characters away, in another chunk. So at ingest every table becomes one line per cell::

    - Quota Target — Enterprise (P4): $1.154M; New Logos: 8; 95% Renewal Target

A row whose one cell spans the table is a caption (kept as a bold line); a table of a single row or
column keeps its cells in order. Tables inside code fences are left alone.
"""

from __future__ import annotations

import html
import re

_HTML_TABLE = re.compile(r"<table\b.*?</table\s*>", re.I | re.S)
_PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_PIPE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_BULLET = re.compile(r"^(?:[-*•]|\d+[.)])\s+")
LONG_ITEM = 40  # a cell's bullets of at least this many characters on average each get a line of their own


def linearize_tables(text: str) -> str:
    """``text`` with its HTML and markdown pipe tables rewritten as one line per cell (see the module doc)."""
    if "<table" in text.lower():
        text = _HTML_TABLE.sub(lambda m: "\n" + "\n".join(_lines(_html_rows(m.group(0)))) + "\n", text)
    if "|" in text:
        text = _pipe_tables(text)
    return text


def _lines(rows: list[list[list[str]]]) -> list[str]:
    """One line per cell paragraph: '- {row label} — {column header}: {text}'. ``rows``: each cell's
    paragraphs, header row first."""
    out: list[str] = []
    flat = [[" ".join(c) for c in r] for r in rows]
    keep = [i for i, r in enumerate(flat) if any(r)]
    rows, flat = [rows[i] for i in keep], [flat[i] for i in keep]
    width = max((len(r) for r in rows), default=0)
    while flat and len([c for c in flat[0] if c]) == 1 and width > 1:  # a caption spanning the table
        out.append(f"**{next(c for c in flat[0] if c)}**")
        rows, flat = rows[1:], flat[1:]
    if not rows:
        return out
    if len(rows) == 1 or width == 1:  # nothing to pair: the cells in order
        return out + [" | ".join(c for c in r if c) for r in flat]
    header = flat[0]
    for row, texts in zip(rows[1:], flat[1:], strict=True):
        label = texts[0] if texts else ""
        cells = [(header[j] if j < len(header) else "", cell) for j, cell in enumerate(row) if j > 0 and any(cell)]
        if not cells:
            out.append(f"- {label}")
        for head, paragraphs in cells:
            where = " — ".join(p for p in (label, head) if p)
            out += [f"- {where}: {p}" if where else f"- {p}" for p in paragraphs]
    return out


def _cell_text(cell: str) -> list[str]:
    """A cell as lines: tags go, bold stays. A cell that is a bulleted list of long items (competencies,
    steps) gives one line per item, so a quote can show the item that answers; any other cell is one line
    (paragraphs joined, short items such as owners 'CE; TAM; IE' separated by semicolons)."""
    text = re.sub(r"<\s*(?:p|br|li|div)\b[^>]*>", "\n", cell, flags=re.I)
    text = re.sub(r"</?\s*(?:strong|b)\s*>", "**", text, flags=re.I)
    text = re.sub(r"<[^>]+>", " ", text)
    text = html.unescape(text)  # after the tags go, so an escaped '&lt;' is text, not a tag
    parts = [re.sub(r"\*\*\s*\*\*", "", re.sub(r"\s+", " ", p)).strip() for p in text.split("\n")]
    parts = [p for p in parts if p.strip(" *-")]
    items = [_BULLET.sub("", p) for p in parts if _BULLET.match(p)]
    if len(items) >= 2 and sum(len(i) for i in items) / len(items) >= LONG_ITEM:
        lead = [p for p in parts if not _BULLET.match(p)]
        return ([" ".join(lead)] if lead else []) + items
    joined = ""
    for p in (_BULLET.sub("", p) for p in parts):
        joined = p if not joined else f"{joined}{' ' if re.search(r'[.;:!?]$', joined) else '; '}{p}"
    return [_unbold(joined)] if joined else []


def _unbold(cell: str) -> str:
    """A header cell written in bold ('**Job Level**') is its words; 'a **b** c' keeps its emphasis."""
    return cell[2:-2].strip() if cell.startswith("**") and cell.endswith("**") and cell.count("**") == 2 else cell


def _html_rows(table: str) -> list[list[list[str]]]:
    rows: list[list[list[str]]] = []
    for tr in re.findall(r"<tr\b[^>]*>(.*?)(?=<tr\b|</table\s*>|$)", table, flags=re.I | re.S):
        cells = re.findall(r"<t[dh]\b[^>]*>(.*?)(?=<t[dh]\b|</tr\s*>|$)", tr, flags=re.I | re.S)
        rows.append([_cell_text(re.sub(r"</t[dh]\s*>\s*$", "", c.strip(), flags=re.I)) for c in cells])
    return rows


def _pipe_cells(line: str) -> list[str]:
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") else inner
    return [c.strip() for c in re.split(r"(?<!\\)\|", inner)]


def _pipe_tables(text: str) -> str:
    """Markdown pipe tables (a header row, a rule row, body rows) outside code fences, one line per cell."""
    lines = text.split("\n")
    out: list[str] = []
    fenced, i = False, 0
    while i < len(lines):
        line = lines[i]
        if _FENCE.match(line):
            fenced = not fenced
        if not fenced and _PIPE_ROW.match(line) and i + 1 < len(lines) and _PIPE_RULE.match(lines[i + 1]):
            rows = [_pipe_cells(line)]
            i += 2
            while i < len(lines) and _PIPE_ROW.match(lines[i]):
                rows.append(_pipe_cells(lines[i]))
                i += 1
            out += _lines([[[_unbold(c)] if c else [] for c in r] for r in rows])
            continue
        out.append(line)
        i += 1
    return "\n".join(out)
