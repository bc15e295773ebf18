"""Ask: one question in, one cited answer out, scoped to the asker, in a conversation thread."""

from __future__ import annotations

from datetime import datetime

from copilot.core.domain import Answer, Principal
from copilot.ops.base import Operations


class AskOps(Operations):
    def ask(self, principal: Principal, question: str, *, thread_id: str | None = None) -> Answer:
        """Answer with citations, confidence and data freshness; proposals wait in the ledger for a person."""
        return self.services.asker.ask(principal, question, thread_id=thread_id)

    def answers_recent(self, principal: Principal, *, limit: int = 20) -> list[tuple[str, datetime, Answer]]:
        """The asker's own newest answers kept in conversation threads, newest first: (question, when, answer),
        each with the confidence, citations and freshness it was given (the web workspace's AI-trust page)."""
        rows = self.services.asker.conversations.recent(principal.user_id, limit=limit)
        return [(question, at, Answer.model_validate_json(raw)) for _thread, question, at, raw in rows]

    @staticmethod
    def new_thread() -> str:
        """A fresh conversation thread id (follow-up questions in it see the earlier turns)."""
        from copilot.conversations import ConversationStore

        return ConversationStore.new_thread()
