"""App Home: pending actions, recent decisions, adoption and customer health (own; a manager also sees the team's)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from copilot.core.domain import Role
from integrations.slack import blocks as bk
from integrations.slack.health import home_blocks
from integrations.slack.runtime import SlackRuntime

log = logging.getLogger("copilot.slack")
DECIDED = ["approved", "edited", "rejected", "expired", "executing", "executed", "failed"]


def home_for(rt: SlackRuntime, client: Any, slack_user: str) -> dict[str, Any]:
    principal = rt.identity.principal(slack_user, client)
    if principal is None:
        return bk.home_view(None, [], [], None, None, slack_user=slack_user)
    cp = rt.cp
    mine = principal.user_id
    pending = [a for a in cp.actions_list(principal) if a.owner_id == mine or principal.role is not Role.REP]
    decided = [a for a in cp.actions_list(principal, DECIDED, limit=200) if a.owner_id == mine or a.decided_by == mine]
    decided.sort(key=lambda a: a.decided_at or a.created_at, reverse=True)
    stats = cp.actions_stats(principal)
    own = stats.get("by_rep", {}).get(mine)
    team = stats.get("total") if principal.role is Role.MANAGER else None
    view = bk.home_view(principal.name, pending, decided[:10], own, team)
    view["blocks"] = (view["blocks"] + home_blocks(cp, principal))[:100]
    return view


def publish_home(rt: SlackRuntime, client: Any, slack_user: str) -> None:
    try:
        client.views_publish(user_id=slack_user, view=home_for(rt, client, slack_user))
    except Exception:  # noqa: BLE001 - the tab stays as it was; logged
        log.exception("could not publish App Home for %s", slack_user)


def register(app: App, rt: SlackRuntime) -> None:
    def ack_home(ack: Any) -> None:
        ack()

    def on_home(event: dict[str, Any], client: Any) -> None:
        if event.get("tab", "home") == "home":
            publish_home(rt, client, event.get("user", ""))

    app.event("app_home_opened")(ack=ack_home, lazy=[on_home])
