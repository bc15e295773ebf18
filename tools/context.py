"""The run context every tool receives: who is asking (resolved server-side) and the stores.

The principal and scope come from here, never from a tool's arguments, so nothing a model writes can
change whose data a tool sees.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from copilot.core.domain import ActionRef, Citation, Principal
from copilot.core.visibility import Scope
from knowledge.crm.store import CrmStore


@dataclass
class ToolContext:
    principal: Principal
    scope: Scope
    crm: CrmStore
    knowledge: Any | None = None  # knowledge.store.KnowledgeStore
    ledger: Any | None = None  # copilot.actions.ledger.ActionLedger (tools only propose)
    services: dict[str, Callable[[], Any]] = field(default_factory=dict)  # lazy: forecaster, calls, roleplay
    today: date = field(default_factory=date.today)
    proposed: list[ActionRef] = field(default_factory=list)

    def service(self, name: str) -> Any | None:
        """A capability service (built on first use), or None when it is not available."""
        factory = self.services.get(name)
        return factory() if factory else None


class ToolResult(BaseModel):
    """Base of every tool's return value: cited facts plus the newest CRM timestamp behind them."""

    citations: list[Citation] = Field(default_factory=list)
    newest: datetime | None = None
    actions: list[ActionRef] = Field(default_factory=list)

    def render(self, first: int = 1) -> str:
        """Text for the model. Citation i of this result is referred to as [S{first + i}].

        Subclasses render their facts readably; this default dumps the data fields as JSON.
        """
        return self.model_dump_json(exclude={"citations", "newest", "actions"}, indent=1)

    def ref(self, citation_index: int, first: int) -> str:
        return f"[S{first + citation_index}]"


def newest_of(*stamps: datetime | date | None) -> datetime | None:
    """The latest of the given stamps as a naive local datetime (the CRM stores naive local times)."""
    vals = []
    for s in stamps:
        if not s:
            continue
        dt = s if isinstance(s, datetime) else datetime.combine(s, datetime.min.time())
        vals.append(dt.astimezone().replace(tzinfo=None) if dt.tzinfo else dt)
    return max(vals) if vals else None
