"""Forecast against actual over past periods, for the asker's own subject (rep, team or company).

At each of the last month ends whose next quarter has closed, the product is replayed with only what was
known then (the model trained as of that day, the range from the residuals of quarters closed by then) and
its forecast of the quarter in progress is set beside what was actually won, with both baselines (stage-
weighted and historical conversion) on the same points: the rolling backtest of ``rolling.py``, for one
subject under the asker's scope. Models come from the forecaster's cache, shared with the model-health
report, so a second look costs a fraction of the first.
"""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import BaseModel, Field

from copilot.core.errors import InvalidRequest
from copilot.core.visibility import Scope
from tools.forecast import inperiod, rolling
from tools.forecast.periods import quarter_bounds, quarter_label, quarter_of
from tools.forecast.schemas import MethodAccuracy, RollingPoint
from tools.forecast.service import Forecaster
from tools.forecast.simulate import percentiles, simulate_totals

MAX_MONTHS = 24


class QuarterResult(BaseModel):
    """One closed quarter: the forecast made the day before it began (and a month later) against the actual."""

    period: str
    as_of: date
    p10: float
    p50: float
    p90: float
    product: float
    stage_weighted: float
    conversion: float
    actual: float
    error: float | None = Field(description="(product - actual) / actual")


class ForecastHistory(BaseModel):
    subject: str
    as_of: date
    points: list[RollingPoint] = Field(default_factory=list)
    quarters: list[QuarterResult] = Field(default_factory=list)
    accuracy: list[MethodAccuracy] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


def _quarters(points: list[RollingPoint]) -> list[QuarterResult]:
    first: dict[str, RollingPoint] = {}
    for p in sorted(points, key=lambda p: p.as_of):
        first.setdefault(p.period, p)
    return [QuarterResult(period=p.period, as_of=p.as_of, p10=p.p10, p50=p.p50, p90=p.p90,
                          product=p.predicted["product"], stage_weighted=p.predicted["stage_weighted"],
                          conversion=p.predicted["conversion"], actual=p.actual,
                          error=round((p.predicted["product"] - p.actual) / p.actual, 4) if p.actual else None)
            for p in first.values()]


def forecast_history(fc: Forecaster, scope: Scope, *, rep: str | None = None, team: str | None = None,
                     company: bool = False, months: int = 12, n_sims: int = 2000) -> ForecastHistory:
    if not 1 <= months <= MAX_MONTHS:
        raise InvalidRequest(f"months must be between 1 and {MAX_MONTHS} (got {months})")
    subject, keep = fc._subject(scope, rep, team, company)
    snap, fb = fc.snapshot(), fc.features()
    today = fc.resolve_as_of(None)[0]
    ends = rolling.monthly_as_ofs(snap, n=2 * months, before=today + timedelta(days=1))
    scored = set(ends[-months:])
    residuals: list[rolling.Residual] = []
    points: list[RollingPoint] = []
    for i, as_of in enumerate(ends):
        day = as_of.toordinal()
        start, end = quarter_bounds(*quarter_of(as_of + timedelta(days=1)))
        lo, hi = start.toordinal(), end.toordinal()
        tm = fc.model(as_of)
        spread = rolling.spread_at(residuals, day)
        whole = inperiod.estimate(snap, fb, tm, day, lo, hi, baselines=subject == "company" and as_of in scored)
        res = rolling.residual_of(whole, float(sum(d.amount or 0.0 for d in inperiod.won_between(
            snap, lambda d: True, lo, hi))))
        if res is not None:  # the range learns from the company's quarters, as the live forecast does
            residuals.append(res)
        if as_of not in scored:
            continue
        est = whole if subject == "company" else inperiod.estimate(snap, fb, tm, day, lo, hi, keep)
        actual = float(sum(d.amount or 0.0 for d in inperiod.won_between(snap, keep, lo, hi)))
        totals = simulate_totals(est.p_in, est.amounts, base=est.closed_won, n_sims=n_sims, seed=i, spread=spread,
                                 created=est.created_history)
        p10, p50, p90 = percentiles(totals)
        predicted = {"product": est.expected_total, "stage_weighted": est.stage_total,
                     "conversion": est.conversion_total}
        points.append(RollingPoint(as_of=as_of, period=quarter_label(*quarter_of(start)), subject=subject,
                                   actual=round(actual, 2), closed_so_far=round(est.closed_won, 2),
                                   predicted={k: round(v, 2) for k, v in predicted.items()}, p10=round(p10, 2),
                                   p50=round(p50, 2), p90=round(p90, 2), covered=p10 <= actual <= p90, model=tm.kind))
    notes = [] if points else ["no past quarter has closed inside the data yet"]
    if points and points[0].model == "baseline":
        notes.append("the earliest points used the stage baseline: too few closed deals to train a model then")
    return ForecastHistory(subject=subject, as_of=today, points=points, quarters=_quarters(points),
                           accuracy=rolling.accuracy(points, subject), notes=notes)
