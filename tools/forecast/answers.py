"""Offline answers for the forecast capability: pipeline numbers, quarter forecasts, deals at risk.

Questions are turned into typed tool arguments (metric, grouping, period) by small parsers; the tools do
the computing and the scope checks; ``Composer`` writes the cited answer.
"""

from __future__ import annotations

import re
from typing import Any

from tools.compose import Composer
from tools.context import ToolContext
from tools.entities import Entities
from tools.forecast.tools import (
    AtRiskArgs,
    ForecastArgs,
    PipelineQueryArgs,
    deals_at_risk,
    forecast_quarter,
    pipeline_query,
)

_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
PERIOD = re.compile(
    rf"\b((?:this|last|next|previous|current|prior) (?:quarter|month|year)|q[1-4](?:\s*(?:fy)?\d{{4}})?|\d{{4}}\s*q[1-4]|"
    rf"(?:last|past) \d+ (?:days|weeks|months)|year to date|quarter to date|(?:{_MONTHS})(?: \d{{4}})?|(?:in |for )?\d{{4}})\b",
    re.I)
METRICS = [
    (r"win rate|win-rate|close rate", "win_rate"),
    (r"average deal|avg deal|deal size", "avg_deal_size"),
    (r"cycle|how long .* close|days to close", "cycle_length"),
    (r"pipeline value|open pipeline|pipeline", "pipeline_value"),
    (r"how many|number of|count", "deal_count"),
    (r"revenue|bookings|won|sales|closed", "won_revenue"),
]
GROUPS = {"rep": "rep", "reps": "rep", "seller": "rep", "manager": "manager", "team": "team", "teams": "team",
          "product": "product", "products": "product", "account": "account", "customer": "account",
          "sector": "sector", "industry": "sector", "month": "month", "quarter": "quarter"}


def find_period(question: str) -> str | None:
    for m in PERIOD.finditer(question):
        phrase = re.sub(r"^(in|for) ", "", m.group(1).lower()).strip()
        if re.fullmatch(r"\d{4}", phrase) and not 1990 < int(phrase) < 2100:
            continue
        return phrase
    return None


def parse_pipeline(question: str) -> PipelineQueryArgs:
    low = question.lower()
    metric = next((m for pat, m in METRICS if re.search(pat, low)), "won_revenue")
    g = re.search(r"\b(?:by|per|for each|each)\s+(\w+)", low)
    group = GROUPS.get(g.group(1)) if g else None
    return PipelineQueryArgs(metric=metric, group_by=group, period=find_period(question))  # type: ignore[arg-type]


def pipeline(ctx: ToolContext, c: Composer, ent: Entities, question: str) -> float:
    args = parse_pipeline(question)
    if ent.people and ctx.scope.records_allowed:
        args.rep = ent.people[0][1]
    res = pipeline_query(ctx, args)
    c.used("pipeline_query", res)
    ref = c.cite(res.citations[0])
    c.add(f"**{res.metric.replace('_', ' ').capitalize()}**, {res.period}: {res.fmt(res.total.get('value'))} "
          f"over {res.total.get('deals', 0)} deals {ref}")
    for r in res.rows[:15]:
        c.add(f"- {r['group']}: {res.fmt(r.get('value'))} ({r.get('deals', 0)} deals)")
    c.add(f"\n_How it is computed: {res.description}._")
    for n in res.notes:
        c.add(f"_Note: {n}_")
    return 0.85


