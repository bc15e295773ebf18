"""What the listeners share: the copilot (the facade), who is who in Slack, and the replies.

Listeners parse payloads and call these methods after ``ack()``; every failure ends here as a short
message to the person plus a logged error, never silence.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from copilot.app import Copilot
from copilot.core.domain import ActionRef, Answer, Principal, Role
from copilot.core.errors import CopilotError
from integrations.slack import blocks as bk
from integrations.slack.identity import Identity

log = logging.getLogger("copilot.slack")
MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
# Reads action cards on behalf of the Slack adapter to deliver them to their owners (server side only).
DELIVERY = Principal(user_id="slack-delivery", name="Slack delivery", role=Role.ADMIN)


@dataclass
class Where:
    """Where a reply goes: a channel, the thread in it, and the person it answers."""

    channel: str
    user: str
    thread_ts: str | None = None
    channel_type: str | None = None

    @property
    def is_dm(self) -> bool:
        return self.channel_type == "im" or self.channel.startswith("D")


def clean_text(text: str) -> str:
    return MENTION.sub("", text or "").strip()


def restricted(answer: Answer) -> bool:
    """Does the answer carry anything beyond the shared case library? (No citations: assume it does.)"""
    return not answer.citations or any(c.kind != "document" for c in answer.citations)


class SlackRuntime:
    def __init__(self, copilot: Copilot, *, bot_token: str | None) -> None:
        self.cp = copilot
        self.bot_token = bot_token
        self.identity = Identity(copilot)

    # -- plain replies -------------------------------------------------------------------------
    def say(self, client: Any, where: Where, text: str, *, private: bool | None = None,
            blocks: list[dict[str, Any]] | None = None) -> str | None:
        """Post in the thread (DMs) or ephemerally to the person (channels, unless ``private=False``)."""
        private = (not where.is_dm) if private is None else private
        blocks = blocks or bk.text_blocks(text)
        try:
            if not where.channel:  # e.g. a button in App Home: answer in the DM
                where = Where(channel=client.conversations_open(users=where.user)["channel"]["id"], user=where.user,
                              channel_type="im")
                private = False
            if private:
                client.chat_postEphemeral(channel=where.channel, user=where.user, thread_ts=where.thread_ts,
                                          text=text[:1000], blocks=blocks)
                return None
            resp = client.chat_postMessage(channel=where.channel, thread_ts=where.thread_ts, text=text[:1000],
                                           blocks=blocks)
            return resp.get("ts")
        except Exception:  # noqa: BLE001 - nothing more we can tell the person if Slack refuses
            log.exception("could not post to %s", where.channel)
            return None

    def fail(self, client: Any, where: Where, exc: BaseException) -> None:
        """A short message for the person; the full error goes to the log with a reference."""
        if isinstance(exc, CopilotError):
            log.info("user-facing error for %s: %s", where.user, exc)
            self.say(client, where, bk.error_text(str(exc)))
            return
        ref = uuid.uuid4().hex[:8]
        log.error("slack handler failed (ref %s)", ref, exc_info=exc)
        self.say(client, where, bk.error_text(f"Something went wrong on my side (ref {ref}); it was logged. "
                                              "Try again in a minute."))

    def principal_or_explain(self, client: Any, where: Where) -> Principal | None:
        principal = self.identity.principal(where.user, client)
        if principal is None:
            self.say(client, where, bk.unmapped_text(where.user))
        return principal

    # -- answers -------------------------------------------------------------------------------
    def answer(self, client: Any, where: Where, text: str, *, bot_user: str | None) -> None:
        """Ask the copilot and post the answer where everyone who reads it may see what it cites."""
        try:
            principal = self.principal_or_explain(client, where)
            if principal is None:
                return
            question = clean_text(text)
            if not question:
                self.say(client, where, bk.HELP, private=False if where.is_dm else None)
                return
            thread = where.thread_ts or "main"
            answer = self.cp.ask(principal, question, thread_id=f"slack:{where.channel}:{thread}")
            private = False
            if not where.is_dm and restricted(answer):
                private = not self.identity.everyone_may_see(client, where.channel, principal,
                                                             skip={bot_user} if bot_user else set())
            answer_id = self.cp.chat_record_answer(
                principal, question, answer, slack_user=where.user, channel=where.channel, thread_ts=where.thread_ts,
                visibility="ephemeral" if private else "thread")
            ts = self.say(client, where, bk.answer_fallback(answer), private=private,
                          blocks=bk.answer_blocks(answer, answer_id))
            self.cp.chat_set_posted(answer_id, message_ts=ts, visibility="ephemeral" if private else "thread")
            self.deliver_cards(client, answer.actions, asker=where)
        except Exception as exc:  # noqa: BLE001 - every failure gets a reply
            self.fail(client, where, exc)

    # -- approval cards ------------------------------------------------------------------------
    def deliver_cards(self, client: Any, refs: Iterable[ActionRef | dict[str, Any]], *, asker: Where | None = None,
                      again: bool = False) -> int:
        """DM each proposed action to its owner as a card (once per action unless ``again``)."""
        sent = 0
        for ref in refs:
            action_id = ref["id"] if isinstance(ref, dict) else ref.id
            try:
                action = self.cp.actions_show(DELIVERY, action_id)
                if action.state.value != "proposed" or (not again and not self.cp.chat_claim(f"card:{action.id}")):
                    continue
                owner_slack = self.identity.slack_id_of(action.owner_id, client)
                if owner_slack is None:
                    log.warning("action %s: owner %s has no Slack mapping", action.id, action.owner_id)
                    if asker is not None:
                        self.say(client, asker, f"Action `{action.id}` waits for {action.owner_id}, who is not "
                                                "mapped to Slack; it is pending in `copilot actions list`.")
                    continue
                channel = client.conversations_open(users=owner_slack)["channel"]["id"]
                client.chat_postMessage(channel=channel, text=bk.card_fallback(action), blocks=bk.approval_card(action))
                sent += 1
            except Exception as exc:  # noqa: BLE001 - one bad card must not stop the others
                log.error("could not deliver the card of action %s", action_id, exc_info=exc)
        return sent
