"""Render CRM records as compact, factual text documents for retrieval.

One ``SourceDoc`` per account summary, deal (with its stage history), email thread (messages grouped by
``thread_id``), meeting, note and call summary. Each carries owner, team and account so the store can
enforce visibility, and the contact ids it is about so erasure of a person finds it.

A CRM record never becomes shared content: when no owner or team can be found (not even through its
deal or account) it is put in team ``unassigned``, which only admins see.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from knowledge.crm.models import Account, Activity, Call, Contact, Deal, Product, ProductUsage, User
from knowledge.crm.store import CrmStore
from knowledge.documents import SourceDoc
from knowledge.loaders import Section

UNASSIGNED_TEAM = "unassigned"
RECENT_ACTIVITIES = 6


def _d(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return value.date().isoformat() if isinstance(value, datetime) else value.isoformat()


def _iso(*values: date | datetime | None) -> str:
    stamps = [v if isinstance(v, datetime) else datetime(v.year, v.month, v.day) for v in values if v is not None]
    return max(stamps).isoformat(timespec="seconds") if stamps else ""


def _money(amount: float | None, currency: str = "USD") -> str:
    if amount is None:
        return "no amount"
    return f"${amount:,.0f}" if currency == "USD" else f"{amount:,.0f} {currency}"


def _clip(text: str | None, words: int = 220) -> str:
    parts = (text or "").split()
    return " ".join(parts[:words]) + (" ..." if len(parts) > words else "")


class _Ctx:
    """Everything loaded once, so rendering is a few bulk queries instead of one per record."""

    def __init__(self, store: CrmStore) -> None:
        with store.session() as s:
            self.users = {u.id: u for u in s.scalars(select(User))}
            self.accounts = {a.id: a for a in s.scalars(select(Account))}
            self.contacts = {c.id: c for c in s.scalars(select(Contact))}
            self.products = {p.id: p for p in s.scalars(select(Product))}
            self.deals = {d.id: d for d in s.scalars(select(Deal).options(selectinload(Deal.history)))}
            self.activities = list(s.scalars(select(Activity).order_by(Activity.occurred_at)))
            self.calls = list(s.scalars(select(Call).order_by(Call.occurred_at)))
            usage = list(s.scalars(select(ProductUsage).order_by(ProductUsage.month)))
        self.latest_usage = {u.account_id: u for u in usage}
        self.contacts_by_account: dict[str, list[Contact]] = defaultdict(list)
        self.contact_by_email: dict[str, Contact] = {}
        for c in self.contacts.values():
            self.contacts_by_account[c.account_id].append(c)
            if c.email:
                self.contact_by_email[c.email.lower()] = c
        self.deals_by_account: dict[str, list[Deal]] = defaultdict(list)
        for d in self.deals.values():
            if d.account_id:
                self.deals_by_account[d.account_id].append(d)
        self.acts_by_account: dict[str, list[Activity]] = defaultdict(list)
        for a in self.activities:
            if a.account_id:
                self.acts_by_account[a.account_id].append(a)
        self.calls_by_account: dict[str, list[Call]] = defaultdict(list)
        for call in self.calls:
            if call.account_id:
                self.calls_by_account[call.account_id].append(call)

    def name(self, user_id: str | None) -> str:
        user = self.users.get(user_id or "")
        return user.name if user else (user_id or "unassigned")

    def ownership(self, owner: str | None, team: str | None, deal_id: str | None = None,
                  account_id: str | None = None) -> tuple[str, str]:
        deal = self.deals.get(deal_id or "")
        account = self.accounts.get(account_id or "") or (self.accounts.get(deal.account_id or "") if deal else None)
        owner = owner or (deal.owner_id if deal else None) or (account.owner_id if account else None)
        team = team or (deal.team_id if deal else None) or (account.team_id if account else None)
        if not team and owner and owner in self.users:
            team = self.users[owner].team_id
        return owner or "", team or UNASSIGNED_TEAM

    def contacts_in(self, acts_contact_ids: list[str | None], attendees: list[Any] | None) -> list[Contact]:
        found: dict[str, Contact] = {}
        for cid in acts_contact_ids:
            if cid and cid in self.contacts:
                found[cid] = self.contacts[cid]
        for att in attendees or []:
            key = (att.get("email") or att.get("name") or "") if isinstance(att, dict) else str(att)
            contact = self.contact_by_email.get(key.lower())
            if contact is None:
                contact = next((c for c in self.contacts.values() if c.name.lower() == key.lower()), None)
            if contact is not None:
                found[contact.id] = contact
        return list(found.values())


def _doc(ctx: _Ctx, *, source: str, title: str, kind: str, text: str, owner: str, team: str, account_id: str | None,
         updated: str, record: str, field: str, contacts: list[Contact]) -> SourceDoc:
    account = ctx.accounts.get(account_id or "")
    return SourceDoc(source=source, title=title, sections=[Section([], text)], type=kind, account=account_id or "",
                     owner=owner, team=team, updated_at=updated,
                     extra={"record": record, "field": field, "account_name": account.name if account else ""},
                     contacts=[c.id for c in contacts], contact_names=[c.name for c in contacts])


def _deal_line(d: Deal) -> str:
    parts = [f"{d.name}: stage {d.stage}", _money(d.amount, d.currency)]
    if d.close_date:
        parts.append(f"{'closed' if d.is_closed else 'close date'} {_d(d.close_date)}")
    if d.next_step and not d.is_closed:
        parts.append(f"next step: {d.next_step}" + (f" ({_d(d.next_step_date)})" if d.next_step_date else ""))
    return ", ".join(parts)


def _account_doc(ctx: _Ctx, a: Account) -> SourceDoc:
    owner, team = ctx.ownership(a.owner_id, a.team_id, account_id=a.id)
    contacts = ctx.contacts_by_account.get(a.id, [])
    deals = sorted(ctx.deals_by_account.get(a.id, []), key=lambda d: (d.is_closed, str(d.close_date or "")))
    acts = ctx.acts_by_account.get(a.id, [])
    calls = ctx.calls_by_account.get(a.id, [])
    facts = [f"Account {a.name} ({'customer' if a.is_customer else 'prospect'})"]
    facts += [f"{label}: {value}" for label, value in (("sector", a.sector), ("region", a.region),
              ("employees", a.employees), ("tier", a.tier), ("domain", a.domain)) if value]
    lines = ["; ".join(str(f) for f in facts) + f". Owner: {ctx.name(owner)}."]
    if a.description:
        lines.append(_clip(a.description, 80))
    if contacts:
        lines.append("Contacts: " + "; ".join(
            c.name + (f" ({', '.join(x for x in (c.title, (c.buying_role or '').replace('_', ' ')) if x)})"
                      if c.title or c.buying_role else "") for c in contacts) + ".")
    open_deals = [d for d in deals if not d.is_closed]
    if open_deals:
        lines.append("Open deals: " + "; ".join(_deal_line(d) for d in open_deals) + ".")
    closed = [d for d in deals if d.is_closed][-3:]
    if closed:
        lines.append("Closed deals: " + "; ".join(_deal_line(d) for d in closed) + ".")
    recent = [x for x in acts if x.kind != "task"][-RECENT_ACTIVITIES:]
    if recent:
        lines.append("Latest activity: " + "; ".join(
            f"{_d(x.occurred_at)} {x.kind} {x.subject or ''}".strip() for x in reversed(recent)) + ".")
    tasks = [x for x in acts if x.kind == "task" and (x.status or "open") != "done"]
    if tasks:
        lines.append("Open tasks: " + "; ".join(f"{x.subject} (due {_d(x.due_on)})" for x in tasks[-5:]) + ".")
    if calls:
        lines.append("Latest call: " + f"{_d(calls[-1].occurred_at)} {calls[-1].title}.")
    usage = ctx.latest_usage.get(a.id)
    if usage:
        lines.append(f"Usage {_d(usage.month)}: {usage.active_users} active users of {usage.seats} seats, "
                     f"{usage.support_tickets} support tickets, health {usage.health_score or 'n/a'}.")
    updated = _iso(a.updated_at, *(x.occurred_at for x in recent[-1:]), *(d.updated_at for d in deals))
    return _doc(ctx, source=f"crm:account:{a.id}", title=f"{a.name} account summary", kind="account",
                text="\n".join(lines), owner=owner, team=team, account_id=a.id, updated=updated,
                record=f"account:{a.id}", field="summary", contacts=contacts)


def _deal_doc(ctx: _Ctx, d: Deal) -> SourceDoc:
    owner, team = ctx.ownership(d.owner_id, d.team_id, deal_id=d.id)
    account = ctx.accounts.get(d.account_id or "")
    product = ctx.products.get(d.product_id or "")
    lines = [f"Deal {d.name} ({d.deal_type}) with {account.name if account else 'no account'}, "
             f"owner {ctx.name(owner)}. Stage: {d.stage}. Amount: {_money(d.amount, d.currency)}."]
    extra = [(label, value) for label, value in (
        ("product", product.name if product else None), ("created", _d(d.created_on)),
        ("close date", _d(d.close_date)), ("forecast category", d.forecast_category),
        ("competitor", d.competitor), ("next step", d.next_step), ("next step date", _d(d.next_step_date)),
        ("loss reason", d.loss_reason)) if value]
    if extra:
        lines.append("; ".join(f"{k}: {v}" for k, v in extra) + ".")
    if d.history:
        lines.append("History: " + "; ".join(
            f"{_d(h.changed_on)} {h.from_stage or 'new'} -> {h.to_stage}"
            + (f" ({_money(h.amount)})" if h.amount is not None else "")
            + (f" close {_d(h.close_date)}" if h.close_date else "") for h in d.history) + ".")
    updated = _iso(d.updated_at, *(h.changed_on for h in d.history[-1:]))
    return _doc(ctx, source=f"crm:deal:{d.id}", title=f"Deal {d.name}", kind="deal", text="\n".join(lines),
                owner=owner, team=team, account_id=d.account_id, updated=updated, record=f"deal:{d.id}",
                field="history", contacts=[])


def _where(ctx: _Ctx, x: Activity) -> str:
    account = ctx.accounts.get(x.account_id or "")
    deal = ctx.deals.get(x.deal_id or "")
    return ", ".join(p for p in (account.name if account else "", f"deal {deal.name}" if deal else "") if p)


def _thread_doc(ctx: _Ctx, thread_id: str, msgs: list[Activity]) -> SourceDoc:
    first, last = msgs[0], msgs[-1]
    owner, team = ctx.ownership(first.owner_id, first.team_id, deal_id=first.deal_id, account_id=first.account_id)
    contacts = ctx.contacts_in([m.contact_id for m in msgs], [a for m in msgs for a in (m.attendees or [])])
    subject = next((m.subject for m in msgs if m.subject), "(no subject)")
    lines = [f"Email thread '{subject}' ({_where(ctx, first)}), {len(msgs)} message(s), "
             f"{_d(first.occurred_at)} to {_d(last.occurred_at)}."]
    for m in msgs:
        who = ctx.contacts[m.contact_id].name if m.contact_id in ctx.contacts else "contact"
        arrow = f"from {who} to {ctx.name(m.owner_id or owner)}" if m.direction == "inbound" \
            else f"from {ctx.name(m.owner_id or owner)} to {who}"
        lines.append(f"{_d(m.occurred_at)} {arrow}: {_clip(m.body)}")
    record = f"deal:{first.deal_id}" if first.deal_id else f"account:{first.account_id}"
    return _doc(ctx, source=f"crm:email_thread:{thread_id}", title=f"Email: {subject}", kind="email_thread",
                text="\n".join(lines), owner=owner, team=team, account_id=first.account_id,
                updated=_iso(last.occurred_at), record=record, field=f"email_thread:{thread_id}", contacts=contacts)


def _activity_doc(ctx: _Ctx, x: Activity) -> SourceDoc:
    owner, team = ctx.ownership(x.owner_id, x.team_id, deal_id=x.deal_id, account_id=x.account_id)
    contacts = ctx.contacts_in([x.contact_id], x.attendees)
    label = "Meeting" if x.kind == "meeting" else "Note"
    attendees = ", ".join(c.name for c in contacts)
    head = f"{label} '{x.subject or x.kind}' on {_d(x.occurred_at)} ({_where(ctx, x)}), by {ctx.name(owner)}"
    head += f", with {attendees}." if attendees else "."
    record = f"deal:{x.deal_id}" if x.deal_id else f"account:{x.account_id}"
    return _doc(ctx, source=f"crm:{x.kind}:{x.id}", title=f"{label}: {x.subject or _d(x.occurred_at)}", kind=x.kind,
                text=head + "\n" + (x.body or "").strip(), owner=owner, team=team, account_id=x.account_id,
                updated=_iso(x.occurred_at), record=record, field=f"{x.kind}:{x.id}", contacts=contacts)


def _summary_text(summary: dict[str, Any]) -> list[str]:
    lines = []
    for key, value in summary.items():
        if value in (None, "", [], {}):
            continue
        if isinstance(value, list):
            value = "; ".join(str(v.get("text") or v.get("name") or v) if isinstance(v, dict) else str(v)
                              for v in value)
        elif isinstance(value, dict):
            value = "; ".join(f"{k}: {v}" for k, v in value.items())
        lines.append(f"{key.replace('_', ' ').capitalize()}: {value}")
    return lines


def _call_doc(ctx: _Ctx, c: Call) -> SourceDoc:
    owner, team = ctx.ownership(c.owner_id, c.team_id, deal_id=c.deal_id, account_id=c.account_id)
    contacts = ctx.contacts_in([], c.attendees)
    account = ctx.accounts.get(c.account_id or "")
    lines = [f"Call '{c.title}' on {_d(c.occurred_at)} with {account.name if account else 'unknown account'}"
             + (f" ({', '.join(x.name for x in contacts)})" if contacts else "") + f", rep {ctx.name(owner)}."]
    if c.summary:
        lines += _summary_text(c.summary)
    elif c.transcript:
        lines.append("Transcript: " + _clip(" ".join(f"{s.get('speaker', '')}: {s.get('text', '')}"
                                                     for s in c.transcript if isinstance(s, dict)), 600))
    return _doc(ctx, source=f"crm:call:{c.id}", title=f"Call: {c.title}", kind="call", text="\n".join(lines),
                owner=owner, team=team, account_id=c.account_id, updated=_iso(c.occurred_at),
                record=f"call:{c.id}", field="summary", contacts=contacts)


def render_crm(store: CrmStore) -> Iterator[SourceDoc]:
    """Every CRM record worth retrieving, as text documents with ownership metadata."""
    ctx = _Ctx(store)
    for a in ctx.accounts.values():
        yield _account_doc(ctx, a)
    for d in ctx.deals.values():
        yield _deal_doc(ctx, d)
    threads: dict[str, list[Activity]] = defaultdict(list)
    for x in ctx.activities:
        if x.kind == "email":
            threads[x.thread_id or x.id].append(x)
        elif x.kind in ("meeting", "note") and (x.body or x.subject):
            yield _activity_doc(ctx, x)
    for thread_id, msgs in threads.items():
        yield _thread_doc(ctx, thread_id, msgs)
    for c in ctx.calls:
        yield _call_doc(ctx, c)
