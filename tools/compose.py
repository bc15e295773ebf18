"""Building offline answers: numbered citations, quoted sentences, and the offline-mode notice."""

from __future__ import annotations

import re
from datetime import datetime

from copilot.core.domain import Answer, Citation
from tools.context import ToolResult, newest_of

OFFLINE_NOTICE = "_Offline mode: no language model is configured, so this answer quotes and lists sources directly._"
_WORD = re.compile(r"[a-z0-9]+")
_STOP = set(["a", "an", "the", "of", "to", "in", "on", "for", "and", "or", "is", "are", "was", "were", "be", "with", "how", "do", "we", "i", "you", "our", "my", "what", "which", "who", "when", "where", "why", "does", "did", "can", "should", "they", "them", "it", "this", "that", "about", "at", "as", "by", "from"])


def _terms(text: str) -> set[str]:
    """Content words (light plural stripping) plus every number: '20' in 'over 20%' matters."""
    return {w if w.isdigit() else w.rstrip("s") for w in _WORD.findall(text.lower())
            if w.isdigit() or (w not in _STOP and len(w) > 2)}


def best_sentences(text: str, query: str, n: int = 2, max_chars: int = 420) -> str:
    """The ``n`` sentences of ``text`` sharing most terms with ``query``, in their original order."""
    body = re.sub(r"^#+\s.*$", "", text, flags=re.M)
    sents = [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", body) if len(s.strip()) > 25]
    if not sents:
        return " ".join(text.split())[:max_chars]
    q = _terms(query)
    scored = sorted(range(len(sents)), key=lambda i: (-len(q & _terms(sents[i])), i))[:n]
    out = " ".join(sents[i].lstrip("-*• ") for i in sorted(scored))
    return out if len(out) <= max_chars else out[: max_chars - 3].rsplit(" ", 1)[0] + "..."


class Composer:
    """Collects lines and citations; ``cite`` returns the marker ``[n]`` for a (deduplicated) citation."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.citations: list[Citation] = []
        self._keys: dict[tuple[str, str | None, str | None, str | None, float | None], int] = {}
        self.newest: datetime | None = None
        self.tools: list[str] = []

    def cite(self, c: Citation) -> str:
        key = (c.source_id, c.section, c.record, c.field, c.timestamp)
        if key not in self._keys:
            self.citations.append(c)
            self._keys[key] = len(self.citations)
        return f"[{self._keys[key]}]"

    def used(self, name: str, result: ToolResult) -> None:
        self.tools.append(name)
        self.newest = newest_of(self.newest, result.newest)

    def add(self, line: str = "") -> None:
        self.lines.append(line)

    def answer(self, intent: str, confidence: float, notes: list[str] | None = None) -> Answer:
        text = "\n".join(self.lines).strip() + "\n\n" + OFFLINE_NOTICE
        ans = Answer(text=text, citations=self.citations, confidence=max(0.0, min(1.0, confidence)),
                     mode="offline", intent=intent, tools_used=self.tools, notes=list(notes or []))
        ans.newest_record = self.newest
        return ans
