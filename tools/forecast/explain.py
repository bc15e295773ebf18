"""Turn feature contributions into plain-word factors ("no activity for 41 days", "rep wins 28%")."""

from __future__ import annotations

import math

import numpy as np

from tools.forecast.features import FEATURES
from tools.forecast.model import N_STAGE, TrainedModel, stages_of
from tools.forecast.schemas import Factor


def _days(v: float) -> int:
    return int(round(math.expm1(v)))


_WORDS = {
    "days_in_stage": lambda v: f"{_days(v)} days in the current stage",
    "age_days": lambda v: f"deal is {_days(v)} days old",
    "amount_log": lambda v: f"amount {math.expm1(v):,.0f}",
    "amount_missing": lambda v: "no amount recorded" if v else "amount recorded",
    "amount_vs_typical": lambda v: f"amount is {v:.1f}x a typical won deal for this product",
    "is_renewal": lambda v: "a renewal" if v else "not a renewal",
    "is_expansion": lambda v: "an expansion of an existing customer" if v else "not an expansion",
    "rep_win_rate": lambda v: f"the rep's historical win rate is {v:.0%}",
    "rep_experience": lambda v: f"the rep has closed {_days(v)} deals before",
    "product_win_rate": lambda v: f"this product wins {v:.0%} of the time",
    "sector_win_rate": lambda v: f"deals in this sector win {v:.0%} of the time",
    "account_prior_wins": lambda v: f"the account has {int(v)} earlier won deals",
    "employees_log": lambda v: f"the account has {_days(v):,} employees",
    "emails_30d": lambda v: f"{int(v)} emails in the last 30 days",
    "meetings_30d": lambda v: f"{int(v)} meetings in the last 30 days",
    "calls_30d": lambda v: f"{int(v)} calls in the last 30 days",
    "activity_trend": lambda v: (f"engagement {'rising' if v > 0 else 'falling' if v < 0 else 'flat'} "
                                 f"({int(v):+d} activities versus the 30 days before)"),
    "activities_total": lambda v: f"{_days(v)} activities logged so far",
    "days_since_activity": lambda v: f"last activity {_days(v)} days ago",
    "contacts_engaged": lambda v: ("single-threaded: only one contact engaged" if v == 1 else
                                   "no contact engaged yet" if v == 0 else f"{int(v)} contacts engaged"),
    "close_pushes": lambda v: f"close date pushed {int(v)} time{'s' if v != 1 else ''}",
    "health": lambda v: f"customer health score {v * 100:.0f}/100",
    "has_health": lambda v: "customer health is known" if v else "no customer health data",
    "days_to_close": lambda v: (f"expected to close in {int(v * 100)} days" if v >= 0 else
                                f"close date passed {int(-v * 100)} days ago"),
    "has_close_date": lambda v: "has an expected close date" if v else "no expected close date",
}


def factors(model: TrainedModel, X: np.ndarray, k: int = 3) -> list[tuple[list[Factor], list[Factor]]]:
    """Top ``k`` positive and negative factors per row."""
    contrib = model.contributions(X)
    stages = stages_of(X)
    names = ["stage"] + FEATURES[N_STAGE:]
    out = []
    for i in range(len(X)):
        items = []
        for j, name in enumerate(names):
            eff = float(contrib[i, j])
            if abs(eff) < 0.02:
                continue
            if name == "stage":
                rate = model.baseline.rates.get(stages[i], model.baseline.overall)
                text = f"in stage {stages[i]}, where {rate:.0%} of deals have gone on to win"
            else:
                text = _WORDS[name](float(X[i, N_STAGE + j - 1]))
            items.append(Factor(text=text, effect=round(eff, 3)))
        pos = sorted((f for f in items if f.effect > 0), key=lambda f: -f.effect)[:k]
        neg = sorted((f for f in items if f.effect < 0), key=lambda f: f.effect)[:k]
        out.append((pos, neg))
    return out
