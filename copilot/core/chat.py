"""The chat-model boundary: the project's own message types and the small ``ChatModel`` protocol.

Everything above ``copilot.core`` talks to a language model through this module only:

- ``complete(messages, tools=..., tool_choice=...) -> ChatReply``: text, or tool calls to run;
- ``structured(messages, schema) -> schema``: one validated pydantic object.

Tools are OpenAI function schemas (``{"type": "function", "function": {...}}``), the wire format every
provider speaks. Providers (``copilot.core.langchain_chat``) and fakes (``copilot.testing``) implement the
protocol; LangChain types never cross it.

One failure policy: ``guarded(model)`` turns any exception from a provider, or a reply of the wrong shape,
into ``ModelError``; each caller catches ``ModelError``, calls ``fall_back`` (which logs it, once) and
takes its offline path.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Literal, Protocol, TypeVar, runtime_checkable

from pydantic import BaseModel, Field

from copilot.core.errors import ModelError

log = logging.getLogger(__name__)

Role = Literal["system", "user", "assistant", "tool"]
ToolChoice = Literal["auto", "required", "none"]
S = TypeVar("S", bound=BaseModel)


class ToolCall(BaseModel):
    """One tool call the model asked for. ``error`` says why its arguments could not be read."""

    id: str
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    error: str | None = None


class Message(BaseModel):
    """One message of a conversation sent to a model."""

    role: Role
    content: str = ""
    tool_calls: list[ToolCall] = Field(default_factory=list, description="assistant messages only")
    tool_call_id: str | None = Field(default=None, description="tool messages only: the call answered")

    @classmethod
    def system(cls, content: str) -> Message:
        return cls(role="system", content=content)

    @classmethod
    def user(cls, content: str) -> Message:
        return cls(role="user", content=content)

    @classmethod
    def assistant(cls, content: str = "", tool_calls: Sequence[ToolCall] = ()) -> Message:
        return cls(role="assistant", content=content, tool_calls=list(tool_calls))

    @classmethod
    def tool(cls, call_id: str, content: str) -> Message:
        return cls(role="tool", content=content, tool_call_id=call_id)


class ChatReply(BaseModel):
    """What the model answered: final text, or tool calls to run (then ``text`` is usually empty)."""

    text: str = ""
    tool_calls: list[ToolCall] = Field(default_factory=list)

    def as_message(self) -> Message:
        return Message.assistant(self.text, self.tool_calls)


@runtime_checkable
class ChatModel(Protocol):
    """A chat model. Implementations may raise anything; callers see it through ``guarded``."""

    name: str

    def complete(self, messages: Sequence[Message], *, tools: Sequence[dict[str, Any]] | None = None,
                 tool_choice: ToolChoice | None = None) -> ChatReply:
        """The next reply; ``tool_choice="required"`` makes the model call one of ``tools``."""
        ...

    def structured(self, messages: Sequence[Message], schema: type[S]) -> S:
        """The model's answer as one ``schema`` object (provider-native structured output)."""
        ...


class GuardedChatModel:
    """The one failure policy: any provider exception or malformed reply becomes ``ModelError``."""

    def __init__(self, inner: ChatModel) -> None:
        self.inner = inner
        self.name = getattr(inner, "name", type(inner).__name__)

    def complete(self, messages: Sequence[Message], *, tools: Sequence[dict[str, Any]] | None = None,
                 tool_choice: ToolChoice | None = None) -> ChatReply:
        try:
            reply = self.inner.complete(messages, tools=tools, tool_choice=tool_choice)
        except ModelError:
            raise
        except Exception as exc:  # noqa: BLE001 - any transport or provider failure is a model error
            raise ModelError(f"the language model call failed: {type(exc).__name__}: {exc}") from exc
        if not isinstance(reply, ChatReply):
            raise ModelError(f"the language model returned {type(reply).__name__}, not a reply")
        return reply

    def structured(self, messages: Sequence[Message], schema: type[S]) -> S:
        try:
            result = self.inner.structured(messages, schema)
            if not isinstance(result, schema):
                result = schema.model_validate(result)
        except ModelError:
            raise
        except Exception as exc:  # noqa: BLE001 - provider failure or output that does not fit the schema
            raise ModelError(f"the language model gave no valid {schema.__name__}: {type(exc).__name__}: {exc}") from exc
        return result


def guarded(model: ChatModel) -> GuardedChatModel:
    """``model`` under the failure policy (idempotent)."""
    return model if isinstance(model, GuardedChatModel) else GuardedChatModel(model)


def fall_back(exc: ModelError, *, caller: str, offline: str) -> None:
    """Log, once, that ``caller`` is taking its ``offline`` path because the model failed."""
    log.warning("%s: the language model failed, using %s instead: %s", caller, offline, exc.message)
