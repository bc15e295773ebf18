"""The LLM voice of the buyer: rephrases what the state machine decided, never decides anything itself.

The model sees only the facts the state machine has unlocked, so it cannot leak a hidden fact; its reply is
checked against ``is_seller_line`` and replaced by the offline line when it slips out of role or fails.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from tools.roleplay.personas import Persona
from tools.roleplay.simulator import BuyerState, BuyerTurn, is_seller_line
from tools.roleplay.transcript import Turn

log = logging.getLogger(__name__)


def render_buyer_prompt(template: str, persona: Persona, state: BuyerState, planned: str) -> str:
    """Fill ``{{field}}`` placeholders; the one place the buyer prompt is rendered."""
    revealed = [persona.fact(fid).fact for fid in state.revealed]
    values = {
        "name": persona.name, "role": persona.role, "company": persona.company, "industry": persona.industry,
        "company_context": persona.company_context, "pains": "; ".join(persona.pains) or "none stated",
        "competitor": persona.competitor or "none", "revealed": " | ".join(revealed) or "nothing yet",
        "mood": "warm" if state.mood >= 1 else "cool" if state.mood <= -1 else "neutral",
        "patience": "running out" if state.patience <= 2 else "fine", "planned": planned,
    }
    out = template
    for key, val in values.items():
        out = out.replace("{{" + key + "}}", str(val))
    return out


class LlmBuyerVoice:
    def __init__(self, chat_model: Any, template_path: Path) -> None:
        self.model = chat_model
        self.template = template_path.read_text(encoding="utf-8")

    def speak(self, persona: Persona, state: BuyerState, planned: BuyerTurn, history: list[Turn]) -> str:
        system = render_buyer_prompt(self.template, persona, state, planned.text)
        messages: list[tuple[str, str]] = [("system", system)]
        for t in history[-12:]:
            messages.append(("human" if t.speaker == "rep" else "ai", t.text))
        try:
            reply = self.model.invoke(messages)
            text = str(getattr(reply, "content", reply) or "").strip()
        except Exception as exc:  # noqa: BLE001 - any model failure falls back to the offline line
            log.warning("role-play LLM failed, using the offline buyer: %s", exc)
            return planned.text
        if not text or is_seller_line(text):
            return planned.text
        return text
