"""Ingestion throughput: KnowledgeStore.ingest_paths against raw ``model.encode`` on the same chunks.

The baseline embeds exactly the texts the store embeds (captured in a dry run), with the bundled
all-MiniLM-L6-v2, batch 64, so the ratio shows what loading, chunking, Chroma and FTS writes cost on
top of the model. Target: store >= 0.85x raw.

    .venv/bin/python bench/bench_ingest.py [--quick] [--corpus DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from copilot.core.embeddings import SentenceTransformerEmbedder, bundled_minilm_path  # noqa: E402
from copilot.core.settings import REPO_ROOT  # noqa: E402
from knowledge.store import KnowledgeStore  # noqa: E402


class Recorder:
    """Captures the texts the store would embed; returns dummy vectors (dry run)."""

    name = "recorder"
    dim = 8

    def __init__(self) -> None:
        self.texts: list[str] = []

    def embed(self, texts: list[str]) -> list[list[float]]:
        self.texts += texts
        return [[1.0] + [0.0] * 7 for _ in texts]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="a subset of files, for a smoke run")
    ap.add_argument("--corpus", type=Path, default=REPO_ROOT.parent / "shared" / "data" / "case_library")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    files = sorted(p for p in args.corpus.rglob("*.md"))
    if args.quick:
        files = files[:25]
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        for f in files:  # a flat working copy in a temp dir, so the subset is exactly what both sides see
            target = corpus / f.relative_to(args.corpus)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(f.read_bytes())

        recorder = Recorder()
        dry = KnowledgeStore.open(chroma_dir=Path(tmp) / "dry", fts_path=Path(tmp) / "dry.db", embedder=recorder)
        dry.ingest_paths([corpus])
        texts = recorder.texts
        print(f"{len(files)} files -> {len(texts)} chunks, "
              f"{sum(len(t.split()) for t in texts) / max(1, len(texts)):.0f} words/chunk on average")

        embedder = SentenceTransformerEmbedder(bundled_minilm_path(), name="minilm", threads=args.threads)
        model = embedder.model
        model.encode(texts[:64], batch_size=64, normalize_embeddings=True)  # warm up

        raw_times, store_times = [], []
        for round_ in range(2):  # alternate, best of two, to damp noise from a shared machine
            t0 = time.perf_counter()
            model.encode(texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False)
            raw_times.append(time.perf_counter() - t0)
            store = KnowledgeStore.open(chroma_dir=Path(tmp) / f"chroma{round_}",
                                        fts_path=Path(tmp) / f"kb{round_}.db", embedder=embedder)
            t0 = time.perf_counter()
            report = store.ingest_paths([corpus])
            store_times.append(time.perf_counter() - t0)
            assert report.chunks_written == len(texts), (report.chunks_written, len(texts))
            store.close()
        raw_rate = len(texts) / min(raw_times)
        store_rate = len(texts) / min(store_times)
        print(f"{'path':<28}{'seconds':>10}{'chunks/s':>12}")
        print(f"{'raw model.encode':<28}{min(raw_times):>10.2f}{raw_rate:>12.1f}")
        print(f"{'KnowledgeStore.ingest_paths':<28}{min(store_times):>10.2f}{store_rate:>12.1f}")
        print(f"ratio store/raw = {store_rate / raw_rate:.3f}x (target >= 0.85x)")


if __name__ == "__main__":
    main()
