"""Request and response bodies of the API, with examples for the OpenAPI docs (/docs)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from copilot.core.domain import Answer, Citation


def _ex(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": list(examples)})


class ErrorDetail(BaseModel):
    code: str = Field(description="stable machine-readable code, e.g. unauthorized, forbidden, not_found")
    message: str = Field(description="what went wrong and what to do")
    request_id: str | None = None


class ErrorOut(BaseModel):
    model_config = _ex({"error": {"code": "forbidden", "message": "Ann Lee (rep) may not see team West's forecast",
                                  "request_id": "4f1c2b"}})
    error: ErrorDetail


ERRORS: dict[int | str, dict[str, Any]] = {
    s: {"model": ErrorOut, "description": d} for s, d in (
        (401, "no, bad or revoked API key"), (403, "beyond the key's scope"), (404, "not found or not visible"),
        (422, "malformed request"), (429, "rate limited (see Retry-After)"), (504, "timed out"))}


class AskIn(BaseModel):
    model_config = _ex({"question": "What is the next step on the Acme deal?", "thread_id": None})
    question: str = Field(min_length=1, max_length=4000)
    thread_id: str | None = Field(default=None, max_length=100,
                                  description="continue a conversation; omit for a one-off question")


class AnswerOut(Answer):
    model_config = _ex({"text": "The next step on Acme - Observe is a technical demo [1].",
                        "citations": [{"source_id": "crm:deal:D-0012", "title": "Acme - Observe",
                                       "kind": "crm", "record": "deal:D-0012", "field": "next_step"}],
                        "actions": [], "confidence": 0.8, "mode": "offline", "thread_id": None})
    thread_id: str | None = None


class ChatIn(BaseModel):
    model_config = _ex({"message": "Which of my deals close this month?", "thread_id": "t-123"})
    message: str = Field(min_length=1, max_length=4000)
    thread_id: str | None = Field(default=None, max_length=100, description="omit to start a new thread")


class PrincipalOut(BaseModel):
    model_config = _ex({"user_id": "r-ann", "name": "Ann Lee", "email": "ann@example.com", "role": "rep",
                        "team_id": "east", "key_id": "a1b2c3d4e5f6",
                        "scope": {"all_records": False, "aggregates_only": False, "team_ids": [],
                                  "owner_ids": ["r-ann"]}})
    user_id: str
    name: str
    email: str | None
    role: str
    team_id: str | None
    key_id: str
    scope: dict[str, Any]


class ActionOut(BaseModel):
    """An action as the API shows it; ``payload_hash`` must come back on approve and edit."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{
        "id": "act-1a2b", "kind": "send_email", "state": "proposed", "summary": "Email to pat@acme.example: Recap",
        "payload": {"to": ["pat@acme.example"], "cc": [], "subject": "Recap", "body": "Hi Pat, ..."},
        "payload_hash": "9f86d081884c7d65...", "confidence": 0.62, "owner_id": "r-ann"}]})
    id: str
    kind: str
    state: str
    summary: str
    payload: dict[str, Any]
    payload_hash: str


class ApproveIn(BaseModel):
    model_config = _ex({"payload_hash": "9f86d081884c7d65...", "confirm_recipients": [], "execute": True})
    payload_hash: str = Field(min_length=8, description="the hash of the payload you reviewed (from GET)")
    confirm_recipients: list[str] = Field(default_factory=list, description="outside addresses you confirm")
    execute: bool = Field(default=True, description="execute right away (false: a worker executes later)")


class EditIn(ApproveIn):
    model_config = _ex({"payload": {"to": ["pat@acme.example"], "cc": [], "subject": "Recap and demo date",
                                    "body": "Hi Pat, ..."}, "payload_hash": "9f86d081884c7d65..."})
    payload: dict[str, Any] = Field(description="the full payload as you want it")


class RejectIn(BaseModel):
    model_config = _ex({"reason": "already sent this by hand"})
    reason: str = Field(default="", max_length=2000)


class RoleplayStartIn(BaseModel):
    model_config = _ex({"scenario_id": "discovery-first-call"})
    scenario_id: str = Field(min_length=1, description="a library card id, or deal:<id> / call:<id>")


class RoleplayReplyIn(BaseModel):
    model_config = _ex({"text": "What would a 10% discount need to look like on your side?"})
    text: str = Field(min_length=1, max_length=4000)


class IngestPathsIn(BaseModel):
    model_config = _ex({"paths": ["/srv/playbooks"], "metadata": {"type": "playbook"}})
    paths: list[str] = Field(min_length=1, max_length=100, description="files or folders on the server (admins)")
    metadata: dict[str, str] = Field(default_factory=dict)


class ImportIn(BaseModel):
    model_config = _ex({"path": "/srv/exports/salesforce", "mapping": "salesforce"})
    path: str = Field(min_length=1, description="CSV/JSON export file or folder on the server")
    mapping: str = Field(min_length=1, description="salesforce, hubspot, maven, or a mapping YAML path")


class JobOut(BaseModel):
    model_config = _ex({"job_id": "job-5e6f", "status": "running", "poll": "/v1/calls/jobs/job-5e6f",
                        "result": None, "error": None})
    job_id: str
    status: Literal["queued", "running", "done", "failed"]
    poll: str
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    created_at: str | None = None
    finished_at: str | None = None


# ---- OpenAI-compatible chat completions -------------------------------------------------------------
class OpenAIMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: str
    content: str | list[dict[str, Any]] | None = None


class ChatCompletionIn(BaseModel):
    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{
        "model": "sales-copilot", "stream": False,
        "messages": [{"role": "user", "content": "Who is the champion at Acme?"}]}]})
    model: str = "sales-copilot"
    messages: list[OpenAIMessage] = Field(min_length=1)
    stream: bool = False
    user: str | None = None


class CitationsOut(BaseModel):
    citations: list[Citation]
