"""Who is who, without SQL: add people, change their role, team, manager or Slack id, deactivate them.

Roles and reporting lines decide what everyone may see (``knowledge.crm.people.scope_of``), so every change
is validated: a known role, an existing manager who is not the person or one of their reports (no loops),
unique email and Slack id. A team named for the first time is created. Only admins call these; the
adapters check that before calling.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import func, or_, select

from copilot.core.errors import NotFound, UserError
from knowledge.crm.models import Team, User
from knowledge.crm.people import reports_of
from knowledge.crm.store import CrmStore

ROLES = ("rep", "manager", "exec", "admin")


class UserChange(BaseModel):
    """Fields to set; None leaves a field as it is ('' clears team, manager or Slack id)."""

    name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=200)
    role: str | None = None
    team: str | None = Field(default=None, description="team id or name; created if new; '' for none")
    manager: str | None = Field(default=None, description="manager's id, email or name; '' for none")
    slack_id: str | None = Field(default=None, max_length=64)
    title: str | None = Field(default=None, max_length=200)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "user"


def _find(s: Any, ref: str) -> User | None:
    low = ref.strip().lower()
    return s.get(User, ref.strip()) or s.scalars(select(User).where(
        or_(func.lower(User.email) == low, func.lower(User.name) == low))).first()


def _team(s: Any, ref: str) -> str | None:
    if not ref.strip():
        return None
    team = s.get(Team, ref.strip()) or s.scalars(select(Team).where(func.lower(Team.name) == ref.strip().lower())).first()
    if team is None:
        team = Team(id=f"team:{_slug(ref)}", name=ref.strip(), source="manual")
        s.add(team)
        s.flush()
    return team.id


def _apply(s: Any, crm: CrmStore, user: User, change: UserChange) -> None:
    if change.role is not None:
        if change.role not in ROLES:
            raise UserError(f"unknown role {change.role!r}", hint=f"use one of: {', '.join(ROLES)}")
        user.role = change.role
    if change.name is not None:
        if not change.name.strip():
            raise UserError("a name cannot be empty")
        user.name = change.name.strip()
    if change.email is not None:
        email = change.email.strip().lower() or None
        if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
            raise UserError(f"{change.email!r} is not an email address")
        other = s.scalars(select(User).where(func.lower(User.email) == email, User.id != user.id)).first() if email else None
        if other is not None:
            raise UserError(f"{email} already belongs to {other.name}", hint="emails are unique")
        user.email = email
    if change.slack_id is not None:
        sid = change.slack_id.strip() or None
        other = s.scalars(select(User).where(User.slack_id == sid, User.id != user.id)).first() if sid else None
        if other is not None:
            raise UserError(f"Slack id {sid} already belongs to {other.name}", hint="Slack ids are unique")
        user.slack_id = sid
    if change.team is not None:
        user.team_id = _team(s, change.team)
    if change.title is not None:
        user.title = change.title.strip() or None
    if change.manager is not None:
        if not change.manager.strip():
            user.manager_id = None
        else:
            mgr = _find(s, change.manager)
            if mgr is None:
                raise NotFound(f"no user {change.manager!r} to be the manager", hint="'copilot users' lists them")
            if mgr.id == user.id or mgr.id in reports_of(crm, user.id):
                raise UserError(f"{mgr.name} reports to {user.name}; a reporting line cannot loop")
            if mgr.role not in ("manager", "exec", "admin"):
                raise UserError(f"{mgr.name} is a {mgr.role}, not a manager",
                                hint=f"make them a manager first: copilot users set {mgr.id} --role manager")
            user.manager_id = mgr.id


def add_user(crm: CrmStore, name: str, change: UserChange) -> dict[str, Any]:
    if not name.strip():
        raise UserError("a name is required")
    change = change.model_copy(update={"name": name, "role": change.role or "rep"})
    with crm.session() as s:
        base = f"u-{_slug(name)}"
        uid, n = base, 1
        while s.get(User, uid) is not None:
            n += 1
            uid = f"{base}-{n}"
        user = User(id=uid, name=name.strip(), role="rep", source="manual", active=True)
        s.add(user)
        s.flush()
        _apply(s, crm, user, change)
        return describe(s, user)


def set_user(crm: CrmStore, ref: str, change: UserChange) -> dict[str, Any]:
    with crm.session() as s:
        user = _find(s, ref)
        if user is None:
            raise NotFound(f"no user {ref!r}", hint="'copilot users' lists them")
        _apply(s, crm, user, change)
        return describe(s, user)


def deactivate_user(crm: CrmStore, ref: str) -> dict[str, Any]:
    """Deactivated people can no longer act (CLI, API keys, Slack); their records stay for their team."""
    with crm.session() as s:
        user = _find(s, ref)
        if user is None:
            raise NotFound(f"no user {ref!r}", hint="'copilot users' lists them")
        if user.role == "admin" and s.scalar(select(func.count()).select_from(User).where(
                User.role == "admin", User.active.is_(True), User.id != user.id)) == 0:
            raise UserError("this is the last active admin", hint="make someone else an admin first")
        user.active = False
        return describe(s, user)


def describe(s: Any, user: User) -> dict[str, Any]:
    team = s.get(Team, user.team_id) if user.team_id else None
    mgr = s.get(User, user.manager_id) if user.manager_id else None
    return {"id": user.id, "name": user.name, "email": user.email, "role": user.role, "team_id": user.team_id,
            "team": team.name if team else None, "manager_id": user.manager_id, "manager": mgr.name if mgr else None,
            "slack_id": user.slack_id, "title": user.title, "active": user.active}


def list_users(crm: CrmStore) -> list[dict[str, Any]]:
    with crm.session() as s:
        return [describe(s, u) for u in s.scalars(select(User).order_by(User.role, User.team_id, User.name))]
