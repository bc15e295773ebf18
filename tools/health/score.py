"""The transparent layer of customer health: four component scores (0-100) with weights from health.yaml,
each explained in plain words with the figures and records behind it.

- usage: seat utilization against ``good_utilization``, minus ``drop_penalty`` per point it fell over
  ``trend_weeks``;
- features: breadth of the last four weeks against ``good_breadth`` (60%), and whether the account still
  tries new features (40%, lost gradually after ``stagnation_weeks``);
- support: 100 minus points per ticket per 100 seats, per severe ticket and per slow first response in
  the window;
- engagement: 70% for recent two-way conversation (lost gradually after ``silence_days``), 30% for
  marketing engagement (webinars, content, events) in the window.
"""

from __future__ import annotations

from copilot.core.domain import Citation
from tools.health.rules import HealthRules
from tools.health.schemas import ComponentScore
from tools.health.signals import AccountBook, Measures


def _clip(x: float) -> float:
    return round(max(0.0, min(100.0, x)), 1)


def _cite(acc: AccountBook, ref: str) -> Citation:
    """A citation of one health record: a usage week, a ticket, a touch or an activity."""
    if ref.startswith("usage:"):
        week = ref.rsplit(":", 1)[1]
        row = next((w for w in acc.weeks if w.week.isoformat() == week), None)
        snippet = (f"week of {week}: {row.active_users} of {row.seats} seats active, {row.logins} logins, "
                   f"{row.features_used} features" if row else f"week of {week}")
        return Citation(source_id=f"crm:usage:{acc.id}:{week}", title=f"{acc.name} usage, week of {week}", kind="crm",
                        record=f"account:{acc.id}", field=f"usage_weeks.{week}", snippet=snippet)
    ticket = next((t for t in acc.tickets if t.id == ref), None)
    if ticket is not None:
        return Citation(source_id=f"crm:ticket:{ticket.id}", title=f"{acc.name} ticket: {ticket.subject or ticket.id}",
                        kind="crm", record=f"account:{acc.id}", field=f"support_tickets.{ticket.id}",
                        snippet=f"{ticket.severity}, opened {ticket.opened_at:%Y-%m-%d}" + (
                            f", first response after {(ticket.first_response_at - ticket.opened_at).total_seconds() / 3600:.0f} h"
                            if ticket.first_response_at else ", no response yet"))
    touch = next((t for t in acc.touches if t.id == ref), None)
    if touch is not None:
        return Citation(source_id=f"crm:touch:{touch.id}", title=f"{acc.name}: {touch.kind.replace('_', ' ')}",
                        kind="crm", record=f"account:{acc.id}", field=f"marketing_touches.{touch.id}", snippet=f"{touch.occurred_at:%Y-%m-%d} {touch.detail or ''}")
    talk = next((t for t in acc.talks if t[2] == ref), None)
    when = f"{talk[0]:%Y-%m-%d}" if talk else ""
    return Citation(source_id=f"crm:activity:{ref}", title=f"{acc.name}: last {talk[1] if talk else 'conversation'}",
                    kind="crm", record=f"activity:{ref}", snippet=when)


def usage_score(m: Measures, rules: HealthRules) -> tuple[float | None, list[str]]:
    if m.utilization is None:
        return None, ["no product usage recorded"]
    r = rules.usage
    level = 100 * min(1.0, m.utilization / r.good_utilization)
    drop = max(0.0, -(m.usage_trend or 0.0))
    why = [f"{m.utilization:.0%} of {m.seats} seats active over the last 4 weeks"
           f" (full marks from {r.good_utilization:.0%})"]
    if m.usage_trend is not None and m.utilization_before is not None:
        word = "down" if m.usage_trend < -0.005 else "up" if m.usage_trend > 0.005 else "flat"
        why.append(f"utilization {word} from {m.utilization_before:.0%} {r.trend_weeks} weeks earlier"
                   + (f" (-{drop * r.drop_penalty:.0f} points)" if drop else ""))
    if m.logins_per_user is not None and m.logins_per_user_before:
        change = m.logins_per_user / m.logins_per_user_before - 1
        if abs(change) >= 0.1:
            why.append(f"logins per active user {'down' if change < 0 else 'up'} {abs(change):.0%}")
    return _clip(level - drop * r.drop_penalty), why


