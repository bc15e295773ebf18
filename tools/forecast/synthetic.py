"""A deterministic synthetic sales history for tests and the benchmark (no real data, no downloads).

Deals move through the stages with a history row per change; better reps and busier deals win more;
losing deals slip their close dates and go quiet. Everything after ``today`` is cut off, so deals that
would close later are open, exactly like a live CRM.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

import numpy as np

from tools.forecast.data import OPEN_ORDER, DealActivity, DealRec, HistoryRow, Snapshot

PRODUCTS = {"P-pipe": ("Pipelines", 30000.0), "P-obs": ("Observe", 45000.0),
            "P-gov": ("Govern", 60000.0), "P-ent": ("Enterprise Suite", 120000.0)}
SECTORS = ["healthcare", "manufacturing", "financial services", "retail", "software"]


def generate(n_deals: int, *, today: date = date(2017, 12, 31), years: float = 2.0, n_reps: int = 12,
             seed: int = 7) -> Snapshot:
    rng = np.random.default_rng(seed)
    t_end = today.toordinal()
    t0 = t_end - int(365 * years)
    teams = {f"T{i}": {"name": f"Team {i}", "manager_id": f"M{i}"} for i in range(max(1, n_reps // 4))}
    users = {f"M{i}": {"name": f"Manager {i}", "role": "manager", "team_id": f"T{i}"} for i in range(len(teams))}
    skill = {}
    for r in range(n_reps):
        users[f"R{r}"] = {"name": f"Rep {r}", "role": "rep", "team_id": f"T{r % len(teams)}"}
        skill[f"R{r}"] = float(rng.normal(0, 0.6))
    n_acc = max(10, n_deals // 4)
    accounts = {f"A{i}": {"name": f"Account {i}", "sector": SECTORS[i % len(SECTORS)],
                          "employees": int(rng.integers(50, 20000)), "revenue": None} for i in range(n_acc)}
    products = {k: {"name": v[0], "list_price": v[1]} for k, v in PRODUCTS.items()}
    pids = list(PRODUCTS)
    deals: list[DealRec] = []
    activity: dict[str, DealActivity] = {}
    for i in range(n_deals):
        rep = f"R{int(rng.integers(n_reps))}"
        created = int(rng.integers(t0, t_end - 10))
        quality = skill[rep] + float(rng.normal(0, 1.0))
        won = rng.random() < 1 / (1 + math.exp(-(quality - 0.4)))
        last = len(OPEN_ORDER) - 1 if won else int(rng.integers(0, len(OPEN_ORDER)))
        cycle = int(rng.integers(40, 200)) if won else int(rng.integers(20, 160))
        pid = pids[int(rng.integers(len(pids)))]
        amount = round(PRODUCTS[pid][1] * float(rng.lognormal(0, 0.3)), -2)
        steps = np.sort(rng.integers(0, cycle, size=last)) + created
        hist = [HistoryRow(created, None, OPEN_ORDER[0], amount, date.fromordinal(created + 90))]
        expected = created + 90
        for k, day in enumerate(steps, start=1):
            if rng.random() < (0.15 if won else 0.4):
                expected += 30
            hist.append(HistoryRow(int(day), OPEN_ORDER[k - 1], OPEN_ORDER[k], amount, date.fromordinal(expected)))
        end = created + cycle
        hist.append(HistoryRow(end, hist[-1].to_stage, "closed_won" if won else "closed_lost", amount,
                               date.fromordinal(end)))
        rate = 0.25 + 0.35 * (quality > 0) + 0.2 * won
        n_act = int(rng.poisson(rate * cycle / 7)) + 1
        frac = rng.beta(1.0, 1.0 if won else 2.0, size=n_act)  # losers go quiet towards the end
        days = sorted(int(created + f * cycle) for f in frac)
        kinds = rng.choice(["email", "email", "meeting", "call", "note"], size=n_act)
        n_contacts = 1 + int(rng.poisson(2.0 if won else 0.8))
        contacts = [f"C{i}-{int(rng.integers(n_contacts))}" for _ in range(n_act)]
        keep = end if end <= t_end else t_end
        hist = [h for h in hist if h.day <= keep]
        act = DealActivity()
        for day, kind, c in zip(days, kinds, contacts, strict=True):
            if day <= keep:
                act.days.setdefault(str(kind), []).append(day)
                act.contacts.append((day, c))
        act.contacts.sort()
        activity[f"D{i}"] = act
        closed = end <= t_end
        stage = hist[-1].to_stage
        deals.append(DealRec(
            f"D{i}", f"Deal {i}", f"A{int(rng.integers(n_acc))}", rep, users[rep]["team_id"], pid, stage,
            amount, "renewal" if rng.random() < 0.15 else "new", date.fromordinal(created),
            hist[-1].close_date, date.fromordinal(end) if closed else None,
            None if closed or rng.random() < (0.1 if won else 0.4) else "follow up", None,
            None, hist))
    return Snapshot(deals, accounts, products, users, teams, activity, {})


def write_to_crm(crm, snap: Snapshot) -> None:  # type: ignore[no-untyped-def]
    """Store a synthetic snapshot in a CRM database (tests): users, teams, accounts, deals, history, activity."""
    from knowledge.crm.models import Account, Activity, Deal, Product, StageChange, Team, User

    with crm.session() as s:
        for tid, t in snap.teams.items():
            s.add(Team(id=tid, name=t["name"], manager_id=t["manager_id"]))
        s.flush()
        for uid, u in snap.users.items():
            s.add(User(id=uid, name=u["name"], email=f"{uid.lower()}@example.com", role=u["role"],
                       team_id=u["team_id"]))
        for pid, p in snap.products.items():
            s.add(Product(id=pid, name=p["name"], list_price=p["list_price"]))
        s.flush()
        for aid, a in snap.accounts.items():  # reps of several teams sell to one account: it is shared, unowned
            s.add(Account(id=aid, name=a["name"], sector=a["sector"], employees=a["employees"]))
        s.flush()
        for d in snap.deals:
            s.add(Deal(id=d.id, name=d.name, account_id=d.account_id, owner_id=d.owner_id, team_id=d.team_id,
                       product_id=d.product_id, stage=d.stage, amount=d.amount, deal_type=d.deal_type,
                       created_on=d.created_on, close_date=d.close_date, closed_on=d.closed_on,
                       next_step=d.next_step, updated_at=datetime(2000, 1, 1)))
        s.flush()
        for d in snap.deals:
            for h in d.history:
                s.add(StageChange(deal_id=d.id, changed_on=date.fromordinal(h.day), from_stage=h.from_stage,
                                  to_stage=h.to_stage, amount=h.amount, close_date=h.close_date))
            act = snap.activity.get(d.id)
            if act is None:
                continue
            contact_at = dict(act.contacts)
            n = 0
            for kind, days in act.days.items():
                for day in days:
                    n += 1
                    _ = contact_at.get(day)
                    s.add(Activity(id=f"{d.id}-a{n}", kind=kind, deal_id=d.id, account_id=d.account_id,
                                   owner_id=d.owner_id, team_id=d.team_id,
                                   occurred_at=datetime.combine(date.fromordinal(day), datetime.min.time())
                                   + timedelta(hours=10), subject=f"{kind} {n}"))
