"""The tool registry: each tool is a typed function whose docstring is its description.

``ToolSpec.run`` validates the raw arguments (from a model or the offline engine) with the tool's
pydantic model before calling it; the principal always comes from the ``ToolContext``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from tools.account_timeline import AccountTimelineArgs, account_timeline
from tools.context import ToolContext, ToolResult
from tools.crm_query.schema import CrmQuery
from tools.list_deals import ListDealsArgs, list_deals
from tools.lookup_account import LookupAccountArgs, lookup_account
from tools.lookup_deal import LookupDealArgs, lookup_deal
from tools.propose_deal_update import ProposeDealUpdateArgs, propose_deal_update
from tools.propose_email import ProposeEmailArgs, propose_email
from tools.propose_task import ProposeTaskArgs, propose_task
from tools.query_crm import query_crm
from tools.search_calls import SearchCallsArgs, search_calls
from tools.search_knowledge import SearchKnowledgeArgs, search_knowledge


@dataclass(frozen=True)
class ToolSpec:
    name: str
    fn: Callable[[ToolContext, Any], ToolResult]
    args: type[BaseModel]

    @property
    def description(self) -> str:
        return inspect.getdoc(self.fn) or self.name

    def schema(self) -> dict[str, Any]:
        """OpenAI function-calling schema (what is sent on the wire)."""
        params = self.args.model_json_schema()
        params.pop("title", None)
        return {"type": "function", "function": {"name": self.name, "description": self.description,
                                                 "parameters": params}}

    def run(self, ctx: ToolContext, raw: dict[str, Any] | BaseModel) -> ToolResult:
        args = raw if isinstance(raw, self.args) else self.args.model_validate(raw)
        return self.fn(ctx, args)


CORE_TOOLS: list[ToolSpec] = [
    ToolSpec("query_crm", query_crm, CrmQuery),
    ToolSpec("search_knowledge", search_knowledge, SearchKnowledgeArgs),
    ToolSpec("search_calls", search_calls, SearchCallsArgs),
    ToolSpec("lookup_account", lookup_account, LookupAccountArgs),
    ToolSpec("lookup_deal", lookup_deal, LookupDealArgs),
    ToolSpec("list_deals", list_deals, ListDealsArgs),
    ToolSpec("account_timeline", account_timeline, AccountTimelineArgs),
    ToolSpec("propose_email", propose_email, ProposeEmailArgs),
    ToolSpec("propose_deal_update", propose_deal_update, ProposeDealUpdateArgs),
    ToolSpec("propose_task", propose_task, ProposeTaskArgs),
]


def all_tools() -> list[ToolSpec]:
    """Every tool the agent may call: the core tools plus the capability tools (forecast, calls, role-play)."""
    from tools.extra import extra_tools

    return [*CORE_TOOLS, *extra_tools()]
