"""The router's exemplar vectors are embedded once per embedder and read from disk by later processes."""

from __future__ import annotations

from copilot.core.embeddings import HashingEmbedder
from copilot.offline.router import EXEMPLARS, Router


class Counting(HashingEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.texts = 0

    def embed(self, texts):  # type: ignore[no-untyped-def]
        self.texts += len(texts)
        return super().embed(texts)


def test_second_router_reads_exemplars_from_cache(tmp_path):
    n = sum(len(v) for v in EXEMPLARS.values())
    first = Counting()
    a = Router(first, cache_dir=tmp_path).route("what is our discount policy?")
    assert first.texts == n + 1
    second = Counting()
    b = Router(second, cache_dir=tmp_path).route("what is our discount policy?")
    assert second.texts == 1  # only the question
    assert (a.intent, round(a.score, 6)) == (b.intent, round(b.score, 6))
    assert len(list(tmp_path.glob("router-*.npy"))) == 1
