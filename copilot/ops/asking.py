"""Ask: one question in, one cited answer out, scoped to the asker, in a conversation thread."""

from __future__ import annotations

from copilot.core.domain import Answer, Principal
from copilot.ops.base import Operations


class AskOps(Operations):
    def ask(self, principal: Principal, question: str, *, thread_id: str | None = None) -> Answer:
        """Answer with citations, confidence and data freshness; proposals wait in the ledger for a person."""
        return self.services.asker.ask(principal, question, thread_id=thread_id)

    @staticmethod
    def new_thread() -> str:
        """A fresh conversation thread id (follow-up questions in it see the earlier turns)."""
        from copilot.conversations import ConversationStore

        return ConversationStore.new_thread()
