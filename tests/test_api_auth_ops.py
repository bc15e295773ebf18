"""HTTP API edges: auth (none, bad, revoked keys), errors as JSON, request ids, size and rate limits,
timeouts, unexpected errors, health, readiness, metrics, the keys CLI."""

from __future__ import annotations

import json
import re

import pytest
from api_world import auth, build, client
from typer.testing import CliRunner

from copilot.core.domain import OPERATOR
from copilot.keys import ApiKeyStore
from copilot.testing import ScriptedChatModel
from integrations.api import ApiConfig, create_app
from integrations.api.middleware import TokenBucket


@pytest.fixture
def world(copilot):
    app, keys = build(copilot)
    with client(app) as c:
        yield c, keys, app


def test_missing_bad_and_revoked_keys_get_401(world):
    c, keys, app = world
    r = c.get("/v1/users/me")
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "unauthorized"
    assert "copilot keys create" in r.json()["error"]["message"]
    assert r.headers["www-authenticate"] == "Bearer"
    for bad in ("nonsense", "sk-cop_000000000000_deadbeef", keys["r-ann"][:-2] + "00"):
        r = c.get("/v1/users/me", headers=auth(bad))
        assert r.status_code == 401, bad
    assert c.get("/v1/users/me", headers=auth(keys["r-ann"])).status_code == 200
    app.state.copilot.keys_revoke(OPERATOR, keys["r-ann"].split("_")[1])
    r = c.get("/v1/users/me", headers=auth(keys["r-ann"]))
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
    assert c.get("/v1/users/me", headers={"X-API-Key": keys["r-bob"]}).json()["user_id"] == "r-bob"


def test_keys_are_stored_hashed_and_show_scope(world, copilot):
    c, keys, app = world
    me = c.get("/v1/users/me", headers=auth(keys["m-east"])).json()
    assert me["user_id"] == "m-east" and me["role"] == "manager"
    assert me["scope"]["team_ids"] == ["east"] and set(me["scope"]["owner_ids"]) == {"m-east", "r-ann", "r-bob"}
    with copilot.services.crm.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT id, salt, digest FROM api_keys").fetchall()
    secret = keys["m-east"].split("_")[2]
    assert len(rows) == 6 and all(secret not in (r[1] + r[2]) for r in rows)
    assert len({r[1] for r in rows}) == 6  # a salt per key


