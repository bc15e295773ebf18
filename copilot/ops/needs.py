"""Customer needs: the heat map of accounts (execs: segments) by technical need theme, one account's needs
with their evidence, and pre-sales tags (technical pains noted on an account, visible to whoever sees it)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from copilot.core.domain import Principal
from copilot.ops.base import Operations

if TYPE_CHECKING:
    from tools.needs import AccountNeeds, NeedsMap, TagView


class NeedsOps(Operations):
    def needs_themes(self) -> list[dict[str, str]]:
        """The need themes (id, English and Chinese label) that heat-map columns and tags use."""
        return [{"id": t.id, "en": t.label("en"), "zh": t.label("zh")} for t in self.services.needs.themes()]

    def needs_map(self, principal: Principal, *, days: int = 180, limit: int = 20) -> NeedsMap:
        """Accounts the asker may see by need theme over the last ``days`` (the ``limit`` with most signals);
        execs get segments, counts only."""
        return self.services.needs.heat_map(self.scope(principal), days=days, limit=limit)

    def account_needs(self, principal: Principal, account: str, *, days: int = 365) -> AccountNeeds:
        """One account's need themes with the evidence behind each (calls, tickets, notes) and its tags."""
        return self.services.needs.account_needs(self.scope(principal), account, days=days)

    def tag_account(self, principal: Principal, account: str, theme: str, note: str = "") -> TagView:
        """Note a technical pain on an account the asker may see (pre-sales engineers, reps, managers, admins)."""
        return self.services.needs.tag(self.scope(principal), account, theme, note, now=datetime.now())

    def untag_account(self, principal: Principal, tag_id: str) -> None:
        """Remove a tag (whoever added it, or a manager or admin who sees the account); the row is kept."""
        self.services.needs.untag(self.scope(principal), tag_id, now=datetime.now())
