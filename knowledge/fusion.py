"""Combine rankings: reciprocal rank fusion, an optional cross-encoder reranker, and snippets.

RRF (Cormack et al. 2009) scores an item ``sum(1 / (k + rank))`` over the rankings it appears in. It
needs no score calibration between cosine similarity and BM25, which is why it is the default.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

RRF_K = 60


def rrf(rankings: Sequence[Sequence[str]], *, k: int = RRF_K) -> dict[str, float]:
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return dict(sorted(scores.items(), key=lambda kv: -kv[1]))


class CrossEncoderReranker:
    """A sentence-transformers CrossEncoder from a local directory, loaded lazily on first use."""

    def __init__(self, path: str, *, threads: int = 2) -> None:
        self.path = path
        self.threads = threads
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                from sentence_transformers import CrossEncoder

                self._model = CrossEncoder(self.path, device="cpu")
        return self._model

    def scores(self, query: str, texts: list[str]) -> list[float]:
        if not texts:
            return []
        return [float(s) for s in self._load().predict([(query, t) for t in texts], show_progress_bar=False)]


def build_reranker(spec: str | None, *, threads: int = 2) -> CrossEncoderReranker | None:
    """A reranker only when ``spec`` names an existing local model directory; otherwise none (logged)."""
    if not spec:
        return None
    if not Path(spec).expanduser().is_dir():
        log.warning("COPILOT_RERANKER=%s is not a local model directory; reranking is off", spec)
        return None
    return CrossEncoderReranker(str(Path(spec).expanduser()), threads=threads)


_WORD = re.compile(r"\w+")


def snippet(text: str, query: str, *, width: int = 200) -> str:
    """The ~``width`` characters of ``text`` with the most query words, cut at word boundaries."""
    flat = " ".join(text.split())
    if len(flat) <= width:
        return flat
    terms = {t for t in _WORD.findall(query.lower()) if len(t) > 2}
    best_start, best_score = 0, -1
    for match in re.finditer(r"\S+", flat):
        start = match.start()
        window = flat[start:start + width].lower()
        score = sum(1 for t in terms if t in window)
        if score > best_score:
            best_start, best_score = start, score
        if start > len(flat) - width:
            break
    cut = flat[best_start:best_start + width]
    if best_start + width < len(flat):
        cut = cut.rsplit(" ", 1)[0] + " ..."
    return ("... " if best_start else "") + cut