def test_errors_are_json_with_stable_codes(world):
    c, keys, _ = world
    h = auth(keys["r-ann"])
    r = c.get("/v1/nope", headers=h)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = c.post("/v1/ask", content=b"{not json", headers={**h, "Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request"
    r = c.post("/v1/ask", json={"question": ""}, headers=h)
    assert r.status_code == 422 and "question" in r.json()["error"]["message"]
    r = c.post("/v1/ask", json={"wrong": 1}, headers=h)
    assert r.status_code == 422
    r = c.get("/v1/actions/act-missing", headers=h)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = c.delete("/v1/ask", headers=h)
    assert r.status_code == 405 and r.json()["error"]["code"] == "method_not_allowed"
    assert "Traceback" not in r.text


def test_request_id_is_echoed_or_made(world):
    c, keys, _ = world
    r = c.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert r.headers["x-request-id"] == "abc-123"
    r = c.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    assert re.fullmatch(r"[0-9a-f]{32}", r.headers["x-request-id"])
    r = c.get("/v1/users/me", headers={"X-Request-ID": "rid-7"})
    assert r.json()["error"]["request_id"] == "rid-7"


def test_oversized_bodies_get_413(copilot):
    app, keys = build(copilot, max_body_bytes=200, max_upload_bytes=1000)
    with client(app) as c:
        h = auth(keys["r-ann"])
        r = c.post("/v1/ask", json={"question": "x" * 500}, headers=h)
        assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"
        assert "COPILOT_API_MAX_BODY_BYTES" in r.json()["error"]["message"]

        def chunks():  # no Content-Length: the middleware counts streamed bytes
            yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.md"\r\n\r\n'
            for _ in range(10):
                yield b"x" * 100
        r = c.post("/v1/ingest", content=chunks(), headers={**h, "Content-Type": "multipart/form-data; boundary=b"})
        assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"
        r = c.post("/v1/ingest", files={"file": ("big.md", b"# T\n" + b"y" * 2000)}, headers=h)
        assert r.status_code == 413
        assert c.get("/healthz").status_code == 200


def test_rate_limit_429_with_retry_after(copilot):
    app, keys = build(copilot, rate_per_second=0.5, rate_burst=3)
    with client(app) as c:
        codes = [c.get("/v1/users/me", headers=auth(keys["r-ann"])).status_code for _ in range(5)]
        assert codes == [200, 200, 200, 429, 429]
        r = c.get("/v1/users/me", headers=auth(keys["r-ann"]))
        assert r.json()["error"]["code"] == "rate_limited" and int(r.headers["retry-after"]) >= 1
        assert c.get("/v1/users/me", headers=auth(keys["r-bob"])).status_code == 200  # per key


def test_token_bucket_refills():
    now = [0.0]
    tb = TokenBucket(rate=2.0, burst=2, clock=lambda: now[0])
    assert [tb.take("k")[0] for _ in range(3)] == [True, True, False]
    assert tb.take("k")[1] == pytest.approx(0.5)
    now[0] += 0.5
    assert tb.take("k") == (True, 0.0)
    assert TokenBucket(rate=0, burst=1).take("k") == (True, 0.0)


def test_slow_model_times_out_with_504(copilot):
    app, keys = build(copilot, service_timeout=0.3)
    copilot.services.__dict__["chat_model"] = ScriptedChatModel(script=["too late"], delay=3.0)
    with client(app) as c:
        r = c.post("/v1/ask", json={"question": "hello"}, headers=auth(keys["r-ann"]))
    assert r.status_code == 504 and r.json()["error"]["code"] == "timeout"


def test_unexpected_error_is_500_internal_with_request_id(copilot, monkeypatch):
    app, keys = build(copilot)

    def boom(*a, **k):
        raise RuntimeError("secret internals")
    monkeypatch.setattr(copilot, "ask", boom)
    with client(app) as c:
        r = c.post("/v1/ask", json={"question": "hi"}, headers={**auth(keys["r-ann"]), "X-Request-ID": "r-500"})
    assert r.status_code == 500
    assert r.json()["error"] == {"code": "internal", "message": "unexpected server error; report request id r-500",
                                 "request_id": "r-500"}
    assert "secret" not in r.text


def test_health_ready_metrics(world, copilot):
    c, keys, _ = world
    assert c.get("/healthz").json() == {"status": "ok"}
    r = c.get("/readyz")
    assert r.status_code == 200 and r.json()["status"] == "ready"
    assert set(r.json()["checks"]) == {"database", "schema", "knowledge", "embedder", "queue"}
    assert r.json()["checks"]["schema"]["detail"].startswith("at 0") and "messages waiting" in r.json()["checks"]["queue"]["detail"]
    copilot.services.actions.propose("create_task", {"title": "Call Dana", "due_on": "2026-12-01"}, owner_id="r-ann",
                            rationale="test", tool="test")
    c.post("/v1/ask", json={"question": "What is the next step on Acme Robotics?"}, headers=auth(keys["r-ann"]))
    c.get("/v1/users/me")
    text = c.get("/metrics").text
    assert 'copilot_http_requests_total{route="/v1/ask",method="POST",status="200"} 1' in text
    assert 'copilot_http_requests_total{route="/v1/users/me",method="GET",status="401"} 1' in text
    assert 'copilot_http_request_duration_seconds_count{route="/v1/ask",method="POST"} 1' in text
    assert 'copilot_answers_total{mode="offline"} 1' in text
    assert 'copilot_actions{state="proposed"} 1' in text
    assert "copilot_actions_adoption_ratio 0.000000" in text


def test_readyz_reports_a_broken_dependency(copilot):
    app, _ = build(copilot)

    class Broken:
        def count(self):
            raise RuntimeError("chroma down")

        def close(self):
            return None

    copilot.services.__dict__["knowledge"] = Broken()
    with client(app) as c:
        r = c.get("/readyz")
    assert r.status_code == 503 and r.json()["checks"]["knowledge"]["ok"] is False
    assert "chroma down" in r.json()["checks"]["knowledge"]["detail"]


def test_keys_cli_create_list_revoke(copilot):
    from crm_seed import seed_small_crm

    from integrations.cli.common import set_copilot
    from integrations.cli.main import app as cli

    seed_small_crm(copilot.services.crm)
    set_copilot(copilot)
    try:
        runner = CliRunner()
        r = runner.invoke(cli, ["keys", "create", "--user", "Ann Lee", "--json"])
        assert r.exit_code == 0, r.output
        made = json.loads(r.stdout)
        assert made["user_id"] == "r-ann" and made["key"].startswith("sk-cop_")
        store = ApiKeyStore(copilot.services.crm.engine, cache_seconds=0)  # another process: no cache
        assert store.verify(made["key"]).user_id == "r-ann"
        listed = json.loads(runner.invoke(cli, ["keys", "list", "--json"]).stdout)
        assert [k["id"] for k in listed] == [made["id"]] and "key" not in listed[0]
        assert runner.invoke(cli, ["keys", "revoke", made["id"]]).exit_code == 0
        assert store.verify(made["key"]) is None
        r = runner.invoke(cli, ["keys", "revoke", made["id"]])
        assert r.exit_code == 1 and "already revoked" in r.output
        assert runner.invoke(cli, ["keys", "create", "--user", "nobody-here"]).exit_code == 1
    finally:
        set_copilot(None)


def test_create_app_with_default_config(copilot):
    app = create_app(copilot, config=ApiConfig())
    with client(app) as c:
        spec = c.get("/openapi.json").json()
    assert "/v1/chat/completions" in spec["paths"] and "/v1/calls/jobs/{job_id}" in spec["paths"]
    assert spec["components"]["schemas"]["AskIn"]["examples"][0]["question"].startswith("What is the next step")
    assert "/slack/events" not in spec["paths"]


def test_keys_and_slack_links_are_for_admins_and_the_job_pool_restarts(copilot):
    """The operations behind the stores moved out of the adapters keep their rules."""
    import time

    from crm_seed import seed_small_crm

    from copilot.core.errors import NotFound, PermissionDenied

    seed_small_crm(copilot.services.crm)
    ann = copilot.principal("r-ann")
    for refused in (lambda: copilot.keys_create(ann, "r-ann"), lambda: copilot.keys_list(ann),
                    lambda: copilot.link_slack(ann, "U0ANN", "r-ann")):
        with pytest.raises(PermissionDenied):
            refused()
    info, key = copilot.keys_create(OPERATOR, "bob@skylarkdata.com", name="ci")
    assert info.user_id == "r-bob" and copilot.keys_verify(key).id == info.id
    assert [k.id for k in copilot.keys_list(OPERATOR, "Bob Stone")] == [info.id]
    assert copilot.link_slack(OPERATOR, "U0BOB", "r-bob").user_id == "r-bob"
    assert copilot.slack_principal("U0BOB").user_id == "r-bob"
    assert copilot.slack_principal("U0NEW", email=lambda: "ANN@skylarkdata.com").user_id == "r-ann"
    assert copilot.slack_principal("U0BOB", email=lambda: "ann@skylarkdata.com").user_id == "r-bob"  # the id decides

    def poll(job_id: str):
        for _ in range(200):
            job = copilot.jobs_get(ann, job_id)
            if job.status in ("done", "failed"):
                return job
            time.sleep(0.02)
        return job

    transcript = copilot.settings.resolved_home / "a.txt"
    transcript.write_text("Ann: Thanks for the time, Dana.\nDana: Send the revised proposal by Friday.\n")
    first = copilot.jobs_submit(ann, "call", "a.txt", {"path": str(transcript), "deal_id": "D-1"})
    done = poll(first.id)
    assert done.status == "done" and done.result["deal_id"] == "D-1" and done.attempts == 1
    assert done.result["summary"]["title"]
    copilot.jobs_shutdown()  # as the API does when it stops; a later app on the same copilot still runs jobs
    again = copilot.jobs_submit(ann, "call", "b.txt", {"path": str(transcript), "deal_id": "D-1"})
    assert poll(again.id).status == "done"  # the same call: its follow-up was proposed once, not twice
    ids = sorted(a["id"] for a in done.result["actions"])
    assert ids and sorted(a["id"] for a in copilot.jobs_get(ann, again.id).result["actions"]) == ids
    with pytest.raises(NotFound):
        copilot.jobs_get(copilot.principal("r-bob"), again.id)  # not a hint that someone else's job exists
    assert copilot.jobs_get(copilot.principal("admin"), again.id).result["call_id"] == done.result["call_id"]
    copilot.jobs_shutdown()
