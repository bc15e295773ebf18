"""Interface words in English and Chinese, for the adapters (CLI, Slack) to label answers in the answer's
language. The answers themselves are written in the question's language by the engines; these are only
the frames around them (headings, buttons, the confidence line)."""

from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
    "sources": {"en": "Sources", "zh": "来源"},
    "more": {"en": "…and {n} more", "zh": "……另有 {n} 条"},
    "proposed": {"en": "Proposed actions", "zh": "建议的操作"},
    "proposed_note": {"en": "(sent to the owner for approval)", "zh": "（已发给负责人审批）"},
    "proposed_action": {"en": "proposed action", "zh": "建议的操作"},
    "approve_with": {"en": "approve with 'copilot actions approve {id}'", "zh": "批准：'copilot actions approve {id}'"},
    "mode": {"en": "mode", "zh": "模式"},
    "offline": {"en": "offline engine", "zh": "离线引擎"},
    "llm": {"en": "LLM", "zh": "语言模型"},
    "confidence": {"en": "confidence", "zh": "置信度"},
    "high": {"en": "high", "zh": "高"}, "medium": {"en": "medium", "zh": "中"}, "low": {"en": "low", "zh": "低"},
    "note": {"en": "note", "zh": "注"},
    "warning": {"en": "warning", "zh": "警告"},
    "no_crm": {"en": "no CRM data behind this answer", "zh": "本回答不涉及 CRM 数据"},
    "synced": {"en": "CRM data last synced {age} ago ({when})", "zh": "CRM 数据于 {age}前同步（{when}）"},
    "hours": {"en": "{n} h", "zh": "{n} 小时"}, "days": {"en": "{n} days", "zh": "{n} 天"},
    "helpful": {"en": "Helpful", "zh": "有帮助"}, "not_helpful": {"en": "Not helpful", "zh": "没帮助"},
}


def t(key: str, lang: str = "en", **values: object) -> str:
    """The interface word ``key`` in ``lang`` (English when that language has none), formatted with ``values``."""
    entry = WORDS[key]
    return (entry.get(lang) or entry["en"]).format(**values)
