"""Role-play: rubric agreement with human labels (reuses evals/roleplay_agreement.py and its dataset)."""

from __future__ import annotations

from evals.base import EvalEnv, SuiteResult

NAME = "roleplay"
DATASET = "roleplay_transcripts.jsonl"
FAST = True


def run(env: EvalEnv, rows: list[dict]) -> SuiteResult:
    from evals.roleplay_agreement import evaluate

    result = evaluate(env.cp, rows)
    wrong = {d.split(" ", 1)[0] for d in result["disagreements"]}
    cases = [{"id": r["id"], "scenario": r.get("scenario"), "human_passed": r["label"]["passed"],
              "passed": r["id"] not in wrong,
              "disagreements": [d for d in result["disagreements"] if d.startswith(r["id"] + " ")]} for r in rows]
    return SuiteResult(NAME, cases=cases, metrics={
        "pass_accuracy": result["pass_accuracy"], "pass_kappa": result["pass_kappa"],
        "check_accuracy": result["check_accuracy_overall"], "transcripts": float(result["transcripts"])},
        charts={"check_accuracy": result["check_accuracy"]})
