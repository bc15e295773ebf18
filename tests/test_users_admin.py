"""Who is who without SQL: admins add people, change roles, teams and reporting lines, and deactivate them,
from the CLI and the API; everyone else is refused; the changes decide what people see."""

from __future__ import annotations

import json

import pytest
from api_world import auth, build, client
from typer.testing import CliRunner

from integrations.cli.common import set_copilot
from integrations.cli.main import app

runner = CliRunner()


@pytest.fixture
def world(copilot):
    api, keys = build(copilot)
    set_copilot(copilot)
    with client(api) as c:
        yield copilot, c, keys
    set_copilot(None)


def cli(*args: str):
    return runner.invoke(app, list(args))


def test_cli_add_an_exec_and_a_manager_with_reports(world):
    cp, _, _ = world
    r = cli("users", "add", "Olga Chief", "--role", "exec", "--email", "olga@skylarkdata.com", "--as", "admin", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["role"] == "exec"
    a = cp.ask(cp.principal("Olga Chief"), "open pipeline by team")
    assert {row["group"] for row in a.data["crm"]["rows"]} <= {"East", "West"}
    r = cli("users", "add", "Nia North", "--role", "manager", "--team", "North", "--as", "admin", "--json")
    nia = json.loads(r.stdout)
    assert nia["team"] == "North" and nia["team_id"] == "team:north"
    r = cli("users", "set", "Cara Diaz", "--manager", "Nia North", "--team", "North", "--as", "admin", "--json")
    assert json.loads(r.stdout)["manager"] == "Nia North"
    ids = {x["id"] for x in cp.ask(cp.principal("Nia North"), "list open deals").data["crm"]["records"]}
    assert ids == {"D-3"}  # Cara's deal, through the reporting line


def test_cli_refuses_non_admins_loops_and_bad_roles(world):
    r = cli("users", "add", "Eve Two", "--as", "r-ann")
    assert r.exit_code == 1 and "only admins may add users" in r.output
    r = cli("users", "set", "Ann Lee", "--role", "boss", "--as", "admin")
    assert r.exit_code == 1 and "unknown role 'boss'" in r.output and "rep, manager, exec, admin" in r.output
    r = cli("users", "set", "Maria East", "--manager", "Cara Diaz", "--as", "admin")
    assert r.exit_code == 1 and "not a manager" in r.output
    cli("users", "set", "Walter West", "--manager", "Maria East", "--as", "admin")
    r = cli("users", "set", "Maria East", "--manager", "Walter West", "--as", "admin")
    assert r.exit_code == 1 and "cannot loop" in r.output
    r = cli("users", "set", "Ann Lee", "--email", "bob@skylarkdata.com", "--as", "admin")
    assert r.exit_code == 1 and "already belongs to Bob Stone" in r.output


def test_deactivated_people_cannot_act(world):
    r = cli("users", "deactivate", "Bob Stone", "--as", "admin")
    assert r.exit_code == 0, r.output
    r = cli("ask", "my deals", "--as", "Bob Stone")
    assert r.exit_code == 1 and "deactivated" in r.output
    listing = json.loads(cli("users", "--json").stdout)
    assert next(u for u in listing if u["name"] == "Bob Stone")["active"] is False


def test_api_user_admin(world):
    cp, c, keys = world
    r = c.post("/v1/users", headers=auth(keys["r-ann"]), json={"name": "Zed"})
    assert r.status_code == 403
    r = c.post("/v1/users", headers=auth(keys["admin"]), json={"name": "Zoe Exec", "role": "exec"})
    assert r.status_code == 201 and r.json()["role"] == "exec"
    r = c.patch(f"/v1/users/{r.json()['id']}", headers=auth(keys["admin"]), json={"slack_id": "UZOE"})
    assert r.status_code == 200 and r.json()["slack_id"] == "UZOE"
    r = c.patch("/v1/users/r-ann", headers=auth(keys["admin"]), json={"role": "boss"})
    assert r.status_code == 400 and "unknown role" in r.json()["error"]["message"]
    assert c.get("/v1/users", headers=auth(keys["r-ann"])).status_code == 403
    assert any(u["name"] == "Zoe Exec" for u in c.get("/v1/users", headers=auth(keys["admin"])).json())
    r = c.post("/v1/users/r-bob/deactivate", headers=auth(keys["admin"]))
    assert r.status_code == 200 and r.json()["active"] is False
