"""Chinese beside English on the same meanings: case-library retrieval and answers, and CRM questions.

Library: each question of qa_zh.yaml has an English twin in qa.yaml about the same fact; both are asked,
and recall@5 (hybrid search, the twin's English pages / the Chinese pages) and fact accuracy (the fact
in the answer text) are reported side by side, with the share of Chinese questions answered in Chinese.
CRM: each question of crm_handwritten_zh.yaml is the twin of a hand-written English question; both are
scored against the same gold (recomputed from the CRM by evals/crm_gold). The test split by default;
``CHINESE_EVAL_SPLIT=all`` (or dev, dev2, dev3) for the batches spent building the reader.
"""

from __future__ import annotations

import os
from typing import Any

from evals.base import DATASETS, EvalEnv, SuiteResult, load_rows
from evals.crm_gold import load_crm
from evals.crm_questions.handwritten import handwritten_rows
from evals.metrics import fact_present, mean
from evals.suites import crm_questions
from evals.suites.retrieval import ranked_sources

NAME = "chinese"
DATASET = "qa_zh.yaml"
FAST = True


def _library(env: EvalEnv, rows: list[dict]) -> tuple[dict[str, float | None], list[dict[str, Any]]]:
    english = {r["id"]: r for r in load_rows(DATASETS / "qa.yaml")}
    kn = env.cp.services.knowledge
    per: dict[str, list[float]] = {"r5_zh": [], "r5_en": [], "acc_zh": [], "acc_en": [], "lang_zh": []}
    cases = []
    for row in rows:
        twin = english.get(row.get("twin", ""))
        if twin is None:
            continue
        case: dict[str, Any] = {"id": row["id"], "question": row["question"], "twin": twin["question"]}
        for lang, r in (("zh", row), ("en", twin)):
            who = env.principal(r.get("asker", "admin"))
            relevant = set().union(*(env.resolve(ref) for ref in r["expected_sources"]))
            ranked = ranked_sources(kn.search, r["question"], env.cp.scope(who))[:5]
            per[f"r5_{lang}"].append(1.0 if relevant & set(ranked) else 0.0)
            answer = env.cp.ask(who, r["question"])
            ok = all(fact_present(f, answer.text) for f in r.get("expected_facts") or [])
            per[f"acc_{lang}"].append(1.0 if ok else 0.0)
            if lang == "zh":
                per["lang_zh"].append(1.0 if answer.language == "zh" else 0.0)
            case[f"recall@5_{lang}"], case[f"fact_{lang}"] = per[f"r5_{lang}"][-1], ok
        case["passed"] = bool(case["fact_zh"])
        case["score"] = 1.0 if case["fact_zh"] else 0.0
        cases.append(case)
    return {"library_recall@5_zh": mean(per["r5_zh"]), "library_recall@5_en": mean(per["r5_en"]),
            "library_accuracy_zh": mean(per["acc_zh"]), "library_accuracy_en": mean(per["acc_en"]),
            "answered_in_chinese": mean(per["lang_zh"]), "library_questions": float(len(cases))}, cases


def _crm(env: EvalEnv) -> tuple[dict[str, float | None], list[dict[str, Any]]]:
    english = {r["id"]: r for r in handwritten_rows(load_rows(crm_questions.HANDWRITTEN))}
    rows_zh, rows_en = [], []
    # The test split by default (what the thresholds judge); CHINESE_EVAL_SPLIT=all adds the spent dev batches.
    wanted = os.environ.get("CHINESE_EVAL_SPLIT", "test")
    for case in load_rows(DATASETS / "crm_handwritten_zh.yaml"):
        if wanted != "all" and case.get("zh_split", "dev") != wanted:
            continue
        twin = english.get(case["twin"])
        if twin is None:
            raise ValueError(f"crm_handwritten_zh.yaml: no English question {case['twin']!r}")
        rows_en.append({**twin, "zh_split": case.get("zh_split", "dev")})
        rows_zh.append({**twin, "id": f"{twin['id']}-zh", "question": case["question"], "also": [],
                        "zh_split": case.get("zh_split", "dev")})
    crm = load_crm(env.cp.settings.crm_url)
    day = crm_questions.day_of(crm, rows_en[0]) if rows_en else None
    if day is None:
        return {}, []
    checker = crm_questions.LeakChecker(crm)
    with crm_questions.pinned_today(env.cp, day):
        zh = [{**crm_questions._case(env, crm, checker, r, day), "zh_split": r["zh_split"]} for r in rows_zh]
        en = [{**crm_questions._case(env, crm, checker, {**r, "also": []}, day), "zh_split": r["zh_split"]}
              for r in rows_en]

    def acc(cases: list[dict[str, Any]]) -> float | None:
        return mean([1.0 if c["passed"] else 0.0 for c in cases]) if cases else None
    metrics: dict[str, float | None] = {"crm_leaks_zh": float(sum(len(c["leaks"]) for c in zh)),
                                        "crm_questions": float(len(zh))}
    for split in ("test", "dev3", "dev2", "dev"):  # test: written after the reader was built, run unchanged
        metrics[f"crm_{split}_accuracy_zh"] = acc([c for c in zh if c["zh_split"] == split])
        metrics[f"crm_{split}_accuracy_en"] = acc([c for c in en if c["zh_split"] == split])
        for role in ("rep", "manager", "exec"):
            metrics[f"crm_{split}_accuracy_zh_{role}"] = acc([c for c in zh if c["role"] == role and c["zh_split"] == split])
    return metrics, zh


def run(env: EvalEnv, rows: list[dict]) -> SuiteResult:
    lib_metrics, lib_cases = _library(env, rows)
    try:
        crm_metrics, crm_cases = _crm(env)
    except ValueError as exc:
        return SuiteResult(NAME, status="error", note=str(exc))
    metrics = {**lib_metrics, **crm_metrics}

    def gap(en: str, zh: str) -> float | None:  # points by which Chinese trails English on the same meanings
        a, b = metrics.get(en), metrics.get(zh)
        return round(100 * (a - b), 1) if a is not None and b is not None else None
    metrics["crm_test_gap_points"] = gap("crm_test_accuracy_en", "crm_test_accuracy_zh")
    metrics["library_recall_gap_points"] = gap("library_recall@5_en", "library_recall@5_zh")
    metrics["library_accuracy_gap_points"] = gap("library_accuracy_en", "library_accuracy_zh")
    return SuiteResult(NAME, metrics=metrics, cases=lib_cases + crm_cases,
                       note="Chinese questions beside their English twins, same facts and same gold")
