"""Monthly product usage for customer accounts; declining accounts lose active users before renewal."""

from __future__ import annotations

import random
from datetime import date

from demo.deals import DealPlan


def _months(start: date, end: date) -> list[date]:
    out, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append(date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def customer_windows(deals: list[DealPlan], anchor: date) -> dict[str, tuple[date, date, float]]:
    """account id -> (first month live, last month live, annual contract value) for accounts that bought."""
    out: dict[str, tuple[date, date, float]] = {}
    by_acc: dict[str, list[DealPlan]] = {}
    for d in deals:
        by_acc.setdefault(d.account.id, []).append(d)
    for acc_id, ds in by_acc.items():
        wins = sorted((d for d in ds if d.won), key=lambda d: d.closed_on)  # type: ignore[arg-type,return-value]
        if not wins or wins[0].closed_on >= anchor.replace(day=1):  # type: ignore[operator]
            continue
        lost_renewals = [d.closed_on for d in ds if d.deal_type == "renewal" and d.won is False and d.closed_on]
        end = anchor
        if lost_renewals and max(lost_renewals) > wins[-1].closed_on:  # type: ignore[operator]
            end = max(lost_renewals)
        acv = max(d.amount / d.term_years for d in wins)
        out[acc_id] = (wins[0].closed_on, end, acv)  # type: ignore[assignment]
    return out


def usage_rows(rng: random.Random, deals: list[DealPlan], anchor: date) -> list[dict]:
    declining = {d.account.id for d in deals if d.account.declining}
    rows = []
    for acc_id, (start, end, acv) in sorted(customer_windows(deals, anchor).items()):
        months = _months(start, end)[1:] or _months(start, end)
        seats = max(20, int(acv / 600))
        ratio = rng.uniform(0.5, 0.75)
        for i, month in enumerate(months):
            left = len(months) - i
            if acc_id in declining and left <= 7:
                ratio = max(0.12, ratio - rng.uniform(0.05, 0.1))
            else:
                ratio = min(0.92, max(0.3, ratio + rng.uniform(-0.03, 0.045)))
            active = int(seats * ratio)
            # a declining account's support tickets climb over its last seven months
            tickets = max(0, int(rng.gauss(2 + 4 * ((8 - left) / 7) ** 2 if acc_id in declining and left <= 7 else 2, 1.5)))
            health = max(0.0, min(100.0, round(22 + 80 * ratio - 3 * tickets + rng.gauss(0, 4), 1)))
            rows.append({"account_id": acc_id, "month": month, "seats": seats, "active_users": active,
                         "logins": int(active * rng.uniform(9, 22)), "support_tickets": tickets,
                         "health_score": health})
    return rows
