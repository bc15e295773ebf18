"""start_roleplay: the agent tool that opens a practice call with a simulated buyer."""

from __future__ import annotations

from pydantic import BaseModel, Field

from copilot.core.domain import Principal
from copilot.core.visibility import Scope
from tools.roleplay.session import RoleplayService, RoleplaySession


class StartRoleplayArgs(BaseModel):
    scenario_id: str = Field(description="a scenario id from 'copilot roleplay list', or deal:<id> / call:<id>")


def start_roleplay(scenario_id: str, principal: Principal, *, service: RoleplayService,
                   scope: Scope | None = None) -> RoleplaySession:
    """Start a role-play call for ``principal``: returns the session (its ``opening`` is the buyer's first line;
    continue with ``session.reply(text)`` and end with ``session.finish()``)."""
    args = StartRoleplayArgs(scenario_id=scenario_id)
    return service.start(args.scenario_id, principal, scope)
