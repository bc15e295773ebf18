"""The LLM agent: a plain tool-calling loop over the project's tools (no framework agent class).

The loop is visible here: send the conversation and tool schemas, run each tool call the model makes
(arguments validated by the tool's pydantic model, principal from the context), feed results back as
tool messages, stop at a final message, the step limit or the time limit. Tool errors go back to the
model as text so it can correct itself. The model is any ``ChatModel`` (``copilot.core.chat``), under the
one failure policy: a provider failure arrives here as ``ModelError``.

Citations: tool results number their sources [S1], [S2], ... across the whole run; the final text keeps
only the sources it cites, renumbered [1], [2], ... in the order they first appear.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from pydantic import ValidationError

from copilot.core.chat import ChatModel, Message, ToolCall, guarded
from copilot.core.domain import Answer, Citation
from copilot.core.errors import CopilotError, ModelError, field_problems
from copilot.core.pii import Redactor
from tools.context import ToolContext, ToolResult, newest_of
from tools.registry import ToolSpec

_REF = re.compile(r"\[S(\d+)\]")


@dataclass
class Turn:
    """One message of a conversation as the project stores it."""

    role: str  # "user" | "assistant"
    content: str


@dataclass
class AgentRun:
    citations: list[Citation] = field(default_factory=list)
    results: list[ToolResult] = field(default_factory=list)
    tools_used: list[str] = field(default_factory=list)
    errors: int = 0
    steps: int = 0
    texts: list[str] = field(default_factory=list)  # what each tool returned, as the model saw it


def _to_messages(system: str, history: list[Turn], question: str, pii: Redactor) -> list[Message]:
    msgs = [Message.system(pii.redact(system))]
    for t in history:
        text = pii.redact(t.content)
        msgs.append(Message.user(text) if t.role == "user" else Message.assistant(text))
    msgs.append(Message.user(pii.redact(question)))
    return msgs


def renumber(text: str, cites: list[Citation]) -> tuple[str, list[Citation]]:
    """Keep the sources the text cites, renumbered by first appearance; drop references to no source."""
    order: dict[int, int] = {}
    kept: list[Citation] = []
    for m in _REF.finditer(text):
        n = int(m.group(1))
        if 1 <= n <= len(cites) and n not in order:
            order[n] = len(kept) + 1
            kept.append(cites[n - 1])

    def sub(m: re.Match[str]) -> str:
        n = int(m.group(1))
        return f"[{order[n]}]" if n in order else ""

    return re.sub(r"\s+(?=[.,;:])", "", _REF.sub(sub, text)).strip(), kept


class Agent:
    def __init__(self, model: ChatModel, tools: list[ToolSpec], *, max_steps: int = 8, time_limit: float = 90.0,
                 redact_pii: bool = False) -> None:
        self.model = guarded(model)
        self.redact_pii = redact_pii
        self.tools = {t.name: t for t in tools}
        self.max_steps = max_steps
        self.time_limit = time_limit
        self.schemas = [t.schema() for t in tools]

    def _call_tool(self, ctx: ToolContext, call: ToolCall, run: AgentRun, pii: Redactor) -> str:
        spec = self.tools.get(call.name)
        if spec is None:
            run.errors += 1
            return f"Error: there is no tool named {call.name!r}. Available: {', '.join(self.tools)}."
        if call.error:
            run.errors += 1
            return f"Error: {call.error}. Send the arguments as one JSON object."
        try:
            result = spec.run(ctx, pii.restore(call.arguments))
        except ValidationError as exc:
            run.errors += 1
            return f"Error: invalid arguments for {spec.name}: {field_problems(exc, root='args')}. Fix them and try again."
        except CopilotError as exc:
            run.errors += 1
            return f"Error from {spec.name}: {exc}"
        first = len(run.citations) + 1
        run.citations.extend(result.citations)
        run.results.append(result)
        run.tools_used.append(spec.name)
        ctx.proposed.extend(result.actions)
        text = result.render(first)
        run.texts.append(text)
        # fenced as data: text from documents, emails and transcripts is never an instruction
        return f"<tool_result name=\"{spec.name}\">\n{pii.redact(text)}\n</tool_result>"

    def run(self, ctx: ToolContext, system: str, history: list[Turn], question: str, *,
            force_tool: bool = False) -> Answer:
        pii = Redactor(self.redact_pii)
        messages = _to_messages(system, history, question, pii)
        run = AgentRun()
        started = time.monotonic()
        final: str | None = None
        notes: list[str] = []
        for step in range(self.max_steps):
            if time.monotonic() - started > self.time_limit:
                notes.append(f"stopped after {self.time_limit:.0f} s time limit")
                break
            run.steps = step + 1
            # The first step of a data question must call a tool: an answer resting on no tool result is a guess.
            forced = force_tool and step == 0 and bool(self.schemas)
            reply = self.model.complete(messages, tools=self.schemas or None,
                                        tool_choice="required" if forced else None)
            messages.append(reply.as_message())
            if not reply.tool_calls:
                final = reply.text
                break
            for call in reply.tool_calls:
                messages.append(Message.tool(call.id, self._call_tool(ctx, call, run, pii)))
        else:
            notes.append(f"stopped after {self.max_steps} steps")
        if final is None:
            raise ModelError("the model did not produce a final answer (" + "; ".join(notes) + ")")
        text, cites = renumber(pii.restore(final), run.citations)
        if not cites and run.citations:
            notes.append("the model cited no sources; the sources it consulted are listed")
            cites = run.citations[:5]
        confidence = 0.35 if not run.citations else (0.85 if len(cites) and not run.errors else 0.65)
        answer = Answer(text=text, citations=cites, actions=list(ctx.proposed), confidence=confidence, mode="llm",
                        tools_used=run.tools_used, notes=notes)
        answer.newest_record = newest_of(*[r.newest for r in run.results])
        answer.tool_texts = list(run.texts)
        return answer
