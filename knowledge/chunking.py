"""Heading-aware chunking: sections in, chunks of about 150-350 words out, each keeping its heading path.

Why this shape: retrieval quality depends on chunks being about one thing (so a section boundary is a
natural cut) yet long enough to carry context (so tiny sibling sections are merged). Paragraphs are
packed greedily up to ``max_words``; a new chunk inside the same section repeats the last
``overlap`` words so a fact split across the cut is still findable. Consecutive small sections under
the same top-level heading are merged: the chunk keeps their common path, and each merged section's
own heading (relative to that path) stays in the text as a markdown heading line, so a reader of the
chunk can still tell which sub-section a sentence belongs to. An over-long paragraph is cut at line
breaks first (list items and table rows stay whole), then at sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from copilot.core.lang import HAN_RUN
from knowledge.loaders import Section

MIN_WORDS = 150
MAX_WORDS = 350
OVERLAP = 30


@dataclass
class Chunk:
    text: str
    section: str  # heading path "A > B", "" for text before the first heading
    index: int


def _words(text: str) -> int:
    """Words, counting Chinese (written without spaces) as one word per 1.6 characters, jieba's mean."""
    han = sum(len(m.group(0)) for m in HAN_RUN.finditer(text))
    if not han:
        return len(text.split())
    return len(HAN_RUN.sub(" ", text).split()) + round(han / 1.6)


def _paragraphs(text: str, max_words: int) -> list[str]:
    """Paragraphs, with any paragraph longer than ``max_words`` split at line, then sentence, then word bounds."""
    out: list[str] = []
    for para in re.split(r"\n\s*\n", text):
        para = para.strip()
        if not para:
            continue
        if _words(para) <= max_words:
            out.append(para)
            continue
        piece: list[str] = []  # lines of the current piece, newlines kept so lists stay lists
        for line in _pieces(para, max_words):
            if piece and _words("\n".join(piece)) + _words(line) > max_words:
                out.append("\n".join(piece))
                piece = []
            piece.append(line)
        if piece:
            out.append("\n".join(piece))
    return out


def _pieces(para: str, max_words: int) -> list[str]:
    """The lines of a paragraph; a line longer than ``max_words`` cut at sentences, then by words."""
    out: list[str] = []
    for line in para.splitlines():
        if _words(line) <= max_words:
            out.append(line)
            continue
        piece: list[str] = []
        for sentence in re.split(r"(?<=[.!?])\s+|(?<=[。！？；])", line.strip()):
            words = sentence.split()
            while len(words) > max_words:  # one giant "sentence" (tables, logs): cut by words
                if piece:
                    out.append(" ".join(piece))
                    piece = []
                out.append(" ".join(words[:max_words]))
                words = words[max_words:]
            if piece and len(piece) + len(words) > max_words:
                out.append(" ".join(piece))
                piece = []
            piece.extend(words)
        if piece:
            out.append(" ".join(piece))
    return out


def _merge_small(sections: list[Section], min_words: int, max_words: int) -> list[tuple[list[str], str]]:
    """Runs of small sections under one top-level heading, each run as (common path, text with sub-headings)."""
    runs: list[list[tuple[list[str], str]]] = []
    for sec in sections:
        text = sec.text.strip()
        if not text:
            continue
        if runs:
            run = runs[-1]
            size = sum(_words(t) for _, t in run)
            if run[0][0][:1] == sec.path[:1] and size < min_words and size + _words(text) <= max_words:
                run.append((list(sec.path), text))
                continue
        runs.append([(list(sec.path), text)])
    merged = []
    for run in runs:
        if len(run) == 1:
            merged.append(run[0])
            continue
        common = run[0][0]
        for path, _ in run[1:]:
            common = _common(common, path)
        common = common or run[0][0][:1]
        parts = []
        for path, text in run:
            heading = " > ".join(path[len(common):])
            parts.append(f"## {heading}\n{text}" if heading else text)
        merged.append((common, "\n\n".join(parts)))
    return merged


def _common(a: list[str], b: list[str]) -> list[str]:
    out = []
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        out.append(x)
    return out


def chunk_sections(sections: list[Section], *, min_words: int = MIN_WORDS, max_words: int = MAX_WORDS,
                   overlap: int = OVERLAP) -> list[Chunk]:
    chunks: list[Chunk] = []
    for path, text in _merge_small(sections, min_words, max_words):
        section = " > ".join(path)
        current: list[str] = []
        count = 0
        has_tail = False
        sub = ""  # the merged sub-section's heading line the text has reached ('## Complete Role Mapping')
        for para in _paragraphs(text, max_words - overlap):
            n = _words(para)
            if current and count + n > max_words:
                chunks.append(Chunk("\n\n".join(current), section, len(chunks)))
                tail = " ".join(" ".join(current).split()[-overlap:]) if overlap else ""
                # A chunk that goes on inside a merged sub-section opens with its heading line, so its text
                # is read as that sub-section's, not as the run's opening (and joins back to its start).
                tail = f"{sub}\n{tail}" if sub and tail else tail
                current = [tail] if tail else []
                count = _words(tail)
                has_tail = bool(tail)
            if para.startswith("## "):
                sub = para.splitlines()[0]
            current.append(para)
            count += n
        if not current:
            continue
        fresh = current[1:] if has_tail else current
        fresh_words = sum(_words(p) for p in fresh)
        # A short tail of overlap plus a scrap: fold the scrap into the previous chunk of this section.
        if has_tail and fresh_words < min_words // 3 and _words(chunks[-1].text) + fresh_words <= max_words + overlap:
            chunks[-1].text += "\n\n" + "\n\n".join(fresh)
        else:
            chunks.append(Chunk("\n\n".join(current), section, len(chunks)))
    return chunks
