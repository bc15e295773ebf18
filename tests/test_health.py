"""Customer health on a small hand-made CRM whose signals come in through the declarative signals import:
scores with reasons, a stagnating account getting an intervention proposal with its timing and reasons,
rules YAML validation (a bad file is refused in one line and the rules in force stay), and scope through the
facade, the CLI, the HTTP API, Slack and ask."""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from api_world import auth, client
from conftest import make_settings
from crm_seed import TODAY, seed_small_crm
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from copilot.app import Copilot
from copilot.core.domain import OPERATOR
from copilot.core.errors import ConfigError, NotFound, PermissionDenied
from integrations.api import ApiConfig, create_app
from integrations.cli.common import set_copilot
from integrations.cli.main import app as cli
from integrations.slack.health import health_text, home_blocks
from knowledge.crm.health_models import HealthScan, UsageWeek
from knowledge.crm.models import Deal
from tools.health.answers import is_health_question

CATALOG = ["pipelines", "connectors", "alerts", "dashboards", "lineage", "sso"]


def _write(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.DictWriter(fh, fieldnames=list(rows[0]))
        out.writeheader()
        out.writerows(rows)


def signal_files(folder: Path) -> Path:
    """Acme Robotics (Ann's customer) has used the same two features for 16 weeks while others exist;
    Globex Shipping (Cara's) explores every feature; Globex also has a severe ticket and a webinar."""
    folder.mkdir(parents=True, exist_ok=True)
    usage = []
    monday = TODAY - timedelta(days=TODAY.weekday())
    for i in range(16, 0, -1):
        week = monday - timedelta(days=7 * i)
        usage.append({"account": "Acme Robotics", "week": week.isoformat(), "seats": 50, "active_users": 30 - i // 4,
                      "logins": 200, "features": "pipelines;connectors"})
        usage.append({"account": "globex.com", "week": week.isoformat(), "seats": 80, "active_users": 70,
                      "logins": 600, "features": ";".join(CATALOG[: min(6, 2 + (16 - i) // 3)])})
    _write(folder / "usage.csv", usage)
    _write(folder / "tickets.csv", [
        {"ticket_id": "T1", "account": "Globex Shipping", "opened_at": "2026-11-02 09:00", "severity": "P1",
         "subject": "Pipelines down", "first_response_at": "2026-11-03 12:00", "resolved_at": "2026-11-04 09:00"},
        {"ticket_id": "T2", "account": "Nobody Inc", "opened_at": "2026-11-02 09:00", "severity": "low",
         "subject": "x", "first_response_at": "", "resolved_at": ""}])
    _write(folder / "touches.csv", [
        {"touch_id": "W1", "account": "A-2", "contact_email": "gina@globex.com", "occurred_at": "2026-10-20 15:00",
         "kind": "webinar", "detail": "Lineage in practice"}])
    return folder


@pytest.fixture
def world(tmp_path: Path):
    cp = Copilot(make_settings(tmp_path / "home", today=TODAY))
    seed_small_crm(cp.services.crm)
    with cp.services.crm.session() as s:  # Acme's renewal falls due next quarter
        s.add(Deal(id="D-9", name="Acme Robotics - Renewal", account_id="A-1", owner_id="r-ann", team_id="east",
                   stage="qualification", deal_type="renewal", amount=30000, close_date=date(2027, 3, 15)))
    report = cp.import_signals(OPERATOR, signal_files(tmp_path / "signals"))
    assert report.files["usage"]["rows"] == 32 and report.files["tickets"]["rows"] == 1
    yield cp
    cp.close()


def test_signals_import_reports_bad_rows_and_is_idempotent(world: Copilot, tmp_path: Path) -> None:
    again = world.import_signals(OPERATOR, tmp_path / "signals")
    assert again.counts["support_tickets"] == {"created": 0, "updated": 0, "unchanged": 1}
    assert again.error_count == 1 and again.errors[0]["where"] == "tickets.csv:3"
    assert "account 'Nobody Inc' is not in the CRM" in again.errors[0]["message"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("source: x\nfiles:\n  usage:\n    path: u.csv\n    fields: {account: a, week: w, users: u}\n")
    with pytest.raises(ConfigError, match=r"invalid at 'files.usage.fields.users': unknown field"):
        world.import_signals(OPERATOR, tmp_path / "signals", bad)
    with pytest.raises(PermissionDenied):
        world.import_signals(world.principal("r-ann"), tmp_path / "signals")


def test_scores_explain_themselves_with_cited_data(world: Copilot) -> None:
    h = world.health(world.principal("r-ann"), account="Acme Robotics").accounts[0]
    assert h.account == "Acme Robotics" and h.stage == "adoption" and h.score is not None
    by = {c.name: c for c in h.components}
    assert set(by) == {"usage", "features", "support", "engagement"}
    assert abs(sum(c.weight for c in h.components) - 1) < 1e-6
    assert by["usage"].reasons[0].startswith("60% of 50 seats active")
    assert "no new feature tried for 16 weeks while 4 are untried" in by["features"].reasons[1]
    assert by["usage"].citations[0].record == "account:A-1" and by["usage"].citations[0].field.startswith("usage_weeks.")
    assert "feature_stagnation" in h.signals and h.summary.startswith("Acme Robotics: health ")
    g = world.health(world.principal("r-cara"), account="Globex").accounts[0]
    support = next(c for c in g.components if c.name == "support")
    assert "1 high or urgent" in support.reasons and support.citations[0].field == "support_tickets.signals:ticket:T1"


def test_stagnating_account_gets_an_intervention_proposal_with_timing_and_reasons(world: Copilot) -> None:
    report = world.health_scan(OPERATOR)
    day, stored = world.health_last_scan(world.principal("r-ann"))  # App Home reads the stored scan
    assert day == TODAY and {f.account for f in stored} == {"Acme Robotics"}
    assert "Daily health scan, 2026-11-20" in json.dumps(home_blocks(world, world.principal("r-ann")))
    stagnation = [f for f in report.findings if f.kind == "feature_stagnation"]
    assert [f.account for f in stagnation] == ["Acme Robotics"]
    finding = stagnation[0]
    assert finding.what.startswith("No new feature tried for 16 weeks") and finding.causes
    assert len(finding.proposed) == 1
    action = world.actions_show(world.principal("r-ann"), finding.proposed[0].id)
    assert action.state.value == "proposed" and action.owner_id == "r-ann" and action.kind == "send_email"
    assert action.payload["to"] == ["dana@acmerobotics.com"]
    assert "alerts" in action.payload["subject"]  # the next feature: what other customers use that Acme does not
    assert "Health rule adoption-stagnation (adoption stage): no new feature tried for 16 weeks" in action.rationale
    assert "Suggested time: Wed 2026-11-25 09:00" in action.rationale  # within_days 5 from Friday 2026-11-20
    assert action.citations and action.citations[0].source_id.startswith("crm:usage:A-1:")
    assert action.account_id == "A-1"
    owner = next(o for o in report.owners if o.owner_id == "r-ann")
    assert "waiting for your approval" in owner.text()
    digest = next(d for d in report.digests if d.manager_id == "m-east")
    assert digest.owners == {"Ann Lee": 1}
    assert world.health_scan(OPERATOR).proposed == 0  # not proposed again while the first is recent


def test_rules_yaml_validated_bad_file_refused_previous_rules_stay(world: Copilot, tmp_path: Path) -> None:
    rules = world.settings.resolved_home / "health" / "health.yaml"
    rules.parent.mkdir(parents=True)
    rules.write_text("weights: {usage: 1, features: 1, support: 1, engagement: 1}\n")
    ann = world.principal("r-ann")
    assert {c.weight for c in world.health(ann, account="Acme").accounts[0].components} == {0.25}
    rules.write_text("weights: {usage: 1, features: 1, support: 1, engagment: 1}\n")
    view = world.health(ann, account="Acme")
    assert {c.weight for c in view.accounts[0].components} == {0.25}  # the rules in force stay
    assert len(view.notes) == 1 and "invalid at 'weights.engagment" in view.notes[0]
    with pytest.raises(ConfigError, match=r"invalid at 'weights.engagment.\[key\]'") as exc:
        world.health_rules_check(ann, rules)
    assert "\n" not in str(exc.value)
    bad = tmp_path / "journey.yaml"
    bad.write_text("stages:\n  adoption:\n    - {id: x, when: [feature_stagnation], action: fax, within_days: 1, "
                   "title: hello}\n")
    set_copilot(world)
    try:
        result = CliRunner().invoke(cli, ["health", "check", str(bad)])
    finally:
        set_copilot(None)
    assert result.exit_code == 1 and "stages.adoption.0.action" in result.output
    assert len(result.output.strip().splitlines()) == 1
    rules.write_text("weights: {usage: 2, features: 1, support: 1}\n")
    fixed = world.health(ann, account="Acme")
    assert not fixed.notes and [c.weight for c in fixed.accounts[0].components][:1] == [0.5]


def test_rep_sees_only_own_accounts_health_in_every_interface(world: Copilot) -> None:
    ann, cara, eve = world.principal("r-ann"), world.principal("r-cara"), world.principal("x-eve")
    assert [h.account for h in world.health(ann).accounts] == ["Acme Robotics"]
    assert [h.account for h in world.health(cara).accounts] == ["Globex Shipping"]
    assert {h.account for h in world.health(world.principal("admin")).accounts} == {"Acme Robotics", "Globex Shipping"}
    with pytest.raises(NotFound):
        world.health(ann, account="Globex Shipping")
    exec_view = world.health(eve)
    assert exec_view.accounts == [] and exec_view.segments == []  # two customers: every group is below the minimum
    with pytest.raises(PermissionDenied):
        world.health_scan(eve)
    scan = world.health_scan(ann, propose=False)
    assert {f.account for f in scan.findings} <= {"Acme Robotics"}
    # CLI
    set_copilot(world)
    try:
        out = CliRunner().invoke(cli, ["health", "--as", "Ann Lee", "--json"])
        assert out.exit_code == 0 and [a["account"] for a in json.loads(out.stdout)["accounts"]] == ["Acme Robotics"]
        denied = CliRunner().invoke(cli, ["health", "--account", "Globex Shipping", "--as", "Ann Lee"])
        assert denied.exit_code == 1 and "no account matching 'Globex Shipping'" in denied.output
        scan_out = CliRunner().invoke(cli, ["health", "scan", "--as", "Ann Lee", "--no-propose", "--json"])
        assert scan_out.exit_code == 0 and "Globex" not in scan_out.stdout
    finally:
        set_copilot(None)
    # HTTP API
    api = create_app(world, config=ApiConfig(rate_per_second=1000.0, rate_burst=1000))
    keys = {u: world.keys_create(OPERATOR, u, name="t")[1] for u in ("r-ann", "x-eve")}
    http: TestClient = client(api)
    r = http.get("/v1/health", headers=auth(keys["r-ann"]))
    assert r.status_code == 200 and [a["account"] for a in r.json()["accounts"]] == ["Acme Robotics"]
    assert http.get("/v1/health", params={"account": "Globex Shipping"}, headers=auth(keys["r-ann"])).status_code == 404
    assert http.get("/v1/health", headers=auth(keys["x-eve"])).json()["accounts"] == []
    assert http.post("/v1/health/scan", headers=auth(keys["x-eve"])).status_code == 403
    bt = http.get("/v1/health/backtest", headers=auth(keys["x-eve"]))  # company-wide figures: every role
    assert bt.status_code == 200 and bt.json()["renewals"] == 0 and "no renewal could be backtested" in bt.json()["explanation"]
    value = http.post("/v1/health/value", params={"account": "Acme Robotics", "propose": "false"},
                      headers=auth(keys["r-ann"]))
    assert value.status_code == 200 and value.json()["figures"]["seats"] == 50 and value.json()["proposed"] == []
    assert http.post("/v1/health/value", params={"account": "Globex Shipping"},
                     headers=auth(keys["r-ann"])).status_code == 404
    # Slack: the slash command's text and the App Home section
    assert "Acme Robotics" in health_text(world, ann, "") and "Globex" not in health_text(world, ann, "")
    home = json.dumps(home_blocks(world, ann))
    assert "Acme Robotics" in home and "Globex" not in home


def test_ask_routes_health_questions(world: Copilot) -> None:
    ann = world.principal("r-ann")
    at_risk = world.ask(ann, "which of my customers are at risk?")
    assert at_risk.intent == "health" and "Globex" not in at_risk.text
    why = world.ask(ann, "why is Acme Robotics's health dropping?")
    assert why.intent == "health" and "Acme Robotics: health" in why.text and why.citations
    assert any(c.source_id.startswith("crm:usage:A-1:") for c in why.citations)
    renewals = world.ask(world.principal("m-east"), "renewals due next quarter and how is their usage?")
    assert renewals.intent == "health" and "Renewals due 2027-01-01 to 2027-03-31" in renewals.text
    assert "Acme Robotics" in renewals.text and "renewal due 2027-03-15" in renewals.text
    falling = world.ask(world.principal("m-east"), "renewals due next quarter with falling usage")
    assert falling.intent == "health" and "None of the 1 accounts you can see matches" in falling.text
    # 'health' in an account's name is not a health question; how health is defined is for the library
    assert not is_health_question("What's going on with Acme Health?")
    assert not is_health_question("What health score marks a renewal as a red flag?")
    assert is_health_question("what's the health of Acme Health") and is_health_question("how healthy are my accounts?")
    deals = world.ask(ann, "which deals are at risk?")
    assert deals.intent == "at_risk"  # deals stay with the forecast's risk flags


def test_value_report_is_a_proposal_with_usage_figures(world: Copilot) -> None:
    ann = world.principal("r-ann")
    report = world.health_value_report(ann, "Acme Robotics")
    assert report.figures["seats"] == 50 and report.figures["features_in_use"] == 2
    assert "active users went from 27 to 30" in report.text
    assert len(report.proposed) == 1 and report.proposed[0].status == "proposed"
    action = world.actions_show(ann, report.proposed[0].id)
    assert action.kind == "send_email" and action.payload["to"] == ["dana@acmerobotics.com"]
    with pytest.raises(NotFound):
        world.health_value_report(ann, "Globex Shipping")



def test_forgetting_an_account_erases_its_health_data(world: Copilot) -> None:
    world.health_scan(OPERATOR)
    receipt = world.forget(OPERATOR, account="Acme Robotics")
    assert receipt.crm["usage_weeks"] == 16 and receipt.crm["health_findings"] >= 1
    assert receipt.crm["health_interventions"] == 1 and "Acme" not in receipt.model_dump_json()
    with world.services.crm.session() as s:
        assert s.scalar(select(func.count()).select_from(UsageWeek).where(UsageWeek.account_id == "A-1")) == 0
        assert all("Acme" not in json.dumps(scan.findings) for scan in s.scalars(select(HealthScan)))
    assert [h.account for h in world.health(OPERATOR).accounts] == ["Globex Shipping"]
