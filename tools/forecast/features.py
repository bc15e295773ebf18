"""Features of a deal as of a date, computed only from what was known on that date.

``state_at`` replays a deal's stage history to a day (stage, amount, expected close, close-date pushes);
``FeatureBuilder`` turns (deal, day) pairs into a numeric matrix. Rates such as the rep's win rate are
computed from deals closed strictly before the day, so nothing from the future leaks in.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from tools.forecast.data import OPEN_ORDER, DealRec, Snapshot

PRIOR = 10.0  # pseudo-deals of the global rate added to every group rate
CLOSED = ("closed_won", "closed_lost")


@dataclass
class DealState:
    open: bool
    stage: str
    stage_since: int | None
    amount: float | None
    expected_close: int | None
    pushes: int


def exists_at(d: DealRec, day: int) -> bool:
    created = d.created_day
    if created is None:  # no start date: only a deal that is open now is known to exist
        return not d.is_closed
    return created <= day


def is_open_at(d: DealRec, day: int) -> bool:
    if not exists_at(d, day):
        return False
    closed = d.closed_day
    if d.is_closed and closed is None:
        return False
    return closed is None or closed > day


def state_at(d: DealRec, day: int, snap: Snapshot) -> DealState:
    """The deal as the CRM showed it at the end of ``day`` (a date ordinal)."""
    rows = d.history[: bisect.bisect_right([h.day for h in d.history], day)]
    since: int | None
    if rows:
        stage, since = rows[-1].to_stage, rows[-1].day
        if stage in CLOSED:
            stage = rows[-1].from_stage or snap.default_open_stage
    elif d.history and d.history[0].from_stage is not None:
        stage, since = d.history[0].from_stage, d.created_day
    else:  # no transition known by then (a first row with no from-stage records creation or import)
        stage, since = (d.stage if not d.is_closed else snap.default_open_stage), d.created_day
    amount = next((h.amount for h in reversed(rows) if h.amount is not None), None)
    if amount is None:
        if not d.is_closed:
            amount = d.amount
        else:  # a closed deal's own amount is its final value (0 for many losses): use the list price
            price = snap.products.get(d.product_id or "", {}).get("list_price")
            amount = price if price else (d.amount or None)
    close = next((h.close_date for h in reversed(rows) if h.close_date is not None), None)
    if close is None and not d.is_closed and d.close_date is not None:
        close = d.close_date
    pushes, prev = 0, None
    for h in rows:
        if h.close_date is not None:
            if prev is not None and h.close_date > prev:
                pushes += 1
            prev = h.close_date
    return DealState(is_open_at(d, day), stage, since, amount, close.toordinal() if close else None, pushes)


class GroupRates:
    """Win counts per group (rep, product, sector, account) as prefix sums over close day."""

    def __init__(self, deals: list[DealRec], key) -> None:  # type: ignore[no-untyped-def]
        rows: dict[object, list[tuple[int, int, float]]] = defaultdict(list)
        for d in deals:
            day = d.closed_day
            if day is None:
                continue
            k = key(d)
            amt = float(d.amount or 0.0) if d.won else 0.0
            rows[k].append((day, int(d.won), amt))
        self.table: dict[object, tuple[list[int], np.ndarray, np.ndarray, np.ndarray]] = {}
        for k, lst in rows.items():
            lst.sort()
            days = [r[0] for r in lst]
            won = np.concatenate([[0], np.cumsum([r[1] for r in lst])])
            won_amt = np.concatenate([[0.0], np.cumsum([r[2] for r in lst])])
            self.table[k] = (days, won, np.arange(len(lst) + 1), won_amt)

    def at(self, k: object, day: int) -> tuple[int, int, float]:
        """(closed, won, won amount) for group k over deals closed strictly before day."""
        t = self.table.get(k)
        if t is None:
            return 0, 0, 0.0
        i = bisect.bisect_left(t[0], day)
        return int(t[2][i]), int(t[1][i]), float(t[3][i])


FEATURES = [f"stage_{s}" for s in OPEN_ORDER] + [
    "days_in_stage", "age_days", "amount_log", "amount_missing", "amount_vs_typical", "is_renewal",
    "is_expansion", "rep_win_rate", "rep_experience", "product_win_rate", "sector_win_rate",
    "account_prior_wins", "employees_log", "emails_30d", "meetings_30d", "calls_30d", "activity_trend",
    "activities_total", "days_since_activity", "contacts_engaged", "close_pushes", "health", "has_health",
    "days_to_close", "has_close_date",
]


class FeatureBuilder:
    """Build feature rows for (deal, day) pairs against one snapshot."""

    def __init__(self, snap: Snapshot) -> None:
        self.snap = snap
        deals = snap.deals
        acc = snap.accounts
        self.all = GroupRates(deals, lambda d: "*")
        self.rep = GroupRates(deals, lambda d: d.owner_id)
        self.product = GroupRates(deals, lambda d: d.product_id)
        self.sector = GroupRates(deals, lambda d: (acc.get(d.account_id or "", {}).get("sector") or "").lower())
        self.account = GroupRates(deals, lambda d: d.account_id)

    def _rate(self, rates: GroupRates, k: object, day: int, base: float) -> tuple[float, int]:
        n, w, _ = rates.at(k, day)
        return (w + PRIOR * base) / (n + PRIOR), n

    def row(self, d: DealRec, day: int, st: DealState | None = None) -> list[float]:
        snap = self.snap
        st = st or state_at(d, day, snap)
        n_all, w_all, amt_all = self.all.at("*", day)
        base = (w_all + 1) / (n_all + 2)
        stage_vec = [1.0 if st.stage == s else 0.0 for s in OPEN_ORDER]
        created = d.created_day if d.created_day is not None else day
        since = st.stage_since if st.stage_since is not None else created
        amount = st.amount if st.amount and st.amount > 0 else None
        pn, pw, pamt = self.product.at(d.product_id, day)
        typical = pamt / pw if pw else (amt_all / w_all if w_all else None)
        rep_rate, rep_n = self._rate(self.rep, d.owner_id, day, base)
        prod_rate, _ = self._rate(self.product, d.product_id, day, base)
        account = snap.accounts.get(d.account_id or "", {})
        sector_rate, _ = self._rate(self.sector, (account.get("sector") or "").lower(), day, base)
        _, acc_wins, _ = self.account.at(d.account_id, day)
        act = snap.activity.get(d.id)
        counts = {"email": (0, 0), "meeting": (0, 0), "call": (0, 0)}
        total, last_day, recent, prev, contacts = 0, None, 0, 0, 0
        if act is not None:
            for kind, days in act.days.items():
                hi = bisect.bisect_right(days, day)
                if not hi:
                    continue
                c30 = hi - bisect.bisect_right(days, day - 30)
                p30 = bisect.bisect_right(days, day - 30) - bisect.bisect_right(days, day - 60)
                if kind in counts:
                    counts[kind] = (c30, p30)
                recent, prev, total = recent + c30, prev + p30, total + hi
                last_day = max(last_day or days[hi - 1], days[hi - 1])
            hi = bisect.bisect_right(act.contacts, (day, "\uffff"))
            contacts = len({c for _, c in act.contacts[:hi]})
        since_act = day - last_day if last_day is not None else day - created
        health = snap.health_at(d.account_id, day) if d.deal_type == "renewal" else None
        to_close = (st.expected_close - day) if st.expected_close is not None else 0
        return stage_vec + [
            math.log1p(max(day - since, 0)), math.log1p(max(day - created, 0)),
            math.log1p(amount) if amount else 0.0, 0.0 if amount else 1.0,
            min(amount / typical, 10.0) if amount and typical else 1.0,
            1.0 if d.deal_type == "renewal" else 0.0, 1.0 if d.deal_type == "expansion" else 0.0,
            rep_rate, math.log1p(rep_n), prod_rate, sector_rate, float(min(acc_wins, 10)),
            math.log1p(account.get("employees") or 0), float(counts["email"][0]), float(counts["meeting"][0]),
            float(counts["call"][0]), float(recent - prev), math.log1p(total), math.log1p(max(since_act, 0)),
            float(contacts), float(st.pushes), (health if health is not None else 50.0) / 100.0,
            1.0 if health is not None else 0.0, max(min(to_close, 365), -180) / 100.0,
            1.0 if st.expected_close is not None else 0.0,
        ]

    def matrix(self, pairs: list[tuple[DealRec, int]]) -> np.ndarray:
        if not pairs:
            return np.zeros((0, len(FEATURES)))
        return np.asarray([self.row(d, day) for d, day in pairs], dtype=float)


def training_pairs(snap: Snapshot, cutoff: int, *, step: int = 30, gap: int | None = None,
                   start: int | None = None) -> tuple[list[tuple[DealRec, int]], np.ndarray, np.ndarray]:
    """(deal, day) pairs of deals closed before ``cutoff`` at a monthly grid of days they were open.

    Grid days end ``gap`` days before the cutoff (default: the 80th percentile of cycle length, at most
    180 days) so that deals open on a grid day have mostly closed by the cutoff: fewer censored labels.
    Returns the pairs, the labels (1 = won) and the close day of each pair's deal (for time splits).
    """
    closed = [d for d in snap.deals if d.closed_day is not None and d.closed_day < cutoff and d.created_day is not None]
    if gap is None:
        cycles = sorted(d.closed_day - d.created_day for d in closed)  # type: ignore[operator]
        gap = min(cycles[int(0.8 * (len(cycles) - 1))], 180) if cycles else 0
    last = cutoff - 1 - gap
    pairs: list[tuple[DealRec, int]] = []
    for d in closed:
        lo, closed_day = d.created_day, d.closed_day
        if lo is None or closed_day is None:  # never: ``closed`` keeps only deals with both days
            continue
        hi = closed_day - 1
        top = min(hi, last)
        if top < lo:
            continue
        k0 = (last - top + step - 1) // step
        for k in range(k0, (last - lo) // step + 1):
            day = last - k * step
            if start is not None and day < start:
                break
            pairs.append((d, day))
    y = np.asarray([int(d.won) for d, _ in pairs], dtype=int)
    closed_days = np.asarray([d.closed_day for d, _ in pairs], dtype=int)
    return pairs, y, closed_days
