"""Unit tests of the eval metrics, the judge path (scripted chat model), thresholds and comparison."""

from __future__ import annotations

import math

from copilot.core.domain import Answer, Citation
from copilot.testing import ScriptedChatModel
from evals import metrics as m
from evals.checks import citation_support
from evals.judge import judge_answer, judge_prompt, parse_verdict
from evals.runner import check_thresholds, compare


def test_ranking_metrics():
    ranked = ["a", "b", "c", "d"]
    rel = [{"c"}, {"x", "a"}]
    assert m.recall_at_k(ranked, rel, 1) == 0.5 and m.recall_at_k(ranked, rel, 3) == 1.0
    assert m.reciprocal_rank(ranked, rel) == 1.0 and m.reciprocal_rank(["z", "c"], rel) == 0.5
    ideal = 1 + 1 / math.log2(3)
    assert math.isclose(m.ndcg_at_k(ranked, rel, 10), (1 + 1 / math.log2(4)) / ideal)


def test_text_metrics():
    assert m.fact_present("$45,000", "Observe lists at 45000 per year")
    assert m.fact_present("net 60|net sixty", "Net 60 with manager approval")
    assert not m.fact_present("Vantage IQ", "OpsHawk only")
    assert m.wer("send the revised proposal", "send revised proposal") == 0.25
    assert m.overlap("Observe reads metadata only", "Observe reads metadata, query logs") == 0.75


def test_kappa_calibration_and_significance():
    assert m.cohen_kappa([True, False, True, False], [True, False, True, False]) == 1.0
    assert m.expected_calibration_error([(10, 0.2, 0.1), (10, 0.8, 0.8)]) == 0.05
    assert m.pass_hat_k([[True, True, False], [True, False, False]]) == 1 / 3
    old, new = [True] * 12, [False] * 10 + [True] * 2
    assert m.mcnemar_p(old, new) < 0.01 and m.mcnemar_p(old, old) == 1.0
    assert m.paired_bootstrap_p([1.0] * 20, [0.0] * 20) < 0.01


def test_citation_support_flags_unsupported_sentences():
    ans = Answer(text="Observe lists at $45,000 per year [1]\nOpsHawk is open source and free [2]",
                 citations=[Citation(source_id="library/p.md", title="Observe", snippet="List price: $45,000 per year"),
                            Citation(source_id="library/q.md", title="Pricing", snippet="Pipelines costs $30,000")])
    ok, total, bad = citation_support(ans)
    assert (ok, total) == (1, 2) and bad[0]["citation"] == 2


def test_judge_with_scripted_model():
    model = ScriptedChatModel(script=['Sure. {"faithfulness": 4, "helpfulness": 7, "reason": "mostly cited"}'])
    ans = Answer(text="Observe is $45,000 [1]", citations=[Citation(source_id="library/p.md", title="Observe",
                                                                    snippet="List price: $45,000")])
    verdict = judge_answer(model, "What does Observe cost?", ans, expected=["45,000"])
    assert verdict == {"faithfulness": 4.0, "helpfulness": 5.0, "reason": "mostly cited"}
    sent = model.calls[0][0].content
    assert "What does Observe cost?" in sent and "[1] Observe: List price: $45,000" in sent and "- 45,000" in sent
    assert "{{" not in judge_prompt("q", ans)
    assert parse_verdict("no json")["faithfulness"] is None


def test_thresholds_and_compare():
    res = {"suites": {"retrieval": {"metrics": {"mrr": 0.4, "recall@5": 0.9}, "status": "ok", "note": "",
                                    "cases": [{"id": "a", "passed": True, "score": 1.0}]}}}
    fails = check_thresholds(res, {"retrieval.mrr": {"min": 0.5}, "retrieval.recall@5": {"max": 0.95},
                                   "safety.permission_leaks": {"max": 0}})
    assert fails == ["retrieval.mrr = 0.4 is below the minimum 0.5"]
    new = {"suites": {"retrieval": {"metrics": {"mrr": 0.3, "recall@5": 0.9},
                                    "cases": [{"id": "a", "passed": False, "score": 0.0}]}}}
    rows = {r["metric"]: r for r in compare(res, new)}
    assert math.isclose(rows["mrr"]["delta"], -0.1) and rows["mrr"]["p_mcnemar"] == 1.0
