"""When a deal will be won: the slip model behind P(won within the period).

P(won within H days) = P(won at all) x S(H | situation), where H is the number of days from the as-of
date to the period's end, the first factor is the win model (model.py) and

    S(H | situation) = P(won within H days | open now, situation) / P(won | closed, situation).

The numerator is a discrete-time model of a deal's month: a Markov chain over situations (coarse stage,
where the stated close date sits relative to the day, the deal's age). From every deal open on a monthly
grid of past days, one month later it is won, lost, or open in some situation (re-dated, advanced, or
simply a month older and a month closer to or past its date). Chaining those monthly steps gives
P(won within H) for any H. The denominator is the win rate of the situation's rows whose deal has closed
(what the win model, trained on closed deals, estimates on average). The ratio carries slippage (a
stated date inside the quarter that historically lands weeks late), pull-ins (a date after the quarter
that lands inside it) and deals that never close at all (long-open deals a model trained on closed deals
cannot see); it is capped at 1.

Why a chain of one-month steps and not the share of past deals won within the whole horizon (the first
version): the whole-horizon share can only use grid days at least H before the cutoff, so at a quarter
start it rested on rows three to twenty-four months old. A book whose dynamics change (Maven's: its first
cohort all closed in one rush, later old deals sat open for good) was then forecast with its old
dynamics: +19% bias on its quarter totals. Every month step is observed one month after its grid day,
so the newest months count too (Maven's bias fell to +8%). Weighting rows by recency (half-lives of 3, 6
and 12 months) was tried on the development data sets (the demo, Maven, demo companies of other seeds):
it moved Maven by under half a point and made the demo companies worse, so every month counts the same.
Sparse situations borrow strength from coarser ones (each rate is shrunk toward its parent's with
``SHRINK`` pseudo-rows), instead of a hard minimum count.

Why this and not a hazard model with deal-level factors: the win model is already calibrated and
explained (its factors are what reps see); the situation chain needs no fitting beyond counts, is as-of
clean, and says its reason in words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product

import numpy as np

from tools.forecast.data import Snapshot
from tools.forecast.features import DealState, is_open_at, state_at

EARLY = ("prospecting", "qualification", "discovery")
GRID_STEP = 30
GRID_MONTHS = 24
SHRINK = 30.0  # pseudo-rows of the parent situation's rates in every situation's rates
MAX_STEPS = 13  # horizons up to about a year
MIN_ROWS = 30  # grid rows (and rows of closed deals) needed before the slip model adjusts anything

Situation = tuple[str, int | None, int]  # (stage group, days to the stated close date or None, age in days)
STAGES = ("early", "late")
CLOSES = ("none", "overdue", "<=30", "<=90", "<=180", ">180")
AGES = ("<=30", "<=90", "<=180", ">180")
CELLS = list(product(STAGES, CLOSES, AGES))
INDEX = {c: i for i, c in enumerate(CELLS)}
WON, LOST = len(CELLS), len(CELLS) + 1


def situation(st: DealState, day: int, created: int | None) -> Situation:
    """A deal's situation as of ``day``: stage group, days to its stated close date, age."""
    gap = st.expected_close - day if st.expected_close is not None else None
    return ("early" if st.stage in EARLY else "late", gap, max(day - (created if created is not None else day), 0))


def cell(s: Situation, ahead: int = 0) -> tuple[str, str, str]:
    """The bucketed situation, ``ahead`` days later if nothing about the deal changes."""
    stage, gap, age = s
    if gap is None:
        close = "none"
    else:
        g = gap - ahead
        close = "overdue" if g < 0 else "<=30" if g <= 30 else "<=90" if g <= 90 else "<=180" if g <= 180 else ">180"
    a = age + ahead
    return stage, close, ("<=30" if a <= 30 else "<=90" if a <= 90 else "<=180" if a <= 180 else ">180")


def _parents(c: tuple[str, str, str]) -> list[tuple]:
    """Coarser and coarser versions of a cell, ending with everything."""
    return [c[:2], (c[0], "*", c[2]), (c[0],), ()]


