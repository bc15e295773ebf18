"""Offline fakes shipped with the package, so the whole product runs and is testable with no keys.

- ``ScriptedChatModel``: a LangChain chat model that replies from a script (tool calls or text) and
  records what it was sent; ``bind_tools`` records the schemas and returns itself.
- ``FakeOpenAIServer``: a local OpenAI-compatible HTTP server (chat completions, tool calls, streaming
  off) driven by a script, to prove the wire format with the real ``ChatOpenAI`` client.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import PrivateAttr

Step = AIMessage | str | Callable[[list[BaseMessage]], AIMessage] | Exception


def tool_call(name: str, args: dict[str, Any], call_id: str | None = None) -> AIMessage:
    """An AIMessage asking for one tool call."""
    return AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": call_id or f"call_{name}"}])


class ScriptedChatModel(BaseChatModel):
    """Replies with the next step of ``script``; raises if the script runs out."""

    script: list[Any]
    delay: float = 0.0
    _calls: list[list[BaseMessage]] = PrivateAttr(default_factory=list)
    _tools: list[Any] = PrivateAttr(default_factory=list)
    _pos: int = PrivateAttr(default=0)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    @property
    def calls(self) -> list[list[BaseMessage]]:
        return self._calls

    @property
    def tools(self) -> list[Any]:
        return self._tools

    def bind_tools(self, tools: Iterable[Any], **_: Any) -> ScriptedChatModel:  # type: ignore[override]
        self._tools = list(tools)
        return self

    def _generate(self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None,
                  **kwargs: Any) -> ChatResult:
        self._calls.append(list(messages))
        if self.delay:
            time.sleep(self.delay)
        if self._pos >= len(self.script):
            raise RuntimeError("ScriptedChatModel: script exhausted")
        step = self.script[self._pos]
        self._pos += 1
        if isinstance(step, Exception):
            raise step
        if callable(step) and not isinstance(step, AIMessage):
            step = step(messages)
        msg = step if isinstance(step, AIMessage) else AIMessage(content=str(step))
        return ChatResult(generations=[ChatGeneration(message=msg)])


class FakeOpenAIServer:
    """A local OpenAI-compatible ``/v1/chat/completions`` server replying from a script.

    Each script item is either a string (final text) or ``{"tool": name, "args": {...}}``. Every request
    body is recorded in ``requests`` so tests can assert on what crossed the wire.
    """

    def __init__(self, script: list[str | dict[str, Any]]) -> None:
        self.script = list(script)
        self.requests: list[dict[str, Any]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

            def do_POST(self) -> None:  # noqa: N802 - http.server naming
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                server.requests.append(body)
                if not self.path.endswith("/chat/completions"):
                    self.send_error(404)
                    return
                step = server.script.pop(0) if server.script else "script exhausted"
                if isinstance(step, dict):
                    message: dict[str, Any] = {"role": "assistant", "content": None, "tool_calls": [{
                        "id": f"call_{len(server.requests)}", "type": "function",
                        "function": {"name": step["tool"], "arguments": json.dumps(step["args"])}}]}
                    finish = "tool_calls"
                else:
                    message, finish = {"role": "assistant", "content": step}, "stop"
                payload = {"id": f"chatcmpl-{len(server.requests)}", "object": "chat.completion",
                           "created": int(time.time()), "model": body.get("model", "fake"),
                           "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                           "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}
                data = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def __enter__(self) -> FakeOpenAIServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
