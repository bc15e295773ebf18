"""The model choice on synthetic history with real signal: enough history trains a classifier that beats
the stage baseline; the explanation is in words; simulation percentiles are ordered and reproducible."""

from datetime import date

import numpy as np
import pytest

from tools.forecast.backtest import run
from tools.forecast.explain import factors
from tools.forecast.features import FEATURES, FeatureBuilder, is_open_at
from tools.forecast.model import brier, stages_of, train
from tools.forecast.service import Forecaster
from tools.forecast.simulate import percentiles, simulate_totals
from tools.forecast.synthetic import generate

CUT = date(2017, 7, 1).toordinal()


@pytest.fixture(scope="module")
def snap():
    return generate(1500, seed=3)


def test_enough_history_trains_a_model_that_beats_the_baseline(snap):
    fb = FeatureBuilder(snap)
    tm = train(snap, CUT, fb=fb, min_won=200, min_lost=200)
    assert tm.won >= 200 and tm.lost >= 200
    assert tm.kind == "logistic"
    assert set(tm.validation) == {"baseline", "logistic"}
    assert tm.validation["logistic"] < tm.validation["baseline"]
    deals = [d for d in snap.deals if is_open_at(d, CUT - 1) and d.closed_day is not None]
    X = fb.matrix([(d, CUT - 1) for d in deals])
    y = np.asarray([int(d.won) for d in deals])
    assert brier(y, tm.predict(X)) < brier(y, tm.baseline.predict(stages_of(X)))
    (pos, neg), = factors(tm, X[:1])
    assert pos or neg
    assert all(not any(f.text.startswith(name) for name in FEATURES) for f in pos + neg)


def test_thresholds_switch_to_the_baseline(snap):
    tm = train(snap, CUT, min_won=10_000, min_lost=10_000)
    assert tm.kind == "baseline" and "too little history" in tm.note


def test_backtest_reports_all_methods(snap):
    report = run(snap, [date(2017, 3, 31)], min_won=200, min_lost=200)
    by = {m.method: m for m in report.methods}
    assert set(by) == {"baseline", "logistic", "gbm", "product"}
    assert by["product"].brier < by["baseline"].brier and by["product"].auc > by["baseline"].auc
    assert sum(b.n for b in by["product"].reliability) == report.points[0].deals


def test_forecaster_on_a_snapshot_caches_models(snap):
    fc = Forecaster(snapshot=snap, min_won=200, min_lost=200)
    a = fc.model(date(2017, 6, 30))
    assert fc.model(date(2017, 6, 30)) is a


def test_simulation_percentiles():
    p = np.array([0.5, 0.9, 0.1])
    amounts = np.array([100.0, 200.0, 0.0])
    totals = simulate_totals(p, amounts, base=50.0, n_sims=4000, seed=1)
    assert totals.min() >= 50.0 and totals.max() <= 350.0
    assert totals.mean() == pytest.approx(50 + 0.5 * 100 + 0.9 * 200, rel=0.03)
    p10, p50, p90 = percentiles(totals)
    assert p10 <= p50 <= p90
    assert np.array_equal(totals, simulate_totals(p, amounts, base=50.0, n_sims=4000, seed=1))
    assert list(simulate_totals(np.zeros(0), np.zeros(0), base=7.0, n_sims=3)) == [7.0, 7.0, 7.0]


def test_backtest_of_the_same_data_is_replayed_once(snap):
    fc = Forecaster(snapshot=snap, min_won=200, min_lost=200, n_sims=200)
    first = fc.backtest(as_ofs=[date(2017, 3, 31)], rolling_months=1, warmup_months=0)
    first.points.clear()  # what a caller does with its copy does not reach the cache
    again = fc.backtest(as_ofs=[date(2017, 3, 31)], rolling_months=1, warmup_months=0)
    assert len(again.points) == 1 and again.rolling is not None and len(again.rolling.as_ofs) == 1
    assert again.model_dump() == fc.backtest(as_ofs=[date(2017, 3, 31)], rolling_months=1,
                                             warmup_months=0).model_dump()
    other = fc.backtest(as_ofs=[date(2017, 3, 31)], rolling_months=0)  # other arguments: another replay
    assert other.rolling is None
