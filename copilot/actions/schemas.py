"""What an action is: its states, one validated payload schema per kind, and the ``Action`` value.

The payload hash (sha256 of the canonical JSON of the validated payload) is what an approval binds to:
whoever shows a payload to a person passes the hash of what they showed, and the ledger refuses the
decision if the stored payload hashes differently.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from copilot.core.domain import ActionRef, Citation, Stage
from copilot.core.errors import UserError, field_problems

_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")


class State(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    EDITED = "edited"
    REJECTED = "rejected"
    EXPIRED = "expired"
    EXECUTING = "executing"
    EXECUTED = "executed"
    FAILED = "failed"


DECISIONS = (State.APPROVED, State.EDITED, State.REJECTED, State.EXPIRED)
RUNNABLE = (State.APPROVED, State.EDITED)

# Every legal transition and why it happens. Anything else is refused.
TRANSITIONS: dict[tuple[State, State], str] = {
    (State.PROPOSED, State.APPROVED): "a person approved it",
    (State.PROPOSED, State.EDITED): "a person edited and approved it",
    (State.PROPOSED, State.REJECTED): "a person rejected it",
    (State.PROPOSED, State.EXPIRED): "nobody decided before it expired",
    (State.APPROVED, State.EXECUTING): "a worker claimed it",
    (State.EDITED, State.EXECUTING): "a worker claimed it",
    (State.EXECUTING, State.EXECUTED): "the executor succeeded",
    (State.EXECUTING, State.FAILED): "the executor failed, or a person marked a stuck claim failed",
    (State.EXECUTING, State.APPROVED): "a person forced a resend of a stuck claim",
    (State.FAILED, State.APPROVED): "a person retried a failed action",
}


def is_legal(src: State, dst: State) -> bool:
    return (src, dst) in TRANSITIONS


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _emails(values: list[str]) -> list[str]:
    out = []
    for v in values:
        v = v.strip()
        if not _EMAIL.match(v):
            raise ValueError(f"{v!r} is not an email address")
        out.append(v.lower())
    return out


class SendEmail(_Payload):
    to: list[str] = Field(min_length=1)
    cc: list[str] = Field(default_factory=list)
    subject: str = Field(min_length=1, max_length=300)
    body: str = Field(min_length=1)

    @field_validator("to", "cc")
    @classmethod
    def _addresses(cls, v: list[str]) -> list[str]:
        return _emails(v)


class DealFields(_Payload):
    stage: Stage | None = None
    amount: float | None = Field(default=None, ge=0)
    close_date: date | None = None
    next_step: str | None = None
    next_step_date: date | None = None
    forecast_category: Literal["commit", "best_case", "pipeline", "omitted"] | None = None

    @model_validator(mode="after")
    def _something(self) -> DealFields:
        if not self.model_dump(exclude_none=True):
            raise ValueError("set at least one of stage, amount, close_date, next_step, next_step_date, "
                             "forecast_category")
        return self


class UpdateDeal(_Payload):
    deal_id: str = Field(min_length=1)
    fields: DealFields


class CreateTask(_Payload):
    title: str = Field(min_length=1, max_length=500)
    due_on: date
    deal_id: str | None = None
    account_id: str | None = None
    notes: str | None = None


class LogCallSummary(_Payload):
    call_id: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    deal_id: str | None = None
    account_id: str | None = None


class LogActivity(_Payload):
    """A call, meeting, email or note that already happened, written to the account's activity history."""

    kind: Literal["call", "meeting", "email", "note"]
    subject: str = Field(min_length=1, max_length=300)
    body: str = Field(default="", max_length=4000)
    occurred_on: date
    account_id: str = Field(min_length=1)
    deal_id: str | None = None
    contact_id: str | None = None


class ScheduleMeeting(_Payload):
    title: str = Field(min_length=1, max_length=300)
    start: datetime
    duration_minutes: int = Field(ge=5, le=600)
    attendees: list[str] = Field(default_factory=list)
    description: str = ""

    @field_validator("attendees")
    @classmethod
    def _addresses(cls, v: list[str]) -> list[str]:
        return _emails(v)


SCHEMAS: dict[str, type[_Payload]] = {
    "send_email": SendEmail,
    "update_deal": UpdateDeal,
    "create_task": CreateTask,
    "log_call_summary": LogCallSummary,
    "schedule_meeting": ScheduleMeeting,
    "log_activity": LogActivity,
}


def validate_payload(kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The payload as stored: validated, normalized, JSON-ready. Bad input raises one UserError."""
    schema = SCHEMAS.get(kind)
    if schema is None:
        raise UserError(f"unknown action kind {kind!r}", hint="use one of " + ", ".join(SCHEMAS))
    if not isinstance(payload, dict):
        raise UserError(f"the payload of a {kind} action must be a mapping of fields")
    try:
        model = schema.model_validate(payload)
    except ValidationError as exc:
        raise UserError(f"invalid {kind} payload: {field_problems(exc, root='payload')}",
                        hint=f"fields: {', '.join(schema.model_fields)}") from None
    return model.model_dump(mode="json", exclude_none=True)


def canonical_json(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def payload_hash(payload: dict[str, Any]) -> str:
    """sha256 of the canonical JSON (sorted keys) of a validated payload."""
    return hashlib.sha256(canonical_json(payload).encode()).hexdigest()


def payload_diff(old: Any, new: Any, path: str = "") -> list[dict[str, Any]]:
    """Field-level differences between two payloads: [{path, old, new}]."""
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[dict[str, Any]] = []
        for key in sorted(set(old) | set(new)):
            out += payload_diff(old.get(key), new.get(key), f"{path}.{key}" if path else key)
        return out
    return [] if old == new else [{"path": path, "old": old, "new": new}]


class Action(BaseModel):
    """One proposal and everything that happened to it (the ledger row as a value)."""

    id: str
    kind: str
    payload: dict[str, Any]
    payload_hash: str
    proposed_payload: dict[str, Any]
    rationale: str
    citations: list[Citation] = Field(default_factory=list)
    confidence: float
    tool_confidence: float
    tool: str
    owner_id: str
    team_id: str | None = None
    account_id: str | None = None
    deal_id: str | None = None
    call_id: str | None = None
    state: State
    created_at: datetime
    expires_at: datetime | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision: State | None = None
    reason: str | None = None
    edit_distance: int | None = None
    confirmed_recipients: list[str] = Field(default_factory=list)
    claimed_by: str | None = None
    claimed_at: datetime | None = None
    attempts: int = 0
    finished_at: datetime | None = None
    result: dict[str, Any] | None = None
    error: str | None = None

    def summary(self) -> str:
        p = self.payload
        if self.kind == "send_email":
            return f"Email to {', '.join(p['to'])}: {p['subject']}"
        if self.kind == "update_deal":
            changes = ", ".join(f"{k}={v}" for k, v in p["fields"].items())
            return f"Update deal {p['deal_id']}: {changes}"
        if self.kind == "create_task":
            return f"Task due {p['due_on']}: {p['title']}"
        if self.kind == "log_call_summary":
            return f"Log summary of call {p['call_id']}"
        if self.kind == "log_activity":
            return f"Log {p['kind']} on {p['occurred_on']}: {p['subject']}"
        if self.kind == "schedule_meeting":
            return f"Meeting {p['start']} ({p['duration_minutes']} min): {p['title']}"
        return self.kind

    def to_ref(self) -> ActionRef:
        return ActionRef(id=self.id, kind=self.kind, summary=self.summary(), status=self.state.value,
                         confidence=round(self.confidence, 3))
