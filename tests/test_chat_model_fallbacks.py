"""One failure policy: a provider failure becomes ModelError, is logged once, and each caller takes its
offline path (ask -> offline engine with a note, call summary -> extractive, buyer -> scripted persona line).
Also snapshots of the prompts the call summary and the buyer send (tests/snapshots/prompt_*.txt; written on
the first run, then compared; delete a file to accept a deliberate change)."""

from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path

import pytest
from crm_seed import TODAY, seed_small_crm
from tests_support import make_settings_for

from copilot.app import Copilot
from copilot.core.embeddings import HashingEmbedder
from copilot.core.speech import Segment
from copilot.testing import ScriptedChatModel
from prompts import PROMPTS_DIR
from tools.calls.llm_summary import LLMItem, LLMSummary
from tools.calls.summarize import CallContext, Summarizer
from tools.roleplay.llm_buyer import LlmBuyerVoice
from tools.roleplay.personas import HiddenFact, Persona
from tools.roleplay.simulator import BuyerState, BuyerTurn
from tools.roleplay.transcript import Turn

SNAPSHOTS = Path(__file__).parent / "snapshots"
SEGMENTS = [Segment(start=0, end=3, text="Thanks for the time, Marco.", role="rep", speaker="Jordan Lee"),
            Segment(start=4, end=8, text="The price is too high for us.", role="customer", speaker="Marco Ruiz"),
            Segment(start=65, end=70, text="I will send a revised proposal by Friday.", role="rep", speaker="Jordan Lee")]
CALL = CallContext(call_id="c1", title="Kestrel pricing call", call_date=date(2025, 3, 5),
                   names={"rep": "Jordan Lee", "customer": "Marco Ruiz"})
PERSONA = Persona(id="p1", title="Discovery", name="Dana Whitfield", role="VP Data", company="Brightwell Health",
                  industry="healthcare", company_context="Regional hospital group.", pains=["nightly feeds break"],
                  competitor="OpsHawk", hidden_facts=[HiddenFact(id="impact", topic="impact",
                                                                 fact="We are short-staffed on Mondays.")])


def snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / f"prompt_{name}.txt"
    if not path.exists():
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{path.name} changed; delete it to accept the new prompt"


def fallbacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "copilot.core.chat"]


def test_ask_falls_back_to_the_offline_engine_with_a_note(tmp_path, caplog) -> None:
    cp = Copilot(make_settings_for(tmp_path, today=TODAY))
    try:
        seed_small_crm(cp.services.crm)
        cp.services.__dict__["chat_model"] = ScriptedChatModel([TimeoutError("read timed out")])
        with caplog.at_level(logging.WARNING):
            answer = cp.ask(cp.principal("r-ann"), "who is the champion at Acme?")
    finally:
        cp.close()
    assert answer.mode == "offline" and "Dana Park" in answer.text
    assert answer.notes[0] == ("The language model failed (the language model call failed: TimeoutError: read timed "
                               "out); answered by the offline engine.")
    (logged,) = fallbacks(caplog)
    assert logged.startswith("ask: the language model failed, using the offline engine instead") and "read timed out" in logged


def test_call_summary_falls_back_to_the_extractive_summary(caplog) -> None:
    chat = ScriptedChatModel([ConnectionError("connection refused")])
    with caplog.at_level(logging.WARNING):
        out = Summarizer(embedder=HashingEmbedder(), chat_model=chat).summarize(SEGMENTS, CALL)
    assert out.mode == "offline" and out.items("context")  # the extractive summary
    (logged,) = fallbacks(caplog)
    assert logged.startswith("call summary: the language model failed, using the extractive summary instead")
    assert "connection refused" in logged


def test_call_summary_with_output_that_does_not_fit_the_schema_falls_back(caplog) -> None:
    chat = ScriptedChatModel(['{"objections": "not a list"}'])
    with caplog.at_level(logging.WARNING):
        out = Summarizer(embedder=HashingEmbedder(), chat_model=chat).summarize(SEGMENTS, CALL)
    assert out.mode == "offline"
    assert "no valid LLMSummary" in fallbacks(caplog)[0]


def test_buyer_falls_back_to_the_scripted_persona_line(caplog) -> None:
    voice = LlmBuyerVoice(ScriptedChatModel([RuntimeError("endpoint down")]), PROMPTS_DIR / "roleplay_buyer.md")
    planned = BuyerTurn(text="Our nightly feeds break and nobody notices until Monday.")
    with caplog.at_level(logging.WARNING):
        said = voice.speak(PERSONA, BuyerState(), planned, [Turn(speaker="rep", text="What is broken today?")])
    assert said == planned.text
    (logged,) = fallbacks(caplog)
    assert logged.startswith("role-play buyer: the language model failed, using the scripted persona line instead")


def test_call_summary_prompt_snapshot() -> None:
    chat = ScriptedChatModel([LLMSummary(objections=[LLMItem(text="Price too high", segments=[1], category="pricing")])])
    template = {"sections": [{"id": "objections", "title": "Objections", "description": "each concern and its handling"},
                             {"id": "next_steps", "title": "Next steps", "description": "what, who, by when"}]}
    out = Summarizer(embedder=HashingEmbedder(), chat_model=chat, template=template,
                     competitors=["OpsHawk"]).summarize(SEGMENTS, CALL)
    assert out.mode == "llm"
    (sent,) = chat.calls[0]
    assert sent.role == "user" and "{{" not in sent.content
    snapshot("calls_summary", sent.content)


def test_buyer_prompt_snapshot() -> None:
    chat = ScriptedChatModel(["Honestly? The feeds break at night."])
    state = BuyerState(revealed=["impact"], mood=1.0)
    history = [Turn(speaker="customer", text="Hi, I have twenty minutes."), Turn(speaker="rep", text="What breaks?")]
    said = LlmBuyerVoice(chat, PROMPTS_DIR / "roleplay_buyer.md").speak(PERSONA, state, BuyerTurn(text="Feeds break."),
                                                                       history)
    assert said == "Honestly? The feeds break at night."
    sent = [m.model_dump(include={"role", "content"}) for m in chat.calls[0]]
    assert "{{" not in sent[0]["content"] and "short-staffed" in sent[0]["content"]
    snapshot("roleplay_buyer", json.dumps(sent, indent=2, ensure_ascii=False) + "\n")
