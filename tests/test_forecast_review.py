"""The forecast review through the front door: interventions proposed to the ledger with timing and reasons,
adoption moving their weights, people's calls scored against the model, overrides, the model-health report."""

from datetime import date

import pytest
from conftest import make_settings

from copilot.app import Copilot
from copilot.core.errors import PermissionDenied, UserError
from tools.forecast.synthetic import generate, write_to_crm


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    path = tmp_path_factory.mktemp("review") / "home"
    cp = Copilot(make_settings(path, today=date(2017, 12, 31)))
    write_to_crm(cp.services.crm, generate(700, n_reps=8, seed=11))
    cp.close()
    return path


@pytest.fixture
def cp(home):
    c = Copilot(make_settings(home, today=date(2017, 12, 31)))
    yield c
    c.close()


def test_interventions_are_ledger_proposals_with_timing_reasons_and_citations(cp):
    manager = cp.principal("M0")
    report = cp.forecast_interventions(manager, limit=50)
    assert report.interventions and "days of silence" in report.timing
    for i in report.interventions:
        assert i.action_id and i.due_on >= report.as_of and i.reason
        action = cp.actions_show(manager, i.action_id)
        assert action.kind == "create_task" and action.tool == f"forecast.{i.kind}"
        assert action.payload["due_on"] == i.due_on.isoformat() and action.payload["deal_id"] == i.deal_id
        assert action.rationale == i.reason and action.citations[0].record == f"deal:{i.deal_id}"
    quiet = [i for i in report.interventions if i.kind == "re_engage"]
    assert quiet and all("revived" in i.reason for i in quiet)
    again = cp.forecast_interventions(manager, limit=50)  # a pending proposal is not proposed twice
    assert all(i.action_id is None for i in again.interventions if i.deal_id in {x.deal_id for x in quiet})


def test_decisions_move_the_weights(cp):
    manager = cp.principal("M0")
    before = cp.forecast_interventions(manager, propose=False).weights
    pending = [a for a in cp.actions_list(manager) if a.tool.startswith("forecast.")]
    kinds = sorted({a.tool for a in pending})
    assert len(kinds) >= 2, kinds
    liked, disliked = kinds[0], kinds[1]
    for a in pending:
        if a.tool == liked:
            cp.actions_approve(manager, a.id, shown_hash=a.payload_hash)
        elif a.tool == disliked:
            cp.actions_reject(manager, a.id, reason="not useful")
    after = cp.forecast_interventions(manager, propose=False)
    k_up, k_down = liked.removeprefix("forecast."), disliked.removeprefix("forecast.")
    assert after.weights[k_up] > before[k_up]
    assert after.weights[k_down] < before[k_down]
    assert after.adoption[k_down]["rejected"] >= 1 and after.adoption[k_up]["accepted"] >= 1
    health = cp.forecast_health(manager)
    assert health.adoption[k_down]["rejected"] >= 1


def test_calls_are_scored_against_the_model_after_the_period_closes(home):
    mid = Copilot(make_settings(home, today=date(2017, 8, 15)))
    try:
        rep = mid.principal("R0")
        mid.forecast_call(rep, amount=250_000.0, source="api")
        manager = mid.principal("M0")
        mid.forecast_call(manager, amount=900_000.0, source="slack")
        open_deal = next(c for c in mid.forecast(manager).deals)
        mid.forecast_call(manager, deal=open_deal.deal_id, category="commit")
        with pytest.raises(UserError):
            mid.forecast_call(rep, deal=open_deal.deal_id, category="maybe")
        early = mid.forecast_scoreboard(manager)
        assert early.period == "2017Q3" and not early.closed and all(s.winner == "open" for s in early.scores)
    finally:
        mid.close()
    late = Copilot(make_settings(home, today=date(2017, 12, 31)))
    try:
        board = late.forecast_scoreboard(late.principal("M0"), quarter="2017Q3")
        assert board.closed and {s.kind for s in board.scores} == {"number", "deals"}
        numbers = [s for s in board.scores if s.kind == "number"]
        assert len(numbers) == 2
        for s in numbers:
            assert s.actual and s.model and s.human_error == pytest.approx(abs(s.called - s.actual) / s.actual)
            assert s.winner in ("human", "model", "tie")
        assert sum(sum(t.values()) for t in board.by_team.values()) == 3
        rep_view = late.forecast_scoreboard(late.principal("R0"), quarter="2017Q3")
        assert [s.caller for s in rep_view.scores] == ["Rep 0"]
        assert "AI vs human" in board.table()
    finally:
        late.close()


def test_override_changes_the_deal_and_is_audited(cp):
    manager = cp.principal("M0")
    deal = max(cp.forecast(manager).deals, key=lambda c: c.amount)
    shown = cp.forecast_override(manager, deal.deal_id, probability=0.95, reason="buyer confirmed budget")
    assert shown.probability == 0.95 and "buyer confirmed budget" in (shown.override or "")
    fc = cp.forecast(manager)
    assert next(c for c in fc.deals if c.deal_id == deal.deal_id).expected_value == pytest.approx(0.95 * deal.amount)
    with pytest.raises(UserError):
        cp.forecast_override(manager, deal.deal_id, probability=0.5, reason=" ")
    with pytest.raises(PermissionDenied):
        cp.forecast_override(cp.principal("R0"), deal.deal_id, probability=0.5, reason="me")
    health = cp.forecast_health(manager)
    assert any(o["deal_id"] == deal.deal_id and o["reason"] == "buyer confirmed budget" for o in health.overrides)
    cp.forecast_override(manager, deal.deal_id, probability=None, reason="withdrawn after review")
    assert next(c for c in cp.forecast(manager).deals if c.deal_id == deal.deal_id).override is None


def test_model_health_report(cp):
    health = cp.forecast_health(cp.principal("M0"))
    assert health.month == "2017-11" and len(health.calibration) >= 6 and health.drift is not None
    methods = {a.method for a in health.accuracy if a.subject == "company"}
    assert methods == {"product", "stage_weighted", "conversion"}
    assert health.data.open_deals > 0 and health.data.newest_update_hours is not None
    assert health.data.stale_open_deals == health.data.open_deals  # the synthetic CRM was written in 2000
    page = health.html()
    assert page.startswith("<!doctype html>") and "<h2>Calibration drift</h2>" in page
    assert "Data problems behind the numbers" in health.text()
    with pytest.raises(PermissionDenied):
        cp.forecast_health(cp.principal("R0"))
