"""LLM call summary: ``chat_model.with_structured_output(LLMSummary)`` over numbered segments.

The model answers with segment numbers; they are mapped back to timestamped citations here, and items
citing no valid segment are dropped (nothing uncited reaches the rep).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from copilot.core.domain import Citation
from copilot.core.errors import ModelError
from copilot.core.speech import Segment


class LLMItem(BaseModel):
    text: str
    segments: list[int] = Field(description="numbers of the transcript segments this comes from")
    category: str | None = None
    handling: str | None = None
    owner: str | None = None
    due: date | None = None


class LLMSummary(BaseModel):
    context: list[LLMItem] = Field(default_factory=list)
    pains: list[LLMItem] = Field(default_factory=list)
    objections: list[LLMItem] = Field(default_factory=list)
    competitors: list[LLMItem] = Field(default_factory=list)
    qualification: list[LLMItem] = Field(default_factory=list, description="category = budget/authority/need/timeline")
    questions: list[LLMItem] = Field(default_factory=list, description="owner = who asked")
    next_steps: list[LLMItem] = Field(default_factory=list)
    risks: list[LLMItem] = Field(default_factory=list)


def render_prompt(prompt: str, template: dict[str, Any], segments: list[Segment], ctx: Any,
                  competitors: list[str]) -> str:
    sections = "\n".join(f"- {s['id']}: {s.get('title', '')}: {s.get('description', '')}" for s in template["sections"])
    lines = "\n".join(f"[{i}] {int(s.start) // 60:02d}:{int(s.start) % 60:02d} {s.speaker or s.role or '?'}: {s.text}"
                      for i, s in enumerate(segments))
    attendees = ", ".join(f"{v} ({k})" for k, v in ctx.names.items()) or "unknown"
    return prompt.format(title=ctx.title, call_date=ctx.call_date.isoformat(), attendees=attendees,
                         competitors=", ".join(competitors), sections=sections, transcript=lines)


def run_structured(chat_model: Any, prompt: str, template: dict[str, Any], segments: list[Segment], ctx: Any,
                   competitors: list[str], cite: Callable[[Segment], Citation]) -> dict[str, list[Any]]:
    from tools.calls.summarize import SummaryItem

    text = render_prompt(prompt, template, segments, ctx, competitors)
    try:
        result = chat_model.with_structured_output(LLMSummary).invoke(text)
    except Exception as exc:  # noqa: BLE001 - any provider failure falls back to the offline engine
        raise ModelError(f"the chat model failed to summarize the call: {exc}") from exc
    if isinstance(result, dict):
        result = LLMSummary.model_validate(result)
    if not isinstance(result, LLMSummary):
        raise ModelError("the chat model returned no structured summary")
    out: dict[str, list[Any]] = {}
    for field in LLMSummary.model_fields:
        items = []
        for it in getattr(result, field):
            cites = [cite(segments[i]) for i in it.segments if 0 <= i < len(segments)]
            if cites:
                items.append(SummaryItem(text=it.text, category=it.category, handling=it.handling, owner=it.owner,
                                         due=it.due, citations=cites))
        out[field] = items
    return out
