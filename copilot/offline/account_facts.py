"""Facts about a customer company the CRM keeps on its account: headcount, sector, annual revenue, where it is,
when it was founded, its parent. 'how many employees does Isdom have', 'what industry is Acme in'.

These are the company's own public facts (firmographics), not our records about it, so a rep may read them
for any account they may name: their own, and those they hold deals on (``nameable_accounts``). Execs, who
see aggregates only, are refused like any record look-up.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from copilot.core.domain import Citation
from knowledge.crm.models import Account
from knowledge.crm.scoping import nameable_accounts, require_records
from tools.compose import Composer
from tools.context import ToolContext
from tools.entities import Entities, match_account

FACTS: dict[str, re.Pattern[str]] = {
    "employees": re.compile(r"\b(employees?|staff|headcount|head count|employee count|workforce)\b", re.I),
    "sector": re.compile(r"\b(sector|industry|vertical)\b", re.I),
    "revenue": re.compile(r"\b(annual revenue|company revenue|their revenue|turnover|how big is|company size)\b", re.I),
    "region": re.compile(r"\b(where is|where are|based|located|headquarter\w*|hq|office location|which country|region)\b",
                         re.I),
    "year_established": re.compile(r"\b(founded|established|how old|year established|incorporated)\b", re.I),
    "parent": re.compile(r"\b(parent (?:company|account|org\w*)|subsidiar\w+|roll(?:s)? up (?:to|under)|belongs? to which)\b",
                         re.I),
}
# The question must ask about the company, not our numbers with it ('how many deals does Isdom have').
_ABOUT_US = re.compile(r"\b(deals?|opps?|opportunit\w*|pipeline|pipe|won|win|lost|closed?|activit\w*|contacts?|"
                       r"champion|quota|forecast|accounts|companies|customers|clients|subsid\w*(?:ies|s))\b", re.I)
# (plural 'accounts', 'subsidiaries': a list or count over accounts, 'which accounts roll up under Acme')


def asked_fact(question: str) -> str | None:
    """The firmographic a question asks for, or None."""
    if _ABOUT_US.search(question):
        return None
    return next((name for name, pat in FACTS.items() if pat.search(question)), None)


def named_account(ctx: ToolContext, question: str) -> tuple[str, str] | None:
    if ctx.scope.aggregates_only:
        return None
    with ctx.crm.session() as s:
        return match_account(question, list(s.execute(nameable_accounts(ctx.scope)).tuples()))


def _value(acc: Account, fact: str) -> str:
    if fact == "employees":
        return f"{acc.employees:,} employees" if acc.employees is not None else "no headcount on record"
    if fact == "sector":
        return f"sector {acc.sector}" if acc.sector else "no sector on record"
    if fact == "revenue":
        return f"annual revenue ${acc.revenue:,.2f}M" if acc.revenue is not None else "no annual revenue on record"
    if fact == "region":
        return f"based in {acc.region}" if acc.region else "no location on record"
    if fact == "year_established":
        return f"established {acc.year_established}" if acc.year_established else "no founding year on record"
    return f"part of {acc.parent}" if acc.parent else "no parent company on record"


def answer(ctx: ToolContext, c: Composer, ent: Entities, question: str) -> float:
    """The fact asked for, in bold, then the account's other firmographics, cited to the account record."""
    require_records(ctx.scope, "account records")
    fact = asked_fact(question) or "sector"
    hit = named_account(ctx, question)
    if hit is None:
        c.add("Which account do you mean? Name it in your question, e.g. \"how many employees does <account> have?\"")
        return 0.2
    with ctx.crm.session() as s:
        acc = s.scalar(select(Account).where(Account.id == hit[0]))
    assert acc is not None
    cite = c.cite(Citation(source_id=f"crm:account:{acc.id}", title=acc.name, kind="crm", record=f"account:{acc.id}",
                           snippet=_value(acc, fact)))
    others = [_value(acc, f) for f in FACTS if f != fact and not _value(acc, f).startswith("no ")]
    c.add(f"**{acc.name}**: {_value(acc, fact)} {cite}")
    if others:
        c.add(f"Also on record: {'; '.join(others)}.")
    known = not _value(acc, fact).startswith("no ")
    return 0.9 if known else 0.5
