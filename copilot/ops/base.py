"""What every group of operations shares: the settings, the services behind them, who is who."""

from __future__ import annotations

from copilot.core.domain import Principal, Role
from copilot.core.errors import PermissionDenied
from copilot.core.settings import Settings
from copilot.core.visibility import Scope
from copilot.services import Services


class Operations:
    settings: Settings
    services: Services

    def principal(self, who: str) -> Principal:
        """A user id, email or full name (from a CLI flag, an API key or a Slack id, never from message text)."""
        return self.services.principal(who)

    def scope(self, principal: Principal) -> Scope:
        """What this principal may see (reps: their own; managers: their reporting tree; execs: aggregates)."""
        return self.services.scope(principal)

    @staticmethod
    def require_admin(principal: Principal, what: str) -> None:
        if principal.role is not Role.ADMIN:
            raise PermissionDenied(f"only admins may {what}; {principal.label} may not", hint="ask an admin")
