"""What the proposing tools share: the ledger call and the result type. Tools never execute anything:
a proposal waits in the ledger until a person approves, edits or rejects it."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from copilot.core.domain import Citation
from copilot.core.errors import ProviderError
from tools.context import ToolContext, ToolResult


class Proposed(ToolResult):
    action_id: str
    kind: str
    summary: str
    payload: dict[str, Any] = Field(default_factory=dict)
    confidence: float = 0.5

    def render(self, first: int = 1) -> str:
        return (f"Proposed action {self.action_id} ({self.kind}): {self.summary}. It is waiting for the user's "
                f"approval; nothing has been sent or changed. Payload: {self.payload}")


def propose(ctx: ToolContext, kind: str, payload: dict[str, Any], *, tool: str, rationale: str,
            citations: list[Citation] | None = None, confidence: float = 0.6, **refs: Any) -> Proposed:
    if ctx.ledger is None:
        raise ProviderError("the action ledger is not available")
    action = ctx.ledger.propose(kind, payload, owner_id=ctx.principal.user_id, rationale=rationale, tool=tool,
                                citations=citations or [], confidence=confidence, **refs)
    ref = action.to_ref()
    return Proposed(action_id=action.id, kind=kind, summary=ref.summary, payload=action.payload,
                    confidence=action.confidence, actions=[ref], citations=list(citations or []))
