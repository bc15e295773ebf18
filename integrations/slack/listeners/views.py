"""The Edit modal's submission: validate (errors go back into the modal), then ``cp.actions_edit`` and
update the card with the outcome."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import App

from copilot.core.errors import CopilotError, UserError
from integrations.slack import blocks as bk
from integrations.slack.modals import EDIT_CALLBACK, parse_edit
from integrations.slack.runtime import DELIVERY, SlackRuntime, Where

log = logging.getLogger("copilot.slack")


def _meta(view: dict[str, Any]) -> dict[str, Any]:
    try:
        return json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}


def register(app: App, rt: SlackRuntime) -> None:
    def check(ack: Any, view: dict[str, Any]) -> None:
        meta = _meta(view)
        try:
            action = rt.cp.actions_show(DELIVERY, meta.get("action_id", ""))
            rt.cp.actions_validate(action.kind, parse_edit(action, view["state"]["values"]))
        except UserError as exc:
            first = next(iter(view["state"]["values"]), None)
            if first is None:
                ack(response_action="errors", errors={})
                return
            ack(response_action="errors", errors={first: str(exc)[:150]})
            return
        ack()

    def apply(view: dict[str, Any], body: dict[str, Any], client: Any) -> None:
        meta = _meta(view)
        user = (body.get("user") or {}).get("id", "")
        where = Where(channel=meta.get("channel") or "", user=user, channel_type="im")
        try:
            principal = rt.identity.principal(user, client)
            if principal is None:
                rt.say(client, where, bk.unmapped_text(user))
                return
            current = rt.cp.actions_show(DELIVERY, meta["action_id"])
            payload = parse_edit(current, view["state"]["values"])
            action = rt.cp.actions_edit(principal, meta["action_id"], payload=payload, shown_hash=meta.get("hash", ""))
            if meta.get("channel") and meta.get("ts"):
                client.chat_update(channel=meta["channel"], ts=meta["ts"], text=bk.outcome_text(action, principal.name),
                                   blocks=bk.approval_card(action, decided_by=principal.name))
        except CopilotError as exc:
            log.warning("edit of %s by %s refused: %s", meta.get("action_id"), user, exc)
            rt.say(client, where, bk.error_text(str(exc)), private=False)
        except Exception as exc:  # noqa: BLE001 - every failure gets a reply
            rt.fail(client, where, exc)

    app.view(EDIT_CALLBACK)(ack=check, lazy=[apply])