@dataclass
class CloseTiming:
    """``won[k, i]``: P(won within k months | open in cell i); ``eventual[i]``: win rate of closed rows."""

    won: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    eventual: np.ndarray = field(default_factory=lambda: np.zeros(0))
    rows: int = 0

    def factor(self, s: Situation, horizon: float) -> float:
        """S(H | situation); 1 (no adjustment) before any history."""
        if not self.rows or horizon <= 0:
            return 1.0 if not self.rows else 0.0
        i = INDEX[cell(s)]
        k = min(horizon / GRID_STEP, MAX_STEPS)
        lo = int(k)
        hi = min(lo + 1, MAX_STEPS)
        p = self.won[lo, i] + (k - lo) * (self.won[hi, i] - self.won[lo, i])
        return float(min(1.0, p / self.eventual[i])) if self.eventual[i] > 0 else 1.0

    def within(self, keys: list[Situation], horizon: float) -> np.ndarray:
        return np.asarray([self.factor(k, horizon) for k in keys], dtype=float)


def _shrunk(num: dict[tuple, float], den: dict[tuple, float], c: tuple[str, str, str]) -> float:
    """num/den of a cell, each level shrunk toward its parent's rate (the root toward 0.5 with 1 pseudo-row)."""
    rate = (num.get((), 0.0) + 0.5) / (den.get((), 0.0) + 1.0)
    for key in [*reversed(_parents(c)[:-1]), c]:
        rate = (num.get(key, 0.0) + SHRINK * rate) / (den.get(key, 0.0) + SHRINK)
    return rate


def fit_timing(snap: Snapshot, cutoff: int, *, months: int = GRID_MONTHS, step: int = GRID_STEP) -> CloseTiming:
    """Month steps of every deal open on days ``cutoff - 1 - step * k`` (k = 1..months), as known at the cutoff."""
    n = len(CELLS)
    moves = np.zeros((n, n))
    won: dict[tuple, float] = {}
    lost: dict[tuple, float] = {}
    seen: dict[tuple, float] = {}
    closed_won: dict[tuple, float] = {}
    closed_all: dict[tuple, float] = {}
    rows = 0
    days = [cutoff - 1 - step * k for k in range(1, months + 1)]
    for d in snap.deals:
        created = d.created_day
        if created is None or created >= cutoff:
            continue
        closed = d.closed_day if d.closed_day is not None and d.closed_day < cutoff else None
        for t in days:
            if t < created:
                break
            if not is_open_at(d, t):
                continue
            c = cell(situation(state_at(d, t, snap), t, created))
            rows += 1
            keys = [c, *_parents(c)]
            done = closed is not None and closed <= t + step
            for key in keys:
                seen[key] = seen.get(key, 0.0) + 1.0
                if done:
                    target = won if d.won else lost
                    target[key] = target.get(key, 0.0) + 1.0
                if closed is not None:
                    closed_all[key] = closed_all.get(key, 0.0) + 1.0
                    closed_won[key] = closed_won.get(key, 0.0) + float(d.won)
            if not done:
                moves[INDEX[c], INDEX[cell(situation(state_at(d, t + step, snap), t + step, created))]] += 1.0
    if rows < MIN_ROWS or closed_all.get((), 0.0) < MIN_ROWS:  # too little history: no adjustment at all
        return CloseTiming()
    chain = np.zeros((n + 2, n + 2))
    chain[WON, WON] = chain[LOST, LOST] = 1.0
    eventual = np.zeros(n)
    for c, i in INDEX.items():
        hw, hl = _shrunk(won, seen, c), _shrunk(lost, seen, c)
        stay = max(0.0, 1.0 - hw - hl)
        aged = np.zeros(n)
        aged[INDEX[cell((c[0], _GAP[c[1]], _AGE[c[2]]), step)]] = 1.0  # the prior: a month older, nothing else
        opened = (moves[i] + SHRINK * aged) / (moves[i].sum() + SHRINK)
        chain[i, :n] = stay * opened
        chain[i, WON], chain[i, LOST] = hw, hl
        eventual[i] = _shrunk(closed_won, closed_all, c)
    start = np.eye(n + 2)[:n]
    won_by = [start[:, WON]]
    for _ in range(MAX_STEPS):
        start = start @ chain
        won_by.append(start[:, WON])
    return CloseTiming(np.asarray(won_by), eventual, rows)


# A representative day count inside each bucket, to age a cell by one step in the prior.
_GAP: dict[str, int | None] = {"none": None, "overdue": -15, "<=30": 15, "<=90": 60, "<=180": 135, ">180": 240}
_AGE = {"<=30": 15, "<=90": 60, "<=180": 135, ">180": 240}
