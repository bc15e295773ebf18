"""Resolve who is asking (a user id, email or full name) into a Principal and its Scope."""

from __future__ import annotations

from rapidfuzz import fuzz, process
from sqlalchemy import func, or_, select

from copilot.core.domain import Principal, Role
from copilot.core.errors import NotFound, UserError
from copilot.core.visibility import Scope, scope_for
from knowledge.crm.models import User
from knowledge.crm.store import CrmStore


def to_principal(user: User) -> Principal:
    return Principal(user_id=user.id, name=user.name, email=user.email, role=Role(user.role), team_id=user.team_id)


def resolve_principal(store: CrmStore, who: str) -> Principal:
    """Exact id, email or name (case-insensitive); a near miss is reported with suggestions."""
    who = (who or "").strip()
    if not who:
        raise UserError("no user given", hint="pass --as USER with a user id, email or full name ('copilot users' lists them)")
    with store.session() as s:
        user = s.get(User, who)
        if user is None:
            low = who.lower()
            user = s.scalars(
                select(User).where(or_(func.lower(User.email) == low, func.lower(User.name) == low))
            ).first()
        if user is not None:
            if not user.active:
                raise UserError(f"user {user.name} is deactivated")
            return to_principal(user)
        names = list(s.scalars(select(User.name)))
    near = [m[0] for m in process.extract(who, names, scorer=fuzz.WRatio, limit=3) if m[1] >= 70]
    hint = f"did you mean {', '.join(near)}?" if near else "run 'copilot users' to see who is who"
    raise NotFound(f"no user {who!r}", hint=hint)


def team_members(store: CrmStore, team_id: str | None) -> frozenset[str]:
    if not team_id:
        return frozenset()
    with store.session() as s:
        return frozenset(s.scalars(select(User.id).where(User.team_id == team_id)))


def reports_of(store: CrmStore, manager_id: str) -> frozenset[str]:
    """Everyone reporting to ``manager_id``, directly or through managers under them."""
    with store.session() as s:
        edges = list(s.execute(select(User.id, User.manager_id).where(User.manager_id.is_not(None))))
    below: dict[str, list[str]] = {}
    for uid, mgr in edges:
        if mgr:
            below.setdefault(mgr, []).append(uid)
    seen: set[str] = set()
    todo = list(below.get(manager_id, []))
    while todo:
        uid = todo.pop()
        if uid not in seen and uid != manager_id:
            seen.add(uid)
            todo += below.get(uid, [])
    return frozenset(seen)


def scope_of(store: CrmStore, principal: Principal) -> Scope:
    """The principal's visibility scope: managers see their reporting tree (their team if none is recorded)."""
    if principal.role is not Role.MANAGER:
        return scope_for(principal)
    return scope_for(principal, team_members(store, principal.team_id), reports_of(store, principal.user_id))


def ensure_admin(store: CrmStore, name: str) -> str:
    """The ``admin`` user (full access) for the person running the copilot; created once."""
    with store.session() as s:
        if s.get(User, "admin") is None:
            s.add(User(id="admin", name=name, email=None, role="admin", source="init"))
    return "admin"
