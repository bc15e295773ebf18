"""The forecast on the demo company: the model beats the stage baseline in the backtest; the math adds up."""

from datetime import date

import pytest
from sqlalchemy import select

from knowledge.crm.models import Deal, User

AS_OF = date(2026, 11, 20)


def _owner(cp, deal_name: str) -> str:
    with cp.services.crm.session() as s:
        return s.scalar(select(Deal.owner_id).where(Deal.name == deal_name))


def test_backtest_model_beats_stage_baseline(demo_copilot):
    report = demo_copilot.services.forecaster.backtest()
    by = {m.method: m for m in report.methods}
    assert len(report.points) == 4 and sum(p.deals for p in report.points) > 100
    assert by["logistic"].brier < by["baseline"].brier
    assert by["logistic"].auc > by["baseline"].auc
    assert by["product"].brier <= by["baseline"].brier  # the product falls back, never worse
    # three years of history: 200+ won and lost deals before every as-of date, so the product uses a model
    assert all(p.product_model == "logistic" for p in report.points), report.product_note
    assert by["product"].brier < by["baseline"].brier and by["product"].auc > by["baseline"].auc
    assert sum(b.n for b in by["logistic"].reliability) == sum(p.deals for p in report.points)


def test_forecast_math_adds_up(demo_copilot):
    cp = demo_copilot
    rep = _owner(cp, "Brightwell Health - Observe")
    fc = cp.services.forecaster.forecast(cp.scope(cp.principal(rep)), as_of=AS_OF)
    assert fc.quarter == "2026Q4" and fc.subject.startswith("rep ")
    assert fc.expected_open == pytest.approx(sum(c.expected_value for c in fc.deals), abs=1.0)
    assert fc.expected_total == pytest.approx(fc.closed_won + fc.expected_open)
    assert fc.baseline_total == pytest.approx(fc.closed_won + sum(c.baseline_value for c in fc.deals), abs=1.0)
    assert fc.p10 <= fc.p50 <= fc.p90
    assert fc.closed_won <= fc.commit <= fc.best_case <= fc.pipeline
    assert all(c.deal_id for c in fc.deals) and "expected total" in fc.explain()


def test_win_probability_has_plain_word_factors(demo_copilot):
    cp = demo_copilot
    rep = _owner(cp, "Brightwell Health - Observe")
    with cp.services.crm.session() as s:
        deal_id = s.scalar(select(Deal.id).where(Deal.name == "Brightwell Health - Observe"))
    sc = cp.services.forecaster.win_probability(cp.scope(cp.principal(rep)), deal_id, as_of=AS_OF)
    assert sc.stage == "discovery" and 0 < sc.probability < 1
    assert sc.positives or sc.negatives
    assert all(f.text and not f.text.startswith("stage_") for f in sc.positives + sc.negatives)


def test_manager_at_risk_and_exec_company(demo_copilot):
    cp = demo_copilot
    with cp.services.crm.session() as s:
        manager = s.scalar(select(User.id).where(User.role == "manager"))
        execs = s.scalar(select(User.id).where(User.role == "exec"))
    risks = cp.services.forecaster.at_risk(cp.scope(cp.principal(manager)), as_of=AS_OF)
    assert risks and all(f.why for r in risks for f in r.flags)
    assert {f.code for r in risks for f in r.flags} & {"stalled", "pushed", "single_threaded", "fading"}
    if execs:
        fc = cp.services.forecaster.forecast(cp.scope(cp.principal(execs)), company=True, as_of=AS_OF)
        assert fc.deals == [] and fc.subject == "company"
