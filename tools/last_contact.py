"""last_contact: when the asker's side last talked to a person at a customer, and how (email, meeting, call)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field
from rapidfuzz import fuzz, process
from sqlalchemy import String, cast, func, or_, select

from copilot.core.domain import Citation
from copilot.core.errors import NotFound
from knowledge.crm.models import Account, Activity, Call, Contact
from knowledge.crm.scoping import apply_scope
from tools._crm import user_names
from tools.context import ToolContext, ToolResult, newest_of

TALKING = ("email", "meeting", "call")  # tasks and notes are our own records, not a conversation with them


class LastContactArgs(BaseModel):
    person: str = Field(description="the customer contact's name (full or first name) or email")
    limit: int = Field(default=3, ge=1, le=20, description="how many of the latest touches to return")


class Touch(BaseModel):
    at: datetime
    kind: str
    subject: str
    who: str | None = None
    record: str


class LastContact(ToolResult):
    contact: str
    account: str
    touches: list[Touch] = Field(default_factory=list)

    def render(self, first: int = 1) -> str:
        if not self.touches:
            return f"No recorded activity with {self.contact} ({self.account})."
        return f"Latest activity with {self.contact} ({self.account}), newest first:\n" + "\n".join(
            f"{self.ref(i, first)} {t.at:%Y-%m-%d} {t.kind}: {t.subject}" + (f" ({t.who})" if t.who else "")
            for i, t in enumerate(self.touches))


def contact_exists(ctx: ToolContext, ref: str) -> bool:
    """Does ``ref`` name a contact the asker may see (``find_contact`` finds one)?"""
    try:
        find_contact(ctx, ref)
    except NotFound:
        return False
    return True


def find_contact(ctx: ToolContext, ref: str) -> tuple[Contact, Account]:
    """The visible contact a name or email refers to: exact, then first name alone, then a close spelling."""
    with ctx.crm.session() as s:
        rows = list(s.execute(apply_scope(select(Contact, Account).join(Account, Contact.account_id == Account.id),
                                          ctx.scope, Account)))
    want = ref.strip().lower()
    exact = [(c, a) for c, a in rows if want in ((c.name or "").lower(), (c.email or "").lower())]
    first = [(c, a) for c, a in rows if (c.name or "").lower().split()[:1] == [want]]
    hits = exact or (first if len(first) == 1 else [])
    if not hits and len(want) >= 4:
        names = {i: (c.name or "").lower() for i, (c, _) in enumerate(rows)}
        best = process.extractOne(want, names, scorer=fuzz.WRatio, score_cutoff=90)
        hits = [rows[best[2]]] if best else []
    if not hits:
        more = " (more than one contact has that first name; give the full name)" if len(first) > 1 else ""
        raise NotFound(f"no contact named {ref!r} among the accounts you can see{more}",
                       hint="use the contact's full name or email")
    return hits[0]


def _attended(call: Call, contact: Contact) -> bool:
    """A recorded call the contact was on: named among its attendees or speakers."""
    name = (contact.name or "").lower()
    people = " ".join(str(a) for a in (call.attendees or []))
    speakers = " ".join(str(seg.get("speaker", "")) for seg in (call.transcript or [])[:50] if isinstance(seg, dict))
    return bool(name) and name in f"{people} {speakers}".lower()


def last_contact(ctx: ToolContext, args: LastContactArgs) -> LastContact:
    """When we last talked to a customer contact, and how: the latest emails, meetings and calls with them
    you may see, newest first. Use it for 'when did I last talk to <person>' or 'last touch with <person>'."""
    contact, account = find_contact(ctx, args.person)
    names = user_names(ctx)
    with ctx.crm.session() as s:
        with_them = Activity.contact_id == contact.id
        if contact.email:  # a meeting they attended is logged against one contact, their address among the attendees
            with_them = or_(with_them, (Activity.account_id == account.id)
                            & func.lower(cast(Activity.attendees, String)).contains(contact.email.lower()))
        q = apply_scope(select(Activity).where(with_them, Activity.kind.in_(TALKING)), ctx.scope, Activity)
        acts = list(s.scalars(q.order_by(Activity.occurred_at.desc()).limit(args.limit)))
        calls = [c for c in s.scalars(apply_scope(select(Call).where(Call.account_id == account.id), ctx.scope, Call)
                                      .order_by(Call.occurred_at.desc()).limit(20)) if _attended(c, contact)]
    touches = [Touch(at=a.occurred_at, kind=a.kind, subject=a.subject or a.kind, who=names.get(a.owner_id or ""),
                     record=f"activity:{a.id}") for a in acts]
    touches += [Touch(at=c.occurred_at, kind="recorded call", subject=c.title, who=names.get(c.owner_id or ""),
                      record=f"call:{c.id}") for c in calls]
    touches = sorted(touches, key=lambda t: t.at, reverse=True)[: args.limit]
    return LastContact(
        contact=contact.name, account=account.name, touches=touches,
        citations=[Citation(source_id=f"crm:{t.record}", title=f"{account.name}: {t.subject}", kind="crm",
                            record=t.record, snippet=f"{t.at:%Y-%m-%d} {t.kind}: {t.subject}"[:160]) for t in touches],
        newest=newest_of(*[t.at for t in touches]))
