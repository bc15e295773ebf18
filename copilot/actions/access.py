"""Who may see and decide an action: its owner, the owner's manager (same team, or the owner's
``manager_id``) and admins. Execs see aggregates only (``stats``), never individual actions."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select, true

from copilot.actions.models import ActionRow
from copilot.core.domain import Principal, Role
from knowledge.crm import people
from knowledge.crm.models import User
from knowledge.crm.store import CrmStore


def reports_of(crm: CrmStore, principal: Principal) -> frozenset[str]:
    """User ids a manager answers for: their reporting tree, or their team where none is recorded (the same
    rule as record visibility, ``knowledge.crm.people.scope_of``)."""
    if principal.role is not Role.MANAGER:
        return frozenset()
    tree = people.reports_of(crm, principal.user_id)
    if tree:
        return tree
    with crm.session() as s:
        return frozenset(s.scalars(select(User.id).where(User.team_id == principal.team_id))) if principal.team_id \
            else frozenset()


def may_act(crm: CrmStore, principal: Principal, owner_id: str, team_id: str | None) -> bool:
    if principal.role is Role.ADMIN:
        return True
    if principal.role is Role.EXEC:
        return False
    if owner_id == principal.user_id:
        return True
    if principal.role is Role.MANAGER:
        return owner_id in reports_of(crm, principal)
    return False


def visible_filter(crm: CrmStore, principal: Principal) -> ColumnElement[bool]:
    """The WHERE clause ANDed onto every record-level ledger query."""
    if principal.role is Role.ADMIN:
        return true()
    if principal.role is Role.EXEC:
        return false()
    if principal.role is Role.MANAGER:
        return or_(ActionRow.owner_id == principal.user_id, ActionRow.owner_id.in_(reports_of(crm, principal)))
    return ActionRow.owner_id == principal.user_id