def feature_score(m: Measures, rules: HealthRules) -> tuple[float | None, list[str]]:
    if not m.weeks:
        return None, ["no feature usage recorded"]
    r = rules.features
    breadth = min(1.0, m.features_now / r.good_breadth)
    since = m.weeks_since_new_feature or 0
    stagnant = since > r.stagnation_weeks and m.features_left > 0
    fresh = 1.0 if not stagnant else max(0.0, 1 - (since - r.stagnation_weeks) / r.stagnation_weeks)
    why = [f"{m.features_now} features used in the last 4 weeks ({m.features_ever} ever; full marks from "
           f"{r.good_breadth})"]
    why.append(f"no new feature tried for {since} weeks while {m.features_left} are untried (stagnation after "
               f"{r.stagnation_weeks})" if stagnant else "every feature in use" if not m.features_left
               else f"a new feature was tried {since} weeks ago")
    return _clip(60 * breadth + 40 * fresh), why


def support_score(m: Measures, rules: HealthRules) -> tuple[float | None, list[str]]:
    r = rules.support
    per_100 = m.tickets_per_100_seats if m.tickets_per_100_seats is not None else 0.0
    penalty = r.per_ticket_per_100_seats * per_100 + r.per_severe_ticket * m.severe_tickets \
        + r.per_slow_response * m.slow_responses
    if not m.tickets:
        return 100.0, [f"no support tickets in the last {r.window_days} days"]
    why = [f"{m.tickets} ticket(s) in the last {r.window_days} days"
           + (f" ({per_100:.1f} per 100 seats)" if m.tickets_per_100_seats is not None else "")]
    if m.severe_tickets:
        why.append(f"{m.severe_tickets} high or urgent")
    if m.slow_responses:
        why.append(f"{m.slow_responses} first response(s) slower than {r.slow_response_hours:.0f} hours")
    if m.open_tickets:
        why.append(f"{m.open_tickets} still open")
    return _clip(100 - penalty), why


def engagement_score(m: Measures, rules: HealthRules) -> tuple[float | None, list[str]]:
    r = rules.engagement
    if m.days_since_talk is None:
        talk, why = 0.0, ["no meeting, call or reply from the customer on record"]
    else:
        over = max(0, m.days_since_talk - r.silence_days)
        talk = max(0.0, 1 - over / r.silence_days)
        why = [f"last meeting, call or reply from the customer {m.days_since_talk} days ago"
               + (f" (silence counts after {r.silence_days})" if over else "")]
    marketing = min(1.0, m.marketing_touches / 2)
    why.append(f"{m.marketing_touches} webinar, content or event touch(es) in the last {r.window_days} days")
    return _clip(70 * talk + 30 * marketing), why


SCORERS = {"usage": usage_score, "features": feature_score, "support": support_score, "engagement": engagement_score}


def components(acc: AccountBook, m: Measures, rules: HealthRules) -> list[ComponentScore]:
    out = []
    for name, fn in SCORERS.items():
        score, why = fn(m, rules)
        if score is None:
            continue
        out.append(ComponentScore(name=name, score=score, weight=round(rules.weight(name), 4), reasons=why,
                                  citations=[_cite(acc, ref) for ref in m.cite.get(name, []) if ref]))
    return out


def overall(parts: list[ComponentScore]) -> float | None:
    """Weighted mean of the components present (weights renormalized over them); None without usage data."""
    if not any(p.name == "usage" for p in parts):
        return None
    total = sum(p.weight for p in parts)
    return round(sum(p.score * p.weight for p in parts) / total, 1) if total else None


def score_at(acc: AccountBook, m: Measures, rules: HealthRules) -> float | None:
    return overall(components(acc, m, rules))
