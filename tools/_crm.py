"""Scoped CRM look-ups shared by the CRM tools: resolve an account or deal a person named, within scope.

A record outside the asker's scope is reported exactly like one that does not exist, so a refusal never
leaks that it exists.
"""

from __future__ import annotations

from rapidfuzz import fuzz, process
from sqlalchemy import select

from copilot.core.errors import NotFound
from knowledge.crm.models import Account, Deal, User
from knowledge.crm.scoping import apply_scope, require_records
from tools.context import ToolContext


def visible_accounts(ctx: ToolContext) -> list[tuple[str, str]]:
    """(id, name) of every account the principal may see."""
    require_records(ctx.scope, "account records")
    with ctx.crm.session() as s:
        return [(a, n) for a, n in s.execute(apply_scope(select(Account.id, Account.name), ctx.scope, Account))]


def find_account(ctx: ToolContext, ref: str) -> Account:
    """An account by id or (fuzzy) name, within scope."""
    require_records(ctx.scope, "account records")
    ref = (ref or "").strip()
    with ctx.crm.session() as s:
        acc = s.scalar(apply_scope(select(Account).where(Account.id == ref), ctx.scope, Account))
        if acc is not None:
            return acc
    choices = visible_accounts(ctx)
    names = {name: aid for aid, name in choices}
    match = process.extractOne(ref, list(names), scorer=fuzz.WRatio, score_cutoff=80)
    if match is None:
        raise NotFound(f"no account matching {ref!r} among the accounts you can see",
                       hint="check the spelling, or ask your manager if the account belongs to another team")
    with ctx.crm.session() as s:
        acc = s.get(Account, names[match[0]])
        assert acc is not None
        return acc


def find_deal(ctx: ToolContext, ref: str) -> Deal:
    """A deal by id or (fuzzy) name, within scope."""
    require_records(ctx.scope, "deal records")
    ref = (ref or "").strip()
    with ctx.crm.session() as s:
        deal = s.scalar(apply_scope(select(Deal).where(Deal.id == ref), ctx.scope, Deal))
        if deal is not None:
            return deal
        rows = list(s.execute(apply_scope(select(Deal.id, Deal.name), ctx.scope, Deal)))
    names = {name: did for did, name in rows}
    match = process.extractOne(ref, list(names), scorer=fuzz.WRatio, score_cutoff=80)
    if match is None:
        raise NotFound(f"no deal matching {ref!r} among the deals you can see",
                       hint="use the deal id (e.g. from 'list my open deals') or the deal's name")
    with ctx.crm.session() as s:
        deal = s.get(Deal, names[match[0]])
        assert deal is not None
        return deal


def user_names(ctx: ToolContext) -> dict[str, str]:
    with ctx.crm.session() as s:
        return {uid: name for uid, name in s.execute(select(User.id, User.name))}


def find_user_id(ctx: ToolContext, ref: str) -> str | None:
    """A user id from an id, email or fuzzy name; 'me' is the principal."""
    ref = (ref or "").strip()
    if ref.lower() in ("me", "my", "mine", "myself", ctx.principal.user_id.lower()):
        return ctx.principal.user_id
    with ctx.crm.session() as s:
        rows = list(s.execute(select(User.id, User.name, User.email)))
    for uid, name, email in rows:
        if ref.lower() in (uid.lower(), (email or "").lower(), name.lower()):
            return uid
    match = process.extractOne(ref, {uid: name for uid, name, _ in rows}, scorer=fuzz.WRatio, score_cutoff=85)
    return match[2] if match else None
