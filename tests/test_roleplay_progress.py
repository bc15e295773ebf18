"""Progress per trainee, manager view, the CLI commands, and the LLM voice with a scripted fake model."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from copilot.core.domain import Principal, Role
from copilot.core.settings import REPO_ROOT
from copilot.core.visibility import scope_for
from integrations.cli.common import set_copilot
from integrations.cli.main import app
from knowledge.crm.models import Team, User
from tools.roleplay.scoring import DISCLAIMER

RITA = Principal(user_id="u-rita", name="Rita Rep", role=Role.REP, team_id="t-east")
OMAR = Principal(user_id="u-omar", name="Omar Rep", role=Role.REP, team_id="t-east")
MIA = Principal(user_id="u-mia", name="Mia Manager", role=Role.MANAGER, team_id="t-east")
WES = Principal(user_id="u-wes", name="Wes West", role=Role.REP, team_id="t-west")


def _people(cp):
    with cp.services.crm.session() as s:
        s.add_all([Team(id="t-east", name="East", manager_id="u-mia"), Team(id="t-west", name="West")])
        s.flush()
        for p in (RITA, OMAR, MIA, WES):
            s.add(User(id=p.user_id, name=p.name, email=f"{p.user_id}@skylarkdata.com", role=p.role.value,
                       team_id=p.team_id))


def _record(store, who, checks, score, when):
    store.add_score(trainee_id=who.user_id, team_id=who.team_id, scenario_id="kestrel-pricing", score=score,
                    passed=score >= 80, checks=checks, source="roleplay", when=when)


def test_report_trend_weakest_check_and_recommendation(copilot):
    store = copilot.services.roleplay.store
    t0 = datetime(2026, 1, 5, 9)
    base = {"asked_pain": True, "asked_impact": True, "identified_decision_maker": True, "dated_next_step": True}
    for i, budget in enumerate([False, False, False, True]):
        _record(store, RITA, {**base, "confirmed_budget": budget, "price_value_not_discount": False}, 60 + 5 * i,
                t0 + timedelta(days=i))
    _record(store, WES, {**base, "confirmed_budget": True}, 95, t0)
    rep = copilot.services.roleplay.report(RITA, scope_for(RITA))
    assert rep["sessions"] == 4 and set(rep["trainees"]) == {"u-rita"}  # never sees Wes
    crit = {c["check"]: c for c in rep["criteria"]}
    assert crit["confirmed_budget"]["history"] == "---+" and crit["confirmed_budget"]["trend"] == "improving"
    assert rep["weakest"] == "price_value_not_discount"
    rec = rep["recommendation"]
    # targets the weak check, and a realistic card comes before the tough Kestrel one
    assert rec["scenario"] in {"meridian-renewal", "sundial-pricing"} and rec["difficulty"] == "realistic"
    assert "price_value_not_discount" in rec["why"]
    assert rep["disclaimer"] == DISCLAIMER


def test_manager_sees_the_team_not_other_teams(copilot):
    _people(copilot)
    store = copilot.services.roleplay.store
    now = datetime(2026, 2, 1)
    _record(store, RITA, {"asked_pain": True}, 90, now)
    _record(store, OMAR, {"asked_pain": False}, 50, now)
    _record(store, WES, {"asked_pain": True}, 85, now)
    rep = copilot.services.roleplay.report(MIA, copilot.scope(MIA))
    assert set(rep["trainees"]) == {"u-rita", "u-omar"}
    assert rep["trainees"]["u-omar"]["average"] == 50.0


def test_cli_list_start_score_report(copilot, tmp_path):
    _people(copilot)
    set_copilot(copilot)
    runner = CliRunner()
    try:
        res = runner.invoke(app, ["roleplay", "list", "--json"])
        assert res.exit_code == 0, res.output
        assert len(json.loads(res.stdout)) >= 8
        lines = "\n".join([
            "What's not working with your clinical reporting today?",
            "What happens to staffing and patients when a feed goes stale?",
            "/end", ""])
        res = runner.invoke(app, ["roleplay", "start", "brightwell-discovery", "--as", "Rita Rep", "--json"],
                            input=lines)
        assert res.exit_code == 0, res.output
        doc = json.loads(res.stdout)
        assert doc["outcome"] == "trainee_ended" and doc["passed"] is False
        transcript = doc["transcript"]
        assert "short-staffed" in Path(transcript).read_text()
        res = runner.invoke(app, ["roleplay", "score", transcript, "--json", "--as", "u-rita"])
        assert res.exit_code == 0, res.output
        scored = json.loads(res.stdout)
        assert {"score", "passed", "checks"} <= set(scored) and scored["checks"][1]["id"] == "asked_impact"
        res = runner.invoke(app, ["roleplay", "report", "--as", "u-rita"])
        assert res.exit_code == 0 and "not meant for employment decisions" in res.stdout
        assert "Next:" in res.stdout
        res = runner.invoke(app, ["roleplay", "score", str(tmp_path / "missing.txt")])
        assert res.exit_code == 1 and "no transcript file" in res.output
        res = runner.invoke(app, ["roleplay", "start", "no-such-scenario", "--as", "u-rita"], input="/end\n")
        assert res.exit_code == 1 and "copilot roleplay list" in res.output
    finally:
        set_copilot(None)


def test_llm_voice_rephrases_but_stays_in_role(copilot):
    from copilot.testing import ScriptedChatModel
    from tools.roleplay.session import RoleplayService

    fake = ScriptedChatModel(["Honestly? Our nightly feeds fall over and nobody notices until Monday.",
                              "I can offer you a discount if you like our product.",  # out of role: replaced
                              RuntimeError("endpoint down")])
    root = copilot.services.roleplay
    svc = RoleplayService(crm=copilot.services.crm, embedder=copilot.services.embedder, library_dir=root.library_dir,
                          rubric_path=REPO_ROOT / "prompts" / "roleplay_rubric.yaml",
                          home=copilot.settings.resolved_home, chat_model=fake,
                          buyer_prompt=REPO_ROOT / "prompts" / "roleplay_buyer.md")
    s = svc.start("brightwell-discovery", RITA)
    t1 = s.reply("What's not working with your clinical reporting today?")
    assert t1.text.startswith("Honestly?")
    system = fake.calls[0][0].content
    assert "You are Dana Whitfield" in system and "short-staffed" not in system  # hidden fact not unlocked
    t2 = s.reply("What happens to staffing and patients when a feed goes stale?")
    assert "short-staffed" in t2.text and t2.revealed == ["impact"]  # offline line kept
    t3 = s.reply("Who else signs off?")
    assert t3.revealed == ["decision"] and "Alan Cho" in t3.text  # model failure: offline line
    assert "short-staffed" in fake.calls[2][0].content  # revealed facts are now allowed in the prompt


def test_score_a_real_crm_call_and_practise_it(copilot):
    from datetime import date

    from knowledge.crm.models import Account, Call, Contact, Deal

    _people(copilot)
    with copilot.services.crm.session() as s:
        s.add(Account(id="a-kes", name="Kestrel Manufacturing", sector="manufacturing", owner_id="u-rita",
                      team_id="t-east"))
        s.flush()
        s.add(Contact(id="c-marco", account_id="a-kes", name="Marco Ruiz", title="Director of Procurement",
                      buying_role="economic_buyer"))
        s.add(Deal(id="d-kes", name="Kestrel Manufacturing - Enterprise Suite", account_id="a-kes", owner_id="u-rita",
                   team_id="t-east", stage="negotiation", amount=120000, competitor="OpsHawk",
                   close_date=date(2026, 3, 31)))
        s.flush()
        s.add(Call(id="call-1", title="Kestrel negotiation", account_id="a-kes", deal_id="d-kes", owner_id="u-rita",
                   team_id="t-east", occurred_at=datetime(2026, 2, 3, 10),
                   summary={"objections": [{"category": "price", "quote": "you need to come down on price"}]},
                   transcript=[{"speaker": "Rita Rep", "start": 0, "end": 3, "text": "What does a late report cost you?"},
                               {"speaker": "Marco Ruiz", "start": 3, "end": 6, "text": "Scrap. A lot of it."},
                               {"speaker": "Marco Ruiz", "start": 6, "end": 9, "text": "And your price is too high."},
                               {"speaker": "Rita Rep", "start": 9, "end": 12, "text": "I can do 10% off."}]))
    score = copilot.services.roleplay.score_call("call-1", RITA, copilot.scope(RITA))
    by_id = {c.id: c for c in score.checks}
    assert by_id["asked_impact"].passed and by_id["price_value_not_discount"].passed is False
    with_pytest_raises_not_found(copilot, WES)
    # practise the objection from that call: the buyer is the real contact, raising a price objection
    s = copilot.services.roleplay.start("call:call-1", RITA, copilot.scope(RITA))
    assert s.persona.name == "Marco Ruiz" and s.persona.goal == "pricing_negotiation"
    assert [o.category for o in s.persona.objections] == ["price"] and s.persona.competitor == "OpsHawk"


def with_pytest_raises_not_found(cp, who):
    import pytest

    from copilot.core.errors import NotFound

    with pytest.raises(NotFound):
        cp.services.roleplay.score_call("call-1", who, cp.scope(who))
    with pytest.raises(NotFound):
        cp.services.roleplay.start("deal:d-kes", who, cp.scope(who))
