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

import re

_HTML_TABLE = re.compile(r"<table\b.*?</table\s*>", re.I | re.S)
_PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_PIPE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


def linearize_tables(text: str) -> str:
    """``text`` with its HTML and markdown pipe tables rewritten as one line per cell (see the module doc)."""
    if "<table" in text.lower():
        text = _HTML_TABLE.sub(lambda m: "\n" + "\n".join(_lines(_html_rows(m.group(0)))) + "\n", text)
    if "|" in text:
        text = _pipe_tables(text)
    return text


def _lines(rows: list[list[str]]) -> list[str]:
    """One line per cell: '- {row label} — {column header}: {cell}'. ``rows``: cell texts, header row first."""
    out: list[str] = []
    rows = [r for r in rows if any(c for c in r)]
    width = max((len(r) for r in rows), default=0)
    while rows and len([c for c in rows[0] if c]) == 1 and width > 1:  # a caption spanning the table
        out.append(f"**{next(c for c in rows[0] if c)}**")
        rows = rows[1:]
    if not rows:
        return out
    if len(rows) == 1 or width == 1:  # nothing to pair: the cells in order
        return out + [" | ".join(c for c in r if c) for r in rows]
    header, body = rows[0], rows[1:]
    for row in body:
        label = row[0] if row else ""
        cells = [(header[j] if j < len(header) else "", cell) for j, cell in enumerate(row) if j > 0 and cell]
        if not cells:
            out.append(f"- {label}")
        for head, cell in cells:
            where = " — ".join(p for p in (label, head) if p)
            out.append(f"- {where}: {cell}" if where else f"- {cell}")
    return out


def _cell_text(html: str) -> str:
    """A cell's text on one line: paragraphs and line breaks become spaces, tags go, bold stays."""
    text = re.sub(r"<\s*(?:p|br|li|div)\b[^>]*>", "\n", html, flags=re.I)
    text = re.sub(r"</?\s*(?:strong|b)\s*>", "**", text, flags=re.I)
    text = re.sub(r"<[^>]+>", " ", text)
    text = text.replace("&nbsp;", " ").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    parts = [re.sub(r"\s+", " ", p).strip() for p in text.split("\n")]
    joined = " ".join(p for p in parts if p)
    joined = re.sub(r"\*\*\s*\*\*", "", joined)
    bare = joined.strip()
    if bare.startswith("**") and bare.endswith("**") and bare.count("**") == 2:  # a bold header cell
        bare = bare[2:-2].strip()
    return bare


def _html_rows(table: str) -> list[list[str]]:
    rows: list[list[str]] = []
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
            out += _lines([[re.sub(r"^\*\*(.*)\*\*$", r"\1", c) for c in r] for r in rows])
            continue
        out.append(line)
        i += 1
    return "\n".join(out)
