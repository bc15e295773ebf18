"""The whole book of deals over three years: the named open deals, one closed deal per library story,
~1,000 closed and ~120 open deals in total (older years denser), and renewals of one-year wins."""

from __future__ import annotations

import random
from datetime import date, timedelta

from demo.accounts import AccountPlan
from demo.catalog import HISTORY_DAYS, NAMED_ACCOUNTS, PRODUCTS
from demo.deals import (
    PHASE1_RAMP,
    PHASE1_UNIFORM,
    RAMP_FROM,
    TARGET_CLOSED,
    TARGET_OPEN,
    DealFactory,
    DealPlan,
)
from demo.library import Story

RENEWAL_LEAD_DAYS = 100  # a renewal opportunity is opened about three months before the renewal date

NEXT_STEPS = {
    "prospecting": "Book a discovery call with {contact}",
    "qualification": "Confirm budget owner and timeline with {contact}",
    "discovery": "Run the technical deep dive on current pipelines with {contact}",
    "demo": "Tailored demo of {short} for the data team; invite {contact}",
    "proposal": "Walk {contact} through the proposal and pricing options",
    "negotiation": "Agree final terms and paper process with {contact}",
}


def _next_step(rng: random.Random, d: DealPlan, anchor: date) -> None:
    contact = next((c["name"] for c in d.account.contacts if c["id"] in d.engaged), d.account.contacts[0]["name"])
    d.next_step = NEXT_STEPS[d.stage].format(contact=contact, short=PRODUCTS[d.product][1])
    overdue = d.stall_days > 0
    d.next_step_date = anchor + timedelta(days=-rng.randint(5, 25) if overdue else rng.randint(1, 14))


def plan_deals(rng: random.Random, anchor: date, accounts: list[AccountPlan], stories: list[Story]) -> list[DealPlan]:
    fac = DealFactory(rng, anchor)
    by_name = {a.name: a for a in accounts}
    # The four accounts with recorded calls: their open deals exactly as the shared facts say.
    for na in NAMED_ACCOUNTS:
        acc = by_name[na.name]
        contact = acc.contacts[0]["id"]
        if na.deal_type == "renewal":  # a customer for two years: the first deal and one renewal, both won
            for years_ago, kind in ((2, "new"), (1, "renewal")):
                prior = fac.closed(acc, anchor + timedelta(days=na.close_in_days - 365 * years_ago), deal_type=kind,
                                   product=na.product, force_won=True, amount=na.amount)
                prior.renewal_planned = True
        d = fac.open(acc, deal_type=na.deal_type, product=na.product, stage=na.stage, amount=na.amount,
                     close_date=anchor + timedelta(days=na.close_in_days))
        d.name, d.competitor, d.next_step, d.forecast_category = na.deal_name, na.competitor, na.next_step, na.forecast
        d.next_step_date, d.objection, d.stall_days = anchor + timedelta(days=rng.randint(3, 9)), na.objection, 0
        if contact not in d.engaged:
            d.engaged = [contact, *d.engaged][:max(2, len(d.engaged))]
        d.meetings, d.threads = max(d.meetings, 3), max(d.threads, 3)
    for st in stories:
        fac.closed(by_name[st.account], anchor - timedelta(days=st.closed_days_ago), deal_type="new",
                   product=st.product, story=st)
    special = {na.name for na in NAMED_ACCOUNTS} | {st.account for st in stories}
    pool = [a for a in accounts if a.name not in special]
    # Phase 1: closed deals old enough that their renewals fall due before the horizon. Older years are
    # denser (a linear ramp), so the win model has 200+ won and lost deals before every backtest as-of date
    # while the last year looks as busy as before.
    lo, hi = 186, HISTORY_DAYS - 30
    days = [rng.randint(lo, hi) for _ in range(PHASE1_UNIFORM)]
    days += [int(rng.triangular(RAMP_FROM, hi, hi)) for _ in range(PHASE1_RAMP)]
    days.sort(reverse=True)
    for ago in days:
        fac.closed(rng.choice(pool), anchor - timedelta(days=ago))
    _renewals(fac, anchor)
    closed = sum(1 for d in fac.deals if d.closed_on)
    for ago in sorted((rng.randint(2, 180) for _ in range(max(30, TARGET_CLOSED - closed))), reverse=True):
        fac.closed(rng.choice(pool), anchor - timedelta(days=ago))
    open_now = sum(1 for d in fac.deals if d.closed_on is None)
    for _ in range(max(40, TARGET_OPEN - open_now)):
        acc = rng.choice(pool)
        owned = {d.product for d in fac.deals if d.account is acc and d.won}
        product = rng.choice([p for p in PRODUCTS if p not in owned] or list(PRODUCTS)) if owned else None
        fac.open(acc, deal_type="expansion" if owned else "new", product=product)
    for d in fac.deals:
        if d.closed_on is None and d.account.name not in {na.name for na in NAMED_ACCOUNTS}:
            _next_step(rng, d, anchor)
    return fac.deals


def _renewals(fac: DealFactory, anchor: date) -> None:
    """Each won one-year deal renews a year later: closed if due already, open if due within the lead time."""
    rng = fac.rng
    queue = sorted((d for d in fac.deals if d.won), key=lambda d: (d.closed_on, d.id))
    while queue:
        won = queue.pop(0)
        assert won.closed_on is not None
        due = won.closed_on + timedelta(days=365)
        if won.term_years != 1 or won.renewal_planned or due > anchor + timedelta(days=RENEWAL_LEAD_DAYS):
            continue
        won.renewal_planned = True
        if due < anchor - timedelta(days=3):
            r = fac.closed(won.account, due + timedelta(days=rng.randint(-10, 5)), deal_type="renewal",
                           product=won.product)
            if r.won:
                queue.append(r)
                queue.sort(key=lambda d: (d.closed_on, d.id))
        else:
            fac.open(won.account, deal_type="renewal", product=won.product,
                     close_date=max(due, anchor + timedelta(days=5)))
