"""The status a CRM question asks about (open, won, lost, closed or any), read from its words and, when it says none,
from what it measures and when: 'revenue last quarter' is won, 'deals added this year' any, 'my pipe' open."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from copilot.offline.parse.cues import field_for
from copilot.offline.parse.dates import Span

STAGES_ORDER = ["prospecting", "qualification", "discovery", "demo", "proposal", "negotiation", "closed_won",
                "closed_lost"]


def status_of(low: str, stat: list[Any], stages: list[Any], cats: list[Any], windows: list[Span], *, metric: str,
              group: str | None, obj_kind: str, inactive: bool, today: date) -> tuple[str | None, list[str], int, list[str]]:
    """(status, the stages named, doubts, assumptions): ``stat``, ``stages``, ``cats`` are the lexicon's hits
    (value, span); a doubt is a reading the words leave open, said in the assumptions."""
    metric_name = metric
    assumptions: list[str] = []
    values = {str(v) for v, _ in stat}
    status = None
    if "any" in values:
        status = "any"
    elif "won" in values and "lost" in values or "closed" in values and not values & {"won", "lost"}:
        status = "closed"
    elif "won" in values:
        status = "won"
    elif "lost" in values:
        status = "lost"
    elif "any" in values:
        status = "any"
    elif "open" in values:
        status = "open"
    if metric_name in ("win_rate", "loss_rate") and status in ("won", "lost"):
        status = "closed"
    if group == "loss_reason" and status is None:
        status = "lost"  # 'the most common loss reason': only lost deals have one
    if metric_name == "sum" and status is None and obj_kind == "deals":
        past = [w for w in windows if (w.end or today) < today]
        if (past and any(field_for(low, w, "closed") == "closed" for w in past) or re.search(
                r"\b(closed|did (i|we|\w+) close)\b", low)) and not (stages or cats):
            status = "won"
            assumptions.append("a total over a past period is read as won revenue")
        else:
            status = "open"
    stage_list = sorted({s for v, _ in stages for s in v}, key=list(STAGES_ORDER).index)  # type: ignore[attr-defined]
    if any(s in ("closed_won", "closed_lost") for s in stage_list):
        stage_list = [s for s in stage_list if s not in ("closed_won", "closed_lost")]
    if stage_list and status in (None, "any"):
        status = "open"
    doubts = 0
    if status is None and obj_kind == "deals" and inactive:
        status = "open"  # 'deals added last quarter with nothing logged in 30 days': going quiet is for open deals
        if metric_name != "list" and any(field_for(low, w, "close") == "created" for w in windows):
            doubts += 1  # 'avg size of opps with no touches in 45 days added this year': all of them, or open?
            assumptions.append("open deals only, since going quiet is about open deals; say 'all' or 'won' "
                               "to include closed ones")
    if status is None and obj_kind == "deals":
        status = ("closed" if metric_name in ("win_rate", "loss_rate") else "won" if metric_name in ("cycle_length", "avg") else
                  "any" if windows and all(field_for(low, w, "close") == "created" for w in windows) else
                  "closed" if windows and all(field_for(low, w, "close") == "closed" for w in windows) else "open")
    if status == "any" and metric_name in ("list", "count") and not stages:
        doubts += 1  # 'deals added this year': all of them, or the ones still open? Both readings are common.
        assumptions.append("deals of every status (open, won and lost), since you asked when they were added; "
                           "say 'open' for the open ones only")
    return status, stage_list, doubts, assumptions
