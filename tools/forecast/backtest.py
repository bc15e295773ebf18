"""Backtest: replay past quarters as of chosen dates and score each method against what happened.

For each as-of date T (by default the last day before each recent quarter) every method is trained only
on deals closed by T and scores the deals open at T whose outcome is now known. Methods: the stage-weighted
baseline, logistic regression, calibrated gradient boosting (both forced, whatever the history size) and
``product``: what the forecast actually uses at T (its own choice, including the fallbacks).
"""

from __future__ import annotations

import statistics
from datetime import date, timedelta

import numpy as np
from sklearn.metrics import roc_auc_score

from tools.forecast.data import Snapshot
from tools.forecast.features import FeatureBuilder, is_open_at, state_at
from tools.forecast.model import brier, stages_of, train
from tools.forecast.periods import quarter_bounds, quarter_label, quarter_of, shift_quarter
from tools.forecast.schemas import BacktestPoint, BacktestReport, MethodScores, ReliabilityBin

METHODS = ("baseline", "logistic", "gbm", "product")


def default_as_ofs(snap: Snapshot, *, max_points: int = 4, min_share: float = 0.1) -> list[date]:
    """Ends of quarters whose next quarter lies fully inside the data and enough history precedes them."""
    closed = sorted(d.closed_day for d in snap.deals if d.closed_day is not None)
    if not closed:
        return []
    newest = snap.newest_day
    floor = closed[int(min_share * (len(closed) - 1))]
    y, q = quarter_of(date.fromordinal(newest))
    out = []
    for k in range(0, 13):
        yy, qq = shift_quarter(y, q, -k)
        start, end = quarter_bounds(yy, qq)
        as_of = start - timedelta(days=1)
        if end.toordinal() <= newest and as_of.toordinal() >= floor:
            out.append(as_of)
        if len(out) >= max_points:
            break
    return sorted(out)


def reliability(y: np.ndarray, p: np.ndarray, bins: int = 10) -> list[ReliabilityBin]:
    out = []
    edges = np.linspace(0, 1, bins + 1)
    for i in range(bins):
        lo, hi = edges[i], edges[i + 1]
        m = (p >= lo) & ((p < hi) if i < bins - 1 else (p <= hi))
        if m.any():
            out.append(ReliabilityBin(lo=round(lo, 2), hi=round(hi, 2), n=int(m.sum()),
                                      mean_predicted=round(float(p[m].mean()), 4), observed=round(float(y[m].mean()), 4)))
    return out


def run(snap: Snapshot, as_ofs: list[date] | None = None, *, fb: FeatureBuilder | None = None,
        min_won: int = 200, min_lost: int = 200) -> BacktestReport:
    fb = fb or FeatureBuilder(snap)
    as_ofs = as_ofs or default_as_ofs(snap)
    ys: list[np.ndarray] = []
    ps: dict[str, list[np.ndarray]] = {m: [] for m in METHODS}
    errs: dict[str, list[float]] = {m: [] for m in METHODS}
    points, notes = [], []
    for as_of in as_ofs:
        day = as_of.toordinal()
        start, end = quarter_bounds(*quarter_of(as_of + timedelta(days=1)))
        lo, hi = start.toordinal(), end.toordinal()
        deals = [d for d in snap.deals if is_open_at(d, day) and d.closed_day is not None]
        if not deals:
            continue
        X = fb.matrix([(d, day) for d in deals])
        y = np.asarray([int(d.won) for d in deals])
        cycles = [d.closed_day - d.created_day for d in snap.deals
                  if d.closed_day is not None and d.created_day is not None and d.closed_day <= day]
        cycle = int(statistics.median(cycles)) if cycles else 90
        states = [state_at(d, day, snap) for d in deals]
        in_q = np.asarray([lo <= max(st.expected_close or ((d.created_day or day) + cycle), day + 1) <= hi
                           for d, st in zip(deals, states, strict=True)])
        amounts = np.asarray([st.amount or 0.0 for st in states])
        actual = float(sum(d.amount or 0.0 for d in deals if d.won and lo <= (d.closed_day or 0) <= hi))
        preds, briers = {}, {}
        product = train(snap, day + 1, fb=fb, min_won=min_won, min_lost=min_lost)
        product_kind = product.kind
        if product.kind == "baseline":
            notes.append(f"{as_of}: {product.note}")
        for m in METHODS:
            # the product's own fit is the forced fit of the kind it chose (same rows, deterministic): reuse it
            tm = product if m in ("product", product.kind) else train(snap, day + 1, fb=fb, force=m)
            p = tm.predict(X) if m != "baseline" else tm.baseline.predict(stages_of(X))
            ps[m].append(p)
            briers[m] = round(brier(y, p), 4)
            pred = float((p * amounts)[in_q].sum())
            preds[m] = round(pred, 2)
            if actual > 0:
                errs[m].append(abs(pred - actual) / actual)
        ys.append(y)
        points.append(BacktestPoint(as_of=as_of, quarter=quarter_label(*quarter_of(start)), deals=len(deals),
                                    won=int(y.sum()), actual=round(actual, 2), predicted=preds, brier=briers,
                                    product_model=product_kind))
    methods = []
    if ys:
        y_all = np.concatenate(ys)
        for m in METHODS:
            p_all = np.concatenate(ps[m])
            auc = float(roc_auc_score(y_all, p_all)) if len(set(y_all.tolist())) == 2 else None
            methods.append(MethodScores(method=m, brier=round(brier(y_all, p_all), 4),
                                        auc=round(auc, 4) if auc is not None else None,
                                        quarter_error=round(float(np.mean(errs[m])), 4) if errs[m] else float("nan"),
                                        reliability=reliability(y_all, p_all)))
    return BacktestReport(methods=methods, points=points, product_note="; ".join(notes))
