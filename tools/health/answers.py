"""Offline answers for customer health: "which of my customers are at risk", "why is X's health dropping",
"renewals due next quarter with falling usage", and health by segment for execs.

``is_health_question`` is the router's hook: the offline engine sends these questions here before its
CRM parser sees them.
"""

from __future__ import annotations

import re

from copilot.core.domain import Citation
from tools.compose import Composer
from tools.context import ToolContext
from tools.entities import Entities, parse_window
from tools.health.tools import HealthArgs, customer_health

HEALTH = re.compile(  # 'health' as a measure, never as part of a name ("Acme Health")
    r"(?:\b(?:customer|customers'?|account|accounts'?|their|its|my|our)|'s|s')\s+health\b|"
    r"\bhealth\s+(?:score|scores|dropping|falling|declining|trend|index|check|of|by)\b|\bhow healthy\b|\bchurn|"
    r"\bcustomers?\b.*\bat[- ]risk\b|\bat[- ]risk\b.*\bcustomers?\b|\brenewals?\b.*\b(?:usage|adoption|active users)\b|"
    r"\b(?:usage|adoption)\b.*\b(?:falling|dropping|declining|down)\b.*\brenewals?\b|\bstagnat", re.I)
WHY = re.compile(r"\bwhy\b|\bexplain\b|\bwhat(?:'s| is) (?:wrong|happening|going on)\b", re.I)
FALLING = re.compile(r"\b(?:falling|dropping|declining|decreasing|shrinking|down)\b", re.I)


# How health is defined or used is a question for the case library (playbooks), not a list of accounts.
DEFINITION = re.compile(r"\bwhat (?:health )?score\b|\b(?:score|health) marks?\b|\bthresholds?\b|\bdefin|\bplaybook|"
                        r"\bpolicy\b|\bhow (?:is|are|do we|do you) [\w ]*(?:calculated|measured|computed|scored|defined)\b",
                        re.I)


def is_health_question(question: str) -> bool:
    return bool(HEALTH.search(question)) and not DEFINITION.search(question) \
        and not re.search(r"\bdeals?\b.*\bat[- ]risk\b", question, re.I)


def health(ctx: ToolContext, c: Composer, ent: Entities, question: str) -> float:
    args = HealthArgs(limit=10)
    if ent.account_id and not ctx.scope.aggregates_only:
        args.account = ent.account_id
    elif re.search(r"\brenewals?\b", question, re.I):
        window = parse_window(question, ctx.today)
        if window:
            args.renewals_from, args.renewals_to = window[0], window[1]
        else:
            args.renewals_from = ctx.today
        args.falling_usage = bool(FALLING.search(question))
    else:
        args.at_risk_only = bool(re.search(r"\brisk|\bdrift|\bchurn|\bworst|\bfalling|\bdropping", question, re.I))
    res = customer_health(ctx, args)
    c.used("customer_health", res)
    for n in res.notes:
        c.add(f"_Note: {n}_")
    if res.segments:
        ref = c.cite(res.citations[0])
        c.add(f"**Customer health by segment** (aggregates only; groups under the minimum size are hidden) {ref}")
        for s in res.segments:
            c.add(f"- {s['segment']}: {s['accounts']} customers, average {s['average_score']}, {s['at_risk']} at "
                  f"risk, {s['watch']} to watch, {s['falling']} falling")
        return 0.8
    if not res.accounts:
        what = "renewals in that window with falling usage" if args.falling_usage else \
            "renewals in that window" if args.renewals_from else "customers at risk"
        c.add(f"None of the {res.considered} accounts you can see matches ({what}).")
        return 0.7
    if args.account:
        a, cite = res.accounts[0], res.citations[0]
        if FALLING.search(question) and a.get("change") is not None and a["change"] >= 0:
            c.add(f"Its score is not falling over the last month (up {a['change']:.0f} points); here is what holds "
                  "it where it is.")
        c.add(f"{a['summary']} {c.cite(cite)}")
        for comp in a["components"]:
            for cit in comp["citations"][:2]:
                c.cite(Citation.model_validate(cit))
        return 0.85
    head = ("Renewals due" + (f" {args.renewals_from} to {args.renewals_to}" if args.renewals_to else " ahead")
            + (" with falling usage" if args.falling_usage else "")) if args.renewals_from else \
        "Customers at risk" if args.at_risk_only else "Customer health"
    c.add(f"**{head}**: {len(res.accounts)} of the {res.considered} accounts you can see, worst first")
    for a, cite in zip(res.accounts, res.citations, strict=True):
        weak = sorted(a["components"], key=lambda x: x["score"])[:1]
        why = f"{weak[0]['name']} {weak[0]['score']:.0f}: {weak[0]['reasons'][0]}" if weak else a["stage_why"]
        risk = f", renewal risk {a['renewal_risk']:.0%}" if a.get("renewal_risk") is not None else ""
        due = f", renewal due {a['renewal_due']}" if a.get("renewal_due") else ""
        score = "no score" if a["score"] is None else f"{a['score']:.0f}/100 ({a['band']})"
        if a.get("change") is not None and a["change"] <= -1:
            score += f", down {abs(a['change']):.0f} points in a month"
        c.add(f"- **{a['account']}** ({a.get('owner') or 'no owner'}): {score}{due}{risk}; {why} {c.cite(cite)}")
    return 0.8


HANDLERS = {"health": health}
