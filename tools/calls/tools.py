"""Call tools for the agent: the summary of a recorded call and a follow-up drafted from it.

``draft_followup`` proposes (never sends) the email and CRM updates: they wait in the action ledger.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, model_validator
from sqlalchemy import select

from copilot.core.domain import ActionRef, Citation
from copilot.core.errors import NotFound, ProviderError
from knowledge.crm.models import Call
from knowledge.crm.scoping import apply_scope, require_records
from tools._crm import find_account
from tools.context import ToolContext, ToolResult

if TYPE_CHECKING:
    from tools.calls.service import CallService


def _calls(ctx: ToolContext) -> CallService:
    if ctx.capabilities is None:
        raise ProviderError("call analysis is not available in this deployment")
    return ctx.capabilities.calls


def _latest_call_id(ctx: ToolContext, call_id: str | None, account: str | None) -> str:
    require_records(ctx.scope, "calls")
    stmt = apply_scope(select(Call.id), ctx.scope, Call)
    if call_id:
        stmt = stmt.where(Call.id == call_id)
    elif account:
        stmt = stmt.where(Call.account_id == find_account(ctx, account).id)
    with ctx.crm.session() as s:
        found = s.scalar(stmt.order_by(Call.occurred_at.desc()).limit(1))
    if found is None:
        what = f"call {call_id!r}" if call_id else f"recorded call with {account}" if account else "recorded call"
        raise NotFound(f"no {what} that you can see",
                       hint="summarize a recording first with 'copilot call summarize AUDIO --deal ID'")
    return found


class SummarizeCallArgs(BaseModel):
    call_id: str | None = Field(default=None, description="a stored call's id")
    account: str | None = Field(default=None, description="the account: its latest recorded call")
    transcript: str | None = Field(default=None, description="a transcript to summarize ('Rep:'/'Customer:' lines)")

    @model_validator(mode="after")
    def _one(self) -> SummarizeCallArgs:
        if not (self.call_id or self.account or self.transcript):
            raise ValueError("give a call_id, an account or a transcript")
        return self


class CallSummaryResult(ToolResult):
    call_id: str
    markdown: str

    def render(self, first: int = 1) -> str:
        refs = " ".join(self.ref(i, first) for i in range(min(len(self.citations), 12)))
        return f"Summary of call {self.call_id} (segments cited {refs}):\n{self.markdown}"


def summarize_call(ctx: ToolContext, args: SummarizeCallArgs) -> CallSummaryResult:
    """The structured summary of a sales call: context, pains, objections and handling, competitors,
    BANT, questions, next steps with owner and date, risks; every item cites the transcript timestamps.
    Pass a stored call id, an account (its latest call) or a pasted transcript."""
    from tools.calls.summarize import CallSummary
    from tools.calls.transcribe import Transcript

    svc = _calls(ctx)
    if args.transcript and not (args.call_id or args.account):
        cid, summary, _ = svc.summarize_call(Transcript.from_text(args.transcript), store=False, title="pasted call")
    else:
        cid = _latest_call_id(ctx, args.call_id, args.account)
        with ctx.crm.session() as s:
            row = s.get(Call, cid)
            assert row is not None
            if not row.summary:
                raise NotFound(f"call {cid} has no summary yet")
            summary = CallSummary.model_validate(row.summary)
    cites: list[Citation] = []
    for items in summary.sections.values():
        for it in items or []:
            cites.extend(c for c in it.citations if c not in cites)
    return CallSummaryResult(call_id=cid, markdown=summary.to_markdown(), citations=cites)


class DraftFollowupArgs(BaseModel):
    call_id: str | None = Field(default=None, description="the call to follow up on")
    account: str | None = Field(default=None, description="or the account (its latest recorded call)")


class FollowupDraft(ToolResult):
    call_id: str
    email: dict[str, Any]

    def render(self, first: int = 1) -> str:
        acts = "; ".join(f"{a.id} {a.kind}: {a.summary}" for a in self.actions)
        return (f"Drafted follow-up for call {self.call_id} to {', '.join(self.email.get('to') or [])}: "
                f"subject {self.email.get('subject')!r}.\n{self.email.get('body', '')}\n"
                f"Proposed for approval (nothing sent or changed yet): {acts or 'none'}")


def draft_followup(ctx: ToolContext, args: DraftFollowupArgs) -> FollowupDraft:
    """Draft the follow-up email for a recorded call (recap of agreed next steps, answers with case-library
    material, a proposed meeting) and propose it with the CRM updates (call summary, next step, tasks).
    Everything waits for the user's approval."""
    cid = _latest_call_id(ctx, args.call_id, args.account)
    out = _calls(ctx).draft_followup(cid, scope=ctx.scope, owner_id=ctx.principal.user_id)
    refs = [ActionRef.model_validate(a) for a in out.get("actions", [])]
    return FollowupDraft(call_id=cid, email=out.get("email", {}), actions=refs,
                         citations=[Citation(source_id=f"call:{cid}", title=f"call {cid}", kind="call")])
