"""The web workspace's capabilities through the facade and the other adapters (issue #19, part A): the
customer-needs heat map and pre-sales tags, a deal's timeline, forecast against actual, assigned role-play
scenarios. Each scoped like the rest: another team's records are not found, execs get aggregates or 403."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from conftest import make_settings
from crm_seed import TODAY, seed_small_crm
from fastapi.testclient import TestClient
from slack_fake import FakeSlack
from slack_world import make_world
from test_health import signal_files
from typer.testing import CliRunner

from copilot.app import Copilot
from copilot.core.domain import OPERATOR
from copilot.core.errors import InvalidRequest, NotFound, PermissionDenied
from integrations.api import ApiConfig, create_app
from integrations.cli.common import set_copilot
from integrations.cli.main import app as cli

CALL = ("Rep: What made you look at this now?\n"
        "Customer: Our nightly pipelines fail every week and the integration with our legacy ERP is manual.\n"
        "Customer: Security wants a SOC 2 report before any pilot.\n"
        "Rep: Let's schedule a technical review next Tuesday.\n")


@pytest.fixture
def cp(tmp_path: Path):
    cp = Copilot(make_settings(tmp_path / "home", today=TODAY))
    seed_small_crm(cp.services.crm)
    cp.import_signals(OPERATOR, signal_files(tmp_path / "signals"))
    (tmp_path / "call.txt").write_text(CALL)
    cp.summarize_call(cp.principal("r-ann"), tmp_path / "call.txt", deal_id="D-1", title="Acme technical call",
                      call_date=TODAY - timedelta(days=3))
    yield cp
    cp.close()


def test_pre_sales_tags_follow_the_account_scope(cp: Copilot) -> None:
    ann, bob, cara, maria, eve = (cp.principal(u) for u in ("r-ann", "r-bob", "r-cara", "m-east", "x-eve"))
    tag = cp.tag_account(ann, "Acme Robotics", "security", "  SOC 2 report   before the pilot ")
    assert tag.theme == "security" and tag.note == "SOC 2 report before the pilot" and tag.by == "Ann Lee"
    seen = cp.account_needs(maria, "A-1")  # her manager sees it, and may remove it
    assert [(t.id, t.removable) for t in seen.tags] == [(tag.id, True)]
    for outsider in (bob, cara):  # Bob is on the same team but does not own Acme; Cara is on another team
        with pytest.raises(NotFound):
            cp.account_needs(outsider, "A-1")
        with pytest.raises(NotFound):
            cp.tag_account(outsider, "A-1", "security", "x")
        with pytest.raises(NotFound):
            cp.untag_account(outsider, tag.id)
    with pytest.raises(PermissionDenied):
        cp.tag_account(eve, "A-1", "security")
    with pytest.raises(InvalidRequest, match="unknown theme 'pricing'") as bad:
        cp.tag_account(ann, "A-1", "pricing")
    assert "integration" in str(bad.value.hint)
    with pytest.raises(InvalidRequest, match="under 500"):
        cp.tag_account(ann, "A-1", "security", "x" * 501)
    cp.untag_account(maria, tag.id)
    assert cp.account_needs(ann, "A-1").tags == []
    with pytest.raises(NotFound):
        cp.untag_account(maria, tag.id)  # removed already


def test_the_needs_map_counts_calls_tickets_notes_and_tags_under_scope(cp: Copilot) -> None:
    ann, maria, eve = (cp.principal(u) for u in ("r-ann", "m-east", "x-eve"))
    cp.tag_account(ann, "A-1", "performance", "dashboards time out")
    mine = cp.needs_map(ann)
    assert [r.account_id for r in mine.rows] == ["A-1"]  # Ann's one account with signals
    acme = mine.rows[0]
    # the call's pains (failures, the legacy integration), its SOC 2 line, Dana's security-questionnaire email,
    # and the tag
    assert acme.counts["reliability"] >= 1 and acme.counts["security"] >= 2
    # the legacy-ERP line is quoted as a pain, an objection and a risk: one moment of the call, one signal
    assert acme.counts["integration"] == 1
    assert acme.counts["performance"] == 1 and acme.tags == {"performance": 1}
    assert acme.total == sum(acme.counts.values())
    team = cp.needs_map(maria)
    assert {r.account_id for r in team.rows} <= {"A-1", "A-3"} and "A-2" not in {r.account_id for r in team.rows}
    detail = cp.account_needs(ann, "A-1")
    kinds = {(e.theme, e.kind) for e in detail.evidence}
    assert ("integration", "call") in kinds and ("security", "email") in kinds
    call = next(e for e in detail.evidence if e.kind == "call" and e.theme == "integration")
    assert call.citation.record.startswith("call:") and call.citation.timestamp is not None
    whole = cp.needs_map(eve)  # execs: segments only, counts, no account by name, small groups merged
    assert whole.segments and all(r.account_id is None for r in whole.rows)
    assert not any(name in r.label for r in whole.rows for name in ("Acme", "Globex", "Initech"))
    west = cp.needs_map(cp.principal("r-cara"))
    assert [r.account_id for r in west.rows] == ["A-2"] and west.rows[0].counts.get("reliability", 0) >= 1
    with pytest.raises(InvalidRequest):
        cp.needs_map(ann, days=0)


def test_a_deals_timeline_in_date_order_with_the_call_and_pushes(cp: Copilot) -> None:
    ann = cp.principal("r-ann")
    t = cp.deal_timeline(ann, "D-1")
    kinds = [i.kind for i in t.items]
    assert kinds[0] == "opened" and {"stage", "close_date", "email", "call"} <= set(kinds)
    assert [i.at for i in t.items] == sorted(i.at for i in t.items)
    push = next(i for i in t.items if i.kind == "close_date")
    assert t.pushes == 1 and push.title == f"close date pushed: {TODAY - timedelta(days=10)} -> {TODAY + timedelta(days=5)}"
    call = next(i for i in t.items if i.kind == "call")
    assert call.title == "Acme technical call" and call.citation.record.startswith("call:")
    sections = {line.section for line in call.summary}
    assert "pains" in sections and "next_steps" in sections
    assert all(line.citation is None or line.citation.timestamp is not None for line in call.summary)
    email = next(i for i in t.items if i.kind == "email")
    assert email.citation.record == "activity:E-1" and "SOC 2" in email.detail
    assert cp.deal_timeline(ann, "Acme Robotics - Observe").deal_id == "D-1"  # by exact name too
    assert cp.deal_timeline(cp.principal("m-east"), "D-1").items == t.items
    with pytest.raises(NotFound):
        cp.deal_timeline(ann, "D-3")  # Cara's: as if it did not exist
    with pytest.raises(NotFound):
        cp.deal_timeline(cp.principal("r-bob"), "D-1")
    with pytest.raises(PermissionDenied):
        cp.deal_timeline(cp.principal("x-eve"), "D-1")
    closed = cp.deal_timeline(ann, "D-2")
    assert closed.items[-1].kind == "closed" and closed.stage == "closed_won"


def test_assigned_scenarios_are_done_when_the_trainee_finishes_one(cp: Copilot) -> None:
    ann, maria, cara, walter = (cp.principal(u) for u in ("r-ann", "m-east", "r-cara", "m-west"))
    due = TODAY + timedelta(days=7)
    made = cp.roleplay_assign(maria, "Ann Lee", "kestrel-pricing", due_on=due, note="before the Acme negotiation")
    assert (made.trainee, made.status, made.due_on, made.assigned_by) == ("Ann Lee", "open", due, "Maria East")
    assert [a.id for a in cp.roleplay_assignments(ann)] == [made.id]
    assert cp.roleplay_assignments(cara) == [] and cp.roleplay_assignments(cp.principal("x-eve")) == []
    with pytest.raises(NotFound):
        cp.roleplay_assign(walter, "Ann Lee", "kestrel-pricing")  # not in his team
    with pytest.raises(NotFound):
        cp.roleplay_assignments(walter, trainee="Ann Lee")
    with pytest.raises(NotFound):
        cp.roleplay_report(walter, trainee="Ann Lee")
    with pytest.raises(PermissionDenied):
        cp.roleplay_assign(ann, "Bob Stone", "kestrel-pricing")
    with pytest.raises(NotFound, match="no scenario"):
        cp.roleplay_assign(maria, "Ann Lee", "no-such-scenario")
    with pytest.raises(InvalidRequest, match="in the past"):
        cp.roleplay_assign(maria, "Ann Lee", "kestrel-pricing", due_on=TODAY - timedelta(days=1))
    other = cp.roleplay_start(ann, "sundial-pricing")  # another scenario does not complete it
    other.reply("What is driving this now?")
    other.finish()
    assert cp.roleplay_assignments(ann)[0].status == "open"
    session = cp.roleplay_start(ann, "kestrel-pricing")
    session.reply("What does a late yield report cost you this quarter?")
    score = session.finish()
    done = cp.roleplay_assignments(maria, trainee="r-ann")[0]
    assert (done.status, done.session_id, done.score) == ("done", session.id, score.score)
    lines = cp.roleplay_sessions(maria, trainee="Ann Lee")
    assert [x.id for x in lines] == [session.id, other.id] and lines[0].score == score.score
    read, again = cp.roleplay_review(maria, session.id)  # the manager reads it, scored as stored
    assert again is not None and again.score == score.score and read.turns == session.turns
    assert len(cp.roleplay_sessions(ann)) == 2 and cp.roleplay_assignments(ann)[0].status == "done"  # unchanged
    for outsider in (cara, walter, cp.principal("x-eve")):
        with pytest.raises(NotFound):
            cp.roleplay_review(outsider, session.id)
    with pytest.raises(NotFound):
        cp.roleplay_sessions(walter, trainee="r-ann")
    with pytest.raises(PermissionDenied):
        cp.roleplay_unassign(ann, made.id)
    with pytest.raises(NotFound):
        cp.roleplay_unassign(walter, made.id)
    cp.roleplay_unassign(maria, made.id)
    assert cp.roleplay_assignments(ann) == []


def test_overdue_is_read_against_today() -> None:
    from tools.roleplay.assignments import RoleplayAssignment, status_of

    row = RoleplayAssignment(id="as-1", trainee_id="r", scenario_id="s", assigned_by="m", due_on=date(2026, 11, 1),
                             note="", created_at=datetime(2026, 10, 1))
    assert status_of(row, None, date(2026, 11, 2)) == "overdue" and status_of(row, None, date(2026, 11, 1)) == "open"


def test_forecast_history_matches_the_rolling_backtest(demo_copilot: Copilot) -> None:
    """The team's forecast-against-actual is the rolling backtest's team points (same models, same ranges)."""
    from tools.forecast import rolling

    cp = demo_copilot
    manager = next(u for u in cp.users(OPERATOR) if u["role"] == "manager")
    hist = cp.forecast_history(cp.principal(manager["id"]), months=6)
    assert hist.subject == f"team {manager['team']}" and len(hist.points) == 6
    fc = cp.services.forecaster
    today = fc.resolve_as_of(None)[0]
    ends = rolling.monthly_as_ofs(fc.snapshot(), n=12, before=today + timedelta(days=1))
    report = rolling.run(fc.snapshot(), ends[-6:], fb=fc.features(), compare=False, model_for=fc.model,
                         warmup=ends[:-6])[0]
    expected = [p for p in report.points if p.subject == hist.subject]
    assert [p.model_dump() for p in hist.points] == [p.model_dump() for p in expected]
    assert {q.period for q in hist.quarters} == {p.period for p in hist.points}
    first = hist.quarters[0]
    assert first.actual == next(p.actual for p in hist.points if p.period == first.period)
    rep = next(u for u in cp.users(OPERATOR) if u["role"] == "rep" and u["team"] == manager["team"])
    mine = cp.forecast_history(cp.principal(rep["id"]), months=6)
    assert mine.subject == f"rep {rep['name']}" and all(p.actual <= t.actual for p, t in zip(mine.points, hist.points,
                                                                                              strict=True))
    other = next(u for u in cp.users(OPERATOR) if u["role"] == "rep" and u["team"] != manager["team"])
    with pytest.raises(PermissionDenied):
        cp.forecast_history(cp.principal(rep["id"]), rep=other["name"])
    with pytest.raises(InvalidRequest):
        cp.forecast_history(cp.principal(rep["id"]), months=0)


def test_the_http_api_cli_and_slack_show_the_same(cp: Copilot, tmp_path: Path) -> None:
    keys = {u: cp.keys_create(OPERATOR, u, name="t")[1] for u in ("r-ann", "r-cara", "m-east")}
    http = TestClient(create_app(cp, config=ApiConfig(rate_per_second=1000.0, rate_burst=1000, job_workers=0)))

    def auth(u: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {keys[u]}"}

    r = http.post("/v1/accounts/A-1/tags", json={"theme": "integration", "note": "ERP connector"}, headers=auth("r-ann"))
    assert r.status_code == 201 and r.json()["theme"] == "integration"
    tag_id = r.json()["id"]
    r = http.get("/v1/accounts/A-1/needs", headers=auth("m-east"))
    assert r.status_code == 200 and [t["id"] for t in r.json()["tags"]] == [tag_id]
    assert http.get("/v1/accounts/A-1/needs", headers=auth("r-cara")).status_code == 404
    assert http.post("/v1/accounts/A-1/tags", json={"theme": "integration"}, headers=auth("r-cara")).status_code == 404
    assert http.delete(f"/v1/tags/{tag_id}", headers=auth("r-cara")).status_code == 404
    r = http.get("/v1/needs", headers=auth("r-ann"))
    assert r.status_code == 200 and r.json()["rows"][0]["tags"] == {"integration": 1}
    r = http.get("/v1/deals/D-1/timeline", headers=auth("r-ann"))
    assert r.status_code == 200 and r.json()["pushes"] == 1
    assert http.get("/v1/deals/D-1/timeline", headers=auth("r-cara")).status_code == 404
    r = http.get("/v1/deals/D-1/odds", headers=auth("m-east"))
    assert r.status_code == 200 and r.json()["deal"] == "Acme Robotics - Observe"
    assert http.get("/v1/deals/D-1/odds", headers=auth("r-cara")).status_code == 404
    r = http.post("/v1/roleplay/assignments", json={"trainee": "r-ann", "scenario_id": "kestrel-pricing"},
                  headers=auth("m-east"))
    assert r.status_code == 201 and r.json()["status"] == "open"
    assert http.post("/v1/roleplay/assignments", json={"trainee": "r-cara", "scenario_id": "kestrel-pricing"},
                     headers=auth("m-east")).status_code == 404
    assert [a["scenario_id"] for a in http.get("/v1/roleplay/assignments", headers=auth("r-ann")).json()] == \
        ["kestrel-pricing"]
    assert http.get("/v1/forecast/history", headers=auth("r-ann")).status_code == 200
    session = cp.roleplay_start(cp.principal("r-ann"), "kestrel-pricing")
    session.reply("What does a late yield report cost you?")
    session.finish()
    r = http.get(f"/v1/roleplay/sessions/{session.id}/review", headers=auth("m-east"))
    assert r.status_code == 200 and r.json()["turns"][1]["text"] == "What does a late yield report cost you?"
    assert r.json()["score"]["checks"] and r.json()["trainee_id"] == "r-ann"
    assert http.get(f"/v1/roleplay/sessions/{session.id}/review", headers=auth("r-cara")).status_code == 404
    r = http.get("/v1/roleplay/trainees/sessions", params={"trainee": "r-ann"}, headers=auth("m-east"))
    assert [x["id"] for x in r.json()] == [session.id]
    assert http.delete(f"/v1/tags/{tag_id}", headers=auth("m-east")).status_code == 204

    set_copilot(cp)
    try:
        runner = CliRunner()
        out = runner.invoke(cli, ["needs", "tag", "Acme Robotics", "security", "--note", "SSO", "--as", "r-ann",
                                  "--json"])
        assert out.exit_code == 0, out.output
        assert json.loads(out.stdout)["theme"] == "security"
        out = runner.invoke(cli, ["needs", "account", "A-1", "--as", "m-east", "--json"])
        assert out.exit_code == 0 and [t["note"] for t in json.loads(out.stdout)["tags"]] == ["SSO"]
        out = runner.invoke(cli, ["needs", "tag", "Globex Shipping", "security", "--as", "r-ann"])
        assert out.exit_code == 1 and "no account 'Globex Shipping'" in out.output
        out = runner.invoke(cli, ["timeline", "D-1", "--as", "r-ann", "--json"])
        assert out.exit_code == 0 and json.loads(out.stdout)["deal"] == "Acme Robotics - Observe"
        out = runner.invoke(cli, ["roleplay", "assign", "Bob Stone", "kestrel-pricing", "--due", "2026-12-01",
                                  "--as", "m-east", "--json"])
        assert out.exit_code == 0 and json.loads(out.stdout)["due_on"] == "2026-12-01"
        out = runner.invoke(cli, ["roleplay", "assign", "Bob Stone", "kestrel-pricing", "--as", "r-ann"])
        assert out.exit_code == 1 and "only managers and admins" in out.output
        out = runner.invoke(cli, ["forecast", "history", "--as", "r-ann", "--json"])
        assert out.exit_code == 0 and json.loads(out.stdout)["subject"] == "rep Ann Lee"
        out = runner.invoke(cli, ["roleplay", "sessions", "--trainee", "Ann Lee", "--as", "m-east", "--json"])
        assert out.exit_code == 0 and [x["id"] for x in json.loads(out.stdout)] == [session.id]
        out = runner.invoke(cli, ["roleplay", "review", session.id, "--as", "m-east"])
        assert out.exit_code == 0 and "2. rep: What does a late yield report cost you?" in out.stdout
        out = runner.invoke(cli, ["roleplay", "review", session.id, "--as", "r-cara"])
        assert out.exit_code == 1 and "no role-play session" in out.output
    finally:
        set_copilot(None)



def test_slack_commands(tmp_path: Path) -> None:
    cp = Copilot(make_settings(tmp_path / "home", today=TODAY))
    try:
        with FakeSlack() as fake:
            world = make_world(cp, fake)
            world.command("UANN", "timeline D-1")
            assert "Acme Robotics - Observe (proposal" in world.fake.wait_for("cmd")[0]["text"]
            world.command("UCARA", "timeline D-1")
            assert "no deal 'D-1'" in world.fake.wait_for("cmd", 2)[1]["text"]
            world.command("UANN", "tag Acme Robotics | adoption | only two teams log in")
            assert "Tagged *adoption*" in world.fake.wait_for("cmd", 3)[2]["text"]
            world.command("UMARIA", "needs Acme Robotics")
            assert "only two teams log in" in world.fake.wait_for("cmd", 4)[3]["text"]
            world.command("UMARIA", "assign Ann Lee | kestrel-pricing | 2026-12-02")
            assert "Assigned" in world.fake.wait_for("cmd", 5)[4]["text"]
            world.command("UANN", "assignments")
            assert "due 2026-12-02" in world.fake.wait_for("cmd", 6)[5]["text"]
            world.command("UANN", "tag Acme Robotics")
            assert "ACCOUNT | THEME | note" in world.fake.wait_for("cmd", 7)[6]["text"]
            session = cp.roleplay_start(cp.principal("r-ann"), "kestrel-pricing")
            world.command("UMARIA", "sessions Ann Lee")
            assert f"`{session.id}`" in world.fake.wait_for("cmd", 8)[7]["text"]
            world.command("UCARA", "sessions Ann Lee")
            assert "no trainee 'Ann Lee'" in world.fake.wait_for("cmd", 9)[8]["text"]
    finally:
        cp.close()
