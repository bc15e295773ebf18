"""Offline answers built from the CRM tools: account status, contacts/champion, deal lists, one deal."""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from tools._crm import visible_accounts
from tools.account_timeline import AccountTimelineArgs, account_timeline
from tools.compose import Composer, best_sentences
from tools.context import ToolContext
from tools.entities import Entities
from tools.last_contact import LastContactArgs, contact_exists, last_contact
from tools.list_deals import DealStatus, ListDealsArgs, list_deals
from tools.lookup_account import AccountCard, LookupAccountArgs, lookup_account
from tools.lookup_deal import LookupDealArgs, lookup_deal
from tools.search_knowledge import SearchKnowledgeArgs, search_knowledge


def _money(x: float | None) -> str:
    return f"${x:,.0f}" if x is not None else "no amount"


def _card(ctx: ToolContext, c: Composer, ent: Entities) -> tuple[AccountCard, str]:
    assert ent.account_id
    card = lookup_account(ctx, LookupAccountArgs(account=ent.account_id))
    c.used("lookup_account", card)
    return card, c.cite(card.citations[0])


def account_status(ctx: ToolContext, c: Composer, ent: Entities, question: str) -> float:
    card, ref = _card(ctx, c, ent)
    kind = "customer" if card.is_customer else "prospect"
    c.add(f"**{card.name}**: {card.sector or 'unknown sector'}, {kind}, owned by {card.owner or 'nobody'}"
          f"{' (' + card.team + ')' if card.team else ''} {ref}")
    if card.open_deals:
        for d in card.open_deals:
            c.add(f"- Open deal **{d.name}**: {d.stage}, {_money(d.amount)}, closing {d.close_date or 'no date'}; "
                  f"next step: {d.next_step or 'none recorded'} {ref}")
    else:
        c.add(f"- No open deals; {card.closed_deals} closed, {_money(card.won_revenue)} won in total {ref}")
    champ = card.champion
    if champ:
        c.add(f"- Champion: {champ.name}, {champ.title or 'no title'} {ref}")
    if card.health is not None:
        trend = f", {card.health_trend:+.0f} over three months" if card.health_trend is not None else ""
        c.add(f"- Customer health {card.health:.0f}/100{trend} {ref}")
    tl = account_timeline(ctx, AccountTimelineArgs(account=card.id, limit=5))
    c.used("account_timeline", tl)
    if tl.events:
        c.add("")
        c.add("Latest activity:")
        for e, cit in zip(tl.events, tl.citations, strict=True):
            detail = f": {best_sentences(e.detail, question, n=1, max_chars=160)}" if e.detail else ""
            c.add(f"- {e.at:%Y-%m-%d} {e.kind} - {e.title}{detail} {c.cite(cit)}")
    return 0.8


def contacts(ctx: ToolContext, c: Composer, ent: Entities, question: str) -> float:
    card, ref = _card(ctx, c, ent)
    low = question.lower()
    wanted = "economic_buyer" if "economic" in low or "decision" in low else "champion"
    label = wanted.replace("_", " ")
    hits = [p for p in card.contacts if p.buying_role == wanted]
    if hits:
        names = "; ".join(f"**{p.name}**, {p.title or 'no title'}" + (f" ({p.email})" if p.email else "") for p in hits)
        c.add(f"The {label} at {card.name}: {names} {ref}")
        conf = 0.85
    else:
        c.add(f"No contact at {card.name} is marked as {label} in the CRM {ref}")
        conf = 0.55
    others = [p for p in card.contacts if p not in hits]
    if others:
        c.add("")
        c.add("Other contacts:")
        for p in others:
            c.add(f"- {p.name}, {p.title or 'no title'}" + (f" ({p.buying_role.replace('_', ' ')})" if p.buying_role else "")
                  + f" {ref}")
    return conf


def deal_list(ctx: ToolContext, c: Composer, ent: Entities, question: str) -> float:
    low = question.lower()
    status: DealStatus = "won" if " won" in f" {low}" else "lost" if " lost" in f" {low}" else "open"
    owner = None
    if ent.people:
        owner = ent.people[0][0]
    elif ent.mine or ctx.principal.role.value == "rep":
        owner = "me"
    args = ListDealsArgs(owner=owner, status=status, stage=ent.stage, min_amount=ent.min_amount,
                         max_amount=ent.max_amount, account=ent.account_id,
                         close_from=ent.window[0] if ent.window else None,
                         close_to=ent.window[1] if ent.window else None, limit=15)
    res = list_deals(ctx, args)
    c.used("list_deals", res)
    scope = "your" if owner == "me" else (f"{ent.people[0][1]}'s" if ent.people else "your team's")
    window = f" closing {ent.window[2]}" if ent.window else ""
    if not res.deals:
        c.add(f"No {status} deals{window} in {scope} pipeline ({res.description}).")
        return 0.7
    c.add(f"{res.total} {status} deal(s){window} in {scope} pipeline, {_money(res.total_amount)} in total:")
    for d, cit in zip(res.deals, res.citations, strict=True):
        who = f", {d.owner}" if owner != "me" else ""
        c.add(f"- **{d.name}**: {d.stage}, {_money(d.amount)}, closes {d.close_date or 'no date'}{who}; "
              f"next step: {d.next_step or 'none'} {c.cite(cit)}")
    if res.total > len(res.deals):
        c.add(f"- ... and {res.total - len(res.deals)} more")
    return 0.85


