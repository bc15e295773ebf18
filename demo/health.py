"""Customer-health signals of the demo company: weekly product usage (seats, active users, logins, features
used), support tickets and marketing or web touches, with stories: accounts that drift, recover, stagnate
or expand, and prospects in evaluation or trial.

How the signals relate to renewals (the thing the renewal-risk model learns): the deal generator draws each
renewal's outcome first. Before each renewal, the account goes through a *risk episode* of latent strength
``r`` (larger before renewals that were lost, around zero before most that were won; open renewals of
accounts flagged ``declining`` drift now). The episode shows in four channels, each with its own
sensitivity drawn per episode, so no single channel tells the whole story: active users fall, logins per
user fall, the account stops adopting new features (stagnation), support tickets climb and get more
severe, and marketing engagement (webinars, content) fades. Some won renewals dip and recover before the
renewal date. Its own random generator (``SEED + 18``) leaves every other demo row unchanged.
The monthly ``product_usage`` rows are the weekly rows aggregated, so both tables tell the same story.
"""

from __future__ import annotations

import csv
import math
import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from pathlib import Path

from demo.accounts import AccountPlan
from demo.deals import DealPlan
from demo.usage import customer_windows

FEATURES = ["pipelines", "connectors", "scheduling", "alerts", "dashboards", "lineage", "quality checks",
            "access policies", "audit log", "cost reports", "api", "sso"]
SUBJECTS = {"low": ["Question about dashboard filters", "How do I export a report", "SSO login question"],
            "normal": ["Connector sync is slow", "Alert fired twice", "Scheduling job skipped a run"],
            "high": ["Pipeline failures since upgrade", "Lineage view missing tables", "Data freshness alerts late"],
            "urgent": ["Production pipelines down", "Cannot log in: all users blocked", "Data loss in nightly sync"]}
CONTENT = ["Data observability buyer's guide", "Pipeline reliability benchmark report", "Lineage in practice webinar",
           "Cost of bad data calculator", "Governance checklist"]


def _monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def _at(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(rng.randint(8, 17), rng.choice([0, 15, 30, 45])))


def _poisson(rng: random.Random, lam: float) -> int:
    n, p, limit = 0, 1.0, math.exp(-lam)
    while True:
        p *= rng.random()
        if p <= limit:
            return n
        n += 1


class _Episode:
    """A risk episode before a renewal: strength ``r`` from ``onset`` to ``due``, per-channel sensitivity."""

    def __init__(self, rng: random.Random, due: date, r: float, recovers: bool) -> None:
        self.due, self.r, self.recovers = due, r, recovers
        self.onset = due - timedelta(days=rng.randint(130, 210))
        self.sens = {c: rng.uniform(0.2, 1.4) for c in ("usage", "logins", "features", "support", "marketing")}

    def level(self, day: date) -> float:
        if day < self.onset or day > self.due + timedelta(days=7) or self.r <= 0:
            return 0.0
        ramp = min(1.0, (day - self.onset).days / 42)
        if self.recovers and day > self.due - timedelta(days=70):
            ramp *= max(0.0, 1 - (day - (self.due - timedelta(days=70))).days / 35)
        return self.r * ramp


def _episodes(rng: random.Random, acc: AccountPlan, deals: list[DealPlan]) -> list[_Episode]:
    out = []
    for d in sorted((d for d in deals if d.deal_type == "renewal"), key=lambda d: d.close_date):
        if d.closed_on is None:
            r = rng.gauss(1.3, 0.35) if acc.declining else rng.gauss(0.0, 0.7)
            out.append(_Episode(rng, d.close_date, r, False))
        elif d.won:
            r = rng.gauss(0.0, 0.7)
            out.append(_Episode(rng, d.closed_on, r + (0.9 if acc.declining else 0.0), r > 0.6 and rng.random() < 0.6))
        else:
            out.append(_Episode(rng, d.closed_on, rng.gauss(1.3, 0.6), False))
    return out


