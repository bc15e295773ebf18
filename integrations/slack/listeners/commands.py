"""``/copilot ask|forecast|health|actions|roleplay|help ...``. Replies are private to the person (``respond``
defaults to ephemeral), so they never need the channel check."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from slack_bolt import App

from copilot.core.errors import CopilotError
from integrations.slack import blocks as bk
from integrations.slack import forecast, roleplay
from integrations.slack import workspace as ws
from integrations.slack.config import config_text
from integrations.slack.health import health_text
from integrations.slack.runtime import DELIVERY, SlackRuntime, Where
from integrations.slack.trust import trust_text

log = logging.getLogger("copilot.slack")
SUBCOMMANDS = ("ask", "forecast", "health", "actions", "roleplay", "help", "config", "trust", "needs", "tag", "timeline", "assign",
               "assignments", "sessions")
WORKSPACE = {"needs": ws.needs_text, "tag": ws.tag_text, "timeline": ws.timeline_text, "assign": ws.assign_text,
             "sessions": ws.sessions_text}


def register(app: App, rt: SlackRuntime) -> None:
    def ack_command(ack: Any, command: dict[str, Any]) -> None:
        sub = (command.get("text") or "").strip().split(" ", 1)[0].lower()
        if sub in ("", "help"):
            ack(blocks=bk.help_blocks(), text="Sales Copilot help")
        elif sub not in SUBCOMMANDS:
            ack(text=f"Unknown subcommand `{sub}`. Try `/copilot help`.")
        else:
            ack(text=f":hourglass_flowing_sand: working on `{sub}`…")

    def run_command(command: dict[str, Any], client: Any, respond: Any, context: Any) -> None:
        sub, _, rest = (command.get("text") or "").strip().partition(" ")
        sub, rest = sub.lower(), rest.strip()
        if sub not in SUBCOMMANDS or sub == "help" or not sub:
            return
        where = Where(channel=command.get("channel_id", ""), user=command.get("user_id", ""),
                      channel_type="im" if command.get("channel_name") == "directmessage" else None)
        try:
            principal = rt.identity.principal(where.user, client)
            if principal is None:
                respond(text=bk.unmapped_text(where.user))
                return
            if sub in WORKSPACE:
                respond(text=WORKSPACE[sub](rt.cp, principal, rest))
            elif sub == "assignments":
                respond(text=ws.assignments_text(rt.cp, principal))
            elif sub == "forecast" and rest.lower().split()[:1] == ["history"]:
                respond(text=ws.history_text(rt.cp, principal, rest[7:]))
            elif sub == "forecast" and forecast.is_review(rest):
                respond(text=forecast.forecast_text(rt.cp, principal, rest))
            elif sub in ("ask", "forecast"):
                question = rest if sub == "ask" else f"forecast for this quarter {rest}".strip()
                if not question:
                    respond(text="Ask something, e.g. `/copilot ask what's new with Acme?`")
                    return
                answer = rt.cp.ask(principal, question, thread_id=None)
                answer_id = rt.cp.chat_record_answer(principal, question, answer, slack_user=where.user,
                                                     channel=where.channel, thread_ts=None, visibility="command")
                respond(text=bk.answer_fallback(answer), blocks=bk.answer_blocks(answer, answer_id))
                rt.deliver_cards(client, answer.actions)
            elif sub == "health":
                respond(text=health_text(rt.cp, principal, rest, client))
            elif sub == "config":
                respond(text=config_text(rt.cp, principal, rest))
            elif sub == "trust":
                respond(text=trust_text(rt.cp, principal))
            elif sub == "actions":
                visible = rt.cp.actions_list(principal)
                pending = [a for a in visible if a.owner_id == principal.user_id]
                others = [a for a in visible if a.owner_id != principal.user_id]
                if not pending and not others:
                    respond(text="Nothing is waiting for your decision.")
                    return
                for action in [*pending, *others][:20]:
                    action = rt.cp.actions_show(DELIVERY, action.id)
                    channel = client.conversations_open(users=where.user)["channel"]["id"]
                    client.chat_postMessage(channel=channel, text=bk.card_fallback(action),
                                            blocks=bk.approval_card(action))
                respond(text=f"I sent you {min(20, len(pending) + len(others))} pending action(s) as cards in our DM.")
            elif sub == "roleplay":
                if not rest or rest == "list":
                    respond(text=roleplay.list_scenarios(rt))
                else:
                    roleplay.start(rt, client, where, rest)
        except CopilotError as exc:
            respond(text=bk.error_text(str(exc)))
        except Exception as exc:  # noqa: BLE001 - every failure gets a reply
            ref = uuid.uuid4().hex[:8]
            log.error("/copilot %s failed (ref %s)", sub, ref, exc_info=exc)
            respond(text=bk.error_text(f"Something went wrong on my side (ref {ref}); it was logged."))

    app.command("/copilot")(ack=ack_command, lazy=[run_command])
