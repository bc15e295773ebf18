"""Configuration and AI trust in every adapter (issue #19 part B): the CLI (`copilot config`, `copilot trust`),
the HTTP API (/v1/config, /v1/trust) and Slack (`/copilot config`, `/copilot trust`), each through the facade:
admins only for configuration, a bad file refused in one line, votes only on one's own answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from api_world import auth, client
from conftest import make_settings
from crm_seed import TODAY, seed_small_crm
from slack_fake import FakeSlack
from slack_world import make_world
from test_health import signal_files
from typer.testing import CliRunner

from copilot.app import Copilot
from copilot.core.domain import OPERATOR
from integrations.api import ApiConfig, create_app
from integrations.cli.common import set_copilot
from integrations.cli.main import app as cli


@pytest.fixture(scope="module")
def cp(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("config-adapters")
    cp = Copilot(make_settings(folder / "home", today=TODAY))
    seed_small_crm(cp.services.crm)
    cp.import_signals(OPERATOR, signal_files(folder / "signals"))
    yield cp
    cp.close()


def test_cli_config_validates_sets_shows_history_and_restores(cp: Copilot, tmp_path: Path) -> None:
    shipped = cp.config_show(OPERATOR, "health")
    bad, good = tmp_path / "bad.yaml", tmp_path / "good.yaml"
    bad.write_text(shipped.replace("engagement: 0.20 ", "engagement: lots "))
    good.write_text(shipped.replace("engagement: 0.20 ", "engagement: 0.40 "))
    set_copilot(cp)
    try:
        run = CliRunner().invoke
        listing = run(cli, ["config", "--json"])
        assert listing.exit_code == 0 and "mapping-hubspot" in {k["name"] for k in json.loads(listing.stdout)}
        refused = run(cli, ["config", "set", "health", str(bad)])
        assert refused.exit_code == 1 and "invalid at 'weights.engagement'" in refused.output
        assert len(refused.output.strip().splitlines()) == 1
        assert "engagement 33%" in run(cli, ["config", "validate", "health", str(good)]).output
        preview = run(cli, ["config", "preview", "health", str(good), "--json"])
        assert preview.exit_code == 0 and json.loads(preview.stdout)["scores"]
        assert "installed health version 1" in run(cli, ["config", "set", "health", str(good), "--note", "t"]).output
        assert "engagement: 0.40" in run(cli, ["config", "show", "health"]).stdout
        assert "+  engagement: 0.40" in run(cli, ["config", "diff", "health", "1"]).stdout
        history = json.loads(run(cli, ["config", "history", "health", "--json"]).stdout)
        assert [v["number"] for v in history] == [1, 0] and history[0]["by"] == "operator"
        assert "restored version 0" in run(cli, ["config", "restore", "health", "0"]).output
        denied = run(cli, ["config", "show", "health", "--as", "Ann Lee"])
        assert denied.exit_code != 0 and "only admins" in denied.output
        trust = run(cli, ["trust", "--as", "Maria East", "--json"])
        assert trust.exit_code == 0 and set(json.loads(trust.stdout)) == {"answers", "suggestions"}
    finally:
        set_copilot(None)
    assert cp.config_show(OPERATOR, "health") == shipped


def test_api_config_and_trust(cp: Copilot) -> None:
    http = client(create_app(cp, config=ApiConfig(rate_per_second=1000.0, rate_burst=1000, job_workers=0)))
    keys = {u: cp.keys_create(OPERATOR, u, name="t")[1] for u in ("admin", "m-east", "r-ann")}
    admin, manager = auth(keys["admin"]), auth(keys["m-east"])
    assert http.get("/v1/config", headers=manager).status_code == 403
    assert http.get("/v1/config/journey", headers=manager).status_code == 403
    journey = http.get("/v1/config/journey", headers=admin).json()["text"]
    bad = http.put("/v1/config/journey", headers=admin, json={"text": journey.replace("within_days: ", "within_days: 900 #", 1)})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_config"
    assert "within_days" in bad.json()["error"]["message"]
    assert http.post("/v1/config/journey/validate", headers=admin, json={"text": journey}).json()["valid"] is True
    saved = http.put("/v1/config/journey", headers=admin, json={"text": journey + "# tuned\n", "note": "api"})
    assert saved.status_code == 200 and saved.json()["number"] == 1 and saved.json()["note"] == "api"
    assert http.get("/v1/config/journey/versions/1", headers=admin).json()["diff"].endswith("+# tuned\n")
    assert http.post("/v1/config/journey/restore", headers=manager, json={"version": 0}).status_code == 403
    assert http.post("/v1/config/journey/restore", headers=admin, json={"version": 0}).json()["number"] == 2
    assert http.get("/v1/config/nope", headers=admin).status_code == 404

    cp.ask(cp.principal("m-east"), "What's going on with Acme Robotics?", thread_id=cp.new_thread())
    answers = http.get("/v1/trust/answers", headers=manager).json()
    ref = answers[0]["ref"]
    assert answers[0]["hints"] and {"code", "text"} <= set(answers[0]["hints"][0])
    assert http.post(f"/v1/trust/answers/{ref}/vote", headers=manager, json={"helpful": True}).json() == \
        {"helpful": 1, "not_helpful": 0}
    assert http.post(f"/v1/trust/answers/{ref}/vote", headers=auth(keys["r-ann"]),
                     json={"helpful": False}).status_code == 404  # not hers
    assert cp.chat_votes(ref) == {"helpful": 1, "not_helpful": 0}
    assert isinstance(http.get("/v1/trust/suggestions", headers=manager).json(), list)


def test_slack_config_and_trust(copilot: Copilot) -> None:
    with FakeSlack() as fake:
        world = make_world(copilot, fake)
        world.command("UADMIN", "config")
        assert "`health`: Health and renewal-risk rules, shipped default" in fake.wait_for("cmd")[0]["text"]
        world.command("UADMIN", "config show rubric")
        assert "pass_mark" in fake.wait_for("cmd", 2)[1]["text"]
        world.command("UADMIN", "config validate health weights: {usage: -1}")
        assert "invalid at 'weights.usage'" in fake.wait_for("cmd", 3)[2]["text"]
        world.command("UANN", "config show health")
        assert "only admins" in fake.wait_for("cmd", 4)[3]["text"]
        world.command("UANN", "trust")
        assert "No answers yet" in fake.wait_for("cmd", 5)[4]["text"]
