"""``copilot forecast`` and ``copilot pipeline``: one JSON document with --json, one-line errors, exit codes."""

import json

import pytest
from test_forecast_asof import build_small_crm
from typer.testing import CliRunner

from integrations.cli.common import set_copilot
from integrations.cli.main import app


@pytest.fixture
def cli(copilot):
    build_small_crm(copilot)
    set_copilot(copilot)
    yield CliRunner()
    set_copilot(None)


def test_forecast_json(cli):
    r = cli.invoke(app, ["forecast", "--as", "Rita Rep", "--quarter", "2017Q1", "--as-of", "2017-03-01", "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["subject"] == "rep Rita Rep" and doc["quarter"] == "2017Q1"
    assert [d["deal_id"] for d in doc["deals"]] == ["D1"]


def test_forecast_text_shows_the_math(cli):
    r = cli.invoke(app, ["forecast", "--as", "mia@skylarkdata.com", "--as-of", "2017-03-01", "--quarter", "2017Q1"])
    assert r.exit_code == 0, r.output
    assert "team East" in r.stdout and "Acme - Observe" in r.stdout and "baselines: stage-weighted" in r.stdout


def test_forecast_refusal_is_one_line(cli):
    r = cli.invoke(app, ["forecast", "--company", "--as", "Rita Rep", "--as-of", "2017-03-01"])
    assert r.exit_code == 1
    assert "may not see the company forecast" in r.output and "Traceback" not in r.output


def test_bad_inputs_are_user_errors(cli):
    r = cli.invoke(app, ["forecast", "--as", "Rita Rep", "--as-of", "March"])
    assert r.exit_code == 1 and "YYYY-MM-DD" in r.output
    r = cli.invoke(app, ["forecast", "--as", "Rita Rep", "--quarter", "2017Q9"])
    assert r.exit_code == 1 and "quarter" in r.output
    r = cli.invoke(app, ["pipeline", "revenue", "--as", "Ada Admin"])
    assert r.exit_code == 1 and "won_revenue" in r.output
    r = cli.invoke(app, ["pipeline", "won_revenue", "--period", "someday", "--as", "Ada Admin"])
    assert r.exit_code == 1 and "last quarter" in r.output


def test_at_risk_and_pipeline_json(cli):
    r = cli.invoke(app, ["forecast", "deals", "--at-risk", "--as", "Max Manager", "--as-of", "2017-03-10", "--json"])
    assert r.exit_code == 0, r.output
    assert [d["deal_id"] for d in json.loads(r.stdout)] == ["O3"]
    r = cli.invoke(app, ["pipeline", "won_revenue", "--by", "rep", "--period", "2016", "--as", "Ada Admin", "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert {row["group"]: row["value"] for row in doc["rows"]} == {"Rita Rep": 10000.0, "Raj Rep": 30000.0,
                                                                   "Rosa Rep": 50000.0}


def test_backtest_json_runs(cli):
    r = cli.invoke(app, ["forecast", "backtest", "--as-of", "2017-03-01", "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["points"][0]["as_of"] == "2017-03-01" and doc["points"][0]["deals"] == 1
