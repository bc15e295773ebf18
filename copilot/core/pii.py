"""Redact emails and phone numbers from text sent to a third-party model, and restore them in its reply.

Each distinct value becomes a stable placeholder (``<EMAIL_1>``, ``<PHONE_2>``) for the whole run, so the
model can still refer to "the same person" and propose an email to ``<EMAIL_1>``; the agent restores the
real values in tool arguments and in the final answer. Nothing personal crosses the wire.
"""

from __future__ import annotations

import re
from typing import Any

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?<![\w/])\+?\d[\d ().-]{7,}\d(?![\w/])")
PLACEHOLDER = re.compile(r"<(EMAIL|PHONE)_(\d+)>")


class Redactor:
    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self._to_tag: dict[str, str] = {}
        self._to_value: dict[str, str] = {}

    def _tag(self, kind: str, value: str) -> str:
        if value not in self._to_tag:
            tag = f"<{kind}_{sum(1 for t in self._to_value if t.startswith('<' + kind)) + 1}>"
            self._to_tag[value] = tag
            self._to_value[tag] = value
        return self._to_tag[value]

    def redact(self, text: str) -> str:
        if not self.enabled or not text:
            return text
        text = EMAIL.sub(lambda m: self._tag("EMAIL", m.group(0)), text)
        return PHONE.sub(lambda m: self._tag("PHONE", m.group(0)) if sum(c.isdigit() for c in m.group(0)) >= 9
                         and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", m.group(0).strip()) else m.group(0), text)

    def restore(self, value: Any) -> Any:
        """Put the real values back in a string, or in every string inside lists and dicts."""
        if isinstance(value, str):
            return PLACEHOLDER.sub(lambda m: self._to_value.get(m.group(0), m.group(0)), value)
        if isinstance(value, list):
            return [self.restore(v) for v in value]
        if isinstance(value, dict):
            return {k: self.restore(v) for k, v in value.items()}
        return value
