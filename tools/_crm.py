"""Scoped CRM look-ups shared by the CRM tools: resolve an account or deal a person named, within scope.

A record outside the asker's scope is reported exactly like one that does not exist, so a refusal never
leaks that it exists.
"""

from __future__ import annotations

from typing import TypeVar

from rapidfuzz import fuzz, process
from sqlalchemy import select

from copilot.core.errors import NotFound
from knowledge.crm.models import Account, Deal, User
from knowledge.crm.scoping import apply_scope, require_records
from tools.context import ToolContext

M = TypeVar("M", Account, Deal)


def visible_accounts(ctx: ToolContext) -> list[tuple[str, str]]:
    """(id, name) of every account the principal may see."""
    require_records(ctx.scope, "account records")
    with ctx.crm.session() as s:
        return [(a, n) for a, n in s.execute(apply_scope(select(Account.id, Account.name), ctx.scope, Account))]


def _find(ctx: ToolContext, model: type[M], ref: str, *, what: str, hint: str) -> M:
    """A record of ``model`` by exact id, else by best fuzzy name among the rows in scope."""
    require_records(ctx.scope, f"{what} records")
    ref = (ref or "").strip()
    with ctx.crm.session() as s:
        row = s.scalar(apply_scope(select(model).where(model.id == ref), ctx.scope, model))  # type: ignore[attr-defined]
        if row is not None:
            return row
        ids_by_name = {name: rid for rid, name in s.execute(
            apply_scope(select(model.id, model.name), ctx.scope, model))}  # type: ignore[attr-defined]
        match = process.extractOne(ref, list(ids_by_name), scorer=fuzz.WRatio, score_cutoff=80)
        if match is None:
            raise NotFound(f"no {what} matching {ref!r} among the {what}s you can see", hint=hint)
        found = s.get(model, ids_by_name[match[0]])
        assert found is not None
        return found


def find_account(ctx: ToolContext, ref: str) -> Account:
    """An account by id or (fuzzy) name, within scope."""
    return _find(ctx, Account, ref, what="account",
                 hint="check the spelling, or ask your manager if the account belongs to another team")


def find_deal(ctx: ToolContext, ref: str) -> Deal:
    """A deal by id or (fuzzy) name, within scope."""
    return _find(ctx, Deal, ref, what="deal",
                 hint="use the deal id (e.g. from 'list my open deals') or the deal's name")


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
