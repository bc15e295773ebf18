"""The LLM voice of the buyer: rephrases what the state machine decided, never decides anything itself.

The model sees only the facts the state machine has unlocked, so it cannot leak a hidden fact; its reply is
checked against ``is_seller_line`` and replaced by the offline line when it slips out of role or fails.
"""

from __future__ import annotations

from pathlib import Path

from copilot.core.chat import ChatModel, Message, fall_back, guarded
from copilot.core.errors import ModelError
from prompts import render
from tools.roleplay.personas import Persona
from tools.roleplay.simulator import BuyerState, BuyerTurn, is_seller_line
from tools.roleplay.transcript import Turn


def buyer_prompt_values(persona: Persona, state: BuyerState, planned: str) -> dict[str, str]:
    """What the buyer prompt is filled with: only the facts the state machine has unlocked."""
    revealed = [persona.fact(fid).fact for fid in state.revealed]
    return {
        "name": persona.name, "role": persona.role, "company": persona.company, "industry": persona.industry,
        "company_context": persona.company_context, "pains": "; ".join(persona.pains) or "none stated",
        "competitor": persona.competitor or "none", "revealed": " | ".join(revealed) or "nothing yet",
        "mood": "warm" if state.mood >= 1 else "cool" if state.mood <= -1 else "neutral",
        "patience": "running out" if state.patience <= 2 else "fine", "planned": planned,
    }


class LlmBuyerVoice:
    def __init__(self, chat_model: ChatModel, template_path: Path) -> None:
        self.model = guarded(chat_model)
        self.template_path = template_path

    def speak(self, persona: Persona, state: BuyerState, planned: BuyerTurn, history: list[Turn]) -> str:
        system = render(self.template_path, **buyer_prompt_values(persona, state, planned.text))
        messages = [Message.system(system)]
        for t in history[-12:]:
            messages.append(Message.user(t.text) if t.speaker == "rep" else Message.assistant(t.text))
        try:
            text = self.model.complete(messages).text.strip()
        except ModelError as exc:
            fall_back(exc, caller="role-play buyer", offline="the scripted persona line")
            return planned.text
        if not text or is_seller_line(text):
            return planned.text
        return text
