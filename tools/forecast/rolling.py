"""Rolling backtest: a forecast of the quarter in progress at every month end, scored after it closed.

At each as-of date T (a month end) the product is trained only on what was known at T and forecasts the
quarter that holds T + 1: closed won so far plus the remaining revenue (inperiod.py). Its P10-P90 range
resamples the residuals of *earlier* points whose quarter had closed by T (simulate.py), so no point
sees its own outcome. Both baselines are scored on the same points, company-wide and per team; at the
deal level every method's P(won within the period) is scored with Brier, AUC and ECE.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from sklearn.metrics import roc_auc_score

from tools.forecast import inperiod
from tools.forecast.backtest import reliability
from tools.forecast.data import DealRec, Snapshot
from tools.forecast.features import FeatureBuilder
from tools.forecast.model import KINDS, TrainedModel, train
from tools.forecast.periods import month_bounds, quarter_bounds, quarter_label, quarter_of
from tools.forecast.schemas import CalibrationMonth, DealLevel, MethodAccuracy, RollingPoint, RollingReport
from tools.forecast.simulate import Spread, percentiles, simulate_totals, spread_from

TOTALS = ("product", "stage_weighted", "conversion")


@dataclass
class Residual:
    """One closed period: log(actual remaining / predicted remaining) and its Bernoulli share."""

    end: int
    log_ratio: float
    rel_var: float


def monthly_as_ofs(snap: Snapshot, *, n: int = 12, before: date | None = None, min_share: float = 0.1) -> list[date]:
    """The last ``n`` month ends whose next quarter-in-progress closed inside the data (or before ``before``),
    with at least ``min_share`` of all closed deals closed before them."""
    closed = sorted(d.closed_day for d in snap.deals if d.closed_day is not None)
    if not closed:
        return []
    limit = min(snap.newest_day, before.toordinal() if before else snap.newest_day)
    floor = closed[int(min_share * (len(closed) - 1))]
    d = date.fromordinal(limit)
    out: list[date] = []
    y, m = d.year, d.month
    while len(out) < n:
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
        end = month_bounds(y, m)[1]
        if end.toordinal() < floor:
            break
        if quarter_bounds(*quarter_of(end + timedelta(days=1)))[1].toordinal() <= limit:
            out.append(end)
    return sorted(out)


def residual_of(est: inperiod.PeriodEstimate, actual: float) -> Residual | None:
    predicted = est.expected_open + est.created_mean
    got = actual - est.closed_won
    if predicted <= 0 or got <= 0:
        return None
    var = float((est.p_in * (1 - est.p_in) * est.amounts ** 2).sum())
    if len(est.created_history) > 1:
        var += float(np.var(est.created_history))
    return Residual(est.hi, float(np.log(got / predicted)), var / predicted ** 2)


def spread_at(residuals: list[Residual], day: int) -> Spread:
    """The range's spread from the residuals of periods closed by ``day`` (simulate.py)."""
    done = [r for r in residuals if r.end <= day]
    return spread_from([r.log_ratio for r in done], [r.rel_var for r in done], periods=len({r.end for r in done}))


def _point(snap: Snapshot, fb: FeatureBuilder, tm: TrainedModel, as_of: date, lo: int, hi: int,
           keep: Callable[[DealRec], bool], subject: str, spread: Spread, n_sims: int,
           seed: int) -> tuple[RollingPoint, inperiod.PeriodEstimate, float]:
    day = as_of.toordinal()
    est = inperiod.estimate(snap, fb, tm, day, lo, hi, keep)
    actual = float(sum(d.amount or 0.0 for d in inperiod.won_between(snap, keep, lo, hi)))
    totals = simulate_totals(est.p_in, est.amounts, base=est.closed_won, n_sims=n_sims, seed=seed,
                             spread=spread, created=est.created_history)
    p10, p50, p90 = percentiles(totals)
    pred = {"product": est.expected_total, "stage_weighted": est.stage_total, "conversion": est.conversion_total}
    return RollingPoint(as_of=as_of, period=quarter_label(*quarter_of(date.fromordinal(lo))), subject=subject,
                        actual=round(actual, 2), closed_so_far=round(est.closed_won, 2),
                        predicted={k: round(v, 2) for k, v in pred.items()}, p10=round(p10, 2),
                        p50=round(p50, 2), p90=round(p90, 2), covered=p10 <= actual <= p90, model=tm.kind), est, actual


def in_team(team_id: str) -> Callable[[DealRec], bool]:
    return lambda d: d.team_id == team_id


def accuracy(points: list[RollingPoint], subject: str) -> list[MethodAccuracy]:
    pts = [p for p in points if p.subject == subject and p.actual > 0]
    out = []
    for m in TOTALS:
        errs = [(p.predicted[m] - p.actual) / p.actual for p in pts]
        if errs:
            out.append(MethodAccuracy(method=m, subject=subject, points=len(errs),
                                      mape=round(float(np.mean(np.abs(errs))), 4), bias=round(float(np.mean(errs)), 4),
                                      coverage=round(float(np.mean([p.covered for p in pts])), 4)
                                      if m == "product" else None))
    return out


