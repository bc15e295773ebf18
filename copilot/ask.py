"""Ask: one question in, one cited ``Answer`` out, through the agent (LLM) or the offline engine.

If the LLM fails (network, timeout, bad output), the offline engine answers and the answer says so.
Freshness: the newest CRM timestamp behind the answer; older than the configured hours is flagged.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from sqlalchemy import func, select

from copilot.agent import Agent
from copilot.conversations import ConversationStore
from copilot.core.chat import ChatModel, fall_back
from copilot.core.domain import Answer, Freshness, Principal
from copilot.core.errors import ModelError, UserError
from copilot.core.lang import language
from copilot.core.output_policy import host, sanitize
from copilot.grounding import ungrounded_numbers
from copilot.offline.engine import OfflineEngine
from copilot.offline.localize import to_zh
from knowledge.crm.models import ImportRun
from knowledge.crm.store import CrmStore
from prompts import render
from tools.context import ToolContext, ToolDeps
from tools.registry import ToolSpec

log = logging.getLogger(__name__)
MAX_QUESTION_CHARS = 4000


def freshness(synced: datetime | None, now: datetime, stale_hours: float) -> Freshness:
    """How long ago the CRM behind an answer was last imported or synced (not the age of one record)."""
    if synced is None:
        return Freshness()
    age = max(0.0, (now - synced).total_seconds() / 3600)
    stale = age > stale_hours
    warning = (f"The CRM data was last imported or synced {age / 24:.1f} days ago ({synced:%Y-%m-%d}); "
               "figures may have changed since. Re-run the import or sync to refresh." if stale else None)
    return Freshness(newest=synced, age_hours=round(age, 1), stale=stale, warning=warning)


def last_sync(crm: CrmStore) -> datetime | None:
    """The last CRM import or sync; a CRM kept by hand (no import runs) is as fresh as its newest record."""
    with crm.session() as s:
        return s.scalar(select(func.max(ImportRun.started_at)))


class AskService:
    def __init__(self, *, tool_deps: ToolDeps, conversations: ConversationStore, offline: OfflineEngine,
                 tools: list[ToolSpec], chat_model: ChatModel | None, company: str = "", language: str = "en",
                 max_steps: int = 8, time_limit: float = 90.0, stale_hours: float = 48.0,
                 link_allowlist: list[str] | None = None, redact_pii: bool = True) -> None:
        self.link_allowlist = list(link_allowlist or [])
        self.tool_deps = tool_deps
        self.conversations = conversations
        self.offline = offline
        self.company = company
        self.language = language
        self.stale_hours = stale_hours
        self.agent = Agent(chat_model, tools, max_steps=max_steps, time_limit=time_limit,
                           redact_pii=redact_pii) if chat_model is not None else None

    def system_prompt(self, principal: Principal, today: date) -> str:
        return render("agent_system.md", company=self.company or "our company", user_name=principal.name, user_role=principal.role.value,
                      team_clause=f", team {principal.team_id}" if principal.team_id else "", today=today.isoformat())

    @staticmethod
    def _ungrounded(answer: Answer, question: str, needs_data: bool) -> str | None:
        """Why an LLM answer can't be shown as fact, or None when it rests on what the tools returned."""
        sources = answer.tool_texts
        if needs_data and not answer.tools_used:
            return "answered without consulting any tool"
        bad = ungrounded_numbers(answer.text, [*sources, question])
        if bad:
            return f"stated figures no tool returned ({', '.join(bad[:3])})"
        return None

    def ask(self, principal: Principal, question: str, *, thread_id: str | None = None) -> Answer:
        question = (question or "").strip()
        if not question:
            raise UserError("the question is empty", hint="type a question, e.g. \"what's going on with <account>?\"")
        if len(question) > MAX_QUESTION_CHARS:
            raise UserError(f"the question is {len(question)} characters long; the limit is {MAX_QUESTION_CHARS}")
        ctx: ToolContext = self.tool_deps.context(principal)
        history, state = self.conversations.history(thread_id, principal.user_id) if thread_id else ([], {})
        answer: Answer | None = None
        notes: list[str] = []
        if self.agent is not None:
            needs_data = self.offline.needs_data(question)
            try:
                answer = self.agent.run(ctx, self.system_prompt(principal, ctx.today), history, question,
                                        force_tool=needs_data)
                problem = self._ungrounded(answer, question, needs_data)
                if problem:
                    log.warning("LLM answer not grounded, answering offline: %s", problem)
                    notes.append(f"The language model {problem}; answered by the offline engine instead.")
                    answer = None
                    ctx.proposed.clear()
            except ModelError as exc:
                fall_back(exc, caller="ask", offline="the offline engine")
                notes.append(f"The language model failed ({exc.message}); answered by the offline engine.")
                ctx.proposed.clear()
        if answer is None:
            answer, state = self.offline.answer(ctx, question, state)
            answer.actions = answer.actions or list(ctx.proposed)
        policy = sanitize(answer.text, [*self.link_allowlist, *(host(c.url) for c in answer.citations if c.url)])
        if policy.removed:
            answer.text = policy.text
            notes.append(f"{policy.removed} link(s) or image(s) to hosts outside the allow-list were removed")
        answer.notes = notes + answer.notes
        if language(question, default=self.language) == "zh":  # type: ignore[arg-type]
            if answer.mode == "offline":
                to_zh(answer)
            answer.language = "zh"
        newest = answer.newest_record
        if newest is not None or "crm" in answer.data:
            answer.freshness = freshness(last_sync(ctx.crm) or newest, datetime.now(), self.stale_hours)
        if thread_id:
            self.conversations.append(thread_id, principal.user_id, question, answer.text, state=state,
                                      answer_json=answer.model_dump_json())
        return answer
