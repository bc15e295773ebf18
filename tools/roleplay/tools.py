"""start_roleplay for the agent: opens a practice call with a simulated buyer (continued in chat or Slack)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from copilot.core.errors import ProviderError
from tools.context import ToolContext, ToolResult


class StartRoleplayToolArgs(BaseModel):
    scenario_id: str | None = Field(default=None, description="a scenario id; omit to list the scenarios")


class RoleplayStart(ToolResult):
    session_id: str | None = None
    opening: str | None = None
    scenarios: list[str] = Field(default_factory=list)

    def render(self, first: int = 1) -> str:
        if self.session_id:
            return (f"Role-play session {self.session_id} started. The buyer opens: {self.opening!r}. "
                    f"Continue with 'copilot roleplay start' or in Slack.")
        return "Available scenarios: " + ", ".join(self.scenarios)


def start_roleplay(ctx: ToolContext, args: StartRoleplayToolArgs) -> RoleplayStart:
    """Start a role-play practice call against a simulated buyer (discovery, objections, pricing,
    renewal), scored with the coaching rubric at the end; without a scenario id, list the scenarios."""
    if ctx.capabilities is None:
        raise ProviderError("role-play is not available in this deployment")
    svc = ctx.capabilities.roleplay
    if not args.scenario_id:
        return RoleplayStart(scenarios=[p.id for p in svc.scenarios()])
    session = svc.start(args.scenario_id, ctx.principal, ctx.scope)
    return RoleplayStart(session_id=session.id, opening=session.opening)
