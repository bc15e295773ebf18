"""Scope on every write: each record an action's payload names must be visible to the people behind it.

Checked when a tool proposes (the owner), when a person approves or edits (the decider and the owner),
and again just before execution (the owner and the decider, on the stored payload), so editing your own
pending action to name another team's deal, or changing the payload in the database, reaches nothing.
A record outside scope is reported like a missing one, so a refusal never confirms that it exists.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from copilot.core.domain import Principal
from copilot.core.errors import PermissionDenied
from knowledge.crm.models import Account, Call, Deal, User
from knowledge.crm.people import scope_of, to_principal
from knowledge.crm.store import CrmStore

REFS: dict[str, Any] = {"deal_id": Deal, "account_id": Account, "call_id": Call}


def referenced(payload: dict[str, Any], *extra: tuple[str, str | None]) -> list[tuple[str, str]]:
    """(field, id) for every record id the payload (or the action's own columns) names."""
    refs = [(k, str(v)) for k, v in payload.items() if k in REFS and v]
    refs += [(k, v) for k, v in extra if v and (k, v) not in refs]
    return refs


def principal_of(crm: CrmStore, user_id: str | None) -> Principal | None:
    if not user_id:
        return None
    with crm.session() as s:
        user = s.get(User, user_id)
        return to_principal(user) if user is not None else None


def require_visible(crm: CrmStore, refs: Iterable[tuple[str, str]], people: Iterable[Principal | None]) -> None:
    """Raise PermissionDenied unless every referenced record is within every person's scope."""
    persons = [p for p in people if p is not None]
    refs = list(refs)
    if not refs or not persons:
        return
    scopes = [scope_of(crm, p) for p in persons]
    with crm.session() as s:
        for field, rid in refs:
            row = s.get(REFS[field], rid)
            what = field.removesuffix("_id")
            for scope in scopes:
                if row is None or not scope.allows(row.owner_id, row.team_id) or scope.aggregates_only:
                    raise PermissionDenied(f"the action names {what} {rid!r}, which {scope.principal.name} "
                                           "cannot see or does not exist",
                                           hint=f"name a {what} you can see")
