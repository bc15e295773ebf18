"""Rubric scoring of finished transcripts: strong passes, weak fails with the right misses, turns cited."""

from __future__ import annotations

import pytest

from copilot.core.errors import ConfigError, UserError
from tools.roleplay.personas import parse_card
from tools.roleplay.scoring import DISCLAIMER, load_rubric
from tools.roleplay.transcript import parse_transcript

STRONG = """\
Customer: The number in your proposal doesn't work for me.
Rep: Understood. Before we get to the number, what's driving the project on your side?
Customer: Sensor data arrives late and our yield reports lag a day.
Rep: What does a day's delay in yield reporting cost the plants?
Customer: We scrap batches we could have saved. About four hundred thousand last year.
Rep: What budget did you plan for this, and how was that number set?
Customer: Ninety-five thousand, set before we saw your pricing.
Rep: Who besides you signs off, and what will they need to see?
Customer: Our CFO signs anything over a hundred thousand.
Customer: Honestly your price is twenty-five thousand over my budget. Come down and we have a deal.
Rep: If we cut that scrap in half, the suite pays for itself in a quarter; I'll put the ROI in writing for your CFO.
Customer: Okay, that's a case I can take to her.
Rep: Can I send the revised proposal and book thirty minutes with you and your CFO on Friday at 2pm?
Customer: Okay, send the invite.
"""

WEAK = """\
Customer: The number in your proposal doesn't work for me.
Rep: Let me tell you about our platform. Skylark has best in class lineage, automated monitoring, alerting, dashboards for every team, a huge connector library, role based access, audit trails and a roadmap that our customers love, and honestly we are the leader in the space according to every analyst, so you will get more value than any other vendor out there and your team will love it from day one, with onboarding, training, a customer success manager and quarterly business reviews included.
Customer: Your price is still twenty-five thousand over my budget.
Rep: I can give you a 15% discount if you sign this week.
Customer: I'll think about it.
Rep: Do you have budget?
Customer: Some.
Rep: Great, I'll follow up sometime.
Customer: Fine.
"""


def test_strong_transcript_passes_with_cited_turns(copilot):
    score = copilot.services.roleplay.score_text(STRONG)
    assert score.passed and score.score == 100.0
    by_id = {c.id: c for c in score.checks}
    assert by_id["asked_impact"].turn == 4 and "cost" in by_id["asked_impact"].evidence
    assert by_id["price_value_not_discount"].turn == 11
    assert by_id["dated_next_step"].turn == 13
    assert score.talk_ratio < 0.6
    assert score.feedback.check_id is None
    assert score.disclaimer == DISCLAIMER


def test_weak_transcript_fails_with_the_right_missed_checks(copilot):
    score = copilot.services.roleplay.score_text(WEAK, scenario_id="kestrel-pricing")
    assert not score.passed and score.score < 40
    missed = set(score.failed())
    assert missed >= {"asked_pain", "asked_impact", "identified_decision_maker", "price_value_not_discount",
                      "dated_next_step", "talk_ratio", "open_questions", "no_early_pitch", "no_monologue"}
    assert "confirmed_budget" not in missed  # a closed question still counts as asking about budget
    by_id = {c.id: c for c in score.checks}
    assert by_id["price_value_not_discount"].turn == 4 and "discount" in by_id["price_value_not_discount"].note
    assert by_id["no_early_pitch"].turn == 2
    # the single most useful change is a knowledge check, with an example line from the Kestrel card
    fb = score.feedback
    assert fb.check_id == "asked_pain"
    assert fb.example and fb.example_source


def test_feedback_example_prefers_the_scenario_card(copilot):
    text = STRONG.replace("Rep: What does a day's delay in yield reporting cost the plants?\n", "Rep: Okay.\n")
    score = copilot.services.roleplay.score_text(text, scenario_id="kestrel-pricing")
    assert score.failed() == ["asked_impact"] and score.passed  # one knowledge miss: 90
    assert score.feedback.example == "What does a day's delay in yield reporting cost the plants?"
    assert score.feedback.example_source.endswith("kestrel-pricing.md")


def test_objection_checks_do_not_apply_without_objections(copilot):
    text = "Rep: What is hard about your reporting today?\nCustomer: Feeds break.\n"
    by_id = {c.id: c for c in copilot.services.roleplay.score_text(text).checks}
    assert by_id["handled_objection_with_value"].passed is None
    assert by_id["price_value_not_discount"].passed is None


def test_real_call_transcript_with_names(copilot):
    text = ("Sam Seller: What prompted you to look at observability now?\n"
            "Dana Whitfield: Our dashboards break every week.\n"
            "Sam Seller: How much time does your team spend on those incidents?\n"
            "Dana Whitfield: About forty hours a month.\n")
    turns = parse_transcript(text, rep_names={"Sam Seller"})
    assert [t.speaker for t in turns] == ["rep", "customer", "rep", "customer"]
    by_id = {c.id: c for c in copilot.services.roleplay.score_text(text, rep_names={"Sam Seller"}).checks}
    assert by_id["asked_pain"].passed and by_id["asked_impact"].turn == 3


def test_bad_input_is_a_clear_error(copilot, tmp_path):
    with pytest.raises(UserError, match="speaker-labelled"):
        copilot.services.roleplay.score_text("just some words with no labels")
    with pytest.raises(UserError, match="both a rep and a customer"):
        copilot.services.roleplay.score_text("Rep: hello\nRep: anyone?")
    bad = tmp_path / "r.yaml"
    bad.write_text("pass_mark: 80\ngroups: {knowledge: 70}\nchecks:\n  - {id: x, group: style, label: X}\n")
    with pytest.raises(ConfigError, match="no weight"):
        load_rubric(bad)
    with pytest.raises(UserError, match="front matter"):
        parse_card("no front matter here", source="x.md")
    with pytest.raises(UserError, match="difficulty"):
        parse_card("---\ntype: persona_card\nid: x\ntitle: X\nname: N\nrole: R\ncompany: C\nindustry: I\n"
                   "difficulty: brutal\n---\n", source="x.md")


def test_library_has_eight_scenarios_covering_every_goal(copilot):
    cards = copilot.services.roleplay.scenarios()
    assert len(cards) >= 8
    assert {c.goal for c in cards} == {"discovery", "demo_follow_up", "pricing_negotiation", "renewal_at_risk"}
    assert {c.difficulty for c in cards} == {"easy", "realistic", "tough"}
    assert {"Brightwell Health", "Kestrel Manufacturing", "Alder Financial", "Nimbus Retail"} <= {c.account for c in cards}
    check_ids = {c.id for c in copilot.services.roleplay.rubric.checks}
    for c in cards:
        assert c.hidden_facts and c.objections and set(c.targets) <= check_ids and c.example_lines
