"""Calls: word error rate of the transcript against the reference, and summary item recall and precision.

A case names a demo call (``demo_call``: script and audio from demo/calls/calls.yaml) or gives
``audio`` and ``reference`` (text) itself. Without a speech model (speech 'scripted'), the reference transcript
is summarized and WER is not measured.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml

from copilot.core.settings import REPO_ROOT
from evals.base import EvalEnv, SuiteResult
from evals.metrics import fact_present, mean, wer

NAME = "calls"
DATASET = "calls.yaml"
FAST = True
DEMO_CALLS = REPO_ROOT / "demo" / "calls"
SECTIONS = ("objections", "competitors", "next_steps")


def _demo_script(call_id: str) -> tuple[str, Path]:
    calls = yaml.safe_load((DEMO_CALLS / "calls.yaml").read_text())["calls"]
    spec = next(c for c in calls if c["id"] == call_id)
    text = "\n".join(f"{'Rep' if t['role'] == 'rep' else 'Customer'}: {t['text']}" for t in spec["script"])
    return text, DEMO_CALLS / spec["audio"]


def _matches(expected: str, item) -> bool:  # type: ignore[no-untyped-def]
    return (item.category or "").lower() == expected.lower() or fact_present(expected, item.text)


def run(env: EvalEnv, rows: list[dict]) -> SuiteResult:
    from tools.calls.transcribe import Transcript

    speech = env.cp.settings.speech
    cases, wers, recalls, precisions = [], [], [], []
    for row in rows:
        if row.get("demo_call"):
            reference, demo_audio = _demo_script(row["demo_call"])
            audio: Path | None = demo_audio
        else:
            reference = row["reference"]
            audio = REPO_ROOT / row["audio"] if row.get("audio") else None
        case: dict = {"id": row["id"]}
        if speech != "scripted" and audio is not None:
            transcript = env.cp.services.calls.transcribe(audio)
            case["wer"] = round(wer(reference, transcript.text), 4)
            wers.append(case["wer"])
        else:
            transcript = Transcript.from_text(reference)
        _, summary, _ = env.cp.services.calls.summarize_call(transcript, title=row["id"], call_date=date(2026, 1, 5), store=False)
        expected = row.get("expected", {})
        found = total = 0
        missing = []
        for sec in SECTIONS:
            for want in expected.get(sec, []):
                total += 1
                if any(_matches(want, it) for it in summary.items(sec)):
                    found += 1
                else:
                    missing.append(f"{sec}: {want}")
        items = [(sec, it) for sec in SECTIONS if sec in expected for it in summary.items(sec)]
        good = sum(1 for sec, it in items if any(_matches(w, it) for w in expected.get(sec, [])))
        case.update({"recall": found / total if total else None, "precision": good / len(items) if items else None,
                     "missing": missing,
                     "answer": summary.to_markdown()})
        case["score"] = case["recall"]
        case["passed"] = not missing
        recalls.append(case["recall"])
        precisions.append(case["precision"])
        cases.append(case)
    return SuiteResult(NAME, cases=cases, metrics={
        "wer": mean(wers), "item_recall": mean(recalls), "item_precision": mean(precisions),
        "calls": float(len(cases))}, note="" if wers else "no speech model configured: WER not measured")
