"""The LangChain adapter: ``ChatModel`` over ``langchain_openai.ChatOpenAI``, the only module using LangChain.

Any OpenAI-compatible endpoint works (OpenAI, Azure, vLLM, Ollama, llama.cpp server) through ``base_url``.
Project messages become LangChain messages on the way in and LangChain replies become ``ChatReply`` on the
way out; errors are left to ``copilot.core.chat.guarded``, the one failure policy.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_openai import ChatOpenAI

from copilot.core.chat import ChatReply, Message, S, ToolCall, ToolChoice


def to_langchain(messages: Sequence[Message]) -> list[BaseMessage]:
    out: list[BaseMessage] = []
    for m in messages:
        if m.role == "system":
            out.append(SystemMessage(m.content))
        elif m.role == "user":
            out.append(HumanMessage(m.content))
        elif m.role == "assistant":
            out.append(AIMessage(content=m.content, tool_calls=[
                {"name": c.name, "args": c.arguments, "id": c.id, "type": "tool_call"} for c in m.tool_calls]))
        else:
            out.append(ToolMessage(content=m.content, tool_call_id=m.tool_call_id or ""))
    return out


def _text(content: Any) -> str:
    if isinstance(content, list):
        return "".join(part.get("text", "") if isinstance(part, dict) else str(part) for part in content)
    return str(content or "")


def from_langchain(msg: BaseMessage) -> ChatReply:
    if not isinstance(msg, AIMessage):
        raise TypeError(f"expected an AIMessage, got {type(msg).__name__}")
    calls = [ToolCall(id=c.get("id") or c["name"], name=c["name"], arguments=dict(c.get("args") or {}))
             for c in msg.tool_calls]
    calls += [ToolCall(id=c.get("id") or c.get("name") or "invalid", name=c.get("name") or "",
                       error=f"the arguments were not valid JSON: {str(c.get('args') or '')[:200]!r}")
              for c in msg.invalid_tool_calls]
    return ChatReply(text=_text(msg.content), tool_calls=calls)


class LangChainChatModel:
    """A ``ChatModel`` over ``ChatOpenAI``; nothing is contacted until the first call."""

    def __init__(self, model: str, *, base_url: str | None, api_key: str | None, timeout: float,
                 max_retries: int = 1) -> None:
        self.name = f"openai:{model}"
        self.base_url = base_url
        self.llm = ChatOpenAI(model=model, base_url=base_url, api_key=api_key or "not-set",  # type: ignore[arg-type]
                              timeout=timeout, max_retries=max_retries, temperature=0)

    def complete(self, messages: Sequence[Message], *, tools: Sequence[dict[str, Any]] | None = None,
                 tool_choice: ToolChoice | None = None) -> ChatReply:
        runnable: Any = self.llm
        if tools:
            runnable = self.llm.bind_tools(list(tools), tool_choice=tool_choice)
        return from_langchain(runnable.invoke(to_langchain(messages)))

    def structured(self, messages: Sequence[Message], schema: type[S]) -> S:
        result = self.llm.with_structured_output(schema).invoke(to_langchain(messages))
        return result if isinstance(result, schema) else schema.model_validate(result)
