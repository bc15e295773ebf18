"""Grounded QA: expected facts present, every citation supports its sentence, no citation the asker may not see.

With an LLM judge configured (``--llm``), each answer is also graded for faithfulness and helpfulness.
"""

from __future__ import annotations

from evals.base import EvalEnv, SuiteResult
from evals.checks import citation_support, leaked_citations
from evals.metrics import fact_present, mean

NAME = "qa"
DATASET = "qa.yaml"
FAST = True


def run(env: EvalEnv, rows: list[dict]) -> SuiteResult:
    cases = []
    facts_all: list[float] = []
    support_ok = support_total = leaks_total = 0
    judged: dict[str, list[float]] = {"faithfulness": [], "helpfulness": []}
    for row in rows:
        principal = env.principal(row.get("asker"))
        scope = env.cp.scope(principal)
        answer = env.cp.ask(principal, row["question"])
        facts = row.get("expected_facts") or []
        present = [f for f in facts if fact_present(f, answer.text)]
        ok, total, bad = citation_support(answer)
        leaks = leaked_citations(env.cp.services.crm, scope, answer.citations)
        support_ok, support_total, leaks_total = support_ok + ok, support_total + total, leaks_total + len(leaks)
        fact_score = len(present) / len(facts) if facts else None
        if fact_score is not None:
            facts_all.append(fact_score)
        case = {"id": row["id"], "question": row["question"], "asker": principal.user_id, "intent": answer.intent,
                "answer": answer.text, "citations": [c.location() for c in answer.citations],
                "facts_missing": [f for f in facts if f not in present], "unsupported": bad, "leaks": leaks,
                "score": fact_score, "passed": (fact_score is None or fact_score >= 0.5) and not leaks}
        if env.judge is not None:
            from evals.judge import judge_answer

            verdict = judge_answer(env.judge, row["question"], answer, expected=facts)
            case["judge"] = verdict
            for k in judged:
                if verdict.get(k) is not None:
                    judged[k].append(float(verdict[k]))
        cases.append(case)
    metrics: dict[str, float | None] = {
        "fact_recall": mean(facts_all),
        "answers_with_all_facts": mean([1.0 if c["score"] == 1 else 0.0 for c in cases if c["score"] is not None]),
        "citation_support": support_ok / support_total if support_total else None,
        "citation_leaks": float(leaks_total),
        "questions": float(len(cases)),
    }
    if env.judge is not None:
        metrics["judge_faithfulness"] = mean(judged["faithfulness"])
        metrics["judge_helpfulness"] = mean(judged["helpfulness"])
    return SuiteResult(NAME, metrics=metrics, cases=cases)
