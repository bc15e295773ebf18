"""Customer health on the demo company (read-only): the renewal-risk model beats the usage-trend baseline in an
honest rolling-origin backtest, the stories show (drift before a renewal, onboarding stagnation, trials), and
execs see segments only."""

from __future__ import annotations

from copilot.core.domain import OPERATOR


def test_renewal_risk_backtest_beats_the_usage_trend_baseline(demo_copilot) -> None:
    report = demo_copilot.health_backtest(OPERATOR)
    by = {m.method: m for m in report.methods}
    assert report.renewals >= 100 and report.lost >= 20 and len(report.folds) >= 4
    model, base = by["model"], by["usage_trend_baseline"]
    assert model.auc is not None and base.auc is not None
    assert model.auc > base.auc and model.brier < base.brier
    assert sum(b.n for b in model.reliability) == report.renewals
    assert "trained only on earlier renewals" in report.explain()


def test_demo_stories_show_in_health(demo_copilot) -> None:
    cp = demo_copilot
    admin = cp.health(OPERATOR)
    by_name = {h.account: h for h in admin.accounts}
    alder = by_name["Alder Financial"]  # the declining customer with a renewal in proposal
    assert alder.stage == "renewal" and alder.band in ("at risk", "watch") and "usage_drop" in alder.signals
    assert alder.renewal_risk is not None and alder.risk_factors
    stages = {h.stage for h in admin.accounts}
    assert {"evaluation", "trial", "onboarding", "adoption", "renewal"} <= stages
    assert any(h.stage == "onboarding" and "feature_stagnation" in h.signals for h in admin.accounts)
    assert any(h.stage == "trial" and "trial_inactive" in h.signals for h in admin.accounts)
    lucia = cp.health(cp.principal("Lucia Romero"))
    assert lucia.accounts and {h.owner for h in lucia.accounts} == {"Lucia Romero"}


def test_exec_sees_health_by_segment_only(demo_copilot) -> None:
    cp = demo_copilot
    view = cp.health(cp.principal("Rachel Adeyemi"))
    assert view.accounts == [] and view.segments
    assert all(s.accounts >= 3 for s in view.segments)
    answer = cp.ask(cp.principal("Rachel Adeyemi"), "which customers are at risk?")
    assert answer.intent == "health" and "by segment" in answer.text and "Alder Financial" not in answer.text


def test_value_report_cites_a_win_story_the_rep_may_see(demo_copilot) -> None:
    cp = demo_copilot
    report = cp.health_value_report(cp.principal("Lucia Romero"), "Alder Financial", propose=False)
    assert report.proposed == [] and report.figures["seats"] > 0 and "active users went from" in report.text
    assert report.story is not None and report.story.startswith("Win story: ")
    assert "Alder Financial" not in report.story  # another customer's story
    assert any(c.kind == "document" for c in report.citations)
