"""The ChatModel protocol: the LangChain adapter over real HTTP to the local fake OpenAI server (tool calls,
structured output), the one failure policy (``guarded``), the scripted fake, the autouse guard against real
model endpoints in tests, and who may import LangChain."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pydantic import BaseModel
from tests_support import make_settings_for

from copilot.core.chat import ChatModel, ChatReply, GuardedChatModel, Message, ToolCall, guarded
from copilot.core.embeddings import OpenAIEmbedder
from copilot.core.errors import ModelError
from copilot.core.langchain_chat import LangChainChatModel
from copilot.core.llm import build_chat_model
from copilot.core.settings import REPO_ROOT
from copilot.testing import FakeOpenAIServer, ScriptedChatModel, tool_call

LOOKUP = {"type": "function", "function": {
    "name": "lookup_deal", "description": "Look up one deal.",
    "parameters": {"type": "object", "properties": {"deal": {"type": "string"}}, "required": ["deal"]}}}


class Verdict(BaseModel):
    score: int
    reason: str


def adapter(server: FakeOpenAIServer) -> LangChainChatModel:
    return LangChainChatModel("fake-model", base_url=server.base_url, api_key="sk-test", timeout=10)


def test_tool_call_round_trip_over_http() -> None:
    with FakeOpenAIServer([{"tool": "lookup_deal", "args": {"deal": "D-1"}}, "Proposal, $45,000 [S1]."]) as server:
        model = adapter(server)
        convo = [Message.system("You are terse."), Message.user("Where is D-1?")]
        first = model.complete(convo, tools=[LOOKUP], tool_choice="required")
        assert first == ChatReply(tool_calls=[ToolCall(id="call_1", name="lookup_deal", arguments={"deal": "D-1"})])
        convo += [first.as_message(), Message.tool("call_1", "D-1 is in proposal [S1]")]
        second = model.complete(convo, tools=[LOOKUP])
    assert second == ChatReply(text="Proposal, $45,000 [S1].")
    sent1, sent2 = server.requests
    assert sent1["model"] == "fake-model" and sent1["tool_choice"] == "required"
    assert sent1["tools"][0]["function"]["name"] == "lookup_deal"
    assert [m["role"] for m in sent1["messages"]] == ["system", "user"]
    assert "tool_choice" not in sent2
    assistant, tool = sent2["messages"][-2:]
    assert assistant["tool_calls"][0]["function"] == {"name": "lookup_deal", "arguments": json.dumps({"deal": "D-1"})}
    assert tool == {"role": "tool", "content": "D-1 is in proposal [S1]", "tool_call_id": "call_1"}


def test_no_tools_sends_no_tools() -> None:
    with FakeOpenAIServer(["hello"]) as server:
        assert adapter(server).complete([Message.user("hi")]).text == "hello"
    assert "tools" not in server.requests[0]


def test_malformed_tool_arguments_become_a_tool_call_with_an_error() -> None:
    with FakeOpenAIServer([{"tool": "lookup_deal", "raw_args": "{deal: D-1"}]) as server:
        reply = adapter(server).complete([Message.user("hi")], tools=[LOOKUP])
    (call,) = reply.tool_calls
    assert call.name == "lookup_deal" and call.arguments == {}
    assert call.error is not None and "not valid JSON" in call.error and "{deal: D-1" in call.error


def test_structured_output_over_http() -> None:
    with FakeOpenAIServer([json.dumps({"score": 4, "reason": "cited"})]) as server:
        got = adapter(server).structured([Message.user("Judge this.")], Verdict)
    assert got == Verdict(score=4, reason="cited")
    fmt = server.requests[0]["response_format"]
    assert fmt["type"] == "json_schema" and set(fmt["json_schema"]["schema"]["properties"]) == {"score", "reason"}


def test_build_chat_model_returns_a_guarded_adapter_or_none(tmp_path) -> None:
    assert build_chat_model(make_settings_for(tmp_path, llm="none")) is None
    model = build_chat_model(make_settings_for(tmp_path, llm="openai:gpt-4o-mini", llm_base_url="http://127.0.0.1:9/v1"))
    assert isinstance(model, GuardedChatModel) and isinstance(model.inner, LangChainChatModel)
    assert model.name == "openai:gpt-4o-mini"


def test_unreachable_endpoint_is_a_model_error() -> None:
    model = guarded(LangChainChatModel("m", base_url="http://127.0.0.1:9/v1", api_key="k", timeout=2, max_retries=0))
    with pytest.raises(ModelError, match="the language model call failed: .*Connection"):
        model.complete([Message.user("hi")])


def test_guard_turns_any_failure_into_one_model_error() -> None:
    boom = guarded(ScriptedChatModel([RuntimeError("connection refused"), {"score": "high"}]))
    with pytest.raises(ModelError, match="RuntimeError: connection refused"):
        boom.complete([Message.user("q")])
    with pytest.raises(ModelError, match="no valid Verdict"):  # output that does not fit the schema
        boom.structured([Message.user("q")], Verdict)
    passthrough = ModelError("already a model error")
    with pytest.raises(ModelError) as err:
        guarded(ScriptedChatModel([passthrough])).complete([])
    assert err.value is passthrough
    assert guarded(boom) is boom


def test_guard_rejects_a_reply_that_is_not_a_chat_reply() -> None:
    class Sloppy:
        name = "sloppy"

        def complete(self, messages, *, tools=None, tool_choice=None):
            return "plain text"

        def structured(self, messages, schema):
            return {"score": 1, "reason": "ok"}

    model = guarded(Sloppy())  # type: ignore[arg-type]
    with pytest.raises(ModelError, match="returned str, not a reply"):
        model.complete([Message.user("q")])
    assert model.structured([Message.user("q")], Verdict) == Verdict(score=1, reason="ok")  # dicts are validated


def test_scripted_model_is_a_chat_model_and_records_what_it_was_sent() -> None:
    model = ScriptedChatModel(script=[tool_call("lookup_deal", {"deal": "D-1"}), "done",
                                      lambda msgs: f"saw {len(msgs)}", Verdict(score=3, reason="r"), '{"score": 5, "reason": "j"}'])
    assert isinstance(model, ChatModel)
    first = model.complete([Message.user("a")], tools=[LOOKUP], tool_choice="required")
    assert first.tool_calls[0] == ToolCall(id="call_lookup_deal", name="lookup_deal", arguments={"deal": "D-1"})
    assert model.complete([Message.user("b")]).text == "done"
    assert model.complete([Message.user("c"), Message.user("d")]).text == "saw 2"
    assert model.structured([Message.user("e")], Verdict).score == 3
    assert model.structured([Message.user("f")], Verdict).reason == "j"
    assert model.tools == [LOOKUP] and model.tool_choices == ["required", None, None]
    assert [m[0].content for m in model.calls] == ["a", "b", "c", "e", "f"]
    with pytest.raises(RuntimeError, match="script exhausted"):
        model.complete([])


def test_langchain_is_imported_only_by_its_adapter() -> None:
    allowed = {Path("copilot/core/langchain_chat.py")}
    pattern = re.compile(r"^\s*(from|import)\s+langchain", re.M)
    found = {p.relative_to(REPO_ROOT) for top in ("copilot", "tools", "knowledge", "integrations", "evals", "prompts")
             for p in (REPO_ROOT / top).rglob("*.py") if pattern.search(p.read_text(encoding="utf-8"))}
    assert found <= allowed, sorted(map(str, found - allowed))


def test_call_summary_modules_do_not_import_each_other_both_ways() -> None:
    text = (REPO_ROOT / "tools" / "calls" / "llm_summary.py").read_text(encoding="utf-8")
    assert not re.search(r"^\s*(from|import)\s+tools\.calls\.summarize", text, re.M)


def test_guard_fails_a_test_that_calls_a_real_chat_model() -> None:
    model = LangChainChatModel("gpt-4o-mini", base_url=None, api_key="sk-real", timeout=1)
    with pytest.raises(pytest.fail.Exception, match="tried a real model endpoint"):
        model.complete([Message.user("hi")])
    with pytest.raises(pytest.fail.Exception, match="tried a real model endpoint"):
        LangChainChatModel("m", base_url="https://api.example.com/v1", api_key="k", timeout=1).structured(
            [Message.user("hi")], Verdict)


def test_guard_fails_a_test_that_calls_real_embeddings() -> None:
    with pytest.raises(pytest.fail.Exception, match="OpenAIEmbedder.embed tried a real model endpoint"):
        OpenAIEmbedder("text-embedding-3-small", base_url=None, api_key="k", timeout=1).embed(["hi"])


def test_guard_lets_wire_tests_reach_the_local_fake_server() -> None:
    with FakeOpenAIServer(["hello"]) as server:
        model = LangChainChatModel("fake", base_url=server.base_url, api_key="k", timeout=5)
        assert model.complete([Message.user("hi")]).text == "hello"