def one_deal(ctx: ToolContext, c: Composer, ent: Entities, question: str) -> float:
    ref = ent.deal_ref
    if ref is None and ent.account_id:
        open_deals = list_deals(ctx, ListDealsArgs(account=ent.account_id, status="open", limit=5))
        if len(open_deals.deals) == 1:
            ref = open_deals.deals[0].id
        else:
            return account_status(ctx, c, ent, question)
    if ref is None:
        c.add("Which deal do you mean? Name the account or the deal (for example 'the Acme deal').")
        return 0.2
    card = lookup_deal(ctx, LookupDealArgs(deal=ref))
    c.used("lookup_deal", card)
    r = c.cite(card.citations[0])
    c.add(f"**{card.name}** ({card.account or 'no account'}), owner {card.owner or '?'} {r}")
    c.add(f"- Stage {card.stage}, {_money(card.amount)}, close date {card.close_date or 'none'}, "
          f"forecast category {card.forecast_category or '-'} {r}")
    c.add(f"- Next step: {card.next_step or 'none recorded'}" + (f" by {card.next_step_date}" if card.next_step_date else "") + f" {r}")
    if card.competitor:
        c.add(f"- Competitor in play: {card.competitor} {r}")
    if card.close_date_pushes:
        c.add(f"- Close date pushed {card.close_date_pushes} time(s) {r}")
    if card.loss_reason:
        c.add(f"- Loss reason: {card.loss_reason} {r}")
    for line in card.recent[:3]:
        c.add(f"- {line} {r}")
    return 0.85


def account_notes(ctx: ToolContext, c: Composer, ent: Entities, question: str) -> None:
    """Add the most relevant CRM notes about the account (emails, meetings, calls) as quotes."""
    if ctx.knowledge is None or not ent.account_id:
        return
    res = search_knowledge(ctx, SearchKnowledgeArgs(query=question, account=ent.account_id, k=3))
    c.used("search_knowledge", res)
    quotes = [(p, cit) for p, cit in zip(res.passages, res.citations, strict=True) if cit.kind != "document"]
    if quotes:
        c.add("")
        c.add("From the notes:")
        for p, cit in quotes[:2]:
            c.add(f"> {best_sentences(p.text, question, n=2, max_chars=300)} {c.cite(cit)}")




LAST_TALK = re.compile(
    r"\b(?:when (?:did|have|was) (?:i|we|you|the team|my team)?\s*(?:last )?|last time (?:i|we) )"
    r"(?:talk(?:ed)?|speak|spoke(?:n)?|meet|met|email(?:ed)?|call(?:ed)?|hear(?:d)?|connect(?:ed)?|touch(?:ed)?|"
    r"touch base|contact(?:ed)?|reach(?:ed)? out)\s*(?:base\s+)?(?:to|with|from)?\s+"
    r"(?P<who>[A-Za-z][\w.'@-]*(?:\s+[A-Z][\w'-]*)?)", re.I)


def last_talk_person(question: str) -> str | None:
    """'when did I last talk to Dana' -> 'Dana' (None when the question is not about the last touch)."""
    m = LAST_TALK.search(question)
    if not m or re.search(r"\b(summar\w*|recap|follow[- ]?up|transcript)\b", question, re.I):
        return None
    who = m.group("who").strip(" ?.!,")
    return None if who.lower() in ("the", "them", "him", "her", "us", "a", "an", "my", "our") else who


ACCOUNT_SPELLING = 88  # rapidfuzz ratio at which 'nortwind energy' is Northwind Energy (one or two letters off)


def names_an_account(ctx: ToolContext, who: str) -> bool:
    """'when did I last talk to Acme': an account (its first word or whole name, or a close misspelling of
    either that names no contact), so the CRM's last-touch query answers, not the contact look-up."""
    low = who.lower()
    forms = [[name.lower(), *(" ".join(name.lower().split()[:n]) for n in (1, 2))] for _id, name in visible_accounts(ctx)]
    if any(low in f for f in forms):
        return True
    if len(low) < 5 or not any(fuzz.ratio(low, x) >= ACCOUNT_SPELLING for f in forms for x in f if len(x) >= 5):
        return False
    return not contact_exists(ctx, who)


def last_contact_answer(ctx: ToolContext, c: Composer, ent: Entities, question: str) -> float:
    person = last_talk_person(question) or ""
    res = last_contact(ctx, LastContactArgs(person=person))
    c.used("last_contact", res)
    if not res.touches:
        c.add(f"I found no recorded email, meeting, call or note with {res.contact} ({res.account}) that you can see.")
        return 0.6
    first = res.touches[0]
    days = (ctx.today - first.at.date()).days
    ago = "today" if days == 0 else f"{days} day{'s' if days != 1 else ''} ago"
    article = "an" if first.kind[:1] in "aeiou" else "a"
    c.add(f"Your last recorded touch with **{res.contact}** ({res.account}) was {article} {first.kind} on "
          f"{first.at:%Y-%m-%d} ({ago}): {first.subject}" + (f", by {first.who}" if first.who else "")
          + f" {c.cite(res.citations[0])}")
    for t, cit in zip(res.touches[1:], res.citations[1:], strict=True):
        c.add(f"- before that: {t.kind} on {t.at:%Y-%m-%d}: {t.subject} {c.cite(cit)}")
    return 0.85
