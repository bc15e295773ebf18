"""Chat users and CRM users: a Slack user id maps to a CRM user through ``users.slack_id`` (set with
``copilot slack map``) or, failing that, through the email address Slack reports for them. Nothing from
message text is ever used. And who may read a reply: ``covers`` says whether one scope sees all of another.

The SQL behind the facade's ``slack_*`` operations (``copilot.ops.chat``); the Slack API calls (profile
emails, channel members) stay in the Slack adapter.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from copilot.core.domain import Principal
from copilot.core.errors import UserError
from copilot.core.visibility import Scope
from knowledge.crm.models import User
from knowledge.crm.people import to_principal
from knowledge.crm.store import CrmStore


@dataclass(frozen=True)
class ChatContact:
    """How to reach a CRM user in chat: their mapped Slack id, else their email to look them up by."""

    user_id: str
    slack_id: str | None
    email: str | None


def covers(viewer: Scope, asker: Scope) -> bool:
    """May everyone with ``viewer``'s scope see everything ``asker``'s scope can?"""
    if viewer.all_records:
        return True
    if asker.all_records:
        return False
    if asker.aggregates_only or viewer.aggregates_only:
        return asker.aggregates_only and viewer.aggregates_only
    return asker.owner_ids <= viewer.owner_ids and asker.team_ids <= viewer.team_ids


def by_slack_id(crm: CrmStore, slack_id: str) -> tuple[bool, Principal | None]:
    """(whether a user holds this Slack id, their principal when they are active)."""
    with crm.session() as s:
        user = s.scalars(select(User).where(User.slack_id == slack_id)).first()
        if user is None:
            return False, None
        return True, to_principal(user) if user.active else None


def by_email(crm: CrmStore, email: str) -> Principal | None:
    """The active user with this email (case-insensitive), or None."""
    with crm.session() as s:
        user = s.scalars(select(User).where(func.lower(User.email) == email.strip().lower())).first()
        return to_principal(user) if user is not None and user.active else None


def contact(crm: CrmStore, user_id: str) -> ChatContact | None:
    with crm.session() as s:
        user = s.get(User, user_id)
        return ChatContact(user.id, user.slack_id or None, user.email) if user is not None else None


def check_slack_id(slack_id: str) -> str:
    slack_id = (slack_id or "").strip()
    if not slack_id or not slack_id[0].isalpha() or " " in slack_id:
        raise UserError(f"{slack_id!r} is not a Slack user id",
                        hint="copy it from the person's Slack profile (More > Copy member ID), e.g. U012AB3CD")
    return slack_id


def link(crm: CrmStore, slack_id: str, user_id: str) -> None:
    """Bind ``slack_id`` to the user, moving it off anyone who had it."""
    with crm.session() as s:
        for other in s.scalars(select(User).where(User.slack_id == slack_id, User.id != user_id)):
            other.slack_id = None
        s.flush()
        row = s.get(User, user_id)
        assert row is not None
        row.slack_id = slack_id
