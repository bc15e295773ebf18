"""Who is writing in Slack, and who else would read a reply.

A Slack user id maps to a CRM user through ``users.slack_id`` (set with ``copilot slack map``) or, failing
that, through the email address Slack reports for the user (``users.info``; cached for ``ttl`` seconds).
Nothing from the message text is ever used. An unmapped person gets no principal, hence no CRM data.
The CRM side of both questions is the facade's (``slack_principal``, ``slack_contact``, ``readers_cover``);
what Slack says (profile emails, channel members) is asked here.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from copilot.app import Copilot
from copilot.core.domain import Principal

log = logging.getLogger("copilot.slack")


class Identity:
    def __init__(self, cp: Copilot, *, ttl: float = 600.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.cp = cp
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
        return self.cp.slack_principal(slack_user, email=lambda: self._email(slack_user, client))

    def slack_id_of(self, user_id: str, client: Any) -> str | None:
        """The Slack id to DM a CRM user: the mapping column, else a lookup by their email."""
        contact = self.cp.slack_contact(user_id)
        if contact is None:
            return None
        if contact.slack_id:
            return contact.slack_id
        email = contact.email
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

    def everyone_may_see(self, client: Any, channel: str, asker: Principal, *, skip: set[str]) -> bool:
        """True when every member of ``channel`` (but ``skip``: the bot) is mapped and may see all ``asker`` may."""
        try:
            members = self.channel_members(client, channel)
        except Exception as exc:  # noqa: BLE001 - cannot list members: assume outsiders
            log.warning("conversations.members failed for %s: %s", channel, exc)
            return False
        readers = (self.principal(m, client) for m in members if m not in skip)
        return self.cp.readers_cover(asker, readers)
