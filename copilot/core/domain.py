"""Domain value types shared by every layer (DESIGN.md section 2).

These are the project's own types: LangChain, SQLAlchemy and Slack objects are converted to and from
them at the adapters and never leak past them.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, Field


class Role(StrEnum):
    REP = "rep"
    MANAGER = "manager"
    EXEC = "exec"
    ADMIN = "admin"


class Principal(BaseModel, frozen=True):
    """Who is asking. Resolved server-side (CLI flag, API key, Slack user), never from message text."""

    user_id: str
    name: str
    email: str | None = None
    role: Role
    team_id: str | None = None

    @property
    def label(self) -> str:
        return f"{self.name} ({self.role.value})"


OPERATOR = Principal(user_id="operator", name="the operator of this data home", role=Role.ADMIN)
"""Who acts when the local CLI runs an operator's command (import, ingest, run approved actions) without
``--as``: whoever can run the CLI against a data home already holds its files."""


class Stage(StrEnum):
    """Normalized deal stages; importers map their source's stages onto these."""

    PROSPECTING = "prospecting"
    QUALIFICATION = "qualification"
    DISCOVERY = "discovery"
    DEMO = "demo"
    PROPOSAL = "proposal"
    NEGOTIATION = "negotiation"
    CLOSED_WON = "closed_won"
    CLOSED_LOST = "closed_lost"

    @property
    def is_closed(self) -> bool:
        return self in (Stage.CLOSED_WON, Stage.CLOSED_LOST)

    @property
    def order(self) -> int:
        return list(Stage).index(self)


OPEN_STAGES = [s for s in Stage if not s.is_closed]

ActivityKind = Literal["email", "meeting", "note", "task", "call"]


class Citation(BaseModel):
    """Where a statement comes from: a document section, a CRM record field, or a call timestamp."""

    source_id: str = Field(description="stable id: document path, 'crm:deal:ID', 'call:ID'")
    title: str
    snippet: str = ""
    kind: Literal["document", "crm", "call"] = "document"
    section: str | None = None
    record: str | None = Field(default=None, description="CRM record reference, e.g. 'deal:D-0012'")
    field: str | None = None
    timestamp: float | None = Field(default=None, description="seconds into a call")
    url: str | None = None

    def location(self) -> str:
        if self.kind == "call" and self.timestamp is not None:
            minutes, seconds = divmod(int(self.timestamp), 60)
            return f"{self.title} @ {minutes:02d}:{seconds:02d}"
        if self.kind == "crm":
            return f"{self.title} [{self.record}{'.' + self.field if self.field else ''}]"
        return f"{self.title}" + (f" > {self.section}" if self.section else "")


class Freshness(BaseModel):
    """How fresh the CRM data behind an answer is: the time of the last import or sync of the CRM."""

    newest: datetime | None = Field(default=None, description="when the CRM data was last imported or synced")
    basis: str = "last CRM import or sync"
    age_hours: float | None = None
    stale: bool = False
    warning: str | None = None


class ActionRef(BaseModel):
    """A proposed action as it appears inside an Answer (the ledger holds the full record)."""

    id: str
    kind: str
    summary: str
    status: str = "proposed"
    confidence: float | None = None


class Answer(BaseModel):
    """Every reply of the copilot, whatever produced it."""

    text: str
    citations: list[Citation] = Field(default_factory=list)
    actions: list[ActionRef] = Field(default_factory=list)
    confidence: float = Field(default=0.0, ge=0.0, le=1.0)
    freshness: Freshness = Field(default_factory=Freshness)
    mode: Literal["llm", "offline"] = "offline"
    intent: str | None = None
    language: str = Field(default="en", description="the language the answer is written in: the question's (en or zh)")
    tools_used: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list, description="warnings such as fallback to offline")
    data: dict[str, Any] = Field(default_factory=dict, description="structured payload for UIs")
    newest_record: datetime | None = Field(default=None, exclude=True,
                                           description="newest CRM timestamp among the records behind the answer")
    tool_texts: list[str] = Field(default_factory=list, exclude=True,
                                  description="what each tool returned, as the model saw it (for the grounding check)")
