"""Offline fakes shipped with the package, so the whole product runs and is testable with no keys.

- ``ScriptedChatModel``: a ``ChatModel`` that replies from a script (text, tool calls or structured
  objects) and records what it was sent.
- ``FakeOpenAIServer``: a local OpenAI-compatible HTTP server (chat completions, tool calls, streaming
  off) driven by a script, to prove the wire format with the real OpenAI client.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from pydantic import BaseModel

from copilot.core.chat import ChatReply, Message, S, ToolCall, ToolChoice

# One scripted turn: the reply itself (text, a ChatReply, a structured object or its dict), a function of
# the messages returning one, or an exception to raise (a provider failure).
Step = ChatReply | str | BaseModel | dict[str, Any] | Callable[[list[Message]], Any] | BaseException


def tool_call(name: str, args: dict[str, Any], call_id: str | None = None) -> ChatReply:
    """A reply asking for one tool call."""
    return ChatReply(tool_calls=[ToolCall(id=call_id or f"call_{name}", name=name, arguments=args)])


class ScriptedChatModel:
    """Replies with the next step of ``script``; raises if the script runs out.

    ``calls`` holds every conversation it was sent, ``tools`` the last tool schemas, ``tool_choices`` the
    tool choice of each ``complete``.
    """

    name = "scripted"

    def __init__(self, script: Iterable[Step] = (), *, delay: float = 0.0) -> None:
        self.script = list(script)
        self.delay = delay
        self.calls: list[list[Message]] = []
        self.tools: list[dict[str, Any]] = []
        self.tool_choices: list[ToolChoice | None] = []
        self._lock = threading.Lock()

    def _next(self, messages: Sequence[Message]) -> Any:
        with self._lock:
            self.calls.append(list(messages))
            step = self.script.pop(0) if self.script else RuntimeError("ScriptedChatModel: script exhausted")
        if self.delay:
            time.sleep(self.delay)
        if isinstance(step, BaseException):
            raise step
        if callable(step):
            step = step(list(messages))
        return step

    def complete(self, messages: Sequence[Message], *, tools: Sequence[dict[str, Any]] | None = None,
                 tool_choice: ToolChoice | None = None) -> ChatReply:
        if tools:
            self.tools = list(tools)
        self.tool_choices.append(tool_choice)
        step = self._next(messages)
        return step if isinstance(step, ChatReply) else ChatReply(text=str(step))

    def structured(self, messages: Sequence[Message], schema: type[S]) -> S:
        step = self._next(messages)
        if isinstance(step, str):
            return schema.model_validate_json(step)
        return step if isinstance(step, schema) else schema.model_validate(step)


class FakeOpenAIServer:
    """A local OpenAI-compatible ``/v1/chat/completions`` server replying from a script.

    Each script item is either a string (final text) or ``{"tool": name, "args": {...}}`` (``"raw_args"``
    sends the arguments string as given, e.g. malformed JSON). Every request
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
                        "function": {"name": step["tool"],
                                     "arguments": step.get("raw_args") or json.dumps(step.get("args", {}))}}]}
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
