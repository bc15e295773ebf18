"""P(won within the period), the spread of the ranges, and the rolling backtest (synthetic data and Maven)."""

from datetime import date

import numpy as np
import pytest
from test_forecast_maven import maven  # noqa: F401 - the module-scoped Maven copilot fixture

from tools.forecast import inperiod, rolling
from tools.forecast.features import FeatureBuilder
from tools.forecast.model import train
from tools.forecast.simulate import PRIOR_SD, Spread, simulate_totals, spread_from
from tools.forecast.synthetic import generate

CUT = date(2017, 7, 1).toordinal()


@pytest.fixture(scope="module")
def snap():
    return generate(1500, seed=5)


def test_in_period_probability_counts_slips_and_pull_ins(snap):
    fb = FeatureBuilder(snap)
    tm = train(snap, CUT, fb=fb, min_won=200, min_lost=200)
    lo, hi = CUT, date(2017, 9, 30).toordinal()
    est = inperiod.estimate(snap, fb, tm, CUT - 1, lo, hi)
    assert len(est.deals) > 100 and np.all(est.p_in <= est.p_win + 1e-9)
    later = np.asarray([st.expected_close is not None and st.expected_close > hi for st in est.states])
    assert later.any() and est.p_in[later].max() > 0  # a stated date after the quarter can still land in it
    short = tm.predict_in_period(est.X, est.situations, 10)
    assert np.all(short <= tm.predict_in_period(est.X, est.situations, 300) + 1e-9)
    assert est.expected_total == pytest.approx(est.closed_won + float(est.p_in @ est.amounts) + est.created_mean)
    assert est.created_history and est.conversion_ratios


def test_spread_learns_over_and_under_dispersion():
    assert spread_from([], []) == Spread(periods=0) and spread_from([0.1], [0.01]).tau == PRIOR_SD
    wide = spread_from([0.3, -0.3, 0.25, -0.2, 0.1, -0.15] * 3, [0.001] * 18)
    narrow = spread_from([0.02, -0.02, 0.01, -0.01] * 4, [0.05] * 16)
    assert wide.tau > 0.15 and wide.kappa == pytest.approx(1.0)
    assert narrow.kappa < 0.2
    p, amounts = np.full(200, 0.5), np.full(200, 1000.0)
    spans = {}
    for name, sp in (("independent", None), ("wide", wide), ("narrow", narrow)):
        t = simulate_totals(p, amounts, base=10.0, n_sims=4000, spread=sp)
        assert t.min() >= 10.0 and t.max() <= 10.0 + amounts.sum()
        spans[name] = np.percentile(t, 90) - np.percentile(t, 10)
    assert spans["narrow"] < spans["independent"] < spans["wide"]


def test_ranges_only_use_periods_closed_by_the_as_of_date():
    res = [rolling.Residual(end=100, log_ratio=0.5, rel_var=0.0), rolling.Residual(end=200, log_ratio=-0.5, rel_var=0.0),
           rolling.Residual(end=300, log_ratio=0.4, rel_var=0.0)]
    assert rolling.spread_at(res, 150).periods == 1 and rolling.spread_at(res, 250).periods == 2


def test_rolling_backtest_on_synthetic_history(snap):
    as_ofs = rolling.monthly_as_ofs(snap, n=4)
    report, residuals = rolling.run(snap, as_ofs, min_won=200, min_lost=200)
    assert len(as_ofs) == 4 and all(a.day == {1: 31, 3: 31}.get(a.month, a.day) for a in as_ofs)
    subjects = {p.subject for p in report.points}
    assert "company" in subjects and len(subjects) == 1 + len(snap.teams)
    assert {a.method for a in report.accuracy if a.subject == "company"} == {"product", "stage_weighted", "conversion"}
    assert {d.method for d in report.deal_level} >= {"product", "logistic", "gbm", "stage_rate", "stage_weighted"}
    assert len(report.monthly) == 4 and residuals
    for p in report.points:
        assert p.p10 <= p.p50 <= p.p90 and p.covered == (p.p10 <= p.actual <= p.p90)


def test_maven_rolling_backtest(maven):  # noqa: F811
    report = maven.services.forecaster.backtest()
    roll = report.rolling
    assert roll is not None and len(roll.as_ofs) >= 4
    product, stage = roll.get("product"), roll.get("stage_weighted")
    assert product is not None and stage is not None and product.mape < stage.mape
    assert {p.subject for p in roll.points} >= {"company", "team Central", "team East", "team West"}
