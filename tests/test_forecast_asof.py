"""The as-of cut: nothing after the as-of date reaches features, states or forecasts; little history falls back."""

from datetime import date, datetime

import pytest

from copilot.core.errors import NotFound, PermissionDenied, UserError
from knowledge.crm.models import Account, Activity, Deal, StageChange, Team, User
from tools.forecast.features import FEATURES, is_open_at, state_at

AS_OF = date(2017, 3, 1)


def _d(s: str) -> date:
    return date.fromisoformat(s)


def build_small_crm(cp) -> None:
    """Two teams, an exec; one richly recorded deal that closes after the as-of date, and a few more."""
    with cp.services.crm.session() as s:
        s.add_all([Team(id="T1", name="East", manager_id="M1"), Team(id="T2", name="West", manager_id="M2")])
        s.flush()
        s.add_all([
            User(id="M1", name="Mia Manager", email="mia@skylarkdata.com", role="manager", team_id="T1"),
            User(id="M2", name="Max Manager", email="max@skylarkdata.com", role="manager", team_id="T2"),
            User(id="R1", name="Rita Rep", email="rita@skylarkdata.com", role="rep", team_id="T1", manager_id="M1"),
            User(id="R2", name="Raj Rep", email="raj@skylarkdata.com", role="rep", team_id="T1", manager_id="M1"),
            User(id="R3", name="Rosa Rep", email="rosa@skylarkdata.com", role="rep", team_id="T2", manager_id="M2"),
            User(id="E1", name="Eve Exec", email="eve@skylarkdata.com", role="exec"),
            User(id="A1", name="Ada Admin", email="ada@skylarkdata.com", role="admin"),
        ])
        s.flush()
        s.add(Account(id="ACME", name="Acme", sector="retail", owner_id="R1", team_id="T1"))
        s.flush()
        s.add(Deal(id="D1", name="Acme - Observe", account_id="ACME", owner_id="R1", team_id="T1", stage="closed_won",
                   amount=50000.0, created_on=_d("2017-01-10"), close_date=_d("2017-04-20"), closed_on=_d("2017-04-20"),
                   next_step="sign"))
        for i, (rep, team, won) in enumerate([("R1", "T1", True), ("R1", "T1", False), ("R2", "T1", True),
                                              ("R3", "T2", False), ("R3", "T2", True), ("R2", "T1", False)]):
            s.add(Deal(id=f"H{i}", name=f"Old deal {i}", owner_id=rep, team_id=team,
                       stage="closed_won" if won else "closed_lost", amount=10000.0 * (i + 1),
                       created_on=_d("2016-09-01"), close_date=_d("2016-12-01"), closed_on=_d("2016-12-01")))
        s.add(Deal(id="O3", name="West open", owner_id="R3", team_id="T2", stage="proposal", amount=20000.0,
                   created_on=_d("2017-01-05"), close_date=_d("2017-03-20")))
        s.flush()
        for day, frm, to, amt, close in [("2017-01-10", None, "prospecting", 40000.0, "2017-03-31"),
                                         ("2017-02-01", "prospecting", "discovery", 40000.0, "2017-03-31"),
                                         ("2017-03-15", "discovery", "proposal", 50000.0, "2017-04-30"),
                                         ("2017-04-20", "proposal", "closed_won", 50000.0, "2017-04-20")]:
            s.add(StageChange(deal_id="D1", changed_on=_d(day), from_stage=frm, to_stage=to, amount=amt,
                              close_date=_d(close)))
        for i, (kind, day, contact) in enumerate([("email", "2017-02-05", None), ("email", "2017-02-20", None),
                                                  ("meeting", "2017-03-01", None), ("email", "2017-03-20", None),
                                                  ("meeting", "2017-04-01", None), ("meeting", "2017-04-02", None)]):
            s.add(Activity(id=f"A{i}", kind=kind, deal_id="D1", account_id="ACME", owner_id="R1", team_id="T1",
                           occurred_at=datetime.fromisoformat(day + "T10:00:00"), contact_id=contact))


@pytest.fixture
def small(copilot):
    build_small_crm(copilot)
    return copilot


def scope(cp, who):
    return cp.scope(cp.principal(who))


def test_state_and_features_ignore_the_future(small):
    fc = small.services.forecaster
    snap = fc.snapshot()
    d1 = snap.by_id["D1"]
    day = AS_OF.toordinal()
    assert is_open_at(d1, day)  # closed won on 2017-04-20, so open as of 2017-03-01
    st = state_at(d1, day, snap)
    assert (st.stage, st.amount, st.pushes) == ("discovery", 40000.0, 0)
    assert date.fromordinal(st.expected_close) == date(2017, 3, 31)
    row = dict(zip(FEATURES, fc.features().row(d1, day), strict=True))
    assert row["emails_30d"] == 2 and row["meetings_30d"] == 1  # the March/April activities are not seen
    assert row["stage_discovery"] == 1.0 and row["close_pushes"] == 0
    later = state_at(d1, date(2017, 4, 10).toordinal(), snap)
    assert (later.stage, later.amount, later.pushes) == ("proposal", 50000.0, 1)
    later_row = dict(zip(FEATURES, fc.features().row(d1, date(2017, 4, 10).toordinal()), strict=True))
    assert later_row["emails_30d"] == 1 and later_row["meetings_30d"] == 2


