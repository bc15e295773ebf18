"""When a deal will be won: the slip model behind P(won within the period).

P(won within H days) = P(won at all) x S(H | situation), where H is the number of days from the as-of
date to the period's end, the first factor is the win model (model.py) and

    S(H | situation) = P(won within H days | open now, situation) / P(won | closed, situation)

is estimated from history: every deal open on a monthly grid of past days (including deals still open
today) in the same situation (coarse stage, where its stated close date sits relative to that day, and
its age). The numerator counts a row only if its H days had fully elapsed before the cutoff (no
censoring); the denominator is the win rate of those rows whose deal has closed (what the win model,
trained on closed deals, estimates on average). The ratio carries slippage (a stated date inside the
quarter that historically lands weeks late), pull-ins (a date after the quarter that lands inside it)
and deals that never close at all (long-open deals, which a model trained on closed deals cannot see).
The ratio is capped at 1: a deal is never more likely to be won within the period than at all.

Why this and not a discrete-time hazard model: the win model is already calibrated and explained (its
factors are what reps see); a hazard model would need a competing "lost" hazard and a second set of
factors. The situation table needs no fitting, is as-of clean, and says its reason in words.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from tools.forecast.data import Snapshot
from tools.forecast.features import DealState, is_open_at, state_at

EARLY = ("prospecting", "qualification", "discovery")
MIN_ROWS = 30
GRID_STEP = 30
GRID_MONTHS = 24


def situation(st: DealState, day: int, created: int | None) -> tuple[str, str, str]:
    """(stage group, close-date bucket, age bucket) of a deal as of ``day``."""
    if st.expected_close is None:
        close = "none"
    else:
        gap = st.expected_close - day
        close = ("overdue" if gap < 0 else "<=30" if gap <= 30 else "<=90" if gap <= 90
                 else "<=180" if gap <= 180 else ">180")
    age = day - (created if created is not None else day)
    ages = "<=30" if age <= 30 else "<=90" if age <= 90 else "<=180" if age <= 180 else ">180"
    return ("early" if st.stage in EARLY else "late", close, ages)


def _keys(key: tuple[str, str, str]) -> tuple[tuple, ...]:
    return key, key[:2], (key[0], "*", key[2]), key[1:2], ()


@dataclass
class _Cell:
    win_after: list[float] = field(default_factory=list)  # days from the grid day to the win (inf: not won)
    observable: list[int] = field(default_factory=list)  # days from the grid day to the cutoff
    closed: int = 0
    won: int = 0


@dataclass
class CloseTiming:
    cells: dict[tuple, tuple[np.ndarray, np.ndarray, float]] = field(default_factory=dict)
    rows: int = 0

    def factor(self, key: tuple[str, str, str], horizon: float) -> float:
        """S(H | situation), from the finest situation with enough rows whose H days had elapsed."""
        for k in _keys(key):
            cell = self.cells.get(k)
            if cell is None:
                continue
            win_after, observable, eventual = cell
            seen = observable >= horizon
            if seen.sum() >= MIN_ROWS and eventual > 0:
                return float(min(1.0, (win_after[seen] <= horizon).mean() / eventual))
        return 1.0

    def within(self, keys: list[tuple[str, str, str]], horizon: float) -> np.ndarray:
        return np.asarray([self.factor(k, horizon) for k in keys], dtype=float)


def fit_timing(snap: Snapshot, cutoff: int, *, months: int = GRID_MONTHS, step: int = GRID_STEP) -> CloseTiming:
    """Grid rows of every deal open on days ``cutoff - 1 - step * k`` (k = 1..months), as known at the cutoff."""
    cells: dict[tuple, _Cell] = {}
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
            key = situation(state_at(d, t, snap), t, created)
            win_after = float(closed - t) if closed is not None and d.won else math.inf
            rows += 1
            for k in _keys(key):
                c = cells.setdefault(k, _Cell())
                c.win_after.append(win_after)
                c.observable.append(cutoff - 1 - t)
                if closed is not None:
                    c.closed += 1
                    c.won += int(d.won)
    out = {}
    for k, c in cells.items():
        eventual = c.won / c.closed if c.closed >= MIN_ROWS else 0.0
        out[k] = (np.asarray(c.win_after), np.asarray(c.observable), eventual)
    return CloseTiming(out, rows)
