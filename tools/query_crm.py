"""query_crm: every CRM question as one validated ``CrmQuery`` (docs/crm-query.md), run under scope."""

from __future__ import annotations

from tools.context import ToolContext
from tools.crm_query.result import CrmResult
from tools.crm_query.run import run_query
from tools.crm_query.schema import CrmQuery


def query_crm(ctx: ToolContext, args: CrmQuery) -> CrmResult:
    """Answer a question about CRM records (deals, accounts, contacts, activities, calls) with a typed query:
    a metric (list, count, sum, avg, win_rate, pipeline, cycle_length, activity_count, last_touch), filters
    (owner 'me' or a name, team, stage, status, forecast category, product, deal type, competitor, account,
    amount range, date windows on created/close/closed/last_activity/next_step, inactive_days, min_pushes,
    has_next_step), group_by, order and limit (top-N), or a comparison of two groups or 'me_vs_rest'.
    Dates are absolute (YYYY-MM-DD). Use it for every number, list or ranking about the CRM; never guess one."""
    res = run_query(ctx.crm, ctx.scope, args, today=ctx.today)
    res.citations = [res.summary_citation(), *[r.citation() for r in res.records]]
    return res
