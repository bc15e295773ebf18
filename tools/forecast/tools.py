"""Forecast tools for the agent: pipeline questions, the quarter forecast, deals at risk, one deal's odds.

They wrap ``tools.forecast`` (the model, simulation and typed pipeline query) and render its results
with citations; scope checks happen inside the forecaster.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from copilot.core.domain import Citation
from copilot.core.errors import ProviderError
from tools.context import ToolContext, ToolResult
from tools.forecast.pipeline import GroupBy, Metric, PipelineQuery

if TYPE_CHECKING:
    from tools.forecast.service import Forecaster


def _forecaster(ctx: ToolContext) -> Forecaster:
    if ctx.capabilities is None:
        raise ProviderError("forecasting is not available in this deployment")
    return ctx.capabilities.forecaster


def _money(x: float | None) -> str:
    return "no amount" if x is None else f"${x:,.0f}"


class PipelineQueryArgs(BaseModel):
    metric: Metric = Field(description="won_revenue, win_rate, deal_count, avg_deal_size, cycle_length or pipeline_value")
    group_by: GroupBy | None = Field(default=None, description="rep, manager, team, product, account, sector, month, quarter")
    period: str | None = Field(default=None, description="e.g. 'last quarter', 'this month', 'Q2 2017', '2017'")
    rep: str | None = None
    team: str | None = None
    product: str | None = None
    account: str | None = None
    sector: str | None = None


class PipelineAnswer(ToolResult):
    metric: str
    period: str
    description: str
    rows: list[dict[str, Any]] = Field(default_factory=list)
    total: dict[str, Any] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)

    def fmt(self, value: float | None) -> str:
        if value is None:
            return "n/a"
        if self.metric in ("won_revenue", "avg_deal_size", "pipeline_value"):
            return _money(value)
        if self.metric == "win_rate":
            return f"{value:.1%}"
        if self.metric == "cycle_length":
            return f"{value:.0f} days"
        return f"{value:,.0f}"

    def render(self, first: int = 1) -> str:
        ref = self.ref(0, first)
        lines = [f"{self.metric.replace('_', ' ')} for {self.period} ({self.description}) {ref}:",
                 f"total: {self.fmt(self.total.get('value'))} over {self.total.get('deals', 0)} deals"]
        lines += [f"- {r['group']}: {self.fmt(r.get('value'))} ({r.get('deals', 0)} deals)" for r in self.rows[:25]]
        return "\n".join(lines + [f"note: {n}" for n in self.notes])


def pipeline_query(ctx: ToolContext, args: PipelineQueryArgs) -> PipelineAnswer:
    """Answer a pipeline question with a safe typed query: a metric (won revenue, win rate, deal count,
    average deal size, cycle length, pipeline value), optionally grouped (by rep, team, product, account,
    sector, month, quarter), filtered and limited to a period. Works for execs too (aggregates)."""
    q = PipelineQuery(**args.model_dump(), as_of=ctx.today)
    res = _forecaster(ctx).pipeline(ctx.scope, q)
    return PipelineAnswer(metric=res.metric, period=res.period_label, description=res.description,
                          rows=[r.model_dump() for r in res.rows], total=res.total.model_dump(), notes=res.notes,
                          citations=res.citations)


class ForecastArgs(BaseModel):
    rep: str | None = Field(default=None, description="a rep's name (default: you, for reps)")
    team: str | None = Field(default=None, description="a team's name (managers: their own team)")
    company: bool = Field(default=False, description="the whole company (execs and admins)")
    quarter: str | None = Field(default=None, description="e.g. 2026Q4 or 'next quarter'; default this quarter")


class ForecastAnswer(ToolResult):
    forecast: dict[str, Any]
    explanation: str

    def render(self, first: int = 1) -> str:
        return f"{self.ref(0, first)} " + self.explanation


def forecast_quarter(ctx: ToolContext, args: ForecastArgs) -> ForecastAnswer:
    """The quarter forecast for you, your team or the company: closed won so far plus the expected
    value of open deals (win-probability model), a P10/P50/P90 range, the stage-weighted baseline and
    the commit / best case / pipeline categories, with the deals behind the numbers ('show the math')."""
    team = args.team
    rep = args.rep
    company = args.company or (ctx.scope.aggregates_only and not rep and not team)
    if not (rep or team or company):
        if ctx.principal.role.value == "manager":
            team = ctx.principal.team_id
        elif ctx.principal.role.value == "admin":
            company = True
    fc = _forecaster(ctx).forecast(ctx.scope, rep=rep, team=team, company=company, quarter=args.quarter,
                                   as_of=ctx.today)
    cite = Citation(source_id=f"crm:forecast:{fc.subject}:{fc.quarter}", title=f"Forecast {fc.subject} {fc.quarter}",
                    kind="crm", record="deals", snippet=f"model {fc.model}")
    return ForecastAnswer(forecast=fc.model_dump(mode="json"), explanation=fc.explain(), citations=[cite])


class AtRiskArgs(BaseModel):
    limit: int = Field(default=10, ge=1, le=50)
    by_group: bool = Field(default=False, description="true: how many open deals are at risk per team (per rep for a "
                           "manager), their exposure and why, instead of the deals; execs always get this")


class RiskList(ToolResult):
    deals: list[dict[str, Any]] = Field(default_factory=list)
    groups: list[dict[str, Any]] = Field(default_factory=list)

    def render(self, first: int = 1) -> str:
        if self.groups:
            return "\n".join(f"{self.ref(0, first)} {g['group']}: {g['at_risk']} of {g['deals']} open deals at risk, "
                             f"exposure {_money(g.get('exposure'))}; " + ", ".join(f"{k} {v}" for k, v in g["flags"].items())
                             for g in self.groups)
        if not self.deals:
            return "No open deal you can see has a risk flag."
        return "\n".join(
            f"{self.ref(i, first)} {d['deal']} ({d['owner']}, {d['stage']}, {_money(d.get('amount'))}, "
            f"win probability {d['probability']:.0%}): " + "; ".join(f['why'] for f in d['flags'])
            for i, d in enumerate(self.deals))


def deals_at_risk(ctx: ToolContext, args: AtRiskArgs) -> RiskList:
    """Open deals you may see that carry risk flags (stalled, close date pushed, single-threaded, no next
    step, amount far above the rep's norm, late stage with falling engagement), each with why."""
    if args.by_group or ctx.scope.aggregates_only:  # an exec sees risk per team, never the deals
        groups = _forecaster(ctx).risk_by_group(ctx.scope, as_of=ctx.today)
        return RiskList(groups=[g.model_dump(mode="json") for g in groups],
                        citations=[Citation(source_id="crm:risk:groups", title="Open deals at risk, by group", kind="crm",
                                            record="deals", snippet=f"{sum(g.at_risk for g in groups)} open deals at risk")])
    risks = _forecaster(ctx).at_risk(ctx.scope, as_of=ctx.today)[: args.limit]
    return RiskList(deals=[r.model_dump(mode="json") for r in risks],
                    citations=[Citation(source_id=f"crm:deal:{r.deal_id}", title=r.deal, kind="crm",
                                        record=f"deal:{r.deal_id}", snippet="; ".join(f.why for f in r.flags)[:200])
                               for r in risks])


class WinProbabilityArgs(BaseModel):
    deal: str = Field(description="deal id or name")


class WinOdds(ToolResult):
    score: dict[str, Any]

    def render(self, first: int = 1) -> str:
        s = self.score
        pos = "; ".join(f["text"] for f in s.get("positives", [])) or "none"
        neg = "; ".join(f["text"] for f in s.get("negatives", [])) or "none"
        return (f"{self.ref(0, first)} {s['deal']}: win probability {s['probability']:.0%} "
                f"(stage baseline {s['baseline_probability']:.0%}, category {s['category']}, model {s['model']}). "
                f"For: {pos}. Against: {neg}.")


def win_probability(ctx: ToolContext, args: WinProbabilityArgs) -> WinOdds:
    """One open deal's win probability from the model, with its top factors for and against in words."""
    from tools._crm import find_deal

    deal = find_deal(ctx, args.deal)
    sc = _forecaster(ctx).win_probability(ctx.scope, deal.id, as_of=ctx.today)
    return WinOdds(score=sc.model_dump(mode="json"),
                   citations=[Citation(source_id=f"crm:deal:{deal.id}", title=deal.name, kind="crm",
                                       record=f"deal:{deal.id}", snippet=f"win probability {sc.probability:.0%}")])
