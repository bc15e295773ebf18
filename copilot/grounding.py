"""The grounding gate for LLM answers: figures in the final text must come from what the tools returned.

A model that answers a data question without calling a tool, or states a number no tool result (nor
the question) contains, is not passed on as fact: ``ask`` falls back to the offline engine and says why.
"""

from __future__ import annotations

import re

_NUM = re.compile(r"(?<![\w\[])\$?\s?(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s?(%|k\b|m\b|million\b|thousand\b)?", re.I)
_CITE = re.compile(r"\[\d+\]|\[S\d+\]")


def numbers(text: str) -> list[tuple[str, float]]:
    """(as written, value) for every figure in ``text``; citation markers are not figures."""
    out = []
    for m in _NUM.finditer(_CITE.sub(" ", text)):
        raw = m.group(1).replace(",", "")
        try:
            value = float(raw)
        except ValueError:
            continue
        unit = (m.group(2) or "").lower()
        value *= {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6}.get(unit, 1.0)
        out.append((m.group(0).strip(), value))
    return out


def _close(a: float, b: float, rel: float) -> bool:
    return abs(a - b) <= max(0.5, rel * max(abs(a), abs(b)))


def ungrounded_numbers(answer: str, sources: list[str], *, small_ok: int = 12) -> list[str]:
    """Figures in ``answer`` that appear in none of ``sources`` (tool results and the question).

    Rounding is allowed ($1.2M for 1,234,000; 43% for 0.427 or 42.7%); small counts (up to
    ``small_ok``) may be the model counting listed items, so they pass when tools were used.
    """
    known: list[float] = []
    for s in sources:
        for _, v in numbers(s):
            known += [v, v * 100, v / 100]
    bad = []
    for raw, v in numbers(answer):
        if v <= small_ok and float(v).is_integer():
            continue
        rel = 0.05 if re.search(r"[kmKM]|million|thousand|\.\d$", raw) or v >= 1000 and v % 1000 == 0 else 0.006
        if not any(_close(v, k, rel) for k in known):
            bad.append(raw)
    return list(dict.fromkeys(bad))
