"""Every /v1 route through the ASGI app: answers, SSE chat, actions loop, calls (inline and job-polled),
role-play, ingest, import, forecast/pipeline, Slack mount, and scope refusals (403/404)."""

from __future__ import annotations

import json
import time

import pytest
from api_world import auth, build, client

from integrations.api import ApiConfig, create_app

TRANSCRIPT = """[00:00] Ann Lee: Thanks for joining, Dana. What is blocking the rollout today?
[00:06] Dana Park: Honestly the security review. Our CISO needs the SOC 2 report before anything moves.
[00:15] Ann Lee: Understood. How are you comparing us with Vantage IQ?
[00:21] Dana Park: Vantage IQ is cheaper, but lineage matters to us. Price is a concern for the CFO.
[00:30] Ann Lee: I will send the SOC 2 report and a revised proposal by Friday. Can we book a technical demo next Tuesday?
[00:38] Dana Park: Yes, next Tuesday works. I will bring Raj from finance.
"""


@pytest.fixture
def world(copilot):
    app, keys = build(copilot)
    with client(app) as c:
        yield c, keys, copilot


def parse_sse(text: str) -> list[tuple[str, object]]:
    events = []
    for block in text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((fields.get("event", "message"), json.loads(fields["data"])))
    return events


def test_ask_returns_a_cited_answer_in_scope(world):
    c, keys, _ = world
    r = c.post("/v1/ask", json={"question": "What is the next step on the Acme Robotics deal?"},
               headers=auth(keys["r-ann"]))
    assert r.status_code == 200
    body = r.json()
    assert "Send revised proposal" in body["text"] and body["mode"] == "offline"
    assert any(cit["record"] == "deal:D-1" for cit in body["citations"])
    # Cara (west) does not see Ann's deal: the answer carries none of it
    r = c.post("/v1/ask", json={"question": "What is the next step on the Acme Robotics deal?"},
               headers=auth(keys["r-cara"]))
    assert r.status_code == 200 and "Send revised proposal" not in r.json()["text"]
    assert not any(cit.get("record") == "deal:D-1" for cit in r.json()["citations"])


def test_chat_streams_tokens_then_citations_then_done(world):
    c, keys, _ = world
    h = auth(keys["r-ann"])
    with c.stream("POST", "/v1/chat", json={"message": "What is the next step on the Acme Robotics deal?"},
                  headers=h) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        events = parse_sse(r.read().decode())
    kinds = [e for e, _ in events]
    assert kinds[-2:] == ["citations", "done"] and set(kinds[:-2]) == {"token"} and len(kinds) > 10
    text = "".join(d["text"] for e, d in events if e == "token")
    assert "Send revised proposal" in text
    assert any(cit["record"] == "deal:D-1" for cit in events[-2][1])
    thread = events[-1][1]["thread_id"]
    r = c.post("/v1/chat", json={"message": "Who is the champion there?", "thread_id": thread}, headers=h)
    follow = "".join(d["text"] for e, d in parse_sse(r.text) if e == "token")
    assert parse_sse(r.text)[-1][1]["thread_id"] == thread and "Dana Park" in follow


def test_actions_loop_binds_to_the_payload_hash(world):
    c, keys, cp = world
    a = cp.services.actions.propose("create_task", {"title": "Send SOC 2 report", "due_on": "2026-12-01", "deal_id": "D-1"},
                           owner_id="r-ann", rationale="promised on the call", tool="test", deal_id="D-1")
    b = cp.services.actions.propose("create_task", {"title": "Book demo", "due_on": "2026-12-02"}, owner_id="r-ann",
                           rationale="x", tool="test")
    h = auth(keys["r-ann"])
    listed = c.get("/v1/actions", headers=h).json()
    assert {x["id"] for x in listed} == {a.id, b.id} and all(x["payload_hash"] for x in listed)
    shown = c.get(f"/v1/actions/{a.id}", headers=h).json()
    assert shown["summary"] == "Task due 2026-12-01: Send SOC 2 report" and shown["history"][0]["to"] == "proposed"
    # others: Cara cannot see it (404), the exec cannot decide it
    assert c.get(f"/v1/actions/{a.id}", headers=auth(keys["r-cara"])).status_code == 404
    assert c.get("/v1/actions", headers=auth(keys["r-cara"])).json() == []
    r = c.post(f"/v1/actions/{a.id}/approve", json={"payload_hash": "0" * 64}, headers=h)
    assert r.status_code == 400 and "changed since it was shown" in r.json()["error"]["message"]
    r = c.post(f"/v1/actions/{a.id}/edit", headers=h, json={
        "payload": {**shown["payload"], "title": "Send SOC 2 report and DPA"}, "payload_hash": shown["payload_hash"]})
    assert r.status_code == 200 and r.json()["state"] == "executed" and r.json()["decision"] == "edited"
    r = c.post(f"/v1/actions/{b.id}/reject", json={"reason": "not needed"}, headers=h)
    assert r.json()["state"] == "rejected"
    r = c.post(f"/v1/actions/{b.id}/approve", json={"payload_hash": b.payload_hash}, headers=h)
    assert r.status_code == 400 and "already decided" in r.json()["error"]["message"]
    assert [x["state"] for x in c.get("/v1/actions?state=executed,rejected", headers=h).json()] != []
    stats = c.get("/v1/actions/stats", headers=h).json()
    assert json.dumps(stats)  # JSON-able adoption metrics
    assert c.get("/v1/actions?state=bogus", headers=h).status_code == 400


