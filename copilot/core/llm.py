"""Chat-model provider: ``none`` (the offline engine answers) or ``openai:<model>`` with any base URL.

Returns a LangChain chat model; LangChain types stay inside the agent and this adapter.
"""

from __future__ import annotations

from typing import Any

from copilot.core.errors import ConfigError
from copilot.core.providers import parse_provider, require
from copilot.core.settings import Settings

KNOWN = {
    "none": "no LLM: the offline engine answers",
    "openai": "any OpenAI-compatible endpoint (OpenAI, Azure, vLLM, Ollama, llama.cpp)",
}


def build_chat_model(settings: Settings) -> Any | None:
    """The configured chat model, or None for offline mode. Nothing is contacted until first use."""
    pid = parse_provider(settings.llm, setting="COPILOT_LLM", known=KNOWN)
    if pid.provider == "none":
        return None
    if not pid.model:
        raise ConfigError("COPILOT_LLM=openai needs a model name, e.g. openai:gpt-4o-mini")
    mod = require("langchain_openai", package="langchain-openai", purpose="COPILOT_LLM=openai")
    return mod.ChatOpenAI(  # type: ignore[attr-defined]
        model=pid.model,
        base_url=settings.llm_base_url,
        api_key=settings.llm_api_key or "not-set",
        timeout=settings.llm_timeout,
        max_retries=1,
        temperature=0,
    )
