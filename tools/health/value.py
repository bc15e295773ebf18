"""A draft value report for one account: what its people did with the product (adoption, depth, support),
what it costs per active user, and a matching customer story from the case library, cited; proposed to the
asker as an email to the customer, sent only after approval."""

from __future__ import annotations

from datetime import timedelta
from statistics import median
from typing import TYPE_CHECKING

from copilot.core.domain import Citation
from copilot.core.visibility import Scope
from tools.context import Proposals
from tools.health.interventions import _contact
from tools.health.schemas import ValueReport

if TYPE_CHECKING:
    from knowledge.store import KnowledgeStore
    from tools.health.service import HealthService


def _story(knowledge: KnowledgeStore | None, scope: Scope, sector: str | None, products: list[str],
           account: str) -> tuple[str, Citation] | None:
    """The best-matching win story of another customer the asker may see (same sector first) from the case
    library, if indexed."""
    if knowledge is None or scope.aggregates_only:
        return None
    query = f"win story {sector or ''} {' '.join(products)} results"
    hits = [h for h in knowledge.search(query, scope, k=8, types=["win_story"]) if h.metadata.get("account") != account]
    if not hits:
        return None
    same = [h for h in hits if sector and str(h.metadata.get("sector", "")).lower() == sector.lower()]
    hit = (same or hits)[0]
    return " ".join(hit.text.split())[:420], hit.citation


def value_report(svc: HealthService, scope: Scope, account: str, *, knowledge: KnowledgeStore | None,
                 ledger: Proposals | None, company: str | None) -> ValueReport:
    aid = svc.find(scope, account)
    book = svc.book([aid])
    acc = book[aid]
    today = svc.clock()
    m = svc.measure(acc, today)
    weeks = [w for w in acc.weeks if w.week + timedelta(days=6) < today]
    wins = acc.won(today)
    since = m.first_win or (weeks[0].week if weeks else today)
    acv = sum((d.amount or 0) for d in wins if d.closed_on and d.closed_on > today - timedelta(days=365)) or \
        max(((d.amount or 0) for d in wins), default=0.0)
    figures: dict[str, float | int | str] = {"customer_since": since.isoformat()}
    lines = []
    cites: list[Citation] = []
    if weeks:
        first, last = weeks[:4], weeks[-4:]
        start_users = round(sum(w.active_users for w in first) / len(first))
        now_users = round(sum(w.active_users for w in last) / len(last))
        logins = sum(w.logins for w in weeks if w.week >= today - timedelta(days=91))
        features = sorted({f for w in last for f in (w.features or [])})
        figures.update(active_users_start=start_users, active_users_now=now_users, seats=last[-1].seats,
                       logins_90_days=logins, features_in_use=len(features))
        lines.append(f"Since {since:%B %Y}, active users went from {start_users} to {now_users} "
                     f"({now_users / last[-1].seats:.0%} of {last[-1].seats} seats).")
        lines.append(f"Your team logged in {logins:,} times in the last 90 days and uses {len(features)} features"
                     + (f" ({', '.join(features[:6])})." if features else "."))
        if acv and now_users:
            per_user = acv / 12 / now_users
            figures["cost_per_active_user_month"] = round(per_user, 2)
            lines.append(f"At the current contract that is about ${per_user:,.0f} per active user per month.")
        cites.append(Citation(source_id=f"crm:usage:{acc.id}:{last[-1].week.isoformat()}",
                              title=f"{acc.name} usage, week of {last[-1].week.isoformat()}", kind="crm",
                              record=f"account:{acc.id}", field=f"usage_weeks.{last[-1].week.isoformat()}",
                              snippet=f"{last[-1].active_users} of {last[-1].seats} seats active"))
    resolved = [t for t in acc.tickets if t.resolved_at and t.opened_at.date() >= today - timedelta(days=90)]
    if resolved:
        hours = median((t.first_response_at - t.opened_at).total_seconds() / 3600 for t in resolved
                       if t.first_response_at) if any(t.first_response_at for t in resolved) else None
        figures["tickets_resolved_90_days"] = len(resolved)
        lines.append(f"Support resolved {len(resolved)} request(s) in the last 90 days"
                     + (f", first answer in a median {hours:.0f} hours." if hours is not None else "."))
    products = sorted({d.name.split(" - ")[-1] for d in wins})
    story = _story(knowledge, scope, acc.sector, products, acc.name)
    if story:
        lines.append(f"A similar customer's story: {story[0]}")
        cites.append(story[1])
    us = company or "our team"
    text = (f"Value summary for {acc.name} (draft, {today.isoformat()})\n\n" + "\n".join(f"- {x}" for x in lines)
            + f"\n\nWe would welcome a short review with {us} of what to focus on next.")
    report = ValueReport(account_id=acc.id, account=acc.name, as_of=today, text=text, figures=figures,
                         story=story[1].title if story else None, citations=cites)
    name, email = _contact(acc)
    if ledger is not None and email and not scope.aggregates_only:
        action = ledger.propose("send_email", {"to": [email], "subject": f"{acc.name}: your value summary",
                                               "body": f"Hi {name.split()[0]},\n\n{text}\n\nBest regards"},
                                owner_id=scope.principal.user_id, rationale=f"value report for {acc.name} from its "
                                f"usage since {since.isoformat()}" + (" and a matching customer story" if story else ""),
                                tool="health_value_report", citations=cites, confidence=0.6, account_id=acc.id)
        report.proposed.append(action.to_ref())
    return report
