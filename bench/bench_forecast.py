"""Time forecast training and scoring on 50k synthetic deals against the stage-weighted baseline.

Run: .venv/bin/python bench/bench_forecast.py [N_DEALS]
Baseline = the stage-weighted table (fit: one pass over the training rows; score: a dict lookup per deal),
timed in the same run; each model line prints its ratio to it. Fits are single-threaded (see model.py).
"""

from __future__ import annotations

import sys
import time
from datetime import date

import numpy as np
from threadpoolctl import threadpool_limits

from tools.forecast.features import FeatureBuilder, is_open_at, training_pairs
from tools.forecast.model import StageBaseline, brier, fit_kind, stages_of
from tools.forecast.simulate import percentiles, simulate_totals
from tools.forecast.synthetic import generate


def timed(fn):  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def main(n: int = 50_000) -> None:
    snap, t_gen = timed(lambda: generate(n, n_reps=60))
    cutoff = date(2017, 10, 1).toordinal()
    print(f"{n} synthetic deals generated in {t_gen:.1f}s")
    fb = FeatureBuilder(snap)
    (pairs, y, _), t_pairs = timed(lambda: training_pairs(snap, cutoff))
    X, t_feat = timed(lambda: fb.matrix(pairs))
    stages = stages_of(X)
    print(f"training rows: {len(y)} deal-months from {len({d.id for d, _ in pairs})} closed deals; "
          f"pairs {t_pairs:.2f}s, features {t_feat:.2f}s ({1e6 * t_feat / max(len(y), 1):.0f} us/row)")
    base, t_base = timed(lambda: StageBaseline().fit(stages, y))
    open_deals = [d for d in snap.deals if is_open_at(d, cutoff - 1)]
    Xo, t_feat_o = timed(lambda: fb.matrix([(d, cutoff - 1) for d in open_deals]))
    y_o = np.asarray([int(d.won) for d in open_deals if d.closed_day is not None])
    known = np.asarray([d.closed_day is not None for d in open_deals])
    p_base, t_base_score = timed(lambda: base.predict(stages_of(Xo)))
    print(f"\n{'step':<34}{'seconds':>9}{'x baseline':>12}{'Brier (open->closed)':>22}")
    print(f"{'baseline fit (stage table)':<34}{t_base:>9.3f}{1.0:>12.1f}{brier(y_o, p_base[known]):>22.4f}")
    for kind in ("logistic", "gbm"):
        est, t_fit = timed(lambda k=kind: fit_kind(k, X, y))
        with threadpool_limits(1):
            p, t_score = timed(lambda e=est: e.predict_proba(Xo)[:, 1])
        print(f"{kind + ' fit':<34}{t_fit:>9.3f}{t_fit / t_base:>12.1f}{brier(y_o, p[known]):>22.4f}")
        print(f"{kind + ' score ' + str(len(open_deals)) + ' open deals':<34}{t_score:>9.3f}"
              f"{t_score / max(t_base_score, 1e-6):>12.1f}")
    print(f"{'baseline score':<34}{t_base_score:>9.3f}{1.0:>12.1f}")
    print(f"{'features of open deals':<34}{t_feat_o:>9.3f}")
    amounts = np.asarray([d.amount or 0.0 for d in open_deals])
    totals, t_sim = timed(lambda: simulate_totals(p_base, amounts, n_sims=10_000))
    p10, p50, p90 = percentiles(totals)
    print(f"{'simulate 10k quarters':<34}{t_sim:>9.3f}   (P10 {p10:,.0f} / P50 {p50:,.0f} / P90 {p90:,.0f})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50_000)
