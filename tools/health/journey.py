"""Journey stages detected from signals, the warning signals of an account, and the interventions the
journey rules (journey.yaml) call for, with a suggested time and the data behind them.

Stages: a prospect with a trial sign-up or trial usage is in *trial*, any other prospect in *evaluation*;
a customer whose renewal falls due within ``checkin_before_renewal_days`` is in *renewal*, one whose first
win is under ``onboarding_days`` old in *onboarding*, any other in *adoption* (both in health.yaml).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from copilot.core.domain import Citation
from tools.health.rules import HealthRules, Intervention, JourneyRules
from tools.health.signals import AccountBook, Measures

USAGE_DROP = -0.10  # utilization fell by ten points or more over the trend window
LOW_UTILIZATION = 0.40
EXPANSION_UTILIZATION = 0.90
PRICING_DAYS = 30
RISK_PROBABILITY = 0.5


@dataclass
class Evidence:
    signal: str
    text: str
    citations: list[Citation] = field(default_factory=list)


def stage_of(acc: AccountBook, m: Measures, today: date, rules: HealthRules) -> tuple[str, str]:
    if m.first_win is None:
        trial = [t for t in acc.touches if t.kind == "trial_signup" and (today - t.occurred_at.date()).days <= rules.stages.trial_days]
        if trial:
            return "trial", f"trial sign-up on {trial[-1].occurred_at:%Y-%m-%d}"
        if m.weeks:
            return "trial", "product usage before any purchase"
        return "evaluation", "a prospect: no purchase yet"
    if m.renewal_due and (m.renewal_due - today).days <= rules.scan.checkin_before_renewal_days:
        return "renewal", f"renewal due {m.renewal_due.isoformat()}"
    if (today - m.first_win).days < rules.stages.onboarding_days:
        return "onboarding", f"customer since {m.first_win.isoformat()}"
    return "adoption", f"customer since {m.first_win.isoformat()}"


def _cite_touch(acc: AccountBook, touch_id: str, what: str) -> Citation:
    t = next(t for t in acc.touches if t.id == touch_id)
    return Citation(source_id=f"crm:touch:{t.id}", title=f"{acc.name}: {what}", kind="crm", record=f"account:{acc.id}", field=f"marketing_touches.{t.id}",
                    snippet=f"{t.occurred_at:%Y-%m-%d} {t.detail or ''}".strip())


def key_event(acc: AccountBook, m: Measures, today: date) -> tuple[datetime, str, Citation] | None:
    """The newest key event of the last 60 days: a kickoff (first win), a severe ticket, a trial sign-up."""
    since = datetime.combine(today - timedelta(days=60), time())
    events: list[tuple[datetime, str, Citation]] = []
    for d in acc.deals:
        if d.stage == "closed_won" and d.closed_on and d.closed_on == m.first_win and d.closed_on >= since.date():
            events.append((datetime.combine(d.closed_on, time(9)), "kickoff after the first purchase",
                           Citation(source_id=f"crm:deal:{d.id}", title=d.name, kind="crm", record=f"deal:{d.id}",
                                    snippet=f"won {d.closed_on.isoformat()}")))
    for t in acc.tickets:
        if t.severity in ("high", "urgent") and since <= t.opened_at < datetime.combine(today, time()):
            events.append((t.opened_at, f"{t.severity} support ticket '{t.subject}'",
                           Citation(source_id=f"crm:ticket:{t.id}", title=f"{acc.name} ticket", kind="crm",
                                    record=f"account:{acc.id}", field=f"support_tickets.{t.id}", snippet=f"{t.severity}, opened {t.opened_at:%Y-%m-%d}")))
    for tt in acc.touches:
        if tt.kind == "trial_signup" and since <= tt.occurred_at < datetime.combine(today, time()):
            events.append((tt.occurred_at, "trial sign-up", _cite_touch(acc, tt.id, "trial sign-up")))
    return max(events, key=lambda e: e[0]) if events else None


def warning_signals(acc: AccountBook, m: Measures, today: date, rules: HealthRules, stage: str, *,
                    score: float | None, change: float | None, support: float | None,
                    risk: float | None, usage_cites: list[Citation]) -> list[Evidence]:
    out: list[Evidence] = []
    sc = rules.scan
    if m.usage_trend is not None and m.usage_trend <= USAGE_DROP:
        out.append(Evidence("usage_drop", f"seat utilization fell from {m.utilization_before:.0%} to "
                                          f"{m.utilization:.0%} over {rules.usage.trend_weeks} weeks", usage_cites))
    if m.utilization is not None and m.utilization < LOW_UTILIZATION and stage not in ("trial", "evaluation"):
        out.append(Evidence("low_utilization", f"only {m.utilization:.0%} of {m.seats} seats active", usage_cites))
    if m.utilization is not None and m.utilization >= EXPANSION_UTILIZATION:
        out.append(Evidence("expansion_ready", f"{m.utilization:.0%} of {m.seats} seats active", usage_cites))
    since = m.weeks_since_new_feature
    if stage not in ("evaluation", "trial") and since is not None and since > rules.features.stagnation_weeks \
            and m.features_left > 0:
        out.append(Evidence("feature_stagnation", f"no new feature tried for {since} weeks ({m.features_now} in use, "
                                                  f"{m.features_left} never tried)", usage_cites[-1:]))
    if support is not None and support < rules.bands.watch and m.tickets:
        out.append(Evidence("support_spike", f"{m.tickets} tickets in {rules.support.window_days} days, "
                                             f"{m.severe_tickets} high or urgent, {m.open_tickets} open"))
    if m.days_since_talk is None or m.days_since_talk > rules.engagement.silence_days:
        heard = "never" if m.days_since_talk is None else f"{m.days_since_talk} days ago"
        out.append(Evidence("silence", f"last meeting, call or reply from the customer: {heard}"))
    event = key_event(acc, m, today)
    if event is not None:
        when, what, cite = event
        talked_after = any(t[0] > when for t in acc.talks if t[0] < datetime.combine(today, time()))
        quiet = (today - when.date()).days
        if not talked_after and quiet >= sc.silence_after_event_days:
            out.append(Evidence("silence_after_event", f"no conversation in the {quiet} days since the {what} "
                                                       f"on {when:%Y-%m-%d}", [cite]))
    if m.renewal_due and (m.renewal_due - today).days <= sc.checkin_before_renewal_days:
        out.append(Evidence("renewal_due", f"renewal due {m.renewal_due.isoformat()}"))
        if m.days_since_talk is None or m.days_since_talk > sc.checkin_recent_days:
            heard = "none on record" if m.days_since_talk is None else f"the last was {m.days_since_talk} days ago"
            out.append(Evidence("no_recent_checkin", f"renewal due {m.renewal_due.isoformat()} and no check-in in "
                                                     f"the last {sc.checkin_recent_days} days ({heard})"))
        if (risk is not None and risk >= RISK_PROBABILITY) or (score is not None and score < rules.bands.watch):
            parts = [f"renewal due {m.renewal_due.isoformat()}"]
            if score is not None and score < rules.bands.watch:
                parts.append(f"health {score:.0f} (at risk)")
            if risk is not None:
                parts.append(f"renewal-risk model: {risk:.0%} chance of losing it")
            out.append(Evidence("renewal_risk", ", ".join(parts)))
    if change is not None and change <= -sc.drop_points:
        out.append(Evidence("health_drop", f"health fell {abs(change):.0f} points in {sc.compare_days} days"))
    if stage == "trial":
        recent = [w for w in acc.weeks if w.week + timedelta(days=6) < today][-2:]
        if recent and max(w.active_users for w in recent) <= 1:
            out.append(Evidence("trial_inactive", f"{max(w.active_users for w in recent)} active user(s) in the "
                                                  "trial over the last 2 weeks", usage_cites))
    if stage in ("evaluation", "trial"):
        visits = [t for t in acc.touches if t.kind == "pricing_page" and 0 <= (today - t.occurred_at.date()).days
                  <= PRICING_DAYS]
        if visits:
            out.append(Evidence("pricing_interest", f"{len(visits)} pricing-page visit(s) in {PRICING_DAYS} days",
                                [_cite_touch(acc, visits[-1].id, "pricing-page visit")]))
    return out


def suggested_time(today: date, within_days: int, kind: str) -> datetime:
    """The first working day at least ``within_days`` out (tomorrow at the earliest), 10:00 for meetings
    and check-ins, 09:00 otherwise."""
    day = today + timedelta(days=max(1, within_days))
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(10 if kind in ("meeting", "check_in") else 9))


def matching_rules(journey: JourneyRules, stage: str, present: set[str]) -> list[Intervention]:
    return [r for r in journey.stages.get(stage, []) if set(r.when) <= present]  # type: ignore[call-overload]
