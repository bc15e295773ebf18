"""What a CRM question leaves out: 'excluding renewals', 'not in negotiation', 'other than Observe', 'the team's total
not counting Darcel'. Deals take each as an exclusion; other objects can't, so the words are said as not applied."""

from __future__ import annotations

import re

_NEG = re.compile(r"\b(?:excluding|exclude|except(?: for)?|other than|apart from|besides|minus|not|non[- ]?|ex|"
                  r"not counting|not including|leaving out|leave out|without|(?:everything|anything|all) but|but not)\s*"
                  r"(?:(?:in|at)\s+(?:the\s+)?)?$")


class LeftOut:
    """The exclusions read so far (``exclude``: the query's), the negations that can't be applied (``negated``), and
    the spans both used."""

    def __init__(self, low: str, obj_kind: str, exclude: list[dict[str, str]]) -> None:
        self.low, self.obj_kind = low, obj_kind
        self.exclude = exclude
        self.negated: list[str] = []
        self.spans: list[tuple[int, int]] = []

    def said(self, at: tuple[int, int], slot: str, values: list[str]) -> bool:
        """Is the value at ``at`` said as left out? Then ``values`` of ``slot`` are excluded (deals only)."""
        m = _NEG.search(self.low[:at[0]])
        if m:
            self.spans.append((m.start(), at[1]))
            if self.obj_kind == "deals":
                self.exclude.extend({"slot": slot, "value": v} for v in values)
            else:
                self.negated.append(self.low[m.start():at[1]].strip())
        return bool(m)
