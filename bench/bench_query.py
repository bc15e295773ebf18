"""Query latency of the knowledge store at 10k and 100k synthetic chunks, against bare Chroma.

Chunks are synthetic (random words) and embedded with a cheap deterministic random-unit-vector
embedder, so the 100k index builds in minutes: the point is store latency, not relevance. 20% of
chunks are shared library, 80% CRM-like, spread over 10 teams of 5 reps.

Rows: the store's dense and hybrid search for an admin (every collection, unfiltered) and a rep
(library + their team's collection, post-filtered by owner), and BM25 alone; the baseline is one bare
Chroma collection holding the same vectors, queried unfiltered and with a ``where`` owner filter.

    .venv/bin/python bench/bench_query.py [--quick] [--sizes 10000,100000] [--queries 200]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from copilot.core.domain import Principal, Role  # noqa: E402
from copilot.core.visibility import scope_for  # noqa: E402
from knowledge.documents import SourceDoc  # noqa: E402
from knowledge.loaders import Section  # noqa: E402
from knowledge.store import KnowledgeStore  # noqa: E402
from knowledge.vectors import open_chroma  # noqa: E402

DIM = 384
TEAMS, REPS_PER_TEAM = 10, 5


class RandomEmbedder:
    """Deterministic random unit vectors (seeded by the text). Cheap; not semantic."""

    name = "random:384"
    dim = DIM

    def embed(self, texts: list[str]) -> list[list[float]]:
        out = []
        for t in texts:
            seed = int.from_bytes(hashlib.blake2b(t.encode(), digest_size=8).digest(), "little")
            v = np.random.default_rng(seed).standard_normal(DIM)
            out.append((v / np.linalg.norm(v)).tolist())
        return out


def make_docs(n: int, rng: random.Random, vocab: list[str]) -> list[SourceDoc]:
    docs = []
    for i in range(n):
        text = " ".join(rng.choices(vocab, k=60))
        if i % 5 == 0:
            docs.append(SourceDoc(source=f"lib/{i}.md", title=f"Doc {i}", sections=[Section(["S"], text)]))
        else:
            team = rng.randrange(TEAMS)
            owner = f"u{team}-{rng.randrange(REPS_PER_TEAM)}"
            docs.append(SourceDoc(source=f"crm:note:{i}", title=f"Note {i}", sections=[Section([], text)],
                                  type="note", owner=owner, team=f"t{team}", account=f"A-{i % 997}",
                                  extra={"record": f"account:A-{i % 997}", "field": f"note:{i}"}))
    return docs


def timed(fn, queries: list[str]) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    fn(queries[0])
    times = []
    for q in queries:
        t0 = time.perf_counter()
        fn(q)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]


def run(size: int, n_queries: int, tmp: Path) -> list[tuple[str, float, float]]:
    rng = random.Random(size)
    vocab = ["".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(3, 9))) for _ in range(5000)]
    docs = make_docs(size, rng, vocab)
    embedder = RandomEmbedder()
    store = KnowledgeStore.open(chroma_dir=tmp / f"store{size}", fts_path=tmp / f"kb{size}.db", embedder=embedder)
    t0 = time.perf_counter()
    report = store.ingest_documents(docs)
    build = time.perf_counter() - t0
    print(f"\n{size:,} chunks: store built in {build:.1f}s ({report.chunks_written / build:,.0f} chunks/s)",
          flush=True)

    # Bare baseline: one collection, the same vectors and HNSW settings.
    client = open_chroma(path=tmp / f"bare{size}")
    bare = client.create_collection("bare", embedding_function=None,
                                    configuration={"hnsw": {"space": "cosine", "ef_search": 400}})
    texts = [d.sections[0].text for d in docs]
    vectors = embedder.embed(texts)
    for i in range(0, size, 2000):
        bare.add(ids=[str(j) for j in range(i, min(size, i + 2000))], embeddings=vectors[i:i + 2000],
                 metadatas=[{"owner": d.owner, "team": d.team} for d in docs[i:i + 2000]])

    admin = scope_for(Principal(user_id="root", name="Root", role=Role.ADMIN))
    rep = scope_for(Principal(user_id="u3-1", name="Rep", role=Role.REP, team_id="t3"))
    queries = [" ".join(rng.choices(vocab, k=6)) for _ in range(n_queries)]
    qvec = {q: v for q, v in zip(queries, embedder.embed(queries), strict=True)}
    rows = [
        ("bare chroma, unfiltered", *timed(lambda q: bare.query(query_embeddings=[qvec[q]], n_results=8), queries)),
        ("bare chroma, where owner", *timed(lambda q: bare.query(query_embeddings=[qvec[q]], n_results=8,
                                                                 where={"owner": "u3-1"}), queries)),
        ("store dense, admin", *timed(lambda q: store.search_dense(q, admin, k=8), queries)),
        ("store dense, rep", *timed(lambda q: store.search_dense(q, rep, k=8), queries)),
        ("store bm25, rep", *timed(lambda q: store.search_bm25(q, rep, k=8), queries)),
        ("store hybrid, admin", *timed(lambda q: store.search(q, admin, k=8), queries)),
        ("store hybrid, rep", *timed(lambda q: store.search(q, rep, k=8), queries)),
    ]
    hits = store.search(queries[0], rep, k=8)
    assert all(h.metadata["owner"] in ("", "u3-1") for h in hits)
    store.close()
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="2k and 10k chunks, 50 queries")
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--queries", type=int, default=200)
    args = ap.parse_args()
    sizes = [2000, 10000] if args.quick else [int(s) for s in args.sizes.split(",")]
    n_queries = 50 if args.quick else args.queries
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            rows = run(size, n_queries, Path(tmp))
            base_p50 = {"unfiltered": rows[0][1], "filtered": rows[1][1]}
            print(f"{'query path':<28}{'p50 ms':>9}{'p95 ms':>9}  ratio p50 vs bare")
            for name, p50, p95 in rows:
                ref = base_p50["filtered"] if "rep" in name else base_p50["unfiltered"]
                ratio = "" if name.startswith("bare") else (
                    f"{p50 / ref:5.2f}x vs bare {'where-filtered' if 'rep' in name else 'unfiltered'}")
                print(f"{name:<28}{p50:>9.2f}{p95:>9.2f}  {ratio}")


if __name__ == "__main__":
    main()