def forecast(ctx: ToolContext, c: Composer, ent: Entities, question: str) -> float:
    low = question.lower()
    args = ForecastArgs(company=bool(re.search(r"\b(company|we|our|whole)\b", low)) and ctx.principal.role.value
                        in ("exec", "admin"))
    if "team" in low and ctx.principal.team_id:
        args.team = ctx.principal.team_id
    if ent.people:
        args.rep = ent.people[0][1]
    period = find_period(question)
    if period and "quarter" in period or (period and re.match(r"q[1-4]|\d{4}\s*q", period)):
        args.quarter = period
    res = forecast_quarter(ctx, args)
    c.used("forecast_quarter", res)
    f = res.forecast
    ref = c.cite(res.citations[0])
    c.add(f"**Forecast for {f['subject']}, {f['quarter']}** (as of {f['as_of']}) {ref}")
    c.add(f"- Expected: ${f['expected_total']:,.0f} (closed won ${f['closed_won']:,.0f} + expected "
          f"${f['expected_open']:,.0f} from {f['open_deals']} open deals)")
    c.add(f"- Range: P10 ${f['p10']:,.0f} / P50 ${f['p50']:,.0f} / P90 ${f['p90']:,.0f}")
    c.add(f"- Stage-weighted baseline: ${f['baseline_total']:,.0f}")
    won = f["closed_won"]  # each call includes what is already won: the open part of each said too
    c.add(f"- Commit ${f['commit']:,.0f} (closed won ${won:,.0f} + open commit ${f['commit'] - won:,.0f}) | "
          f"Best case ${f['best_case']:,.0f} (+ open best case ${f['best_case'] - f['commit']:,.0f}) | "
          f"Pipeline ${f['pipeline']:,.0f} (+ open pipeline category ${f['pipeline'] - f['best_case']:,.0f})")
    c.add(f"- Model: {f['model']}")
    for n in f.get("notes", []):
        c.add(f"_Note: {n}_")
    deals = sorted(f.get("deals", []), key=lambda d: -(d.get("expected_value") or 0))[:8]
    if deals:
        c.add("\nShow the math (largest contributions):")
        for d in deals:
            c.add(f"- {d['deal']} ({d.get('owner')}, {d.get('stage')}): {d.get('probability', 0):.0%} x "
                  f"${d.get('amount') or 0:,.0f} = ${d.get('expected_value') or 0:,.0f}")
    return 0.8


FLAG_WORDS = {"stalled": "stalled", "pushed": "close date pushed", "single_threaded": "single-threaded",
              "no_next_step": "no next step", "oversized": "oversized", "fading": "fading engagement"}
BY_GROUP = re.compile(r"\b(?:by|per|each|which|what)\s+(?:team|rep|seller|person)s?\b|\bwho\b|\bacross (?:the )?(?:teams|reps)\b|"
                      r"\bneeds? (?:help|attention|coaching)\b", re.I)


def at_risk(ctx: ToolContext, c: Composer, ent: Entities, question: str) -> float:
    res = deals_at_risk(ctx, AtRiskArgs(limit=10, by_group=bool(BY_GROUP.search(question))))
    c.used("deals_at_risk", res)
    if res.groups or ctx.scope.aggregates_only:
        return _risk_groups(ctx, c, res)
    if not res.deals:
        c.add("No open deal you can see carries a risk flag.")
        return 0.7
    c.add(f"{len(res.deals)} open deal(s) at risk, biggest exposure first:")
    for d, cit in zip(res.deals, res.citations, strict=True):
        why = "; ".join(fl["why"] for fl in d["flags"])
        amount = f"${d['amount']:,.0f}" if d.get("amount") is not None else "no amount"
        c.add(f"- **{d['deal']}** ({d['owner']}, {d['stage']}, {amount}, win probability {d['probability']:.0%}): "
              f"{why} {c.cite(cit)}")
    return 0.8


def _risk_groups(ctx: ToolContext, c: Composer, res: Any) -> float:
    """Where the risk sits: open deals at risk per team (per rep for a manager), biggest exposure first."""
    ref = c.cite(res.citations[0])
    if not res.groups:
        c.add(f"No group you can see has open deals at risk. {ref}")
        return 0.7
    by = "rep" if ctx.principal.role.value == "manager" else "team"
    total = sum(g["at_risk"] for g in res.groups)
    c.add(f"**{total}** open deal(s) at risk across {len(res.groups)} {by}(s), as of {ctx.today}, biggest exposure "
          f"first: {ref}")
    for g in res.groups:
        why = ", ".join(f"{FLAG_WORDS.get(k, k)} {n}" for k, n in sorted(g["flags"].items(), key=lambda kv: -kv[1]))
        money = f"${g['exposure']:,.0f} exposure" if g.get("exposure") is not None else "exposure not shown (too few deals)"
        c.add(f"- **{g['group']}**: {g['at_risk']} of {g['deals']} open deals at risk, {money}" + (f" ({why})" if why else ""))
    if ctx.scope.aggregates_only:
        c.add("_Execs see risk per team; each team's manager sees the deals behind it._")
    return 0.8


HANDLERS = {"pipeline": pipeline, "forecast": forecast, "at_risk": at_risk}
