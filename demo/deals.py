"""Deals with stage histories, generated from a latent win model so that the CRM carries learnable
patterns beyond stage: rep skill, multi-threading, a champion, engagement, competitor, pushes, stalls.

Each deal first draws its features, then its outcome from ``sigmoid(win_logit)``; the activity
generator later writes exactly as many meetings, email threads and engaged contacts as the features say.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from demo.accounts import AccountPlan
from demo.catalog import (
    COMPETITOR_EFFECT,
    COMPETITORS,
    HISTORY_DAYS,
    LOSS_REASONS,
    NO_DECISION_REASONS,
    PEOPLE,
    PRODUCT_WEIGHTS,
    PRODUCTS,
)
from demo.library import Story

PATH = ["prospecting", "qualification", "discovery", "demo", "proposal", "negotiation"]
SKILL = {p.id: p.skill for p in PEOPLE}
TARGET_CLOSED, TARGET_OPEN = 1000, 120
# Phase 1 closed deals: a uniform part plus a part whose density rises with age (more, older history).
PHASE1_UNIFORM, PHASE1_RAMP, RAMP_FROM = 330, 420, 420


@dataclass
class DealPlan:
    id: str
    name: str
    account: AccountPlan
    product: str
    deal_type: str
    amount: float
    term_years: int
    created_on: date
    close_date: date
    closed_on: date | None
    stage: str
    competitor: str | None = None
    loss_reason: str | None = None
    next_step: str | None = None
    next_step_date: date | None = None
    forecast_category: str | None = None
    history: list[dict] = field(default_factory=list)
    engaged: list[str] = field(default_factory=list)  # contact ids engaged on the deal
    meetings: int = 0
    threads: int = 0
    stall_days: int = 0
    pushes: int = 0
    renewal_planned: bool = False
    objection: str | None = None

    @property
    def won(self) -> bool | None:
        return None if self.closed_on is None else self.stage == "closed_won"

    @property
    def owner_id(self) -> str:
        return self.account.owner_id

    def stage_on(self, day: date) -> str:
        stage = self.history[0]["to_stage"]
        for h in self.history:
            if h["changed_on"] <= day:
                stage = h["to_stage"]
        return stage


@dataclass
class Features:
    multi: int
    champion: bool
    competitor: str | None
    pushes: int
    engagement: float
    stall: bool
    discount: float
    logit: float = 0.0


def _features(rng: random.Random, acc: AccountPlan, deal_type: str) -> Features:
    n = len(acc.contacts)
    multi = min(n, rng.choices([1, 2, 3, 4, 5], weights=[28, 30, 22, 13, 7])[0])
    comp = rng.choices([None, *COMPETITORS], weights=[45, 22, 17, 16])[0]
    f = Features(multi=multi, champion=bool(acc.role_ids("champion")) and rng.random() < 0.7, competitor=comp,
                 pushes=rng.choices([0, 1, 2, 3], weights=[50, 28, 15, 7])[0], engagement=rng.gauss(0, 1),
                 stall=rng.random() < 0.22, discount=round(rng.choice([0, 0, 0.05, 0.08, 0.1, 0.12, 0.15, 0.2, 0.25,
                                                                        0.3]), 2))
    base = {"new": -0.95, "expansion": -0.1, "renewal": 2.3}[deal_type]
    if deal_type == "renewal" and acc.declining:
        base -= 2.2
    f.logit = (base + 1.0 * SKILL[acc.owner_id] + 0.6 * (multi - 2.3) + 1.0 * f.champion
               + COMPETITOR_EFFECT[comp] - 0.55 * f.pushes + 0.7 * f.engagement - 1.5 * f.stall
               - 4.0 * max(0.0, f.discount - 0.18) + rng.gauss(0, 1.0))
    return f


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def _amount(product: str, years: int, discount: float) -> float:
    return float(round(PRODUCTS[product][2] * years * (1 - discount) / 500) * 500)


def _cycle(rng: random.Random, product: str, deal_type: str) -> int:
    base = {"Skylark Pipelines": 55, "Skylark Observe": 70, "Skylark Govern": 90, "Skylark Enterprise Suite": 120}
    days = base[product] * (0.6 if deal_type != "new" else 1.0) * math.exp(rng.gauss(0, 0.3))
    return max(21, int(days))


def _path(rng: random.Random, deal_type: str, last: str) -> list[str]:
    """Stages visited in order up to ``last``: some skip a stage, a few regress one step and recover."""
    start = "qualification" if deal_type == "renewal" or rng.random() < 0.2 else "prospecting"
    stages = PATH[min(PATH.index(start), PATH.index(last)): PATH.index(last) + 1]
    if deal_type == "renewal":
        stages = [s for s in stages if s not in ("discovery", "demo")] or [last]
    elif len(stages) > 3 and rng.random() < 0.18:
        skip = rng.choice([s for s in ("discovery", "demo") if s in stages[1:-1]] or [None])
        stages = [s for s in stages if s != skip]
    if len(stages) >= 4 and rng.random() < 0.1:
        i = rng.randint(2, len(stages) - 1)
        stages = stages[:i + 1] + [stages[i - 1], stages[i]] + stages[i + 1:]
    return stages


def _history(rng: random.Random, d: DealPlan, stages: list[str], end: date, final: str | None,
             list_amount: float) -> None:
    """StageChange rows from created_on to ``end``, with close-date pushes recorded as their own rows."""
    span = max(1, (end - d.created_on).days)
    pushed = [rng.randint(14, 45) for _ in range(d.pushes)]
    expected = d.close_date - timedelta(days=sum(pushed))
    steps = len(stages) - 1 + (1 if final else 0)
    cuts = sorted(rng.sample(range(1, span), min(steps, span - 1))) if steps else []
    cuts = (cuts + [span] * steps)[:steps]
    if final:
        cuts[-1] = span
    events: list[tuple[date, str | None, str]] = []
    prev = stages[0]
    for cut, to in zip(cuts, stages[1:] + ([final] if final else []), strict=True):
        events.append((d.created_on + timedelta(days=cut), prev, to))
        prev = to
    push_days = sorted(d.created_on + timedelta(days=rng.randint(max(1, span // 3), max(1, span - 1)))
                       for _ in pushed)
    rows = [{"changed_on": d.created_on, "from_stage": None, "to_stage": stages[0], "amount": list_amount,
             "close_date": expected}]
    timeline = [(day, "stage", fs, ts) for day, fs, ts in events] + [(day, "push", None, None) for day in push_days]
    timeline.sort(key=lambda e: (e[0], e[1] == "stage"))
    stage, amount, pi = stages[0], list_amount, 0
    for day, what, fs, ts in timeline:
        if what == "push":
            expected += timedelta(days=pushed[pi])
            pi += 1
            rows.append({"changed_on": day, "from_stage": stage, "to_stage": stage, "amount": amount,
                         "close_date": expected})
            continue
        if ts in ("proposal", "negotiation", "closed_won"):
            amount = d.amount
        if ts in ("closed_won", "closed_lost"):
            expected = day
        rows.append({"changed_on": day, "from_stage": fs, "to_stage": ts, "amount": amount, "close_date": expected})
        stage = ts or stage
    if d.closed_on is None:
        d.close_date = expected
    for r in rows:
        r["deal_id"], r["changed_by"] = d.id, d.owner_id
    d.history = rows


class DealFactory:
    def __init__(self, rng: random.Random, anchor: date) -> None:
        self.rng = rng
        self.anchor = anchor
        self.deals: list[DealPlan] = []

    def _new_id(self) -> str:
        return f"demo:deal:{len(self.deals) + 1:04d}"

    def _engage(self, d: DealPlan, f: Features, must: Sequence[str] = ()) -> None:
        acc = d.account
        champ = acc.role_ids("champion")
        pool = [c["id"] for c in acc.contacts if c["id"] not in champ]
        self.rng.shuffle(pool)
        chosen = list(must) + ([champ[0]] if f.champion and champ and champ[0] not in must else [])
        chosen += [c for c in pool if c not in chosen]
        d.engaged = chosen[:max(f.multi, len(must), 1)]
        months = max(0.5, ((d.closed_on or self.anchor) - d.created_on).days / 30)
        rate = math.exp(0.4 * f.engagement + 0.12 * (f.multi - 2))
        d.meetings = max(1, int(self.rng.gauss(months * 1.3 * rate, 0.8)))
        d.threads = max(1, int(self.rng.gauss(months * 1.1 * rate, 0.8)))
        d.stall_days = self.rng.randint(35, 80) if f.stall else 0
        d.pushes = f.pushes

    def closed(self, acc: AccountPlan, closed_on: date, *, deal_type: str | None = None, product: str | None = None,
               story: Story | None = None, force_won: bool = False, amount: float | None = None) -> DealPlan:
        rng = self.rng
        product = product or rng.choices(list(PRODUCT_WEIGHTS), weights=list(PRODUCT_WEIGHTS.values()))[0]
        cycle = story.cycle_days if story else _cycle(rng, product, deal_type or "new")
        if deal_type is None:
            created = closed_on - timedelta(days=cycle)
            owned = {x.product for x in self.deals if x.account is acc and x.won and x.closed_on is not None and x.closed_on < created}
            deal_type = "expansion" if owned else "new"
            if owned:
                product = rng.choice([p for p in PRODUCTS if p not in owned] or ["Skylark Observe"])
        f = _features(rng, acc, deal_type)
        won = (story.outcome == "won") if story else force_won or rng.random() < _sigmoid(f.logit)
        if force_won:
            f.competitor = None
        if story:
            f.competitor, f.champion = story.competitor, story.outcome == "won"
            f.stall, f.pushes = story.outcome == "lost", 0 if story.outcome == "won" else 1
            f.multi = max(f.multi, 3) if won else 1
        years = 1 if deal_type == "renewal" else rng.choices([1, 2, 3], weights=[62, 20, 18])[0]
        if force_won or story:
            years = story.term_years if story else 1
        amount = story.amount if story else amount or _amount(product, years, f.discount)
        if won:
            last = "negotiation"
        else:
            weights = [12, 18, 20, 18, 18, 14] if f.logit < -0.5 else [5, 10, 15, 20, 26, 24]
            last = rng.choices(PATH, weights=weights)[0] if not story else "proposal"
        stages = _path(rng, deal_type, last)
        frac = 1.0 if won else 0.35 + 0.65 * (PATH.index(last) + 1) / len(PATH)
        created = closed_on - timedelta(days=max(14, int(cycle * frac)) + 20 * f.pushes)
        created = max(created, self.anchor - timedelta(days=HISTORY_DAYS - 1), closed_on - timedelta(days=400))
        short = PRODUCTS[product][1]
        name = f"{acc.name} - " + ("Renewal" if deal_type == "renewal" else
                                   f"{short} Expansion" if deal_type == "expansion" else short)
        d = DealPlan(id=self._new_id(), name=name, account=acc, product=product, deal_type=deal_type, amount=amount,
                     term_years=years, created_on=created, close_date=closed_on, closed_on=closed_on,
                     stage="closed_won" if won else "closed_lost", competitor=f.competitor)
        if not won:
            d.loss_reason = (story.loss_reason if story and story.loss_reason else
                             LOSS_REASONS[f.competitor] if f.competitor and rng.random() < 0.8 else
                             rng.choice(NO_DECISION_REASONS))
        else:
            d.next_step = "Kickoff handed to Customer Success"
        self._engage(d, f, [acc.role_ids("champion")[0]] if story else [])
        _history(rng, d, stages, closed_on, d.stage, _amount(product, years, 0))
        self.deals.append(d)
        return d

    def open(self, acc: AccountPlan, *, deal_type: str = "new", product: str | None = None,
             close_date: date | None = None, stage: str | None = None, amount: float | None = None) -> DealPlan:
        rng, anchor = self.rng, self.anchor
        product = product or rng.choices(list(PRODUCT_WEIGHTS), weights=list(PRODUCT_WEIGHTS.values()))[0]
        f = _features(rng, acc, deal_type)
        if close_date is None:
            q_start = date(anchor.year, 3 * ((anchor.month - 1) // 3) + 1, 1)
            horizon = (date(q_start.year + (q_start.month + 8 > 12), (q_start.month + 8) % 12 or 12, 28) - anchor).days
            close_date = anchor + timedelta(days=rng.randint(3, max(10, horizon)))
        if stage is None and deal_type == "renewal":
            stage = rng.choice(["qualification", "proposal", "negotiation"])
        stage = stage or rng.choices(PATH, weights=[10, 16, 22, 20, 18, 14])[0]
        years = 1 if deal_type == "renewal" else rng.choices([1, 2, 3], weights=[62, 20, 18])[0]
        amount = amount or _amount(product, years, f.discount)
        age = int(_cycle(rng, product, deal_type) * (0.3 + 0.6 * PATH.index(stage) / len(PATH)))
        short = PRODUCTS[product][1]
        name = f"{acc.name} - " + ("Renewal" if deal_type == "renewal" else
                                   f"{short} Expansion" if deal_type == "expansion" else short)
        d = DealPlan(id=self._new_id(), name=name, account=acc, product=product, deal_type=deal_type, amount=amount,
                     term_years=years, created_on=anchor - timedelta(days=max(6, age + 15 * f.pushes)),
                     close_date=close_date, closed_on=None, stage=stage, competitor=f.competitor)
        self._engage(d, f)
        end = anchor - timedelta(days=d.stall_days or rng.randint(1, 12))
        end = max(end, d.created_on + timedelta(days=2))
        _history(rng, d, _path(rng, deal_type, stage), end, None, _amount(product, years, 0))
        d.forecast_category = ("commit" if stage == "negotiation" or (stage == "proposal" and rng.random() < 0.4)
                               else "best_case" if stage in ("proposal", "demo") else "pipeline")
        self.deals.append(d)
        return d
