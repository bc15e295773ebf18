"""Routing: the offline engine's intent for each question; with an LLM configured, also the first tool chosen."""

from __future__ import annotations

from collections import Counter
from typing import Any

from evals.base import EvalEnv, SuiteResult

NAME = "routing"
DATASET = "routing.yaml"
FAST = True


def run(env: EvalEnv, rows: list[dict]) -> SuiteResult:
    from copilot.offline.router import Router

    router = Router(env.cp.services.embedder)
    llm = env.cp.services.chat_model
    cases: list[dict[str, Any]] = []
    confusion: Counter[tuple[str, str]] = Counter()
    tool_hits: list[bool] = []
    for row in rows:
        got = router.route(row["question"]).intent
        ok = got == row["intent"]
        confusion[(row["intent"], got)] += 1
        case = {"id": row["id"], "question": row["question"], "expected": row["intent"], "got": got, "passed": ok,
                "score": 1.0 if ok else 0.0}
        if llm is not None and row.get("tool"):
            answer = env.cp.ask(env.principal(row.get("asker")), row["question"])
            case["tools_used"] = answer.tools_used
            case["tool_ok"] = row["tool"] in answer.tools_used
            tool_hits.append(case["tool_ok"])
        cases.append(case)
    intents = sorted({r["intent"] for r in rows})
    per_intent = {i: sum(c["passed"] for c in cases if c["expected"] == i) / max(1, sum(c["expected"] == i for c in cases))
                  for i in intents}
    metrics: dict[str, float | None] = {"accuracy": sum(c["passed"] for c in cases) / len(cases) if cases else None,
                                        "worst_intent_accuracy": min(per_intent.values()) if per_intent else None,
                                        "questions": float(len(cases))}
    if tool_hits:
        metrics["llm_tool_accuracy"] = sum(tool_hits) / len(tool_hits)
    return SuiteResult(NAME, metrics=metrics, cases=cases,
                       charts={"per_intent": per_intent,
                               "confusions": [{"expected": e, "got": g, "n": n} for (e, g), n in confusion.items()
                                              if e != g]})
