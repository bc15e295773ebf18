"""propose_activity: log a call, meeting, email or note that already happened, written to the CRM after approval."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import select

from copilot.core.errors import NotFound
from knowledge.crm.models import Contact
from tools._crm import find_account, find_deal
from tools._propose import Proposed, propose
from tools.context import ToolContext


class ProposeActivityArgs(BaseModel):
    kind: Literal["call", "meeting", "email", "note"] = Field(description="what happened")
    subject: str = Field(min_length=1, max_length=300, description="one line, e.g. 'Call with Pembrook Studios'")
    body: str = Field(default="", max_length=4000, description="the notes, in the user's words")
    account: str = Field(description="the account it was with (name or id)")
    deal: str | None = Field(default=None, description="related deal (name or id)")
    contact: str | None = Field(default=None, description="the contact it was with (name), at that account")
    occurred_on: date | None = Field(default=None, description="YYYY-MM-DD; today when not given")


def propose_activity(ctx: ToolContext, args: ProposeActivityArgs) -> Proposed:
    """Propose logging a call, meeting, email or note with an account you may see (it already happened). It is
    written to the account's activity history only after the user approves it."""
    account = find_account(ctx, args.account)
    payload: dict[str, object] = {"kind": args.kind, "subject": args.subject, "body": args.body,
                                  "occurred_on": (args.occurred_on or ctx.today).isoformat(), "account_id": account.id}
    deal_id: str | None = None
    if args.deal:
        deal = find_deal(ctx, args.deal)
        if deal.account_id != account.id:
            raise NotFound(f"the deal {deal.name!r} is not with {account.name}", hint="name a deal of that account")
        payload["deal_id"] = deal_id = deal.id
    if args.contact:
        with ctx.crm.session() as s:
            contact = s.scalar(select(Contact).where(Contact.account_id == account.id,
                                                     Contact.name.ilike(args.contact.strip())))
        if contact is None:
            raise NotFound(f"no contact named {args.contact!r} at {account.name}", hint="check the name")
        payload["contact_id"] = contact.id
    return propose(ctx, "log_activity", payload, tool="propose_activity",
                   rationale=f"log {args.kind}: {args.subject}", deal_id=deal_id, account_id=account.id)