def test_manager_may_decide_team_actions_but_rep_of_other_team_may_not(world):
    c, keys, cp = world
    a = cp.services.actions.propose("create_task", {"title": "T", "due_on": "2026-12-01"}, owner_id="r-ann",
                           rationale="x", tool="test")
    r = c.post(f"/v1/actions/{a.id}/approve", json={"payload_hash": a.payload_hash, "execute": False},
               headers=auth(keys["r-bob"]))
    assert r.status_code in (403, 404)
    r = c.post(f"/v1/actions/{a.id}/approve", json={"payload_hash": a.payload_hash, "execute": False},
               headers=auth(keys["m-east"]))
    assert r.status_code == 200 and r.json()["state"] == "approved"


def test_call_transcript_upload_inline_with_followup(world):
    c, keys, cp = world
    r = c.post("/v1/calls", headers=auth(keys["r-ann"]), data={"deal_id": "D-1", "title": "Acme discovery"},
               files={"file": ("acme.txt", TRANSCRIPT.encode(), "text/plain")})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["deal_id"] == "D-1" and len(body["transcript"]["segments"]) == 6
    found = json.dumps(body["summary"])
    assert "Vantage IQ" in found
    assert body["actions"] and all(x["status"] == "proposed" for x in body["actions"])
    assert {a.id for a in cp.services.actions.list(cp.principal("r-ann"))} >= {x["id"] for x in body["actions"]}
    # Cara may not put a call on Ann's deal
    r = c.post("/v1/calls", headers=auth(keys["r-cara"]), data={"deal_id": "D-1"},
               files={"file": ("acme.txt", TRANSCRIPT.encode(), "text/plain")})
    assert r.status_code in (403, 404)
    r = c.post("/v1/calls", headers=auth(keys["r-ann"]), files={"file": ("notes.exe", b"MZ", "application/x")})
    assert r.status_code == 400 and "unsupported file type" in r.json()["error"]["message"]
    r = c.post("/v1/calls", headers=auth(keys["r-ann"]), files={"file": ("empty.wav", b"", "audio/wav")})
    assert r.status_code == 400 and "empty" in r.json()["error"]["message"]


def test_long_call_upload_answers_a_job_to_poll(copilot):
    app, keys = build(copilot, call_inline_max_bytes=100)
    with client(app) as c:
        h = auth(keys["r-ann"])
        r = c.post("/v1/calls", headers=h, data={"deal_id": "D-1"},
                   files={"file": ("acme.txt", TRANSCRIPT.encode(), "text/plain")})
        assert r.status_code == 202, r.text
        job = r.json()
        assert job["status"] in ("queued", "running", "done") and r.headers["location"] == job["poll"]
        deadline = time.monotonic() + 60
        while job["status"] in ("queued", "running") and time.monotonic() < deadline:
            time.sleep(0.05)
            job = c.get(job["poll"], headers=h).json()
        assert job["status"] == "done", job
        assert "Vantage IQ" in json.dumps(job["result"]["summary"]) and job["result"]["actions"]
        assert c.get(job["poll"], headers=auth(keys["r-cara"])).status_code == 404  # not Cara's job
        assert c.get(job["poll"], headers=auth(keys["admin"])).status_code == 200
        # a job that fails records the error and never raises
        r = c.post("/v1/calls", headers=h, data={"deal_id": "D-3"},
                   files={"file": ("globex.txt", TRANSCRIPT.encode(), "text/plain")})
        job = r.json()
        while job["status"] in ("queued", "running") and time.monotonic() < deadline:
            time.sleep(0.05)
            job = c.get(job["poll"], headers=h).json()
        assert job["status"] == "failed" and job["error"]["code"] in ("not_found", "forbidden")


def test_roleplay_session_over_http(world):
    c, keys, _ = world
    h = auth(keys["r-ann"])
    scenarios = c.get("/v1/roleplay/scenarios", headers=h).json()
    ids = {s["id"] for s in scenarios}
    assert "kestrel-pricing" in ids and "budget" not in scenarios[0]
    r = c.post("/v1/roleplay/sessions", json={"scenario_id": "kestrel-pricing"}, headers=h)
    assert r.status_code == 201
    sid = r.json()["session_id"]
    assert r.json()["opening"]
    r = c.post(f"/v1/roleplay/sessions/{sid}/reply", json={"text": "What would a discount need to look like?"},
               headers=h)
    assert r.status_code == 200 and r.json()["buyer"]
    # the manager can see the session but may not speak in it; another team cannot see it at all
    assert c.post(f"/v1/roleplay/sessions/{sid}/reply", json={"text": "hi"},
                  headers=auth(keys["m-east"])).status_code == 403
    assert c.post(f"/v1/roleplay/sessions/{sid}/reply", json={"text": "hi"},
                  headers=auth(keys["r-cara"])).status_code == 403
    score = c.post(f"/v1/roleplay/sessions/{sid}/finish", headers=h).json()
    assert 0 <= score["score"] <= 100 and "checks" in score
    assert c.post("/v1/roleplay/sessions", json={"scenario_id": "nope"}, headers=h).status_code == 404