class _Writer:
    def __init__(self, rng: random.Random, anchor: date) -> None:
        self.rng, self.anchor = rng, anchor
        self.weeks: list[dict] = []
        self.tickets: list[dict] = []
        self.touches: list[dict] = []

    def ticket(self, acc: AccountPlan, day: date, severity: str, slow: float) -> None:
        rng = self.rng
        opened = _at(day, rng)
        base = {"urgent": 1.0, "high": 3.0, "normal": 8.0, "low": 20.0}[severity]
        first = opened + timedelta(hours=base * math.exp(rng.gauss(0, 0.5)) * (1 + slow))
        resolved = first + timedelta(hours=24 * math.exp(rng.gauss(0.7, 0.8)) * (1 + slow))
        self.tickets.append({
            "ticket_id": f"T-{len(self.tickets) + 1:05d}", "account": acc.id, "opened_at": opened,
            "severity": severity, "subject": rng.choice(SUBJECTS[severity]),
            "first_response_at": first if first.date() <= self.anchor else None,
            "resolved_at": resolved if resolved.date() < self.anchor else None})

    def touch(self, acc: AccountPlan, day: date, kind: str, detail: str) -> None:
        contact = self.rng.choice(acc.contacts)
        self.touches.append({"touch_id": f"M-{len(self.touches) + 1:05d}", "account": acc.id,
                             "contact_email": contact["email"], "occurred_at": _at(day, self.rng), "kind": kind,
                             "detail": detail})

    def customer(self, acc: AccountPlan, deals: list[DealPlan], start: date, end: date, acv: float,
                 stagnate: bool) -> None:
        rng = self.rng
        episodes = _episodes(rng, acc, deals)
        expansions = sorted(d.closed_on for d in deals if d.won and d.deal_type == "expansion" and d.closed_on)
        seats0 = max(20, int(acv / 600))
        target = rng.uniform(0.55, 0.82)
        adopted = rng.sample(FEATURES, 2)
        per_user = rng.uniform(2.5, 5.0)
        week = _monday(start) + timedelta(days=7)
        n = 0
        while week <= min(end, self.anchor - timedelta(days=7)):
            n += 1
            seats = int(seats0 * 1.3 ** sum(1 for e in expansions if e <= week))
            x = {c: sum(ep.level(week) * ep.sens[c] for ep in episodes) for c in episodes[0].sens} if episodes \
                else defaultdict(float)
            if acc.declining and (end - week).days <= 210:
                x["usage"] = max(x["usage"], 1.2 * (1 - (end - week).days / 210) + 0.3)
            target = min(0.92, max(0.4, target + rng.gauss(0.002, 0.015)))
            ramp = min(1.0, 0.25 + n / 12)  # onboarding: usage ramps over the first three months
            ratio = max(0.03, min(0.97, target * ramp * (1 - 0.4 * min(x["usage"], 2.0)) + rng.gauss(0, 0.03)))
            active = int(round(seats * ratio))
            stuck = stagnate and n > 3
            explore = 0.0 if stuck else 0.2 * max(0.0, 1 - 0.8 * x["features"])
            if len(adopted) < len(FEATURES) and rng.random() < explore:
                adopted.append(rng.choice([f for f in FEATURES if f not in adopted]))
            use_p = max(0.25, 0.92 - 0.3 * min(x["features"], 2.0))
            used = [f for f in adopted if rng.random() < use_p] or adopted[:1]
            logins = int(active * per_user * max(0.2, 1 - 0.3 * min(x["logins"], 2.0)) * rng.uniform(0.85, 1.15))
            self.weeks.append({"account": acc.id, "week": week, "seats": seats, "active_users": active,
                               "logins": logins, "features_used": len(used), "features": ";".join(used)})
            lam = seats / 260 * (0.5 + 1.1 * min(x["support"], 2.5))
            for _ in range(_poisson(rng, lam)):
                hi = 0.12 + 0.3 * min(x["support"], 1.5)
                sev = rng.choices(["urgent", "high", "normal", "low"], weights=[hi * 0.3, hi * 0.7, 0.55, 0.45 - hi])[0]
                self.ticket(acc, week + timedelta(days=rng.randint(0, 4)), sev, 0.5 * min(x["support"], 2.0))
            if rng.random() < 0.16 * max(0.05, 1 - 0.7 * x["marketing"]):
                kind = rng.choice(["webinar", "content_download", "event"])
                self.touch(acc, week + timedelta(days=rng.randint(0, 4)), kind, rng.choice(CONTENT))
            if any(0 < (ep.due - week).days < 90 for ep in episodes) and rng.random() < 0.04 + 0.05 * x["usage"]:
                self.touch(acc, week + timedelta(days=rng.randint(0, 4)), "pricing_page", "/pricing")
            week += timedelta(days=7)

    def prospect(self, acc: AccountPlan, deal: DealPlan) -> None:
        """Evaluation touches for an open new deal; some prospects also run a trial (a few seats)."""
        rng = self.rng
        for _ in range(rng.randint(1, 4)):
            day = self.anchor - timedelta(days=rng.randint(3, 75))
            self.touch(acc, day, rng.choice(["pricing_page", "content_download", "webinar"]),
                       rng.choice(CONTENT + ["/pricing", "/product/observe", "/security"]))
        if deal.stage in ("discovery", "demo", "proposal") and rng.random() < 0.45:
            began = self.anchor - timedelta(days=rng.randint(10, 45))
            self.touch(acc, began, "trial_signup", "14-day trial")
            engaged = rng.random() < 0.6
            week, seats = _monday(began) + timedelta(days=7), 10
            adopted = rng.sample(FEATURES[:6], 2)
            while week <= self.anchor - timedelta(days=7):
                active = rng.randint(3, 8) if engaged else rng.randint(0, 1)
                self.weeks.append({"account": acc.id, "week": week, "seats": seats, "active_users": active,
                                   "logins": active * rng.randint(2, 6), "features_used": len(adopted) if active else 0,
                                   "features": ";".join(adopted) if active else ""})
                week += timedelta(days=7)


