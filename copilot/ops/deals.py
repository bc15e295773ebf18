"""A deal's timeline: history, activities and calls with their summaries, in date order, under scope."""

from __future__ import annotations

from typing import TYPE_CHECKING

from copilot.core.domain import Principal
from copilot.ops.base import Operations

if TYPE_CHECKING:
    from tools.deal_timeline import DealTimeline


class DealOps(Operations):
    def deal_timeline(self, principal: Principal, deal: str) -> DealTimeline:
        """Opened, stage moves, close-date pushes, amount changes, activities and calls with summaries, oldest
        first, each citing its record; a deal outside the asker's scope is not found (execs are refused)."""
        from tools.deal_timeline import deal_timeline

        return deal_timeline(self.services.crm, self.scope(principal), deal)
