"""Requests to act ("draft a note to Pat about the pilot", "remind me to send the SOC 2 report Friday",
"schedule a call with Pat next Tuesday at 2pm", "move the Acme deal to negotiation") become
proposals in the action ledger through the proposing tools. Nothing is executed here."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from copilot.core.errors import UserError
from copilot.offline.parse.dates import find_windows
from copilot.offline.parse.link import Linker
from knowledge.crm.models import Account, Contact, Deal
from knowledge.crm.scoping import apply_scope, require_records
from tools._propose import Proposed
from tools.compose import Composer
from tools.context import ToolContext
from tools.propose_activity import ProposeActivityArgs, propose_activity
from tools.propose_deal_update import ProposeDealUpdateArgs, propose_deal_update
from tools.propose_email import ProposeEmailArgs, propose_email
from tools.propose_task import ProposeTaskArgs, propose_task

_LEAD = r"^\s*(?:hey\s+|hi\s+)?(?:please\s+|pls\s+|can you\s+|could you\s+|would you\s+|i need you to\s+|go ahead and\s+)?"
EMAIL = re.compile(_LEAD + r"(draft|write|send|email|e-mail|compose|prepare|shoot|reply to|ping)\b", re.I)
MEETING = re.compile(_LEAD + r"(schedule|book|set up|setup|arrange|put)\b.*\b(meeting|call|sync|demo|time|catch[- ]?up)\b", re.I)
TASK = re.compile(_LEAD + r"(remind me(?! (?:who|what|when|where|how|which|why|of)\b)|create (?:a )?task|add (?:a )?task|"
                  r"make (?:a )?task|set (?:a )?reminder)\b", re.I)
UPDATE = re.compile(_LEAD + r"(update|move|set|change|push|mark|advance)\b.*\b(deal|opp|opportunity|stage|close date|"
                    r"next step|amount|forecast|commit|negotiation|proposal)\b", re.I)
LOG = re.compile(_LEAD + r"(log)\b", re.I)


def is_request(question: str) -> bool:
    return any(p.search(question) for p in (EMAIL, MEETING, TASK, UPDATE, LOG))


def _contacts(ctx: ToolContext) -> list[tuple[Contact, Account]]:
    require_records(ctx.scope, "contacts")
    with ctx.crm.session() as s:
        return list(s.execute(apply_scope(select(Contact, Account).join(Account, Contact.account_id == Account.id),
                                          ctx.scope, Account)).tuples())


_TO_RECIPIENT = {"her": "your", "his": "your", "their": "your", "hers": "yours", "theirs": "yours", "him": "you",
                 "them": "you", "she": "you", "he": "you", "they": "you"}


def _topic(question: str) -> str:
    """The subject, from the request's own words; the asker speaks of the recipient in the third person
    ("the agenda for her team"), the email speaks to them ("the agenda for your team")."""
    m = re.search(r"\b(?:about|regarding|re:|on|to (?:confirm|share|send|recap|follow up on|ask about))\s+(.+)$", question, re.I)
    text = (m.group(1) if m else question).strip(" ?.!")
    text = re.sub(r"\b(her|his|their|hers|theirs|him|them|she|he|they)\b",
                  lambda w: _TO_RECIPIENT[w.group(1).lower()], text, flags=re.I)
    return text[:1].upper() + text[1:] if text else "Following up"


def _when(question: str, today: date) -> date | None:
    spans = find_windows(question.lower(), today)
    return next((s.start or s.end for s in spans), None)


def _clock(question: str) -> time:
    m = re.search(r"\b(\d{1,2})(?::(\d{2}))?\s*(am|pm)\b|\bat (\d{1,2})(?::(\d{2}))\b", question, re.I)
    if not m:
        return time(10, 0)
    hour = int(m.group(1) or m.group(4))
    minute = int(m.group(2) or m.group(5) or 0)
    if (m.group(3) or "").lower() == "pm" and hour < 12:
        hour += 12
    return time(min(hour, 23), min(minute, 59))


def _report(ctx: ToolContext, c: Composer, res: Proposed, what: str) -> None:
    c.used(res.actions[0].kind, res)
    ctx.proposed.extend(res.actions)
    c.add(f"I drafted {what}; it is waiting for your approval (nothing is sent or changed until you approve).")
    for a in res.actions:
        c.add(f"- `{a.id}` {a.kind}: {a.summary}")
    for k, v in res.payload.items():
        if k not in ("body",):
            c.add(f"  - {k}: {v}")
    if "body" in res.payload:
        c.add("")
        c.add(str(res.payload["body"]))
    for cit in res.citations:
        c.cite(cit)


def handle(ctx: ToolContext, c: Composer, question: str) -> float:
    """Turn the request into one proposal; a request that names no one/nothing gets one clarifying question."""
    people = _contacts(ctx)
    linker = Linker({"contact": {ct.id: ct.name for ct, _ in people},
                     "account": {a.id: a.name for _, a in people}})
    links = linker.find(question)
    contact = next(((ct, a) for ct, a in people for x in links if x.kind == "contact" and x.id == ct.id), None)
    account = contact[1] if contact else next((a for _, a in people for x in links if x.kind == "account" and x.id == a.id), None)
    me = ctx.principal.name
    if LOG.search(question) and not (EMAIL.search(question) or TASK.search(question) or MEETING.search(question)):
        return _log(ctx, c, question, account, contact[0] if contact else None)
    if UPDATE.search(question) and not EMAIL.search(question) and not MEETING.search(question):
        return _update(ctx, c, question, account)
    if TASK.search(question):
        what = re.sub(_LEAD + r"(remind me|create (?:a )?task|add (?:a )?task|make (?:a )?task|set (?:a )?reminder)\s*(to|:)?\s*",
                      "", question, flags=re.I).strip(" ?.!") or "Follow up"
        due = _when(question, ctx.today) or ctx.today + timedelta(days=2)
        for span in find_windows(what.lower(), ctx.today):
            what = (what[: span.at[0]] + what[span.at[1]:]).strip(" ,.")
        res = propose_task(ctx, ProposeTaskArgs(title=what[:300], due_on=due, account=account.id if account else None))
        _report(ctx, c, res, f"a task due {due}" + ("" if _when(question, ctx.today) else " (no date given: two days from now)"))
        return 0.8
    if contact is None and account is None:
        c.add("Who should this go to? Name the contact or the account, e.g. \"draft a note to Pat Jones about "
              "the pilot\".")
        return 0.3
    if account is None:
        raise UserError("no account found for that contact")
    recipients = [contact[0]] if contact else [ct for ct, a in people if a.id == account.id and ct.email][:1]
    if not recipients or not recipients[0].email:
        c.add(f"I found no contact with an email address at {account.name}; add one in the CRM first.")
        return 0.3
    to = recipients[0]
    if MEETING.search(question):
        return _meeting(ctx, c, question, account, to)
    topic = _topic(question)
    with ctx.crm.session() as s:
        deal = s.scalar(select(Deal).where(Deal.account_id == account.id, Deal.stage.not_in(("closed_won", "closed_lost")))
                        .order_by(Deal.close_date))
    body = (f"Hi {to.name.split()[0]},\n\nFollowing up on {topic[:1].lower() + topic[1:]}."
            + (f" As agreed, the next step on our side: {deal.next_step}." if deal and deal.next_step else "")
            + f"\n\nLet me know if anything is missing.\n\nBest,\n{me}")
    res = propose_email(ctx, ProposeEmailArgs(account=account.id, to=[to.email or to.name], subject=topic[:200],
                                              body=body, deal=deal.id if deal else None,
                                              rationale=f"asked in chat: {question[:120]}"))
    _report(ctx, c, res, f"an email to {to.name} ({account.name})")
    return 0.75


_LOGGED = {"call": "call", "phone call": "call", "convo": "call", "conversation": "call", "chat": "call",
           "meeting": "meeting", "mtg": "meeting", "demo": "meeting", "email": "email", "note": "note"}


def _log(ctx: ToolContext, c: Composer, question: str, account: Account | None, contact: Contact | None) -> float:
    """'log a call with Pembrook: spoke w Carlos, legal ok with the MSA': a call, meeting, email or note that
    already happened, proposed for the account's history. The notes are the words after ':' (or 'that', '-')."""
    if account is None:
        c.add("Which account was it with? Name it, e.g. \"log a call with Acme: agreed on a pilot\".")
        return 0.3
    m = re.search(r"\blog(?:ged)?\s+(?:a|an|the|my|our)?\s*(phone call|call|convo|conversation|chat|meeting|mtg|demo|email|"
                  r"note)\b", question, re.I)
    kind = _LOGGED.get(m.group(1).lower(), "note") if m else "note"
    cut = re.search(r":|\s[-–—]\s|\b(?:that|about|re)\b", question)
    head, notes = (question[:cut.start()], question[cut.end():]) if cut else (question, "")
    day = _when(head.lower(), ctx.today) or ctx.today  # a date in the notes ('signature by dec 15') is not when it was
    day = min(day, ctx.today)
    subject = f"{kind.capitalize()} with {contact.name if contact else account.name}" + \
        (f" ({account.name})" if contact else "")
    res = propose_activity(ctx, ProposeActivityArgs(kind=kind, subject=subject, body=notes.strip(" .")[:4000],  # type: ignore[arg-type]
                                                    account=account.id, occurred_on=day,
                                                    contact=contact.name if contact else None))
    _report(ctx, c, res, f"a {kind} log for {account.name} on {day}")
    return 0.75


