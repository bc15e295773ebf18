"""LLM call summary: ``ChatModel.structured(..., LLMSummary)`` over numbered segments.

The prompt is ``prompts/calls_summary.md``. The model answers with segment numbers; they are mapped back to
timestamped citations here, and items citing no valid segment are dropped (nothing uncited reaches the
rep). ``tools.calls.summarize`` turns the cited items into its summary; this module does not import it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, Protocol

from pydantic import BaseModel, Field

from copilot.core.chat import ChatModel, Message, guarded
from copilot.core.domain import Citation
from copilot.core.speech import Segment
from prompts import render


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


class CallFacts(Protocol):
    """What the prompt needs to know about the call (``tools.calls.summarize.CallContext`` has it)."""

    title: str
    call_date: date
    names: dict[str, str]


CitedItems = dict[str, list[tuple[LLMItem, list[Citation]]]]


def render_prompt(template: dict[str, Any], segments: list[Segment], ctx: CallFacts, competitors: list[str]) -> str:
    sections = "\n".join(f"- {s['id']}: {s.get('title', '')}: {s.get('description', '')}" for s in template["sections"])
    lines = "\n".join(f"[{i}] {int(s.start) // 60:02d}:{int(s.start) % 60:02d} {s.speaker or s.role or '?'}: {s.text}"
                      for i, s in enumerate(segments))
    attendees = ", ".join(f"{v} ({k})" for k, v in ctx.names.items()) or "unknown"
    return render("calls_summary.md", title=ctx.title, call_date=ctx.call_date.isoformat(), attendees=attendees,
                  competitors=", ".join(competitors), sections=sections, transcript=lines)


def run_structured(chat_model: ChatModel, template: dict[str, Any], segments: list[Segment], ctx: CallFacts,
                   competitors: list[str], cite: Callable[[Segment], Citation]) -> CitedItems:
    """Each section's items with their citations; raises ``ModelError`` when the model fails."""
    prompt = render_prompt(template, segments, ctx, competitors)
    result = guarded(chat_model).structured([Message.user(prompt)], LLMSummary)
    out: CitedItems = {}
    for field in LLMSummary.model_fields:
        out[field] = []
        for it in getattr(result, field):
            cites = [cite(segments[i]) for i in it.segments if 0 <= i < len(segments)]
            if cites:
                out[field].append((it, cites))
    return out
