"""The OpenAI-compatible endpoint driven by the real ``openai`` client against a uvicorn server on
127.0.0.1 (a free port, in a thread): non-streaming, streaming, models, and auth errors."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import openai
import pytest
import uvicorn
from api_world import build


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(copilot):
    app, keys = build(copilot)
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert srv.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}", keys
    srv.should_exit = True
    thread.join(timeout=10)


QUESTION = "What is the next step on the Acme Robotics deal?"


def test_openai_client_non_streaming(server):
    base, keys = server
    client = openai.OpenAI(base_url=base + "/v1", api_key=keys["r-ann"], max_retries=0)
    assert [m.id for m in client.models.list()] == ["sales-copilot"]
    resp = client.chat.completions.create(model="sales-copilot", messages=[{"role": "user", "content": QUESTION}])
    text = resp.choices[0].message.content
    assert "Send revised proposal" in text and "\n\nSources:\n[1] " in text
    assert resp.choices[0].finish_reason == "stop" and resp.usage.total_tokens > 0
    cites = resp.model_extra["citations"]
    assert any(c["record"] == "deal:D-1" for c in cites)
    # the history continues one thread: a pronoun follow-up resolves to the same account
    follow = client.chat.completions.create(model="sales-copilot", messages=[
        {"role": "user", "content": QUESTION}, {"role": "assistant", "content": text},
        {"role": "user", "content": "Who is the champion there?"}])
    assert "Dana Park" in follow.choices[0].message.content


def test_openai_client_streaming(server):
    base, keys = server
    client = openai.OpenAI(base_url=base + "/v1", api_key=keys["r-ann"], max_retries=0)
    stream = client.chat.completions.create(model="sales-copilot", stream=True,
                                            messages=[{"role": "system", "content": "Be brief."},
                                                      {"role": "user", "content": QUESTION}])
    chunks = list(stream)
    assert len(chunks) > 10
    text = "".join(ch.choices[0].delta.content or "" for ch in chunks)
    assert "Send revised proposal" in text and "Sources:" in text
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert any(c["record"] == "deal:D-1" for c in chunks[-1].model_extra["citations"])


def test_openai_client_sees_auth_errors(server):
    base, keys = server
    bad = openai.OpenAI(base_url=base + "/v1", api_key="sk-cop_nope_nope", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as err:
        bad.chat.completions.create(model="sales-copilot", messages=[{"role": "user", "content": "hi"}])
    assert err.value.status_code == 401
    good = openai.OpenAI(base_url=base + "/v1", api_key=keys["r-ann"], max_retries=0)
    with pytest.raises(openai.BadRequestError):
        good.chat.completions.create(model="sales-copilot", messages=[{"role": "assistant", "content": "only me"}])
    r = httpx.get(base + "/healthz")
    assert r.json() == {"status": "ok"} and r.headers["x-request-id"]
