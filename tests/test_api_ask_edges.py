"""The ask endpoint with bad or hostile input: one clear line, no traceback, nothing outside scope."""

from __future__ import annotations

import pytest
from api_world import auth, build, client

from knowledge.crm.models import Deal


@pytest.fixture
def world(copilot):
    app, keys = build(copilot)
    with client(app) as c:
        yield copilot, c, keys


def test_empty_and_huge_questions_get_one_line_errors(world):
    _, c, keys = world
    for q, want in (("", "at least 1 character"), ("x" * 10_000, "at most 4000 characters")):
        r = c.post("/v1/ask", headers=auth(keys["r-ann"]), json={"question": q})
        assert r.status_code == 422 and want in r.json()["error"]["message"]
        assert "Traceback" not in r.text and "\n" not in r.json()["error"]["message"]


def test_sql_looking_text_is_just_text(world):
    cp, c, keys = world
    r = c.post("/v1/ask", headers=auth(keys["r-ann"]), json={"question": "'; DROP TABLE deals; --"})
    assert r.status_code == 200 and r.json()["text"]
    with cp.services.crm.session() as s:
        assert s.query(Deal).count() == 4
    # SQL after a real question is set aside, the question is answered, and 'DROP' is not read as a name
    r = c.post("/v1/ask", headers=auth(keys["r-ann"]), json={"question": "my open deals'; DROP TABLE deals; --"})
    body = r.json()
    assert body["intent"] == "crm_query" and "DROP" not in body["text"] and body["data"]["crm"]["total"] >= 1
    assert any("set aside the SQL" in n for n in body["notes"])


def test_names_outside_scope_reveal_nothing(world):
    _, c, keys = world
    for q in ("open deals at Globex Shipping", "what's Cara Diaz's pipeline?", "who is the champion at Globex?"):
        r = c.post("/v1/ask", headers=auth(keys["r-ann"]), json={"question": q})
        body = r.json()
        assert r.status_code == 200
        assert "120,000" not in body["text"] and "Enterprise Suite" not in body["text"] and "Gina" not in body["text"]
        assert not any("D-3" in (cit.get("record") or "") for cit in body["citations"])


def test_crm_question_over_http_carries_the_typed_query(world):
    _, c, keys = world
    body = c.post("/v1/ask", headers=auth(keys["r-ann"]), json={"question": "how many open deals do I have?"}).json()
    assert body["data"]["crm"]["value"] == 1 and body["data"]["crm"]["query"]["filters"]["owner"] == "me"
    assert "How I read your question" in body["text"]
