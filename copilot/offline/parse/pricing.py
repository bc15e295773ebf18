"""Deals against their product's list price: 'won deals closed below list price', 'sold at full price',
'discounted deals'. The figures ('open pipeline at list price', 'my average discount') are metrics in the lexicon."""

from __future__ import annotations

import re

Spans = list[tuple[int, int]]

_LIST = r"(?:the\s+)?(?:product'?s?\s+)?(?:full\s+)?(?:list|sticker|full|catalog(?:ue)?|rack)(?:\s+prices?|\s+pricing)?"
_BELOW = re.compile(rf"\b(?:below|under|less than|lower than|beneath|short of)\s+{_LIST}\b|\bdiscounted\b|"
                    r"\b(?:at|with|given|giving) (?:a |any |some )?discounts?\b|\boff[- ]list\b")
_AT = re.compile(rf"\b(?:at|above|over)\s+(?:or above\s+)?{_LIST}\b|\b(?:no|without(?: a| any)?) discounts?\b|"
                 r"\bundiscounted\b|\bnot discounted\b")
# 'worth at list price', 'pipeline at list': a figure at list price (the metric), not a filter
_FIGURE = re.compile(r"\b(?:worth|value|valued|pipe(?:line)?|total|sum|amount)\b[^?]{0,30}?$")


def below_list(low: str) -> tuple[bool | None, Spans]:
    """(True for deals below list price, False for at or above it, None; spans)."""
    m = _BELOW.search(low)
    if m and not re.search(r"\b(?:avg|average|mean|typical|how much|total|overall)\b[^?]{0,20}$", low[:m.start()]):
        return True, [m.span()]
    m = _AT.search(low)
    if m and not _FIGURE.search(low[:m.start()]):
        return False, [m.span()]
    return None, []
