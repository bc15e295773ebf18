"""Tools of the capability packages (forecast, calls, role-play), appended to the core tools."""

from __future__ import annotations

from tools.call_tools import DraftFollowupArgs, SummarizeCallArgs, draft_followup, summarize_call
from tools.forecast_tools import (
    AtRiskArgs,
    ForecastArgs,
    WinProbabilityArgs,
    deals_at_risk,
    forecast_quarter,
    win_probability,
)
from tools.roleplay_tools import StartRoleplayToolArgs, start_roleplay


def extra_tools() -> list:  # list[ToolSpec]; built lazily to keep the registry import-cycle free
    from tools.registry import ToolSpec

    return [
        ToolSpec("forecast_quarter", forecast_quarter, ForecastArgs),
        ToolSpec("deals_at_risk", deals_at_risk, AtRiskArgs),
        ToolSpec("win_probability", win_probability, WinProbabilityArgs),
        ToolSpec("summarize_call", summarize_call, SummarizeCallArgs),
        ToolSpec("draft_followup", draft_followup, DraftFollowupArgs),
        ToolSpec("start_roleplay", start_roleplay, StartRoleplayToolArgs),
    ]