def _meeting(ctx: ToolContext, c: Composer, question: str, account: Account, to: Contact) -> float:
    day = _when(question, ctx.today) or ctx.today + timedelta(days=1)
    start = datetime.combine(day, _clock(question))
    about = re.search(r"\b(?:about|regarding|re:|to discuss)\s+(.+)$", question, re.I)
    title = (f"{account.name} / {ctx.principal.name}: " + (about.group(1).strip(" ?.!") if about else f"call with {to.name}"))[:300]
    if ctx.ledger is None:
        raise UserError("the action ledger is not available")
    res = ctx.ledger.propose("schedule_meeting", {"title": title, "start": start.isoformat(), "duration_minutes": 30,
                                                  "attendees": [to.email] if to.email else []},
                             owner_id=ctx.principal.user_id, rationale=f"asked in chat: {question[:120]}",
                             tool="offline_request", citations=[], confidence=0.7, account_id=account.id)
    ref = res.to_ref()
    ctx.proposed.append(ref)
    c.add(f"I drafted a 30-minute meeting with {to.name} on {start:%Y-%m-%d %H:%M}; it is waiting for your approval.")
    c.add(f"- `{ref.id}` {ref.kind}: {ref.summary}")
    return 0.75


def _update(ctx: ToolContext, c: Composer, question: str, account: Account | None) -> float:
    from copilot.offline.parse.lexicon import STAGES

    with ctx.crm.session() as s:
        stmt = apply_scope(select(Deal), ctx.scope, Deal).where(Deal.stage.not_in(("closed_won", "closed_lost")))
        deals = list(s.scalars(stmt.where(Deal.account_id == account.id) if account else stmt))
    hit = Linker({"deal": {d.id: d.name for d in deals}}).find(question)
    deal = next((d for d in deals for x in hit if x.id == d.id), None) or (deals[0] if account and len(deals) == 1 else None)
    if deal is None:
        c.add("Which deal should I update? Name the account or the deal, e.g. \"move the Acme deal to negotiation\".")
        return 0.3
    low = question.lower()
    fields: dict[str, object] = {}
    stage = next((v[0] for p, v in STAGES if len(v) == 1 and re.search(rf"\bto\s+(?:the\s+)?{p}", low)), None)
    if stage:
        fields["stage"] = stage
    m = re.search(r"next step(?: is| to| should be)?[:\s]+(.+)$", question, re.I)
    if m:
        fields["next_step"] = m.group(1).strip(" .")
    if re.search(r"close date|push|slip", low):
        day = _when(question, ctx.today)
        if day:
            fields["close_date"] = day
    m = re.search(r"amount (?:to )?\$?(\d[\d,.]*)\s*(k|m)?", low)
    if m:
        fields["amount"] = float(m.group(1).replace(",", "")) * {"k": 1e3, "m": 1e6}.get(m.group(2) or "", 1)
    cat = re.search(r"\b(commit|best case|pipeline|omitted)\b", low) if "forecast" in low or "commit" in low else None
    if cat:
        fields["forecast_category"] = cat.group(1).replace(" ", "_")
    if not fields:
        c.add(f"What should change on {deal.name}? Say the stage, close date, amount or next step.")
        return 0.3
    res = propose_deal_update(ctx, ProposeDealUpdateArgs(deal=deal.id, rationale=f"asked in chat: {question[:120]}",
                                                         **fields))  # type: ignore[arg-type]
    _report(ctx, c, res, f"an update to {deal.name}")
    return 0.75
