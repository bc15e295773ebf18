"""LLM-as-judge: faithfulness and helpfulness (1-5) from the prompt in prompts/eval_judge.md."""

from __future__ import annotations

import json
import re
from typing import Any

from copilot.core.chat import ChatModel, Message, guarded
from copilot.core.domain import Answer
from copilot.core.errors import ModelError
from prompts import render


def judge_prompt(question: str, answer: Answer, *, expected: list[str] | None = None) -> str:
    sources = "\n".join(f"[{i}] {c.location()}: {c.snippet}" for i, c in enumerate(answer.citations, 1)) or "(none)"
    return render("eval_judge.md", question=question, answer=answer.text, sources=sources,
                  expected="\n".join(f"- {f}" for f in expected or []) or "(none)")


def parse_verdict(text: str) -> dict[str, Any]:
    """The first JSON object in the reply; scores clipped to 1..5; unparseable replies score None."""
    m = re.search(r"\{.*\}", text, re.S)
    try:
        data = json.loads(m.group(0)) if m else {}
    except ValueError:
        data = {}
    out: dict[str, Any] = {"reason": str(data.get("reason", ""))[:300] if data else f"unparseable: {text[:120]}"}
    for key in ("faithfulness", "helpfulness"):
        try:
            out[key] = min(5.0, max(1.0, float(data[key])))
        except (KeyError, TypeError, ValueError):
            out[key] = None
    return out


def judge_answer(model: ChatModel, question: str, answer: Answer, *,
                 expected: list[str] | None = None) -> dict[str, Any]:
    try:
        reply = guarded(model).complete([Message.user(judge_prompt(question, answer, expected=expected))])
    except ModelError as exc:  # a failing judge is a missing score, not a failed run
        return {"faithfulness": None, "helpfulness": None, "reason": f"judge failed: {exc.message}"}
    return parse_verdict(reply.text)
