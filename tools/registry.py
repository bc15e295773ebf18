"""The tool registry: every tool the agent and the offline engine may call, core and capability alike.

Each entry is derived from its typed function (``ToolSpec.of``): name, docstring and argument model.
"""

from __future__ import annotations

from tools.account_timeline import account_timeline
from tools.calls.search import search_calls
from tools.calls.tools import draft_followup, summarize_call
from tools.forecast.tools import deals_at_risk, forecast_quarter, win_probability
from tools.health.tools import customer_health
from tools.last_contact import last_contact
from tools.list_deals import list_deals
from tools.lookup_account import lookup_account
from tools.lookup_deal import lookup_deal
from tools.propose_activity import propose_activity
from tools.propose_deal_update import propose_deal_update
from tools.propose_email import propose_email
from tools.propose_task import propose_task
from tools.query_crm import query_crm
from tools.roleplay.tools import start_roleplay
from tools.search_knowledge import search_knowledge
from tools.spec import ToolSpec

__all__ = ["CAPABILITY_TOOLS", "CORE_TOOLS", "ToolSpec", "all_tools"]

CORE_TOOLS: list[ToolSpec] = [ToolSpec.of(fn) for fn in (
    query_crm, search_knowledge, search_calls, lookup_account, lookup_deal, list_deals, account_timeline, last_contact,
    propose_email, propose_deal_update, propose_task, propose_activity)]

CAPABILITY_TOOLS: list[ToolSpec] = [ToolSpec.of(fn) for fn in (
    forecast_quarter, deals_at_risk, win_probability, customer_health, summarize_call, draft_followup, start_roleplay)]


def all_tools() -> list[ToolSpec]:
    """Every tool the agent may call: the core tools plus the capability tools (forecast, health, calls, role-play)."""
    return [*CORE_TOOLS, *CAPABILITY_TOOLS]
