"""propose_task: a follow-up task for the user, created in the CRM after approval."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from tools._crm import find_account, find_deal
from tools._propose import Proposed, propose
from tools.context import ToolContext


class ProposeTaskArgs(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    due_on: date = Field(description="due date, YYYY-MM-DD")
    deal: str | None = Field(default=None, description="related deal (name or id)")
    account: str | None = Field(default=None, description="related account (name or id)")
    notes: str | None = None


def propose_task(ctx: ToolContext, args: ProposeTaskArgs) -> Proposed:
    """Propose a task (a reminder with a due date, optionally tied to a deal or account you may see).
    It is created in the CRM only after the user approves it."""
    payload: dict[str, object] = {"title": args.title, "due_on": args.due_on.isoformat()}
    deal_id: str | None = None
    account_id: str | None = None
    if args.deal:
        d = find_deal(ctx, args.deal)
        payload["deal_id"] = deal_id = d.id
        if d.account_id:
            payload["account_id"] = account_id = d.account_id
    elif args.account:
        payload["account_id"] = account_id = find_account(ctx, args.account).id
    if args.notes:
        payload["notes"] = args.notes
    return propose(ctx, "create_task", payload, tool="propose_task", rationale=f"task: {args.title}",
                   deal_id=deal_id, account_id=account_id)
