"""Chat-model providers, a plugin like any other: ``none`` (the offline engine answers) or ``openai:<model>``.

``build_chat_model`` resolves ``COPILOT_LLM`` through the provider registry and returns a ``ChatModel``
under the one failure policy (``copilot.core.chat.guarded``), or None for offline mode.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from copilot.core.chat import ChatModel, guarded
from copilot.core.providers import Provider, ProviderId, registry
from copilot.core.settings import Settings


def _offline(pid: ProviderId, settings: Settings) -> None:
    return None


def _openai(pid: ProviderId, settings: Settings) -> ChatModel:
    # imported here: LangChain is only loaded when an LLM is configured (a cold offline start skips it)
    from copilot.core.langchain_chat import LangChainChatModel

    return LangChainChatModel(pid.model, base_url=settings.llm_base_url, api_key=settings.llm_api_key,
                              timeout=settings.llm_timeout)


def register_providers(register: Callable[[Provider], None]) -> None:
    register(Provider("llm", "none", "no LLM: the offline engine answers", _offline))
    register(Provider("llm", "openai", "any OpenAI-compatible endpoint: OpenAI, Azure, vLLM, Ollama, llama.cpp; "
                      "set COPILOT_LLM_BASE_URL for one that is not OpenAI's", _openai,
                      example="openai:<model>", needs_model=True, package="langchain-openai",
                      module="langchain_openai"))


def build_chat_model(settings: Settings) -> ChatModel | None:
    """The configured chat model, or None for offline mode. Nothing is contacted until first use."""
    model = cast(ChatModel | None, registry().build("llm", settings.llm, settings))
    return guarded(model) if model is not None else None
