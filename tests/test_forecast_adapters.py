"""The forecast review from the CLI, the HTTP API and Slack: calls recorded from each, the scoreboard, overrides,
interventions and the model-health report (HTML too); bad input is one line naming the fix."""

import json

import pytest
from api_world import auth, build, client
from crm_seed import TODAY
from slack_fake import FakeSlack
from slack_world import make_world
from test_forecast_asof import build_small_crm
from typer.testing import CliRunner

from copilot.app import Copilot
from integrations.cli.common import set_copilot
from integrations.cli.main import app


@pytest.fixture
def cli(copilot):
    build_small_crm(copilot)
    set_copilot(copilot)
    yield CliRunner()
    set_copilot(None)


def test_cli_call_scoreboard_override_health(cli, tmp_path):
    r = cli.invoke(app, ["forecast", "call", "--as", "Rita Rep", "--amount", "60000", "--quarter", "2017Q1", "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["amount"] == 60000 and doc["period"] == "2017Q1" and doc["subject"] == "rep R1"
    r = cli.invoke(app, ["forecast", "call", "--as", "Rita Rep", "--deal", "D1", "--category", "commit",
                         "--quarter", "2017Q1"])
    assert r.exit_code == 0 and "commit for deal D1" in r.stdout
    r = cli.invoke(app, ["forecast", "call", "--as", "Rita Rep", "--quarter", "2017Q1"])
    assert r.exit_code == 1 and "--amount" in r.output and "Traceback" not in r.output
    r = cli.invoke(app, ["forecast", "scoreboard", "--as", "Mia Manager", "--quarter", "2017Q1", "--json"])
    board = json.loads(r.stdout)
    assert r.exit_code == 0 and board["closed"] and {s["kind"] for s in board["scores"]} == {"number", "deals"}
    r = cli.invoke(app, ["forecast", "override", "O3", "--probability", "0.9", "--reason", "signed PO", "--as", "Rita Rep"])
    assert r.exit_code == 1 and "may not override" in r.output
    page = tmp_path / "health.html"
    r = cli.invoke(app, ["forecast", "health", "--as", "Mia Manager", "--html", str(page)])
    assert r.exit_code == 0, r.output
    assert "Data problems behind the numbers" in r.stdout and "<h2>Reviewer overrides</h2>" in page.read_text()
    r = cli.invoke(app, ["forecast", "interventions", "--as", "Mia Manager", "--no-propose", "--json"])
    assert r.exit_code == 0 and "weights" in json.loads(r.stdout)


@pytest.fixture
def api(settings):
    cp = Copilot(settings.model_copy(update={"today": TODAY}))
    yield cp, *build(cp)
    cp.close()


def test_api_calls_overrides_scoreboard_and_html_health(api):
    cp, application, keys = api
    http = client(application)
    r = http.post("/v1/forecast/calls", json={"amount": 125000}, headers=auth(keys["r-ann"]))
    assert r.status_code == 200, r.text
    assert r.json()["amount"] == 125000
    r = http.post("/v1/forecast/calls", json={"amount": "lots"}, headers=auth(keys["r-ann"]))
    assert r.status_code == 422
    board = http.get("/v1/forecast/scoreboard", headers=auth(keys["m-east"])).json()
    assert [s["called"] for s in board["scores"]] == [125000] and not board["closed"]
    deal = http.get("/v1/forecast", headers=auth(keys["m-east"])).json()["deals"][0]
    r = http.post("/v1/forecast/overrides", json={"deal": deal["deal_id"], "probability": 0.9, "reason": "PO signed"},
                  headers=auth(keys["m-east"]))
    assert r.status_code == 200 and r.json()["probability"] == 0.9 and "PO signed" in r.json()["override"]
    r = http.post("/v1/forecast/overrides", json={"deal": deal["deal_id"], "probability": 0.9, "reason": ""},
                  headers=auth(keys["m-east"]))
    assert r.status_code == 400 and "reason" in r.json()["error"]["message"]
    r = http.get("/v1/forecast/health", params={"format": "html"}, headers=auth(keys["m-east"]))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html") and "PO signed" in r.text
    assert http.get("/v1/forecast/health", headers=auth(keys["r-ann"])).status_code == 403
    r = http.post("/v1/forecast/interventions", params={"propose": "false"}, headers=auth(keys["m-east"]))
    assert r.status_code == 200 and "timing" in r.json()


def test_slack_forecast_call_and_scoreboard(settings):
    cp = Copilot(settings.model_copy(update={"today": TODAY}))
    try:
        with FakeSlack() as fake:
            world = make_world(cp, fake)
            world.command("UANN", "forecast call 1.2m")
            assert "Recorded your call" in world.fake.wait_for("cmd")[0]["text"]
            world.command("UMARIA", "forecast scoreboard")
            assert "1,200,000" in world.fake.wait_for("cmd", 2)[1]["text"]
            world.command("UANN", "forecast health")
            assert "for sales leads" in world.fake.wait_for("cmd", 3)[2]["text"]
    finally:
        cp.close()
