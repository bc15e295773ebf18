"""``/copilot trust``: your newest answers with their confidence, freshness and bias hints (few records, one
rep's data dominating, stale data, a sector thin in the win-odds model's history) and the votes on them."""

from __future__ import annotations

from copilot.app import Copilot
from copilot.core.domain import Principal


def trust_text(cp: Copilot, principal: Principal, limit: int = 5) -> str:
    found = cp.trust_answers(principal, limit=limit)
    if not found:
        return "No answers yet: ask me something in the web chat first."
    lines = ["*Your newest answers, with reasons to check them*"]
    for r in found:
        hints = "; ".join(h.text for h in r.hints) or "no bias hint found"
        lines.append(f"• _{r.question[:120]}_: confidence {r.answer.confidence:.0%}, {len(r.answer.citations)} "
                     f"source(s); {hints}; votes {r.votes['helpful']} up, {r.votes['not_helpful']} down")
    return "\n".join(lines)[:3500]