def deal_level(method: str, y: np.ndarray, p: np.ndarray) -> DealLevel:
    bins = reliability(y, p)
    n = sum(b.n for b in bins)
    ece = sum(b.n * abs(b.mean_predicted - b.observed) for b in bins) / n if n else float("nan")
    auc = float(roc_auc_score(y, p)) if len(set(y.tolist())) == 2 else None
    return DealLevel(method=method, deals=len(y), brier=round(float(np.mean((p - y) ** 2)), 4),
                     auc=round(auc, 4) if auc is not None else None, ece=round(ece, 4), reliability=bins)


def run(snap: Snapshot, as_ofs: list[date] | None = None, *, fb: FeatureBuilder | None = None,
        min_won: int = 200, min_lost: int = 200, n_sims: int = 2000, teams: bool = True,
        compare: bool = True, warmup: list[date] | None = None,
        model_for: Callable[[date], TrainedModel] | None = None,
        forced_for: Callable[[date, str], TrainedModel] | None = None) -> tuple[RollingReport, list[Residual]]:
    """Score the as-of dates (``warmup`` dates only feed residuals to later ranges and are not scored).
    ``model_for`` gives the product's model as of a date and ``forced_for`` a comparison kind's (default:
    train one; the service passes its cache)."""
    fb = fb or FeatureBuilder(snap)
    if model_for is None:
        def model_for(t: date) -> TrainedModel:
            return train(snap, t.toordinal() + 1, fb=fb, min_won=min_won, min_lost=min_lost)
    if forced_for is None:
        def forced_for(t: date, kind: str) -> TrainedModel:
            return train(snap, t.toordinal() + 1, fb=fb, force=kind)
    as_ofs = sorted(as_ofs or monthly_as_ofs(snap))
    scored = set(as_ofs)
    residuals: list[Residual] = []
    points: list[RollingPoint] = []
    ys: list[np.ndarray] = []
    ps: dict[str, list[np.ndarray]] = {}
    notes: list[str] = []
    monthly: list[CalibrationMonth] = []
    for i, as_of in enumerate(sorted(set(as_ofs) | set(warmup or []))):
        day = as_of.toordinal()
        start, end = quarter_bounds(*quarter_of(as_of + timedelta(days=1)))
        lo, hi = start.toordinal(), end.toordinal()
        tm = model_for(as_of)
        spread = spread_at(residuals, day)
        pt, est, actual = _point(snap, fb, tm, as_of, lo, hi, lambda d: True, "company", spread, n_sims, i)
        res = residual_of(est, actual)
        if res is not None:
            residuals.append(res)
        if as_of not in scored:
            continue
        if tm.kind == "baseline" and tm.note:
            notes.append(f"{as_of}: {tm.note}")
        points.append(pt)
        if teams:
            for tid in sorted(snap.teams):
                points.append(_point(snap, fb, tm, as_of, lo, hi, in_team(tid), f"team {snap.team_name(tid)}",
                                     spread, n_sims, i)[0])
        if not est.deals:
            continue
        y = np.asarray([int(d.won and d.closed_day is not None and lo <= d.closed_day <= hi) for d in est.deals])
        ys.append(y)
        monthly.append(CalibrationMonth(as_of=as_of, deals=len(y), brier=round(float(np.mean((est.p_in - y) ** 2)), 4),
                                        predicted=round(float(est.p_in.mean()), 4), observed=round(float(y.mean()), 4)))
        ps.setdefault("product", []).append(est.p_in)
        ps.setdefault("stage_weighted", []).append(est.stage_p * est.in_window)
        if compare:
            within = tm.timing.within(est.situations, hi - day)
            kp = {}
            for k in KINDS:
                other = tm if tm.kind == k else forced_for(as_of, k)
                kp[k] = other.predict(est.X)
                ps.setdefault(k, []).append(np.clip(kp[k] * within, 0, 0.995))
            ps.setdefault("ensemble", []).append(np.clip((kp["logistic"] + kp["gbm"]) / 2 * within, 0, 0.995))
            ps.setdefault("stage_rate", []).append(np.clip(est.stage_p * within, 0, 0.995))
    subjects = ["company"] + [f"team {snap.team_name(t)}" for t in sorted(snap.teams)] if teams else ["company"]
    acc = [a for s in subjects for a in accuracy(points, s)]
    levels = []
    if ys:
        y_all = np.concatenate(ys)
        levels = [deal_level(m, y_all, np.concatenate(v)) for m, v in ps.items()]
    return RollingReport(as_ofs=as_ofs, points=points, accuracy=acc, deal_level=levels, notes=notes,
                         monthly=monthly), residuals


def residual_history(snap: Snapshot, fb: FeatureBuilder, as_of: date, model_for: Callable[[date], TrainedModel],
                     *, n: int = 12) -> list[Residual]:
    """The product's residuals at the ``n`` month ends before ``as_of`` whose quarter closed by then
    (what the live forecast's range is learned from)."""
    out = []
    for t in monthly_as_ofs(snap, n=n, before=as_of):
        day = t.toordinal()
        start, end = quarter_bounds(*quarter_of(t + timedelta(days=1)))
        lo, hi = start.toordinal(), end.toordinal()
        est = inperiod.estimate(snap, fb, model_for(t), day, lo, hi, baselines=False)
        res = residual_of(est, float(sum(d.amount or 0.0 for d in inperiod.won_between(snap, lambda d: True, lo, hi))))
        if res is not None:
            out.append(res)
    return out
