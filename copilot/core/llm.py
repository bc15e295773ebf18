"""Chat-model provider: ``none`` (the offline engine answers) or ``openai:<model>`` with any base URL.

Returns a ``ChatModel`` (``copilot.core.chat``) under the one failure policy; LangChain stays inside its
adapter, ``copilot.core.langchain_chat``.
"""

from __future__ import annotations

from copilot.core.chat import ChatModel, guarded
from copilot.core.errors import ConfigError
from copilot.core.providers import parse_provider, require
from copilot.core.settings import Settings

KNOWN = {
    "none": "no LLM: the offline engine answers",
    "openai": "any OpenAI-compatible endpoint (OpenAI, Azure, vLLM, Ollama, llama.cpp)",
}


def build_chat_model(settings: Settings) -> ChatModel | None:
    """The configured chat model, or None for offline mode. Nothing is contacted until first use."""
    pid = parse_provider(settings.llm, setting="COPILOT_LLM", known=KNOWN)
    if pid.provider == "none":
        return None
    if not pid.model:
        raise ConfigError("COPILOT_LLM=openai needs a model name, e.g. openai:gpt-4o-mini")
    require("langchain_openai", package="langchain-openai", purpose="COPILOT_LLM=openai")
    # imported here: LangChain is only loaded when an LLM is configured (a cold offline start skips it)
    from copilot.core.langchain_chat import LangChainChatModel

    return guarded(LangChainChatModel(pid.model, base_url=settings.llm_base_url, api_key=settings.llm_api_key,
                                      timeout=settings.llm_timeout))
