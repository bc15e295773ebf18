"""Chat surfaces (Slack): who a chat user is, who may read a reply, and what the chat remembers (the
replay guard, answers as posted with the votes on them, threads bound to role-play sessions)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from copilot.core.domain import Answer, Principal
from copilot.ops.base import Operations

if TYPE_CHECKING:
    from copilot.chat_people import ChatContact
    from copilot.chat_state import ThreadBinding


class ChatOps(Operations):
    # -- who is who --------------------------------------------------------------------------------------
    def slack_principal(self, slack_id: str, *, email: Callable[[], str | None] | None = None) -> Principal | None:
        """The CRM principal of a Slack user, or None when they are not mapped (or deactivated). A user
        holding ``slack_id`` decides; only when nobody does is ``email()`` asked (it costs the adapter a
        Slack API call) and the active user with that email taken."""
        from copilot.chat_people import by_email, by_slack_id

        mapped, principal = by_slack_id(self.services.crm, slack_id)
        if mapped:
            return principal
        address = email() if email is not None else None
        return by_email(self.services.crm, address) if address else None

    def slack_contact(self, user_id: str) -> ChatContact | None:
        """How to reach a CRM user in Slack (their mapped id, or the email to look them up by)."""
        from copilot.chat_people import contact

        return contact(self.services.crm, user_id)

    def link_slack(self, principal: Principal, slack_id: str, who: str) -> Principal:
        """Bind a Slack user id to a CRM user (id, email or full name), moving it off anyone who had it."""
        from copilot.chat_people import check_slack_id, link

        self.require_admin(principal, "map Slack users")
        slack_id = check_slack_id(slack_id)
        user = self.principal(who)
        link(self.services.crm, slack_id, user.user_id)
        return user

    def readers_cover(self, asker: Principal, readers: Iterable[Principal | None]) -> bool:
        """True when every reader (None: someone unmapped) may see everything ``asker`` may, so a reply to
        the asker can go where they all read it. Stops at the first who may not (``readers`` may be lazy)."""
        from copilot.chat_people import covers

        asker_scope = self.scope(asker)
        return all(r is not None and covers(self.scope(r), asker_scope) for r in readers)

    # -- exactly one answer per delivery -----------------------------------------------------------------
    def chat_claim(self, key: str) -> bool:
        """True for the first delivery of ``key`` (an event id, a button press, a file), False for replays."""
        return self.services.chat.claim(key)

    # -- answers and votes -------------------------------------------------------------------------------
    def chat_record_answer(self, principal: Principal, question: str, answer: Answer, *, slack_user: str,
                           channel: str, thread_ts: str | None, visibility: str) -> str:
        """Log an answer as posted (``visibility``: thread, ephemeral or command); returns its id for votes."""
        return self.services.chat.record_answer(user_id=principal.user_id, slack_user=slack_user, channel=channel,
                                                thread_ts=thread_ts, question=question, answer=answer,
                                                visibility=visibility)

    def chat_set_posted(self, answer_id: str, *, message_ts: str | None, visibility: str) -> None:
        self.services.chat.set_posted(answer_id, message_ts=message_ts, visibility=visibility)

    def chat_vote(self, principal: Principal | None, answer_id: str, *, slack_user: str, helpful: bool) -> None:
        """Helpful or not (one vote per person per answer; voting again changes it). Unmapped people vote too."""
        self.services.chat.vote(answer_id, slack_user=slack_user, helpful=helpful,
                                user_id=principal.user_id if principal else None)

    def chat_answer(self, answer_id: str) -> dict[str, Any] | None:
        """The logged answer (question, answer JSON, where and how it was posted), or None."""
        return self.services.chat.answer(answer_id)

    def chat_votes(self, answer_id: str) -> dict[str, int]:
        return self.services.chat.votes(answer_id)

    # -- threads bound to sessions -----------------------------------------------------------------------
    def chat_bind_thread(self, key: str, *, kind: str, ref: str, chat_user: str) -> ThreadBinding:
        """Bind a thread (``<channel>:<thread_ts>``) to a session ``ref`` that ``chat_user`` started."""
        return self.services.chat.bind_thread(key, kind=kind, ref=ref, chat_user=chat_user)

    def chat_thread(self, key: str) -> ThreadBinding | None:
        return self.services.chat.thread(key)
