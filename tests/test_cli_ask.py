"""ask / chat / ingest / forget through the real CLI (typer runner), with the conventions of DESIGN.md 6."""

from __future__ import annotations

import json

import pytest
from crm_seed import TODAY, seed_small_crm
from tests_support import make_settings_for
from typer.testing import CliRunner

from copilot.app import Copilot
from integrations.cli.common import set_copilot
from integrations.cli.main import app

runner = CliRunner()


@pytest.fixture
def cp(tmp_path):
    cp = Copilot(make_settings_for(tmp_path, today=TODAY))
    seed_small_crm(cp.services.crm)
    doc = tmp_path / "guide.md"
    doc.write_text("---\ntitle: Security FAQ\ntype: faq\n---\n# Security\n## SOC 2\nWe hold a SOC 2 Type II report, "
                   "renewed every March, shared under NDA.\n")
    set_copilot(cp)
    yield cp
    set_copilot(None)
    cp.close()


def test_ask_json_has_the_answer_fields(cp):
    r = runner.invoke(app, ["ask", "Who is the champion at Acme?", "--as", "Ann Lee", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert {"text", "citations", "actions", "confidence", "freshness", "mode"} <= set(data)
    assert data["mode"] == "offline" and "Dana Park" in data["text"]
    assert any(c["record"] == "contact:C-1" for c in data["citations"])


def test_ask_unknown_user_is_a_one_line_error(cp):
    r = runner.invoke(app, ["ask", "hi", "--as", "Ann Leee"])
    assert r.exit_code == 1
    assert "no user 'Ann Leee'" in r.output and "did you mean Ann Lee" in r.output
    assert "Traceback" not in r.output


def test_ingest_then_ask_then_forget_source(cp, tmp_path):
    r = runner.invoke(app, ["ingest", str(tmp_path / "guide.md"), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["documents"]["added"] == 1
    a = json.loads(runner.invoke(app, ["ask", "Do we have a SOC 2 report?", "--as", "r-ann", "--json"]).stdout)
    assert "SOC 2 Type II" in a["text"]
    r = runner.invoke(app, ["forget", "--source", str(tmp_path / "guide.md"), "--as", "r-ann"])
    assert r.exit_code == 1 and "only an admin" in r.output
    r = runner.invoke(app, ["forget", "--source", str(tmp_path / "guide.md"), "--as", "admin", "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["chunks"] >= 1
    a = json.loads(runner.invoke(app, ["ask", "Do we have a SOC 2 report?", "--as", "r-ann", "--json"]).stdout)
    assert "SOC 2 Type II" not in a["text"]


def test_forget_account_removes_it_from_crm_and_indexes(cp):
    runner.invoke(app, ["ingest", "--crm"])
    assert any("Acme" in h.text for h in cp.services.knowledge.search("Acme Robotics security questionnaire",
                                                             cp.scope(cp.principal("admin"))))
    r = runner.invoke(app, ["forget", "--account", "Acme Robotics", "--as", "admin", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["crm"]["accounts"] == 1 and out["crm"]["deals"] == 2 and out["chunks"] > 0
    hits = cp.services.knowledge.search("Acme Robotics security questionnaire SOC 2 Dana", cp.scope(cp.principal("admin")), k=20)
    assert not any("Acme" in h.text or "Dana Park" in h.text for h in hits)


def test_chat_resolves_follow_ups_from_stdin(cp):
    r = runner.invoke(app, ["chat", "--as", "r-ann"], input="What's going on with Acme Robotics?\nWho is their champion?\n/quit\n")
    assert r.exit_code == 0, r.output
    assert r.output.count("Dana Park") >= 1
    assert "Which account do you mean" not in r.output
