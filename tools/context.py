"""The run context every tool receives: who is asking (resolved server-side) and the stores.

The principal and scope come from here, never from a tool's arguments, so nothing a model writes can
change whose data a tool sees. Every dependency is a typed field: the stores, the ledger (a protocol: tools
only propose) and the capability services (a protocol met by the composition root), never a callback.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel, Field

from copilot.core.domain import ActionRef, Citation, Principal
from copilot.core.visibility import Scope
from knowledge.crm.people import scope_of
from knowledge.crm.store import CrmStore

if TYPE_CHECKING:
    from knowledge.store import KnowledgeStore
    from tools.calls.service import CallService
    from tools.forecast.service import Forecaster
    from tools.health.service import HealthService
    from tools.roleplay.session import RoleplayService


class Proposal(Protocol):
    """What the ledger hands back for a stored proposal."""

    id: str
    payload: dict[str, Any]
    confidence: float

    def to_ref(self) -> ActionRef: ...


class Proposals(Protocol):
    """Where tools put proposed actions; a person approves, edits or rejects them later."""

    def propose(self, kind: str, payload: dict[str, Any], *, owner_id: str, rationale: str, tool: str,
                citations: Sequence[Citation] = (), confidence: float = 0.5, account_id: str | None = None,
                deal_id: str | None = None, call_id: str | None = None,
                expires_in: timedelta | None = None) -> Proposal: ...


class Capabilities(Protocol):
    """The capability services a tool may use, built on first use."""

    @property
    def forecaster(self) -> Forecaster: ...

    @property
    def calls(self) -> CallService: ...

    @property
    def roleplay(self) -> RoleplayService: ...

    @property
    def health(self) -> HealthService: ...


@dataclass
class ToolContext:
    principal: Principal
    scope: Scope
    crm: CrmStore
    knowledge: KnowledgeStore | None = None
    ledger: Proposals | None = None
    capabilities: Capabilities | None = None
    today: date = field(default_factory=date.today)
    proposed: list[ActionRef] = field(default_factory=list)
    lang: str = "en"  # the language answers are written in: the question's ('zh' or 'en')


@dataclass
class ToolDeps:
    """What every tool run shares, whoever asks; ``context`` adds the principal and derives the scope."""

    crm: CrmStore
    knowledge: KnowledgeStore | None = None
    ledger: Proposals | None = None
    capabilities: Capabilities | None = None
    clock: Callable[[], date] = date.today  # what "today" is at each question (settings may pin it)

    def context(self, principal: Principal) -> ToolContext:
        return ToolContext(principal=principal, scope=scope_of(self.crm, principal), crm=self.crm,
                           knowledge=self.knowledge, ledger=self.ledger, capabilities=self.capabilities,
                           today=self.clock())


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