def test_rep_win_rate_uses_only_deals_closed_before(small):
    fb = small.services.forecaster.features()
    n, w, _ = fb.rep.at("R1", AS_OF.toordinal())
    assert (n, w) == (2, 1)  # D1's own win (April) is not counted
    assert fb.rep.at("R1", date(2017, 5, 1).toordinal())[:2] == (3, 2)


def test_deal_closed_after_as_of_is_forecast_as_open(small):
    fc = small.services.forecaster.forecast(scope(small, "R1"), quarter="2017Q1", as_of=AS_OF)
    assert fc.subject == "rep Rita Rep"
    assert fc.closed_won == 0.0
    assert [c.deal_id for c in fc.deals] == ["D1"]
    c = fc.deals[0]
    assert c.amount == 40000.0 and c.stage == "discovery"
    assert c.expected_value == pytest.approx(c.probability * 40000.0, abs=0.01)
    assert fc.expected_total == pytest.approx(c.expected_value, abs=0.01)
    assert fc.p10 <= fc.p50 <= fc.p90 and fc.p90 <= 40000.0
    assert "D1" not in [x.deal_id for x in small.services.forecaster.forecast(scope(small, "R1"), quarter="2017Q2").deals]
    q2 = small.services.forecaster.forecast(scope(small, "R1"), quarter="2017Q2", as_of=date(2017, 6, 30))
    assert q2.closed_won == 50000.0 and q2.closed_won_deals == 1 and q2.open_deals == 0
    assert "Acme - Observe" in fc.explain() and "expected total" in fc.explain()


def test_little_history_falls_back_to_stage_rates_and_says_so(small):
    tm = small.services.forecaster.model(AS_OF)
    assert tm.kind == "baseline" and tm.estimator is None
    assert "too little history" in tm.note and "stage-weighted" in tm.note
    fc = small.services.forecaster.forecast(scope(small, "R1"), quarter="2017Q1", as_of=AS_OF)
    assert fc.model == "baseline" and any("too little history" in n for n in fc.notes)
    assert fc.expected_open == pytest.approx(fc.baseline_total - fc.closed_won)


def test_win_probability_as_of_and_after_close(small):
    sc = small.services.forecaster.win_probability(scope(small, "R1"), "D1", as_of=AS_OF)
    assert 0 < sc.probability < 1 and sc.stage == "discovery" and sc.amount == 40000.0
    with pytest.raises(UserError, match="closed"):
        small.services.forecaster.win_probability(scope(small, "R1"), "D1", as_of=date(2017, 5, 1))


def test_scope_refusals(small):
    fc = small.services.forecaster
    rep = scope(small, "R1")
    with pytest.raises(PermissionDenied, match="company"):
        fc.forecast(rep, company=True, as_of=AS_OF)
    with pytest.raises(PermissionDenied, match="West"):
        fc.forecast(rep, team="West", as_of=AS_OF)
    with pytest.raises(PermissionDenied, match="Raj Rep"):
        fc.forecast(rep, rep="Raj Rep", as_of=AS_OF)
    with pytest.raises(NotFound):
        fc.win_probability(rep, "O3", as_of=AS_OF)  # Rosa's deal: not visible to Rita
    mgr = scope(small, "M1")
    assert fc.forecast(mgr, as_of=AS_OF).subject == "team East"
    assert fc.forecast(mgr, rep="Raj Rep", as_of=AS_OF).subject == "rep Raj Rep"
    with pytest.raises(PermissionDenied, match="company"):
        fc.forecast(mgr, company=True, as_of=AS_OF)
    with pytest.raises(PermissionDenied, match="West"):
        fc.forecast(mgr, team="West", as_of=AS_OF)
    with pytest.raises(PermissionDenied):
        fc.forecast(mgr, rep="Rosa Rep", as_of=AS_OF)
    exe = scope(small, "E1")
    with pytest.raises(PermissionDenied, match="execs"):
        fc.forecast(exe, rep="Rita Rep", as_of=AS_OF)
    with pytest.raises(PermissionDenied, match="aggregates"):
        fc.at_risk(exe, as_of=AS_OF)
    with pytest.raises(PermissionDenied, match="aggregates"):
        fc.win_probability(exe, "D1", as_of=AS_OF)
    company = fc.forecast(exe, company=True, quarter="2017Q1", as_of=AS_OF)
    assert company.deals == []  # aggregates only
    assert company.open_deals == 2  # D1 and O3
    assert all(g.group.startswith("Person-") or g.group.startswith("other") for g in company.groups)
    assert all(g.deals >= 3 for g in company.groups)
    admin = fc.forecast(scope(small, "A1"), company=True, quarter="2017Q1", as_of=AS_OF)
    assert {c.deal_id for c in admin.deals} == {"D1", "O3"}
    assert company.expected_total == pytest.approx(admin.expected_total)


def test_at_risk_flags_say_why(small):
    risks = small.services.forecaster.at_risk(scope(small, "M2"), as_of=date(2017, 3, 10))
    assert [r.deal_id for r in risks] == ["O3"]
    codes = {f.code: f.why for f in risks[0].flags}
    assert "stalled" in codes and "no activity for" in codes["stalled"]
    assert "single_threaded" in codes
