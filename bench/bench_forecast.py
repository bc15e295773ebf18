"""Time forecast training and the rolling backtest on 50k synthetic deals against the stage baseline's fit.

Run: .venv/bin/python bench/bench_forecast.py [N_DEALS] [MONTHS]
Baseline = the stage-weighted table (fit: one pass over the training rows), timed in the same run; each line
prints its ratio to it. Then: the product's full training at one cutoff (features, slip model, the forward
holdout that chooses the kind, the final fit), and the rolling monthly backtest over the MONTHS month ends
whose quarters closed by the cutoff (product only, company and teams). Last, the width of the P10-P90 range
of the next quarter with independent outcomes (the old simulation) and with the spread learned from those
points' residuals. Fits are single-threaded.
"""

from __future__ import annotations

import sys
import time
from datetime import date

import numpy as np

from tools.forecast import inperiod, rolling
from tools.forecast.features import FeatureBuilder, training_pairs
from tools.forecast.model import StageBaseline, stages_of, train
from tools.forecast.simulate import percentiles, simulate_totals
from tools.forecast.synthetic import generate


def timed(fn):  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def main(n: int = 50_000, months: int = 6) -> None:
    snap, t_gen = timed(lambda: generate(n, n_reps=60))
    cutoff = date(2017, 10, 1).toordinal()
    print(f"{n} synthetic deals generated in {t_gen:.1f}s")
    fb = FeatureBuilder(snap)
    (pairs, y, _), t_pairs = timed(lambda: training_pairs(snap, cutoff))
    X, t_feat = timed(lambda: fb.matrix(pairs))
    stages = stages_of(X)
    _, t_base = timed(lambda: StageBaseline().fit(stages, y))
    print(f"training rows: {len(y)} deal-months; pairs {t_pairs:.2f}s, features {t_feat:.2f}s "
          f"({1e6 * t_feat / max(len(y), 1):.0f} us/row)")
    print(f"\n{'step':<52}{'seconds':>9}{'x baseline fit':>16}")
    print(f"{'stage baseline fit (the table)':<52}{t_base:>9.3f}{1.0:>16.1f}")
    rows = [("stage baseline, full (rows, features, slip model)", lambda: train(snap, cutoff, fb=fb, force="baseline")),
            ("product training (3-window forward holdout + fit)", lambda: train(snap, cutoff, fb=fb))]
    tm = None
    for label, fn in rows:
        tm, t = timed(fn)
        print(f"{label:<52}{t:>9.3f}{t / t_base:>16.1f}")
    as_ofs = rolling.monthly_as_ofs(snap, n=months, before=date.fromordinal(cutoff))
    (report, residuals), t_roll = timed(lambda: rolling.run(snap, as_ofs, fb=fb, compare=False))
    label = f"rolling backtest, {len(as_ofs)} month ends (train each)"
    print(f"{label:<52}{t_roll:>9.3f}{t_roll / t_base:>16.1f}")
    prod = report.get("product")
    if prod is not None:
        print(f"  product MAPE {prod.mape:.1%}, bias {prod.bias:+.1%}, P10-P90 coverage {prod.coverage:.0%} "
              f"over {prod.points} month ends")
    assert tm is not None
    day = cutoff - 1
    est = inperiod.estimate(snap, fb, tm, day, cutoff, date(2017, 12, 31).toordinal(), baselines=False)
    spread = rolling.spread_at(residuals, day)  # the rolling points' quarters all closed by the cutoff
    for name, sp in (("independent outcomes", None), ("spread learned from residuals", spread)):
        totals, t_sim = timed(lambda s=sp: simulate_totals(est.p_in, est.amounts, base=est.closed_won,
                                                           n_sims=10_000, spread=s, created=est.created_history))
        p10, p50, p90 = percentiles(totals)
        half = (p90 - p10) / 2 / max(float(np.mean(totals)), 1.0)
        print(f"P10-P90 of 2017Q4, {name:<30} +-{half:.1%}  ({p10:,.0f} / {p50:,.0f} / {p90:,.0f}; {t_sim:.2f}s)")
    print(f"  ({spread.describe()})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50_000, int(sys.argv[2]) if len(sys.argv) > 2 else 6)
