"""Finding and scrubbing the words that name someone, for erasure.

A name is matched as its words in order with any punctuation between them and no letter or digit on
either side, case-insensitively: "Pat Jones" also matches "pat_jones" (an upload's file name) and
"Acme Health" matches "acme-health" (an id slug), but "Acme" does not match "Acmeson".
Non-ASCII names are matched in their JSON-escaped form too ("Jos\\u00e9"), because the JSON columns hold
them that way and a byte scan of the database would not find the plain form.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

ERASED = "[erased]"
MIN_TERM = 4  # shorter names would erase ordinary words
MIN_ID = 3


def _pattern(term: str) -> str | None:
    words = re.findall(r"[^\W_]+", term)
    if not words:
        return None
    forms = {r"[\W_]+".join(re.escape(w) for w in words)}
    escaped = [json.dumps(w)[1:-1] for w in words]
    if escaped != words:
        forms.add(r"[\W_]+".join(re.escape(w) for w in escaped))
    return "|".join(sorted(forms))


class Mentions:
    """The terms to find (names, emails, matched word by word) and record ids (matched literally)."""

    def __init__(self, terms: Iterable[str], ids: Iterable[str] = ()) -> None:
        self.terms = _unique(t for t in terms if len(t.strip()) >= MIN_TERM)
        self.ids = _unique(i for i in ids if len(i.strip()) >= MIN_ID)
        parts = [p for p in (_pattern(t) for t in self.terms) if p] + [re.escape(i) for i in self.ids]
        self._re = re.compile(r"(?<![^\W_])(?:" + "|".join(parts) + r")(?![^\W_])", re.IGNORECASE) if parts else None

    def __bool__(self) -> bool:
        return self._re is not None

    def found(self, value: Any) -> bool:
        """Whether a string, or any string inside a JSON-like value, names the subject."""
        if self._re is None or value is None:
            return False
        if isinstance(value, str):
            return self._re.search(value) is not None
        if isinstance(value, bytes):
            return self._re.search(value.decode("utf-8", "ignore")) is not None
        return self._re.search(json.dumps(value, default=str)) is not None

    def count(self, text: str) -> int:
        return 0 if self._re is None else sum(1 for _ in self._re.finditer(text))

    def scrub(self, value: Any) -> Any:
        """The value with every mention replaced by ``[erased]`` (strings inside lists and dicts too)."""
        if self._re is None:
            return value
        if isinstance(value, str):
            return self._re.sub(ERASED, value)
        if isinstance(value, list):
            return [self.scrub(v) for v in value]
        if isinstance(value, dict):
            return {k: self.scrub(v) for k, v in value.items()}
        return value

    def personal(self) -> Mentions:
        """The same names without the record ids (what a byte scan for personal data looks for)."""
        return Mentions(self.terms)


def scrub_all(value: Any) -> Any:
    """Every string replaced by ``[erased]``, keeping the shape (lists, keys, numbers, booleans)."""
    if isinstance(value, str):
        return ERASED
    if isinstance(value, list):
        return [scrub_all(v) for v in value]
    if isinstance(value, dict):
        return {k: scrub_all(v) for k, v in value.items()}
    return value


def _unique(values: Iterable[str]) -> list[str]:
    out: dict[str, str] = {}
    for v in values:
        v = v.strip()
        out.setdefault(v.lower(), v)
    return sorted(out.values(), key=lambda v: (-len(v), v.lower()))
