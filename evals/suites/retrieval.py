"""Retrieval: recall@k, MRR and nDCG@10 of hybrid search against dense-only and BM25-only, same questions.

Ranked lists are distinct source ids (a document or CRM record), in the order of their best chunk.
"""

from __future__ import annotations

from evals.base import EvalEnv, SuiteResult
from evals.metrics import dedupe, mean, ndcg_at_k, recall_at_k, reciprocal_rank

NAME = "retrieval"
DATASET = "qa.yaml"
FAST = True
K = 20


def ranked_sources(search, question: str, scope) -> list[str]:  # type: ignore[no-untyped-def]
    return dedupe([h.metadata.get("source") or h.citation.source_id for h in search(question, scope, k=K)])


def run(env: EvalEnv, rows: list[dict]) -> SuiteResult:
    kn = env.cp.services.knowledge
    methods = {"hybrid": kn.search, "dense": kn.search_dense, "bm25": kn.search_bm25}
    per: dict[str, dict[str, list[float]]] = {m: {"r5": [], "r10": [], "mrr": [], "ndcg": []} for m in methods}
    cases = []
    scopes: dict[str, object] = {}
    for row in rows:
        if not row.get("expected_sources"):
            continue
        who = row.get("asker", "admin")
        if who not in scopes:
            scopes[who] = env.cp.scope(env.principal(who))
        relevant = [env.resolve(ref) for ref in row["expected_sources"]]
        case = {"id": row["id"], "question": row["question"], "asker": who, "expected": row["expected_sources"]}
        for m, search in methods.items():
            ranked = ranked_sources(search, row["question"], scopes[who])
            per[m]["r5"].append(recall_at_k(ranked, relevant, 5))
            per[m]["r10"].append(recall_at_k(ranked, relevant, 10))
            per[m]["mrr"].append(reciprocal_rank(ranked, relevant))
            per[m]["ndcg"].append(ndcg_at_k(ranked, relevant, 10))
            case[f"recall@5_{m}"] = per[m]["r5"][-1]
            if m == "hybrid":
                case["top5"] = ranked[:5]
        case["score"] = case["recall@5_hybrid"]
        case["passed"] = case["recall@5_hybrid"] > 0
        cases.append(case)
    metrics: dict[str, float | None] = {
        "recall@5": mean(per["hybrid"]["r5"]), "recall@10": mean(per["hybrid"]["r10"]),
        "mrr": mean(per["hybrid"]["mrr"]), "ndcg@10": mean(per["hybrid"]["ndcg"]),
        "recall@5_dense": mean(per["dense"]["r5"]), "recall@5_bm25": mean(per["bm25"]["r5"]),
        "mrr_dense": mean(per["dense"]["mrr"]), "mrr_bm25": mean(per["bm25"]["mrr"]),
        "ndcg@10_dense": mean(per["dense"]["ndcg"]), "ndcg@10_bm25": mean(per["bm25"]["ndcg"]),
        "questions": float(len(cases)),
    }
    return SuiteResult(NAME, metrics=metrics, cases=cases)