def test_ingest_upload_is_private_unless_shared(world):
    c, keys, cp = world
    doc = b"# Zephyr pricing memo\n\nThe zephyrine discount ladder tops out at twelve percent for Acme.\n"
    r = c.post("/v1/ingest", headers=auth(keys["r-ann"]), files={"file": ("memo.md", doc, "text/markdown")})
    assert r.status_code == 200 and r.json()["added"] == 1 and r.json()["shared"] is False
    ann, cara = cp.scope(cp.principal("r-ann")), cp.scope(cp.principal("r-cara"))
    assert any("zephyrine" in h.text for h in cp.services.knowledge.search("zephyrine discount ladder", ann))
    assert not any("zephyrine" in h.text for h in cp.services.knowledge.search("zephyrine discount ladder", cara))
    r = c.post("/v1/ingest", headers=auth(keys["r-ann"]), data={"shared": "true"},
               files={"file": ("memo.md", doc, "text/markdown")})
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    r = c.post("/v1/ingest", headers=auth(keys["admin"]), data={"shared": "true", "type": "playbook"},
               files={"file": ("shared.md", b"# Shared\n\nQuasarine onboarding takes two weeks.\n", "text/markdown")})
    assert r.status_code == 200
    assert any("Quasarine" in h.text for h in cp.services.knowledge.search("quasarine onboarding", cara))


def test_admin_only_paths_and_import(world, tmp_path):
    c, keys, _ = world
    (tmp_path / "a.md").write_text("# A\n\nServer side playbook about glacierfish.\n")
    body = {"paths": [str(tmp_path)]}
    r = c.post("/v1/ingest/paths", json=body, headers=auth(keys["m-east"]))
    assert r.status_code == 403 and "only admins" in r.json()["error"]["message"]
    r = c.post("/v1/ingest/paths", json=body, headers=auth(keys["admin"]))
    assert r.status_code == 200 and r.json()["added"] == 1
    assert c.post("/v1/ingest/paths", json={"paths": ["/no/such/dir"]}, headers=auth(keys["admin"])).status_code == 404
    assert c.post("/v1/import", json={"path": str(tmp_path), "mapping": "salesforce"},
                  headers=auth(keys["r-ann"])).status_code == 403
    r = c.post("/v1/import", json={"path": "/no/such/export", "mapping": "salesforce"}, headers=auth(keys["admin"]))
    assert r.status_code == 404
    r = c.post("/v1/import", json={"path": str(tmp_path), "mapping": "no-such-mapping"}, headers=auth(keys["admin"]))
    assert r.status_code in (400, 404) and r.json()["error"]["message"]


def test_forecast_and_pipeline_are_scoped(world):
    c, keys, cp = world
    r = c.get("/v1/forecast", params={"company": "true"}, headers=auth(keys["r-ann"]))
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    r = c.get("/v1/forecast", params={"rep": "Cara Diaz"}, headers=auth(keys["m-east"]))
    assert r.status_code == 403
    r = c.get("/v1/forecast", params={"rep": "Ann Lee"}, headers=auth(keys["x-eve"]))
    assert r.status_code == 403
    r = c.get("/v1/forecast", params={"as_of": "2026-11-20"}, headers=auth(keys["r-ann"]))
    assert r.status_code == 200 and r.json()["subject"] == "rep Ann Lee"
    assert [d["deal_id"] for d in r.json()["deals"]] == ["D-1"] and r.json()["explanation"]
    r = c.post("/v1/pipeline", json={"metric": "pipeline_value", "group_by": "rep"}, headers=auth(keys["m-east"]))
    assert r.status_code == 200
    assert {x["group"]: x["value"] for x in r.json()["rows"]} == {"Ann Lee": 45000.0, "Bob Stone": 60000.0}


def test_pipeline_bad_query_is_422_or_unavailable(world):
    c, keys, _ = world
    r = c.post("/v1/pipeline", json={"metric": "nonsense-metric"}, headers=auth(keys["r-ann"]))
    assert r.status_code in (422, 503)
    assert r.json()["error"]["code"] in ("invalid_request", "not_available")


def test_slack_events_delegate_to_the_handler(copilot):
    seen = []

    class Handler:
        async def handle(self, request):
            seen.append(await request.body())
            return {"ok": True}

    app = create_app(copilot, slack_handler=Handler(), config=ApiConfig())
    with client(app) as c:
        r = c.post("/slack/events", content=b'{"type": "url_verification"}')
        assert r.status_code == 200 and r.json() == {"ok": True} and seen == [b'{"type": "url_verification"}']
    app = create_app(copilot, config=ApiConfig())
    with client(app) as c:
        assert c.post("/slack/events", content=b"{}").status_code == 404
