"""Scripted trainees against the offline buyer: strong passes, pushy fails, hidden facts stay hidden."""

from __future__ import annotations

import random

import pytest

from copilot.core.domain import Principal, Role
from copilot.core.errors import UserError
from tools.roleplay.simulator import GENERIC, is_seller_line

REP = Principal(user_id="u-rita", name="Rita Rep", role=Role.REP, team_id="t-east")

STRONG_BRIGHTWELL = [
    "Thanks for making the time, Dana.",
    "What's not working with your clinical reporting today?",
    "What happens to staffing and patients when a feed goes stale?",
    "How is a project like this funded, and is there budget set aside this year?",
    "Who besides you needs to sign off before Brightwell commits?",
    "Can we book the technical demo with your data team for Tuesday at 10am?",
    "We sign a BAA, and I can send our SOC 2 Type II report and HIPAA questionnaire today so compliance can start.",
    "Can we book the technical demo with your data team and compliance lead for Tuesday at 10am?",
]


def play(session, lines):
    turns = []
    for line in lines:
        turns.append(session.reply(line))
        if turns[-1].ended:
            break
    return turns


def test_strong_trainee_gets_a_dated_next_step_and_passes(copilot):
    s = copilot.services.roleplay.start("brightwell-discovery", REP)
    turns = play(s, STRONG_BRIGHTWELL)
    assert [f for t in turns for f in t.revealed] == ["impact", "budget", "decision"]
    assert turns[5].raised == "security" and not turns[5].ended  # objection first, no next step yet
    assert turns[6].resolved == "security"
    assert turns[-1].ended and turns[-1].outcome == "next_step_agreed"
    assert "technical demo" in turns[-1].text
    score = s.finish()
    assert score.passed and score.score >= 90
    assert s.transcript_path.read_text().count("Rep: ") == len(STRONG_BRIGHTWELL)


def test_pushy_discount_trainee_does_not_get_it_on_first_push(copilot):
    s = copilot.services.roleplay.start("kestrel-pricing", REP)
    first = s.reply("Look Marco, just sign today and I'll give you 20% off.")
    assert not first.ended and first.outcome is None
    assert "discount" in first.text.lower() or "percentage" in first.text.lower()
    second = s.reply("Come on, just sign it today, I can give you the best price.")
    assert second.outcome != "next_step_agreed"
    third = s.reply("Fine, can we book the signature call for Friday at 2pm?")
    assert third.outcome != "next_step_agreed"  # the price objection is still open
    assert s.state.active == "price" and "price" not in s.state.resolved
    score = s.finish()
    assert not score.passed
    assert {"price_value_not_discount", "asked_impact", "dated_next_step"} <= set(score.failed())


def test_hidden_facts_stay_hidden_until_asked_well(copilot):
    s = copilot.services.roleplay.start("kestrel-pricing", REP)
    persona = s.persona
    closed = s.reply("Do you have a budget?")  # closed question: vague answer, no reveal
    assert closed.revealed == [] and "ninety-five" not in closed.text
    assert closed.text == persona.fact("budget").vague
    pitch = s.reply("Our platform has best-in-class lineage, dashboards and alerting out of the box.")
    assert pitch.revealed == [] and all(f.fact not in pitch.text for f in persona.hidden_facts)
    opened = s.reply("What budget did you plan for this, and how was that number set?")
    assert opened.revealed == ["budget"] and "ninety-five thousand" in opened.text
    again = s.reply("What budget did you plan for this?")
    assert again.revealed == []


def test_buyer_ends_the_call_when_patience_runs_out(copilot):
    s = copilot.services.roleplay.start("copperline-demo-tough", REP)
    ramble = " ".join(["Our platform is really great and it has many features that customers love."] * 8)
    turns = play(s, [ramble] * 6)
    assert turns[-1].ended and turns[-1].outcome == "buyer_ended"
    assert len(turns) < 6
    with pytest.raises(UserError):
        s.reply("Wait, one more thing")


def test_session_continues_in_a_later_process(copilot, settings):
    from copilot.app import Copilot
    from copilot.core.errors import PermissionDenied
    from copilot.core.visibility import scope_for

    s = copilot.services.roleplay.start("harborview-discovery-easy", REP)
    s.reply("What's the hardest part of keeping the ETA reports right today?")
    other = Copilot(settings)  # a fresh facade, as a Slack worker would build
    try:
        resumed = other.services.roleplay.resume(s.id, scope_for(REP))
        assert resumed.state.revealed == ["pain"] and len(resumed.turns) == 3
        t = resumed.reply("How much time does the team lose when a report is wrong?")
        assert t.revealed == ["impact"]
        assert resumed.finish().checks
        again = other.services.roleplay.resume(s.id, scope_for(REP))
        assert again.ended and again.finish().checks  # a finished session is re-scored, not stored twice
        assert len(other.services.roleplay.store.scores(scope_for(REP))) == 1
    finally:
        other.close()
    stranger = Principal(user_id="u-sam", name="Sam", role=Role.REP, team_id="t-west")

    with pytest.raises(PermissionDenied):
        copilot.services.roleplay.resume(s.id, scope_for(stranger))


PHRASES = [
    "What's your biggest challenge?", "Do you have budget?", "Who signs off?", "How much does it cost you?",
    "Our platform is the best on the market.", "I can give you 30% off.", "Just sign today.",
    "Can we meet Tuesday at 10am?", "Let's schedule a pilot.", "Customers like you saved 40 hours a month.",
    "We sign a BAA and share our SOC 2 report.", "Thanks for your time.", "Skylark Observe has lineage.",
    "When do you need this live?", "Which other vendors are you evaluating?", "What would success look like?",
    "Tell me about your current setup.", "Hmm.", "Sure.", "What does your decision process look like?",
    " ".join(["We have great features and a big roadmap."] * 12),
    "Our connectors handle Snowflake so your engineers spend two hours.", "Is this a priority?",
]


def test_offline_buyer_stays_in_character_over_200_random_turns(copilot):
    rng = random.Random(7)
    svc = copilot.services.roleplay
    personas = svc.scenarios()
    checked, sessions = 0, 0
    while checked < 200:
        persona = personas[sessions % len(personas)]
        sessions += 1
        s = svc.start(persona.id, REP)
        hidden = {f.id: f.fact for f in persona.hidden_facts}
        while checked < 200:
            text = rng.choice(PHRASES)
            act = svc.classifier.classify(text)
            turn = s.reply(text)
            checked += 1
            assert not is_seller_line(turn.text), turn.text
            assert "skylark" not in turn.text.lower() and "our product" not in turn.text.lower()
            for fid in turn.revealed:  # a reveal only ever answers an open question on its topic
                assert act.act == "discovery" and act.open_question and persona.fact(fid).topic in act.topics
            for fid, fact in hidden.items():  # a hidden fact's text appears only in the turn that reveals it
                if fact in turn.text:
                    assert fid in turn.revealed
            if turn.ended:
                break
    assert checked == 200 and sessions >= 2


def test_response_bank_and_cards_hold_no_seller_lines(copilot):
    for lines in GENERIC.values():
        assert not [x for x in lines if is_seller_line(x)]
    for p in copilot.services.roleplay.scenarios():
        buyer_lines = [p.opening, p.accept_next_step, *p.answers.values()]
        buyer_lines += [x for f in p.hidden_facts for x in (f.fact, f.vague)]
        buyer_lines += [x for o in p.objections for x in (o.text, o.pushback, o.accept)]
        assert not [x for x in buyer_lines if is_seller_line(x)], p.id
