"""propose_email: draft an email to an account's contacts, queued for the user's approval."""

from __future__ import annotations

from pydantic import BaseModel, Field
from sqlalchemy import select

from copilot.core.domain import Citation
from copilot.core.errors import UserError
from knowledge.crm.models import Contact
from tools._crm import find_account, find_deal
from tools._propose import Proposed, propose
from tools.context import ToolContext


class ProposeEmailArgs(BaseModel):
    account: str = Field(description="the account the email is about (name or id)")
    to: list[str] = Field(description="recipients: contact names or email addresses at that account", min_length=1)
    subject: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, description="the full email text")
    cc: list[str] = Field(default_factory=list)
    deal: str | None = Field(default=None, description="related deal (name or id)")
    rationale: str = Field(default="", description="why this email, in one sentence")


def propose_email(ctx: ToolContext, args: ProposeEmailArgs) -> Proposed:
    """Propose sending an email (e.g. a follow-up) to contacts of an account you may see. Nothing is sent:
    the draft goes to the user for approval, editing or rejection."""
    acc = find_account(ctx, args.account)
    with ctx.crm.session() as s:
        contacts = list(s.scalars(select(Contact).where(Contact.account_id == acc.id)))

    def address(who: str) -> str:
        who = who.strip()
        if "@" in who:
            return who
        for c in contacts:
            if c.name.lower() == who.lower() and c.email:
                return c.email
        raise UserError(f"no contact named {who!r} with an email at {acc.name}",
                        hint="use an email address or the name of one of the account's contacts")

    deal_id = find_deal(ctx, args.deal).id if args.deal else None
    payload = {"to": [address(t) for t in args.to], "cc": [address(t) for t in args.cc],
               "subject": args.subject, "body": args.body}
    cite = Citation(source_id=f"crm:account:{acc.id}", title=acc.name, kind="crm", record=f"account:{acc.id}")
    return propose(ctx, "send_email", payload, tool="propose_email", citations=[cite],
                   rationale=args.rationale or f"email to {acc.name}", account_id=acc.id, deal_id=deal_id)
