"""AI trust: the viewer's answers and pending suggestions with their confidence, sources, freshness and bias
hints (``copilot.trust``), and helpful / not-helpful votes kept in the same store as Slack's votes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from copilot.actions.schemas import Action
from copilot.core.domain import Answer, Citation, Principal
from copilot.core.errors import NotFound
from copilot.ops.base import Operations
from copilot.trust import Hint, TrustHints


@dataclass
class TrustedAnswer:
    ref: str  # stable id of this answer (what a vote names)
    question: str
    at: datetime
    answer: Answer
    hints: list[Hint]
    votes: dict[str, int]
    my_vote: bool | None


@dataclass
class TrustedSuggestion:
    action: Action
    hints: list[Hint]


def _voter(principal: Principal) -> str:
    return f"web:{principal.user_id}"


class TrustOps(Operations):
    def _answers(self, principal: Principal, limit: int) -> list[tuple[str, str, datetime, Answer]]:
        rows = self.services.asker.conversations.recent(principal.user_id, limit=limit)
        out = []
        for thread, question, at, raw in rows:
            ref = "web-" + hashlib.sha256(f"{principal.user_id}|{thread}|{at.isoformat()}".encode()).hexdigest()[:24]
            out.append((ref, question, at, Answer.model_validate_json(raw)))
        return out

    def trust_answers(self, principal: Principal, *, limit: int = 25) -> list[TrustedAnswer]:
        """The asker's own newest answers with their bias hints and votes, newest first."""
        hints = TrustHints(self.services.crm)
        training, renewals = hints.sector_training(), hints.sector_training(renewals=True)
        chat = self.services.chat
        return [TrustedAnswer(ref, q, at, a, hints.for_answer(principal, a, training, renewals), chat.votes(ref),
                              chat.vote_of(ref, _voter(principal)))
                for ref, q, at, a in self._answers(principal, limit)]

    def trust_suggestions(self, principal: Principal, *, limit: int = 50) -> list[TrustedSuggestion]:
        """Pending proposals the viewer may see, each with its bias hints (the account's sector counts)."""
        hints = TrustHints(self.services.crm)
        training, renewals = hints.sector_training(), hints.sector_training(renewals=True)
        out = []
        for action in self.actions_list(principal, limit=limit):  # type: ignore[attr-defined]
            cites = list(action.citations)
            if action.account_id:
                cites.append(Citation(source_id=f"crm:account:{action.account_id}", title="account", kind="crm",
                                      record=f"account:{action.account_id}"))
            health = action.tool.startswith("health")  # proposed from health scores and renewal risk
            out.append(TrustedSuggestion(action, hints.for_citations(
                principal, cites, action.confidence, training=None if health else training,
                renewals=renewals if health else None)))
        return out

    def answer_vote(self, principal: Principal, ref: str, *, helpful: bool) -> dict[str, int]:
        """Vote on one of your own answers (one vote each; voting again changes it); returns the counts.
        Stored with Slack's votes (``copilot.chat_state``), the answer logged on first vote."""
        found = next(((q, a) for r, q, _at, a in self._answers(principal, 200) if r == ref), None)
        if found is None:  # another person's answer, or none: the same reply
            raise NotFound(f"no answer {ref!r} among yours", hint="vote on an answer on your AI-trust page")
        chat = self.services.chat
        if chat.answer(ref) is None:
            chat.record_answer(user_id=principal.user_id, slack_user=_voter(principal), channel="web",
                               thread_ts=None, question=found[0], answer=found[1], visibility="web", answer_id=ref)
        chat.vote(ref, slack_user=_voter(principal), user_id=principal.user_id, helpful=helpful)
        return chat.votes(ref)
