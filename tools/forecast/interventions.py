"""Interventions, not only scores: a next action with a suggested date for each at-risk or silent deal.

Second-touch timing is learned from history (``learn_touch_timing``): on deals closed before the as-of
date, every silence of at least a week between two activities is a spell that a touch ended; the share
of deals with such a spell that went on to win is the revival rate of that silence length. The
suggested re-engagement day is the start of the silence length with the best revival rate: a deal quiet
for less than that is due then; one already past it is due now.

Adoption feeds back (``Adoption``): each kind of suggestion carries a weight, the mean of a Beta prior
centred on its base confidence (strength ``PRIOR_STRENGTH``) updated by people's decisions (approved or
edited = a success, rejected = a failure) and by outcomes (an accepted suggestion whose deal was since won
counts once more as a success, lost once more as a failure). The weight is the suggestion's confidence
and ranks suggestions (weight x amount x (1 - P(won))); a kind whose weight falls below ``MUTE_BELOW``
is no longer suggested.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from tools.forecast.data import Snapshot
from tools.forecast.schemas import DealRisk

SPELLS = ((7, 14), (14, 21), (21, 35), (35, 60), (60, 10_000))
MIN_SPELLS = 15
PRIOR_STRENGTH = 4.0
MUTE_BELOW = 0.2
BASE = {"re_engage": 0.6, "multi_thread": 0.5, "confirm_close_plan": 0.5, "set_next_step": 0.55,
        "review_deal_size": 0.4}


@dataclass
class TouchTiming:
    rows: list[tuple[int, int, int, float]] = field(default_factory=list)  # (lo, hi, deals, revival rate)
    best_day: int | None = None

    def describe(self) -> str:
        if self.best_day is None:
            return "no activity history to learn re-engagement timing from"
        parts = [f"{lo}-{hi - 1 if hi < 10_000 else '+'} days: {rate:.0%} of {n}" for lo, hi, n, rate in self.rows]
        return (f"re-engaging after {self.best_day}+ days of silence revived the most deals "
                f"(won after a touch ended the silence: {'; '.join(parts)})")


def learn_touch_timing(snap: Snapshot, day: int) -> TouchTiming:
    seen: dict[int, set[str]] = {i: set() for i in range(len(SPELLS))}
    won: dict[int, set[str]] = {i: set() for i in range(len(SPELLS))}
    for d in snap.deals:
        closed = d.closed_day
        act = snap.activity.get(d.id)
        if closed is None or closed >= day or act is None:
            continue
        days = sorted({x for v in act.days.values() for x in v if x <= closed})
        for a, b in zip(days, days[1:], strict=False):
            gap = b - a
            for i, (lo, hi) in enumerate(SPELLS):
                if lo <= gap < hi:
                    seen[i].add(d.id)
                    if d.won:
                        won[i].add(d.id)
    t = TouchTiming()
    for i, (lo, hi) in enumerate(SPELLS):
        if len(seen[i]) >= MIN_SPELLS:
            t.rows.append((lo, hi, len(seen[i]), len(won[i]) / len(seen[i])))
    if t.rows:
        t.best_day = max(t.rows, key=lambda r: r[3])[0]
    return t


@dataclass
class Adoption:
    """Decisions and outcomes of earlier suggestions of one kind."""

    accepted: int = 0
    rejected: int = 0
    won_after: int = 0
    lost_after: int = 0

    def weight(self, base: float) -> float:
        a = base * PRIOR_STRENGTH + self.accepted + self.won_after
        n = PRIOR_STRENGTH + self.accepted + self.rejected + self.won_after + self.lost_after
        return a / n


@dataclass
class Suggestion:
    kind: str
    deal_id: str
    deal: str
    owner_id: str | None
    title: str
    due_on: date
    reason: str
    confidence: float
    priority: float
    last_activity: date | None = None


def _last_activity(snap: Snapshot, deal_id: str, day: int) -> int | None:
    act = snap.activity.get(deal_id)
    days = [x for v in (act.days.values() if act else []) for x in v if x <= day]
    return max(days) if days else None


def suggest(snap: Snapshot, risks: list[DealRisk], day: int, timing: TouchTiming,
            adoption: dict[str, Adoption]) -> list[Suggestion]:
    """One suggestion per at-risk deal (its most pressing flag), best first; muted kinds left out."""
    today = date.fromordinal(day)
    out = []
    for r in risks:
        d = snap.by_id[r.deal_id]
        codes = {f.code: f.why for f in r.flags}
        last = _last_activity(snap, d.id, day)
        if "stalled" in codes or "fading" in codes:
            quiet = day - (last if last is not None else (d.created_day or day))
            wait = timing.best_day or 14
            due = today if quiet >= wait else date.fromordinal((last or day) + wait)
            kind, title = "re_engage", f"Re-engage the buyer on {d.name}"
            why = codes.get("stalled") or codes["fading"]
            reason = (f"{why}. {timing.describe()}; " + ("so touch it now" if due == today else
                                                         f"so touch it on {due}, day {wait} of the silence"))
        elif "pushed" in codes:
            kind, title, due = "confirm_close_plan", f"Confirm the close plan for {d.name} with the buyer", today + timedelta(days=3)
            reason = f"{codes['pushed']}: agree the remaining steps and a date the buyer commits to"
        elif "single_threaded" in codes:
            kind, title, due = "multi_thread", f"Bring a second contact into {d.name}", today + timedelta(days=7)
            reason = f"{codes['single_threaded']}: deals with more people engaged win more often"
        elif "no_next_step" in codes:
            kind, title, due = "set_next_step", f"Agree and record the next step on {d.name}", today + timedelta(days=1)
            reason = codes["no_next_step"]
        elif "oversized" in codes:
            kind, title, due = "review_deal_size", f"Check budget and scope of {d.name} with the buyer", today + timedelta(days=7)
            reason = codes["oversized"]
        else:
            continue
        w = adoption.get(kind, Adoption()).weight(BASE[kind])
        if w < MUTE_BELOW:
            continue
        exposure = (r.amount or 0.0) * (1.0 - r.probability)
        out.append(Suggestion(kind, d.id, d.name, d.owner_id, title, due, reason, round(w, 4),
                              round(w * exposure, 2), date.fromordinal(last) if last is not None else None))
    return sorted(out, key=lambda s: -s.priority)
