"""Emails and phone numbers never reach a third-party model; the model's placeholders are restored in tool
arguments and in the answer the person sees."""

from __future__ import annotations

from crm_seed import TODAY, seed_small_crm
from tests_support import make_settings_for

from copilot.app import Copilot
from copilot.testing import ScriptedChatModel, tool_call


def _cp(tmp_path, **kw):
    cp = Copilot(make_settings_for(tmp_path, today=TODAY, **kw))
    seed_small_crm(cp.services.crm)
    return cp


def _sent(model: ScriptedChatModel) -> str:
    return "\n".join(str(m.content) for call in model.calls for m in call)


def test_model_sees_placeholders_and_the_person_sees_real_values(tmp_path):
    cp = _cp(tmp_path)
    model = ScriptedChatModel(script=[
        tool_call("query_crm", {"object": "contacts", "metric": "list", "filters": {"account": "Acme"}}),
        tool_call("propose_email", {"account": "Acme", "to": ["<EMAIL_2>"], "cc": ["<EMAIL_1>"],
                                    "subject": "Next steps", "body": "Hi Dana, following up."}),
        "Dana Park is the champion; write to <EMAIL_2> [S1]. I drafted an email for your approval."])
    cp.services.__dict__["chat_model"] = model
    a = cp.ask(cp.principal("r-ann"), "who is the champion at Acme and what's her email? my email is ann.lee@example.org, cell +1 415 555 0101")
    sent = _sent(model)
    assert "dana@acmerobotics.com" not in sent and "ann.lee@example.org" not in sent and "415 555 0101" not in sent
    assert "<EMAIL_1>" in sent and "<PHONE_1>" in sent
    assert "dana@acmerobotics.com" in a.text
    action = cp.services.actions.get(a.actions[0].id, cp.principal("r-ann"))
    assert action.payload["to"] == ["dana@acmerobotics.com"] and action.payload["cc"] == ["ann.lee@example.org"]
    cp.close()


def test_redaction_can_be_turned_off_for_a_local_model(tmp_path):
    cp = _cp(tmp_path, llm_redact_pii=False)
    model = ScriptedChatModel(script=[
        tool_call("query_crm", {"object": "contacts", "metric": "list", "filters": {"account": "Acme"}}),
        "Dana Park [S1]."])
    cp.services.__dict__["chat_model"] = model
    cp.ask(cp.principal("r-ann"), "who is the champion at Acme?")
    assert "dana@acmerobotics.com" in _sent(model)
    cp.close()