def health_signals(deals: list[DealPlan], accounts: list[AccountPlan], anchor: date, seed: int) -> dict[str, list[dict]]:
    """Rows for the signals import (``usage``, ``tickets``, ``touches``, as the generic mapping reads them) and
    the monthly ``product_usage`` rows aggregated from the weekly usage."""
    rng = random.Random(seed + 18)
    w = _Writer(rng, anchor)
    by_acc: dict[str, list[DealPlan]] = defaultdict(list)
    for d in deals:
        by_acc[d.account.id].append(d)
    windows = customer_windows(deals, anchor)
    plans = {a.id: a for a in accounts}
    # the stagnation story: the newest customers (onboarding) never get past their first two features
    recent = sorted(((s, a) for a, (s, _, _) in windows.items() if (anchor - s).days < 150), reverse=True)
    stagnant = {a for _, a in recent[:3:2]}
    for acc_id, (start, end, acv) in sorted(windows.items()):
        w.customer(plans[acc_id], by_acc[acc_id], start, end, acv, acc_id in stagnant)
    for d in sorted(deals, key=lambda d: d.id):
        if d.closed_on is None and d.deal_type == "new" and d.account.id not in windows:
            w.prospect(d.account, d)
    return {"usage": w.weeks, "tickets": w.tickets, "touches": w.touches,
            "monthly": monthly(w.weeks, w.tickets, rng)}


def monthly(weeks: list[dict], tickets: list[dict], rng: random.Random) -> list[dict]:
    """``product_usage`` rows: the weeks of each month averaged (users, seats), summed (logins, tickets),
    with the legacy 0-100 health figure the account look-ups show."""
    months: dict[tuple[str, date], list[dict]] = defaultdict(list)
    for row in weeks:
        months[(row["account"], row["week"].replace(day=1))].append(row)
    opened: dict[tuple[str, date], int] = defaultdict(int)
    for t in tickets:
        opened[(t["account"], t["opened_at"].date().replace(day=1))] += 1
    out = []
    for (acc, month), rows in sorted(months.items()):
        seats = max(r["seats"] for r in rows)
        active = int(sum(r["active_users"] for r in rows) / len(rows))
        n = opened[(acc, month)]
        ratio = active / seats if seats else 0.0
        health = max(0.0, min(100.0, round(22 + 80 * ratio - 3 * n + rng.gauss(0, 3), 1)))
        out.append({"account_id": acc, "month": month, "seats": seats, "active_users": active,
                    "logins": sum(r["logins"] for r in rows), "support_tickets": n, "health_score": health})
    return out


def write_signals(crm: object, signals: dict[str, list[dict]], folder: Path) -> dict[str, int]:
    """Write the signal rows as the CSV files a product-analytics, help-desk and marketing export would be,
    and load them through the declarative signals import (the shipped ``generic`` mapping)."""
    from knowledge.crm.signals_import import import_signals

    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in (("usage.csv", signals["usage"]), ("tickets.csv", signals["tickets"]),
                       ("touches.csv", signals["touches"])):
        with (folder / name).open("w", newline="", encoding="utf-8") as fh:
            out = csv.DictWriter(fh, fieldnames=list(rows[0]))
            out.writeheader()
            for r in rows:
                out.writerow({k: (v.isoformat(sep=" ") if isinstance(v, datetime) else v.isoformat()
                                  if isinstance(v, date) else "" if v is None else v) for k, v in r.items()})
    report = import_signals(crm, folder, "generic")  # type: ignore[arg-type]
    if report.error_count:
        raise RuntimeError(f"demo signals import had errors: {report.errors[:3]}")
    return {kind: info["rows"] for kind, info in report.files.items()}
