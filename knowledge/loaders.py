"""Turn files (markdown, text, HTML, PDF, DOCX) into a ``LoadedDoc``: a title, metadata and sections.

Every loader yields the same shape, so chunking never cares about the format: a list of ``Section``
values, each with its heading path (``["Pricing", "Discounts"]``) and its plain text. Markdown YAML
front matter becomes metadata (title, type, account, competitor, product, ...) and is not indexed as
text. A file that cannot be parsed raises ``UserError`` naming the file; callers report it and go on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from copilot.core.errors import UserError
from knowledge.tables import linearize_tables

SUPPORTED = {".md", ".markdown", ".txt", ".html", ".htm", ".pdf", ".docx"}

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_FRONT = re.compile(r"\A---\s*\n(.*?)\n(?:---|\.\.\.)\s*(?:\n|\Z)", re.S)


@dataclass
class Section:
    path: list[str]
    text: str


@dataclass
class LoadedDoc:
    title: str
    sections: list[Section]
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n\n".join(s.text for s in self.sections)


def _scalar_meta(raw: dict[str, Any]) -> dict[str, Any]:
    """Front-matter values as Chroma-safe scalars: lists joined by ', ', dates as ISO, None dropped."""
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if value is None or not isinstance(key, str):
            continue
        if isinstance(value, (list, tuple, set)):
            value = ", ".join(str(v) for v in value)
        elif isinstance(value, dict):
            continue
        elif not isinstance(value, (str, int, float, bool)):
            value = value.isoformat() if hasattr(value, "isoformat") else str(value)
        out[key] = value
    return out


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    match = _FRONT.match(text)
    if not match:
        return {}, text
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except Exception:  # noqa: BLE001 - bad dates etc.: retry reading every value as a string
        try:
            meta = yaml.load(match.group(1), Loader=yaml.BaseLoader) or {}  # noqa: S506 - BaseLoader is inert
        except yaml.YAMLError:
            return {}, text
    if not isinstance(meta, dict):
        return {}, text
    return _scalar_meta(meta), text[match.end():]


def parse_markdown(text: str, *, default_title: str) -> LoadedDoc:
    """Headings (outside code fences) open sections; the first H1 (or front-matter title) is the title."""
    meta, body = split_front_matter(text)
    body = linearize_tables(re.sub(r"<!--.*?-->", "", body, flags=re.S))
    sections: list[Section] = []
    path: list[tuple[int, str]] = []
    buf: list[str] = []
    in_fence = False
    first_h1: str | None = None

    def flush() -> None:
        body_text = "\n".join(buf).strip()
        if body_text:
            sections.append(Section([h for _, h in path], body_text))
        buf.clear()

    for line in body.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
        match = None if in_fence else _HEADING.match(line)
        if match:
            flush()
            level, heading = len(match.group(1)), match.group(2).strip()
            if level == 1 and first_h1 is None:
                first_h1 = heading
            while path and path[-1][0] >= level:
                path.pop()
            path.append((level, heading))
            continue
        buf.append(line)
    flush()
    title = str(meta.get("title") or first_h1 or default_title)
    # The document title is carried separately; drop it from section paths to keep them short.
    for s in sections:
        if s.path and s.path[0] == title and len(s.path) > 1:
            s.path = s.path[1:]
    return LoadedDoc(title=title, sections=sections, metadata=meta)


def load_text(path: Path) -> LoadedDoc:
    text = path.read_text(encoding="utf-8", errors="replace")
    return LoadedDoc(title=_title_from_name(path), sections=[Section([], text.strip())] if text.strip() else [])


def load_markdown(path: Path) -> LoadedDoc:
    return parse_markdown(path.read_text(encoding="utf-8", errors="replace"), default_title=_title_from_name(path))


def load_html(path: Path) -> LoadedDoc:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(linearize_tables(path.read_text(encoding="utf-8", errors="replace")), "html.parser")
    for tag in soup(["script", "style", "noscript", "nav", "footer"]):
        tag.decompose()
    page_title = soup.title.get_text(" ", strip=True) if soup.title else ""
    if soup.head:
        soup.head.decompose()
    for level in range(1, 7):
        for h in soup.find_all(f"h{level}"):
            h.replace_with(f"\n\n{'#' * level} {h.get_text(' ', strip=True)}\n\n")
    for block in soup.find_all(["p", "li", "pre", "tr", "br", "div", "blockquote", "table", "ul", "ol"]):
        block.insert_before("\n")
        block.insert_after("\n")
    text = re.sub(r"\n[ \t]+", "\n", soup.get_text())
    text = re.sub(r"\n{3,}", "\n\n", text)
    doc = parse_markdown(text, default_title=page_title or _title_from_name(path))
    if page_title and not doc.metadata.get("title"):
        doc.title = page_title
    return doc


def load_pdf(path: Path) -> LoadedDoc:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    sections = []
    for number, page in enumerate(reader.pages, start=1):
        text = (page.extract_text() or "").strip()
        if text:
            sections.append(Section([f"Page {number}"], text))
    info_title = ""
    try:
        info_title = str(reader.metadata.get("/Title") or "") if reader.metadata else ""
    except Exception:  # noqa: BLE001 - broken info dictionaries are common and harmless
        info_title = ""
    return LoadedDoc(title=info_title or _title_from_name(path), sections=sections)


def load_docx(path: Path) -> LoadedDoc:
    import docx

    document = docx.Document(str(path))
    sections: list[Section] = []
    stack: list[tuple[int, str]] = []
    buf: list[str] = []
    title = (document.core_properties.title or "").strip()

    def flush() -> None:
        if any(b.strip() for b in buf):
            sections.append(Section([h for _, h in stack], "\n".join(b for b in buf if b.strip())))
        buf.clear()

    for para in document.paragraphs:
        style = (para.style.name if para.style is not None else "") or ""
        text = para.text.strip()
        if style == "Title" and text:
            title = title or text
            continue
        match = re.match(r"Heading (\d)", style)
        if match and text:
            flush()
            level = int(match.group(1))
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, text))
        elif text:
            buf.append(text)
    flush()
    for table in document.tables:
        rows = [" | ".join(c.text.strip() for c in row.cells) for row in table.rows]
        if rows:
            sections.append(Section(["Table"], "\n".join(rows)))
    return LoadedDoc(title=title or _title_from_name(path), sections=sections)


_LOADERS = {
    ".md": load_markdown, ".markdown": load_markdown, ".txt": load_text,
    ".html": load_html, ".htm": load_html, ".pdf": load_pdf, ".docx": load_docx,
}


DEFAULT_MAX_BYTES = 10 * 2**20  # ~35k chunks, ~6 minutes of embedding on 2 cores; a 20 MB file took over ten


def load_file(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> LoadedDoc:
    """Load one file by extension; any parse failure becomes a UserError naming the file."""
    loader = _LOADERS.get(path.suffix.lower())
    if loader is None:
        raise UserError(f"{path}: unsupported file type {path.suffix!r}",
                        hint="supported: " + ", ".join(sorted(SUPPORTED)))
    size = path.stat().st_size
    if size > max_bytes:
        raise UserError(f"{path}: {size / 2**20:.2f} MB is over the ingest limit of {max_bytes / 2**20:.3g} MB",
                        hint="split the file, or raise COPILOT_INGEST_MAX_MB")
    try:
        return loader(path)
    except UserError:
        raise
    except Exception as exc:  # noqa: BLE001 - third-party parsers raise anything
        raise UserError(f"{path}: could not be read as {path.suffix.lstrip('.')} ({type(exc).__name__}: {exc})",
                        hint="check that the file is not corrupt or password-protected") from None


def iter_files(root: Path) -> list[Path]:
    """Supported files under a folder (sorted, hidden files skipped), or the file itself."""
    if root.is_file():
        return [root]
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED
                  and not any(part.startswith(".") for part in p.relative_to(root).parts))


def _title_from_name(path: Path) -> str:
    stem = path.stem if path.stem.lower() not in ("index", "readme") else path.parent.name or path.stem
    return re.sub(r"[-_]+", " ", stem).strip().capitalize() or path.name
