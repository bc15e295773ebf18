"""One period's forecast as of a day: what the product predicts and what the two baselines predict.

- product: closed won so far + sum over every open deal of P(won within the period) x amount
  (model.py x timing.py; a deal whose stated close date is after the period still counts, through its
  pull-in chance) + the expected won amount of deals not yet created that will be created and won
  inside the period (the mean of the same-length windows just before the as-of date, as Gong's
  projection adds created-and-closed pipeline);
- stage-weighted baseline: closed won so far + stage win rate x amount of open deals whose stated close
  date (or created + median cycle when they have none) falls inside the period;
- historical time-in-period conversion: closed won so far + open pipeline amount x the share of open
  pipeline that turned into won revenue by the period's end at the same point of earlier periods.
Everything here reads only what was known at the as-of date (closed days before it, states at it).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from tools.forecast.data import DealRec, Snapshot
from tools.forecast.features import DealState, FeatureBuilder, is_open_at, state_at
from tools.forecast.model import TrainedModel, stages_of
from tools.forecast.timing import Situation, situation

Keep = Callable[[DealRec], bool]
N_WINDOWS = 6  # created-and-won history: this many windows of the same length, a month apart
N_PERIODS = 4  # conversion baseline: the same point of this many earlier periods


@dataclass
class PeriodEstimate:
    day: int
    lo: int
    hi: int
    closed_won: float
    closed_won_deals: int
    deals: list[DealRec]
    states: list[DealState]
    amounts: np.ndarray
    X: np.ndarray
    p_win: np.ndarray
    p_in: np.ndarray
    stage_p: np.ndarray
    in_window: np.ndarray  # stated close (or created + cycle) inside the period: the stage baseline's deals
    situations: list[Situation] = field(default_factory=list)
    created_history: list[float] = field(default_factory=list)
    conversion_ratios: list[float] = field(default_factory=list)

    @property
    def created_mean(self) -> float:
        return float(statistics.fmean(self.created_history)) if self.created_history else 0.0

    @property
    def expected_open(self) -> float:
        return float(self.p_in @ self.amounts) if len(self.amounts) else 0.0

    @property
    def expected_total(self) -> float:
        return self.closed_won + self.expected_open + self.created_mean

    @property
    def stage_total(self) -> float:
        return self.closed_won + float((self.stage_p * self.amounts)[self.in_window].sum())

    @property
    def conversion_total(self) -> float:
        ratio = statistics.fmean(self.conversion_ratios) if self.conversion_ratios else 0.0
        return self.closed_won + ratio * float(self.amounts.sum())


def median_cycle(snap: Snapshot, day: int) -> int | None:
    cycles = [d.closed_day - d.created_day for d in snap.deals
              if d.closed_day is not None and d.created_day is not None and d.closed_day <= day]
    return int(statistics.median(cycles)) if cycles else None


def won_between(snap: Snapshot, keep: Keep, lo: int, hi: int) -> list[DealRec]:
    return [d for d in snap.deals if d.won and d.closed_day is not None and lo <= d.closed_day <= hi and keep(d)]


def created_and_won(snap: Snapshot, keep: Keep, day: int, horizon: int, n: int = N_WINDOWS) -> list[float]:
    """Won amount of deals created and won inside each of ``n`` earlier windows of ``horizon`` days.

    Windows that start before the CRM's first recorded close are skipped: an export whose closing history
    starts later than its deals (Maven's) would otherwise show empty windows that never happened."""
    closes = [d.closed_day for d in snap.deals if d.closed_day is not None and d.closed_day <= day]
    if not closes:
        return []
    first = min(closes)
    out = []
    for j in range(n):
        end = day - 30 * j
        start = end - horizon
        if start < first:
            break
        out.append(float(sum(d.amount or 0.0 for d in snap.deals if d.won and d.created_day is not None
                             and start < d.created_day and d.closed_day is not None and d.closed_day <= end
                             and keep(d))))
    return out


def conversion_ratios(snap: Snapshot, keep: Keep, day: int, lo: int, hi: int, n: int = N_PERIODS) -> list[float]:
    """For the same point of ``n`` earlier periods: won revenue by the period's end / open pipeline then."""
    length = hi - lo + 1
    out = []
    for j in range(1, n + 1):
        t, end = day - j * length, hi - j * length
        if end > day:
            continue
        open_amt = sum(state_at(d, t, snap).amount or 0.0 for d in snap.deals if keep(d) and is_open_at(d, t))
        if open_amt <= 0:
            continue
        won = sum(d.amount or 0.0 for d in won_between(snap, keep, t + 1, end))
        out.append(won / open_amt)
    return out


def estimate(snap: Snapshot, fb: FeatureBuilder, tm: TrainedModel, day: int, lo: int, hi: int,
             keep: Keep = lambda d: True, *, baselines: bool = True) -> PeriodEstimate:
    """The period [lo, hi] (date ordinals) as of ``day`` for the deals ``keep`` selects."""
    won = won_between(snap, keep, lo, min(hi, day))
    deals = [d for d in snap.deals if keep(d) and is_open_at(d, day)]
    states = [state_at(d, day, snap) for d in deals]
    X = fb.matrix([(d, day) for d in deals])
    horizon = max(hi - day, 0)
    p_win = tm.predict(X)
    keys = [situation(st, day, d.created_day) for d, st in zip(deals, states, strict=True)]
    p_in = tm.predict_in_period(X, keys, horizon, win=p_win) if hi > day else np.zeros(len(deals))
    stage_p = tm.baseline.predict(stages_of(X))
    cycle = median_cycle(snap, day)
    in_window = np.zeros(len(deals), dtype=bool)
    for i, (d, st) in enumerate(zip(deals, states, strict=True)):
        close = st.expected_close
        if close is None and d.created_day is not None and cycle is not None:
            close = d.created_day + cycle
        in_window[i] = close is not None and lo <= max(close, day + 1) <= hi
    est = PeriodEstimate(day=day, lo=lo, hi=hi, closed_won=float(sum(d.amount or 0.0 for d in won)),
                         closed_won_deals=len(won), deals=deals, states=states,
                         amounts=np.asarray([st.amount or 0.0 for st in states], dtype=float), X=X,
                         p_win=p_win, p_in=p_in, stage_p=stage_p, in_window=in_window, situations=keys)
    if horizon > 0:
        est.created_history = created_and_won(snap, keep, day, horizon)
        if baselines:
            est.conversion_ratios = conversion_ratios(snap, keep, day, lo, hi)
    return est
