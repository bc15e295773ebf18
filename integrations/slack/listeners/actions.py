"""Buttons: Approve / Edit / Reject on approval cards, and the feedback pair under answers.

A decision goes through the ledger, which checks who may decide and that the payload is the one shown
(the button value carries the action id and the payload hash). A refusal is an ephemeral message to
whoever pressed, and a logged warning; the card then shows the outcome and who decided (chat.update)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from copilot.core.errors import CopilotError, NotFound, PermissionDenied
from integrations.slack import blocks as bk
from integrations.slack.listeners.home import publish_home
from integrations.slack.modals import edit_modal
from integrations.slack.runtime import SlackRuntime, Where

log = logging.getLogger("copilot.slack")


def _where(body: dict[str, Any]) -> Where:
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id") or ""
    return Where(channel=channel, user=(body.get("user") or {}).get("id", ""),
                 thread_ts=container.get("thread_ts"), channel_type="im" if channel.startswith("D") else None)


def refuse(rt: SlackRuntime, client: Any, body: dict[str, Any], exc: CopilotError, action_id: str) -> None:
    where = _where(body)
    log.warning("slack user %s refused on action %s: %s", where.user, action_id, exc)
    rt.say(client, where, bk.error_text(str(exc)), private=True)


def show_outcome(rt: SlackRuntime, client: Any, body: dict[str, Any], action: Any, decided_by: str) -> None:
    container = body.get("container") or {}
    if container.get("type") == "message" and container.get("message_ts"):
        client.chat_update(channel=container["channel_id"], ts=container["message_ts"], text=bk.outcome_text(action, decided_by),
                           blocks=bk.approval_card(action, decided_by=decided_by))
    else:
        publish_home(rt, client, (body.get("user") or {}).get("id", ""))


def register(app: App, rt: SlackRuntime) -> None:
    def ack_only(ack: Any) -> None:
        ack()

    def decide(body: dict[str, Any], client: Any) -> None:
        pressed = body["actions"][0]
        action_id, shown = bk.parse_button_value(pressed.get("value", ""))
        where = _where(body)
        try:
            principal = rt.identity.principal(where.user, client)
            if principal is None:
                raise PermissionDenied("you are not mapped to a CRM user, so you cannot decide actions",
                                       hint=f"ask an admin to run 'copilot slack map {where.user} <your email>'")
            if pressed["action_id"] == bk.APPROVE:
                action = rt.cp.actions_approve(principal, action_id, shown_hash=shown)
            else:
                action = rt.cp.actions_reject(principal, action_id, reason="rejected in Slack")
            show_outcome(rt, client, body, action, principal.name)
        except (PermissionDenied, NotFound) as exc:
            refuse(rt, client, body, exc, action_id)
        except Exception as exc:  # noqa: BLE001 - every failure gets a reply
            rt.fail(client, where, exc)

    def open_edit(ack: Any, body: dict[str, Any], client: Any) -> None:
        ack()
        pressed = body["actions"][0]
        action_id, shown = bk.parse_button_value(pressed.get("value", ""))
        where = _where(body)
        try:
            principal = rt.identity.principal(where.user, client)
            if principal is None:
                raise PermissionDenied("you are not mapped to a CRM user, so you cannot edit actions")
            action = rt.cp.actions_show(principal, action_id)
            if action.payload_hash != shown:
                raise CopilotError("this card is out of date: the proposal changed since it was posted",
                                   hint="use `/copilot actions` for the current version")
            container = body.get("container") or {}
            client.views_open(trigger_id=body["trigger_id"], view=edit_modal(
                action, channel=container.get("channel_id"), message_ts=container.get("message_ts")))
        except (PermissionDenied, NotFound) as exc:
            refuse(rt, client, body, exc, action_id)
        except Exception as exc:  # noqa: BLE001 - every failure gets a reply
            rt.fail(client, where, exc)

    def vote(body: dict[str, Any], client: Any) -> None:
        pressed = body["actions"][0]
        where = _where(body)
        try:
            principal = rt.identity.principal(where.user, client)
            rt.cp.chat_vote(principal, pressed.get("value", ""), slack_user=where.user,
                            helpful=pressed["action_id"] == bk.HELPFUL)
            rt.say(client, where, "Thanks, noted." if pressed["action_id"] == bk.HELPFUL
                   else "Thanks, noted; this helps us improve the answers.", private=True)
        except Exception as exc:  # noqa: BLE001 - every failure gets a reply
            rt.fail(client, where, exc)

    app.action(bk.APPROVE)(ack=ack_only, lazy=[decide])
    app.action(bk.REJECT)(ack=ack_only, lazy=[decide])
    app.action(bk.EDIT)(open_edit)
    app.action(bk.HELPFUL)(ack=ack_only, lazy=[vote])
    app.action(bk.NOT_HELPFUL)(ack=ack_only, lazy=[vote])
