"""Who is writing in Slack, and who else would read a reply.

A Slack user id maps to a CRM user through ``users.slack_id`` (set with ``copilot slack map``) or, failing
that, through the email address Slack reports for the user (``users.info``; cached for ``ttl`` seconds).
Nothing from the message text is ever used. An unmapped person gets no principal, hence no CRM data.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from copilot.core.domain import Principal
from copilot.core.errors import UserError
from copilot.core.visibility import Scope
from knowledge.crm.models import User
from knowledge.crm.people import resolve_principal, to_principal
from knowledge.crm.store import CrmStore

log = logging.getLogger("copilot.slack")


def covers(viewer: Scope, asker: Scope) -> bool:
    """May everyone with ``viewer``'s scope see everything ``asker``'s scope can?"""
    if viewer.all_records:
        return True
    if asker.all_records:
        return False
    if asker.aggregates_only or viewer.aggregates_only:
        return asker.aggregates_only and viewer.aggregates_only
    return asker.owner_ids <= viewer.owner_ids and asker.team_ids <= viewer.team_ids


class Identity:
    def __init__(self, crm: CrmStore, scope_of: Callable[[Principal], Scope], *, ttl: float = 600.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.crm = crm
        self.scope_of = scope_of
        self.ttl = ttl
        self.clock = clock
        self._emails: dict[str, tuple[float, str | None]] = {}

    # -- Slack user -> principal ---------------------------------------------------------------
    def _email(self, slack_user: str, client: Any) -> str | None:
        hit = self._emails.get(slack_user)
        if hit and self.clock() - hit[0] < self.ttl:
            return hit[1]
        email = None
        try:
            user = client.users_info(user=slack_user).get("user") or {}
            if not user.get("is_bot") and not user.get("deleted"):
                email = ((user.get("profile") or {}).get("email") or "").strip().lower() or None
        except Exception as exc:  # noqa: BLE001 - Slack errors must not break the reply; treated as unmapped
            log.warning("users.info failed for %s: %s", slack_user, exc)
            return None
        self._emails[slack_user] = (self.clock(), email)
        return email

    def principal(self, slack_user: str, client: Any) -> Principal | None:
        """The CRM principal of a Slack user, or None when they are not mapped (or deactivated)."""
        with self.crm.session() as s:
            user = s.scalars(select(User).where(User.slack_id == slack_user)).first()
            if user is not None:
                return to_principal(user) if user.active else None
        email = self._email(slack_user, client)
        if not email:
            return None
        with self.crm.session() as s:
            user = s.scalars(select(User).where(func.lower(User.email) == email)).first()
            return to_principal(user) if user is not None and user.active else None

    def slack_id_of(self, user_id: str, client: Any) -> str | None:
        """The Slack id to DM a CRM user: the mapping column, else a lookup by their email."""
        with self.crm.session() as s:
            user = s.get(User, user_id)
            if user is None:
                return None
            if user.slack_id:
                return user.slack_id
            email = user.email
        for sid, (_, mail) in self._emails.items():
            if mail and email and mail == email.lower():
                return sid
        if not email:
            return None
        try:
            return (client.users_lookupByEmail(email=email).get("user") or {}).get("id")
        except Exception as exc:  # noqa: BLE001 - no Slack account for that email
            log.info("no Slack user for %s: %s", email, exc)
            return None

    def map(self, slack_id: str, who: str) -> Principal:
        """Bind a Slack user id to a CRM user (moving it off anyone who had it)."""
        slack_id = (slack_id or "").strip()
        if not slack_id or not slack_id[0].isalpha() or " " in slack_id:
            raise UserError(f"{slack_id!r} is not a Slack user id",
                            hint="copy it from the person's Slack profile (More > Copy member ID), e.g. U012AB3CD")
        principal = resolve_principal(self.crm, who)
        with self.crm.session() as s:
            for other in s.scalars(select(User).where(User.slack_id == slack_id, User.id != principal.user_id)):
                other.slack_id = None
            s.flush()
            row = s.get(User, principal.user_id)
            assert row is not None
            row.slack_id = slack_id
        self._emails.pop(slack_id, None)
        return principal

    # -- who would read a reply ----------------------------------------------------------------
    def channel_members(self, client: Any, channel: str) -> list[str]:
        members: list[str] = []
        cursor = None
        while True:
            resp = client.conversations_members(channel=channel, cursor=cursor, limit=200)
            members += resp.get("members") or []
            cursor = (resp.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return members

    def everyone_may_see(self, client: Any, channel: str, asker: Scope, *, skip: set[str]) -> bool:
        """True when every member of ``channel`` (but ``skip``: the bot) is mapped and covers ``asker``."""
        try:
            members = self.channel_members(client, channel)
        except Exception as exc:  # noqa: BLE001 - cannot list members: assume outsiders
            log.warning("conversations.members failed for %s: %s", channel, exc)
            return False
        for member in members:
            if member in skip:
                continue
            principal = self.principal(member, client)
            if principal is None or not covers(self.scope_of(principal), asker):
                return False
        return True
